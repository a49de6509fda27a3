/**
 * ELLIPSE CSV loading: the corpus's own 26-column layout through the one manifest loading path
 * (`corpus_loader.ts`) with the built-in ELLIPSE manifest (`manifest.ts`).
 *
 * Required columns: `text_id_kaggle`, `full_text`, `prompt`, `Overall`. The analytic scores
 * (`Cohesion` … `Conventions`) are validated when present. Every score must be a number in
 * 1.0–5.0 in 0.5 steps; ids must be unique; texts and prompts non-empty.
 *
 * @module
 */
import { type CsvTable, readCsvTable } from "./csv_table.ts";
import type { Essay, OfficialSplit } from "./essay.ts";
import { essaysFromTable, loadCorpus } from "./corpus_loader.ts";
import { ELLIPSE_TRAIT_COLUMNS, ellipseManifest } from "./manifest.ts";
import { ELLIPSE_SCALE, parseScoreCell } from "./score_scale.ts";

/** Columns an ELLIPSE file must have. */
export const ELLIPSE_REQUIRED_COLUMNS = [
  "text_id_kaggle",
  "full_text",
  "prompt",
  "Overall",
] as const;

/** Analytic score columns, validated when present. */
export const ELLIPSE_ANALYTIC_COLUMNS = ELLIPSE_TRAIT_COLUMNS;

/**
 * Parse a score cell: a number in [1, 5] on the half-point grid, else `undefined` + reason.
 *
 * @example
 * ```ts
 * parseHalfPointScore("3.5"); // { value: 3.5 }
 * parseHalfPointScore("3.2").error; // "off-step score ..."
 * ```
 */
export function parseHalfPointScore(cell: string): { value?: number; error?: string } {
  return parseScoreCell(ELLIPSE_SCALE, cell);
}

function builtIn(trainPath: string, testPath: string) {
  return ellipseManifest({ trainPath, testPath, minWords: 0, maxWords: 1, excludedPrompts: [] });
}

/**
 * Turn a parsed ELLIPSE table into validated essays.
 *
 * @example
 * ```ts
 * const essays = ellipseEssaysFromTable(parseCsvTable(text, "train.csv"), "train");
 * ```
 */
export function ellipseEssaysFromTable(table: CsvTable, split: OfficialSplit): Essay[] {
  return essaysFromTable(table, builtIn(table.file, table.file), ELLIPSE_SCALE, () => split);
}

/**
 * Read and validate one ELLIPSE CSV file.
 *
 * @example
 * ```ts
 * const train = await loadEllipseCsv("data/embedded/ellipse_embedded_train.csv", "train");
 * ```
 */
export async function loadEllipseCsv(file: string, split: OfficialSplit): Promise<Essay[]> {
  return ellipseEssaysFromTable(await readCsvTable(file), split);
}

/**
 * Read the official train and test files; ids must be unique across both.
 *
 * @example
 * ```ts
 * const { train, test } = await loadEllipseTrainTest("a_train.csv", "a_test.csv");
 * ```
 */
export async function loadEllipseTrainTest(
  trainPath: string,
  testPath: string,
): Promise<{ train: Essay[]; test: Essay[]; header: readonly string[] }> {
  const { train, test, header } = await loadCorpus(builtIn(trainPath, testPath));
  return { train, test, header };
}
