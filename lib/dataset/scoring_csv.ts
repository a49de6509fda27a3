/**
 * Essays to score: any CSV with an id and a text column (by default the ELLIPSE layout,
 * `text_id_kaggle` / `full_text`, with the `prompt` column used when present), read strictly
 * through `csv_table.ts`. An empty id or text, a duplicate id or a missing column stops with the
 * file, row, line and column. An `Overall` column (or `--label-column`) is optional; when given,
 * each cell must be a half-point score and is carried along for comparison.
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import { writeFileAtomic } from "../run/atomic_write.ts";
import { type CsvTable, DatasetError, readCsvTable } from "./csv_table.ts";
import { ELLIPSE_SCALE, parseScoreCell, type ScoreScale } from "./score_scale.ts";
import { gridLabel, isPerPromptScale, type PerPromptScale } from "./per_prompt_scale.ts";

/** Which columns hold what. */
export interface ScoringColumns {
  /** Default `text_id_kaggle`. */
  readonly idColumn?: string;
  /** Default `full_text`. */
  readonly textColumn?: string;
  /** Default: `prompt` when the file has it; a named column must exist. */
  readonly promptColumn?: string;
  /** Default: `Overall` when the file has it; a named column must exist. */
  readonly labelColumn?: string;
}

/** One essay to score. */
export interface EssayToScore {
  readonly id: string;
  readonly text: string;
  /** Prompt name or text; `null` when the file has no prompt column or the cell is empty. */
  readonly prompt: string | null;
  /**
   * Human score when the file has one (for comparison only), as a model value; on per-prompt
   * scales parsed on the essay's prompt's scale and placed on the common grid.
   */
  readonly label: number | null;
  /** 1-based data row (header excluded). */
  readonly sourceRow: number;
}

/** A read scoring file. */
export interface ScoringInput {
  readonly file: string;
  readonly essays: EssayToScore[];
  /** Columns actually used (null = not present). */
  readonly columns: {
    readonly id: string;
    readonly text: string;
    readonly prompt: string | null;
    readonly label: string | null;
  };
}

function requireColumn(table: CsvTable, column: string, what: string, flag: string): void {
  if (!table.header.includes(column)) {
    throw new DatasetError(
      table.file,
      `missing ${what} column; expected a column "${column}" (or name it with ${flag}; ` +
        `found: ${table.header.join(", ")})`,
      undefined,
      column,
    );
  }
}

function optionalColumn(
  table: CsvTable,
  given: string | undefined,
  fallback: string,
  flag: string,
) {
  if (given === undefined) return table.header.includes(fallback) ? fallback : null;
  requireColumn(table, given, flag.replace(/^--|-column$/g, ""), flag);
  return given;
}

/**
 * Validate a parsed table as essays to score.
 *
 * @example
 * ```ts
 * const input = scoringEssaysFromTable(parseCsvTable("id,text\na,Hello\n", "x.csv"), {
 *   idColumn: "id", textColumn: "text",
 * });
 * ```
 */
export function scoringEssaysFromTable(
  table: CsvTable,
  columns: ScoringColumns = {},
  scale: ScoreScale | PerPromptScale = ELLIPSE_SCALE,
): ScoringInput {
  const idColumn = columns.idColumn ?? "text_id_kaggle";
  const textColumn = columns.textColumn ?? "full_text";
  requireColumn(table, idColumn, "id", "--id-column");
  requireColumn(table, textColumn, "text", "--text-column");
  const promptColumn = optionalColumn(table, columns.promptColumn, "prompt", "--prompt-column");
  const labelColumn = optionalColumn(table, columns.labelColumn, "Overall", "--label-column");
  const firstRowOfId = new Map<string, number>();
  const essays = table.rows.map((cells, index): EssayToScore => {
    const row = index + 1;
    const fail = (column: string, detail: string): never => {
      throw new DatasetError(table.file, detail, row, column, table.rowLines[index]);
    };
    const id = cells[idColumn].trim();
    if (id === "") fail(idColumn, "empty essay id; expected a non-empty id");
    const previous = firstRowOfId.get(id);
    if (previous !== undefined) {
      fail(
        idColumn,
        `duplicate essay id "${id}" (first seen in row ${previous}); expected unique ids`,
      );
    }
    firstRowOfId.set(id, row);
    const text = cells[textColumn];
    if (text.trim() === "") fail(textColumn, "empty essay text; expected the essay");
    const prompt = promptColumn === null ? null : cells[promptColumn].trim() || null;
    let label: number | null = null;
    if (labelColumn !== null && cells[labelColumn].trim() !== "") {
      label = labelOf(scale, cells[labelColumn], prompt, (c, d) => fail(c ?? labelColumn, d), {
        prompt: promptColumn,
      });
    }
    return { id, text, prompt, label, sourceRow: row };
  });
  return {
    file: table.file,
    essays,
    columns: { id: idColumn, text: textColumn, prompt: promptColumn, label: labelColumn },
  };
}

/**
 * A human score cell as a model value: on one scale its value; on per-prompt scales the value on
 * the row's prompt's scale as a grid label (an error naming the prompt column when the row has no
 * prompt, or a prompt without a scale).
 */
function labelOf(
  scale: ScoreScale | PerPromptScale,
  cell: string,
  prompt: string | null,
  fail: (column: string | undefined, detail: string) => never,
  columns: { readonly prompt: string | null },
): number {
  if (!isPerPromptScale(scale)) {
    const parsed = parseScoreCell(scale, cell);
    return parsed.error ? fail(undefined, parsed.error) : parsed.value!;
  }
  const known = [...scale.byPrompt.keys()].join(", ");
  if (prompt === null) {
    return fail(
      columns.prompt ?? undefined,
      `a human score needs the essay's prompt on per-prompt scales (scales are given for: ${known})`,
    );
  }
  const s = scale.byPrompt.get(prompt);
  if (s === undefined) {
    return fail(
      columns.prompt ?? undefined,
      `prompt "${prompt}" has no scale in the model bundle (scales are given for: ${known})`,
    );
  }
  const parsed = parseScoreCell(s, cell);
  if (parsed.error) return fail(undefined, `${parsed.error} (prompt "${prompt}"'s scale)`);
  return gridLabel(scale, s, parsed.value!);
}

/**
 * Read and validate a CSV of essays to score.
 *
 * @example
 * ```ts
 * const input = await loadScoringCsv("new_essays.csv", { idColumn: "id", textColumn: "essay" });
 * ```
 */
export async function loadScoringCsv(
  file: string,
  columns: ScoringColumns = {},
  scale: ScoreScale | PerPromptScale = ELLIPSE_SCALE,
): Promise<ScoringInput> {
  return scoringEssaysFromTable(await readCsvTable(file), columns, scale);
}

/**
 * Write essays as a scoring CSV in the ELLIPSE layout (`text_id_kaggle`, `full_text`, `prompt`;
 * an essay without a prompt gets an empty cell, which `score` reads as "no prompt").
 *
 * @example
 * ```ts
 * await writeScoringCsv("new.csv", [{ id: "n1", text: "My essay …", prompt: "Phones and driving" }]);
 * ```
 */
export async function writeScoringCsv(
  file: string,
  essays: readonly { id: string; text: string; prompt?: string | null }[],
): Promise<void> {
  await writeFileAtomic(
    file,
    stringify(essays.map((e) => [e.id, e.text, e.prompt ?? ""]), {
      header: true,
      columns: ["text_id_kaggle", "full_text", "prompt"],
    }),
  );
}
