/**
 * Language-specific feature columns (issue 18): for a dataset language that has its own
 * features, the columns appended to the handcrafted ones (Swedish: LIX and Swedish spelling
 * errors, `swedish_features.ts`). English has none here: its features are the handcrafted schema.
 *
 * @module
 */
import { type DenseMatrix, matrixFromRows } from "../../model/learners/matrix.ts";
import { primaryLanguage } from "../feature_languages.ts";
import { SWEDISH_FEATURE_NAMES, swedishFeatureRow } from "./swedish_features.ts";

/** Languages (primary subtags) with language-specific columns. */
export const LANGUAGES_WITH_FEATURES: readonly string[] = ["sv"];

/**
 * Column names of a language's own features (empty when it has none).
 *
 * @example
 * ```ts
 * languageFeatureNames("sv"); // ["sv_lix", "sv_spelling_errors_per_100_words"]
 * ```
 */
export function languageFeatureNames(tag: string): string[] {
  return primaryLanguage(tag) === "sv" ? [...SWEDISH_FEATURE_NAMES] : [];
}

/**
 * The language's feature matrix of the texts (null when the language has no own features).
 *
 * @example
 * ```ts
 * languageFeatureMatrix("sv", texts)?.names; // ["sv_lix", …]
 * ```
 */
export function languageFeatureMatrix(
  tag: string,
  texts: readonly string[],
): { X: DenseMatrix; names: string[] } | null {
  const names = languageFeatureNames(tag);
  if (names.length === 0) return null;
  const X = texts.length === 0
    ? { nRows: 0, nCols: names.length, values: new Float64Array(0) }
    : matrixFromRows(texts.map(swedishFeatureRow));
  return { X, names };
}
