/**
 * ELLIPSE CSV loading and validation (the corpus's own 26-column layout).
 *
 * Required columns: `text_id_kaggle`, `full_text`, `prompt`, `Overall`. The analytic scores
 * (`Cohesion` … `Conventions`) are validated when present. Every score must be a number in
 * 1.0–5.0 in 0.5 steps; ids must be unique; texts and prompts non-empty.
 *
 * @module
 */
import { type CsvTable, DatasetError, readCsvTable } from "./csv_table.ts";
import type { Essay, OfficialSplit } from "./essay.ts";

/** Columns an ELLIPSE file must have. */
export const ELLIPSE_REQUIRED_COLUMNS = [
  "text_id_kaggle",
  "full_text",
  "prompt",
  "Overall",
] as const;

/** Analytic score columns, validated when present. */
export const ELLIPSE_ANALYTIC_COLUMNS = [
  "Cohesion",
  "Syntax",
  "Vocabulary",
  "Phraseology",
  "Grammar",
  "Conventions",
] as const;

const NUMBER_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

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
  const s = cell.trim();
  if (s === "") return { error: "missing score; expected a number 1.0–5.0 in 0.5 steps" };
  if (!NUMBER_PATTERN.test(s)) {
    return { error: `non-numeric score "${cell}"; expected a number 1.0–5.0 in 0.5 steps` };
  }
  const value = Number(s);
  if (value < 1 || value > 5) {
    return { error: `off-scale score ${s}; expected 1.0–5.0` };
  }
  if (Math.abs(value * 2 - Math.round(value * 2)) > 1e-9) {
    return { error: `off-step score ${s}; expected a multiple of 0.5` };
  }
  return { value: Math.round(value * 2) / 2 };
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
  const { file, header } = table;
  for (const column of ELLIPSE_REQUIRED_COLUMNS) {
    if (!header.includes(column)) {
      throw new DatasetError(
        file,
        `missing column; expected the ELLIPSE columns ${ELLIPSE_REQUIRED_COLUMNS.join(", ")} ` +
          `(found: ${header.join(", ")})`,
        undefined,
        column,
      );
    }
  }
  const analytic = ELLIPSE_ANALYTIC_COLUMNS.filter((c) => header.includes(c));
  const firstRowOfId = new Map<string, number>();
  const essays: Essay[] = [];
  table.rows.forEach((cells, index) => {
    const row = index + 1;
    const line = table.rowLines[index];
    const fail = (column: string, detail: string): never => {
      throw new DatasetError(file, detail, row, column, line);
    };
    const id = cells.text_id_kaggle.trim();
    if (id === "") fail("text_id_kaggle", "empty essay id; expected a non-empty id");
    const previous = firstRowOfId.get(id);
    if (previous !== undefined) {
      fail("text_id_kaggle", `duplicate essay id "${id}" (first seen in row ${previous})`);
    }
    firstRowOfId.set(id, row);
    const text = cells.full_text;
    if (text.trim() === "") fail("full_text", "empty essay text; expected the essay");
    const prompt = cells.prompt.trim();
    if (prompt === "") fail("prompt", "empty prompt; expected the prompt name");
    const overall = parseHalfPointScore(cells.Overall);
    if (overall.error) fail("Overall", overall.error);
    for (const column of analytic) {
      const parsed = parseHalfPointScore(cells[column]);
      if (parsed.error) fail(column, parsed.error);
    }
    essays.push({
      id,
      text,
      prompt,
      overall: overall.value!,
      split,
      sourceRow: row,
      columns: cells,
    });
  });
  return essays;
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
  const trainTable = await readCsvTable(trainPath);
  const train = ellipseEssaysFromTable(trainTable, "train");
  const test = await loadEllipseCsv(testPath, "test");
  const trainIds = new Map(train.map((e) => [e.id, e.sourceRow]));
  for (const essay of test) {
    const trainRow = trainIds.get(essay.id);
    if (trainRow !== undefined) {
      throw new DatasetError(
        testPath,
        `essay id "${essay.id}" also appears in the train file ${trainPath} (row ${trainRow}); ` +
          "expected ids unique across train and test",
        essay.sourceRow,
        "text_id_kaggle",
      );
    }
  }
  return { train, test, header: trainTable.header };
}
