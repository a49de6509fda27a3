/**
 * Per-prompt standardisation of the input columns (issue 18, per-prompt corpora): the first stage
 * of the scoring pipeline when the input has prompt-identity columns (`prompt_columns.ts`). Every
 * input column that is neither a prompt column nor an embedding column (the handcrafted and
 * language columns) becomes `(x − mean_p) / std_p`, with the mean and population std of the
 * column over the **training part's** essays of the row's prompt p. So "long for this prompt"
 * means the same to the one pooled model on every prompt (a 100-word answer is short for ASAP
 * set 1's letter, typical for set 3's source-based response).
 *
 * Fitted in `ScoringPipeline.fit` on its training rows only (never on a predicted part) and kept
 * in the pipeline (`prompt_standardisation` in `pipeline.json`), so `predict` and `score` apply
 * the same map. Non-finite values stay as they are (the learners treat them as missing); a column
 * with fewer than two finite training values of a prompt, or no spread, keeps its centre and a
 * std of 1; a prompt with no training rows is left unstandardised (mean 0, std 1).
 *
 * @module
 */
import { z } from "zod";
import type { DenseMatrix } from "../learners/matrix.ts";
import { PROMPT_COLUMN_PREFIX } from "./prompt_columns.ts";

/** The fitted map: per prompt column, the mean and std of every standardised column. */
export interface PromptStandardisation {
  /** Input column indices of the prompt-identity columns (group g = the g-th of them). */
  readonly promptColumns: readonly number[];
  /** Input column indices standardised. */
  readonly columns: readonly number[];
  /** mean[g][k]: training mean of `columns[k]` over prompt g's essays. */
  readonly mean: readonly (readonly number[])[];
  /** std[g][k]: its population std (1 when undefined or 0). */
  readonly std: readonly (readonly number[])[];
}

/** `pipeline.json`'s `prompt_standardisation` (validated when read). */
export const PromptStandardisationJsonSchema = z.object({
  prompt_columns: z.array(z.number().int().nonnegative()).min(1),
  columns: z.array(z.number().int().nonnegative()),
  mean: z.array(z.array(z.number())),
  std: z.array(z.array(z.number().positive())),
}).strict();

/** The JSON form of a {@link PromptStandardisation}. */
export type PromptStandardisationJson = z.infer<typeof PromptStandardisationJsonSchema>;

/** The prompt group of every row (index into the prompt columns); throws on a row with none. */
function promptGroups(X: DenseMatrix, promptColumns: readonly number[]): Int32Array {
  const g = new Int32Array(X.nRows);
  for (let r = 0; r < X.nRows; r++) {
    g[r] = promptColumns.findIndex((j) => X.values[r * X.nCols + j] === 1);
    if (g[r] < 0) throw new Error(`prompt standardisation: row ${r} has no prompt column set`);
  }
  return g;
}

function meanStd(values: readonly number[]): { mean: number; std: number } {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return { mean: 0, std: 1 };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std: v.length >= 2 && sd > 1e-12 ? sd : 1 };
}

/**
 * Fit the map on training rows; null when the input has no prompt columns or nothing to
 * standardise (then the pipeline has no such stage).
 *
 * @example
 * ```ts
 * const s = fitPromptStandardisation(trainX, names, embeddingColumns);
 * const Xs = s ? applyPromptStandardisation(trainX, s) : trainX;
 * ```
 */
export function fitPromptStandardisation(
  X: DenseMatrix,
  featureNames: readonly string[],
  skipColumns: readonly number[],
): PromptStandardisation | null {
  const promptColumns = featureNames.flatMap((n, j) =>
    n.startsWith(PROMPT_COLUMN_PREFIX) ? [j] : []
  );
  if (promptColumns.length === 0) return null;
  const skip = new Set([...promptColumns, ...skipColumns]);
  const columns = featureNames.flatMap((_, j) => (skip.has(j) ? [] : [j]));
  if (columns.length === 0) return null;
  const groups = promptGroups(X, promptColumns);
  const mean: number[][] = [];
  const std: number[][] = [];
  promptColumns.forEach((_, g) => {
    const rows = Array.from(groups.keys()).filter((r) => groups[r] === g);
    const stats = columns.map((c) => meanStd(rows.map((r) => X.values[r * X.nCols + c])));
    mean.push(stats.map((s) => s.mean));
    std.push(stats.map((s) => s.std));
  });
  return { promptColumns, columns, mean, std };
}

/**
 * Apply a fitted map to any rows with the same input columns (a new matrix).
 *
 * @example
 * ```ts
 * applyPromptStandardisation(heldOutX, s);
 * ```
 */
export function applyPromptStandardisation(
  X: DenseMatrix,
  s: PromptStandardisation,
): DenseMatrix {
  const groups = promptGroups(X, s.promptColumns);
  const values = Float64Array.from(X.values);
  for (let r = 0; r < X.nRows; r++) {
    const g = groups[r];
    s.columns.forEach((c, k) => {
      const i = r * X.nCols + c;
      values[i] = (values[i] - s.mean[g][k]) / s.std[g][k];
    });
  }
  return { nRows: X.nRows, nCols: X.nCols, values };
}

/**
 * The JSON form (`pipeline.json`).
 *
 * @example
 * ```ts
 * promptStandardisationToJson(s).prompt_columns;
 * ```
 */
export function promptStandardisationToJson(s: PromptStandardisation): PromptStandardisationJson {
  return {
    prompt_columns: [...s.promptColumns],
    columns: [...s.columns],
    mean: s.mean.map((m) => [...m]),
    std: s.std.map((m) => [...m]),
  };
}

/**
 * Read the JSON form back; throws when its shape does not match the input width.
 *
 * @example
 * ```ts
 * promptStandardisationFromJson(json.prompt_standardisation, json.input_feature_names.length);
 * ```
 */
export function promptStandardisationFromJson(
  j: PromptStandardisationJson,
  nInputColumns: number,
): PromptStandardisation {
  const ok = [...j.prompt_columns, ...j.columns].every((c) => c < nInputColumns) &&
    j.mean.length === j.prompt_columns.length && j.std.length === j.prompt_columns.length &&
    [...j.mean, ...j.std].every((row) => row.length === j.columns.length);
  if (!ok) throw new Error("prompt_standardisation does not match the input columns");
  return { promptColumns: j.prompt_columns, columns: j.columns, mean: j.mean, std: j.std };
}
