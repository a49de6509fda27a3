/**
 * IELTS writing CSV loading — BLOCKED data: smoke tests only, never results.
 *
 * The runbook blocks `data/cefr_ielts_datasets/ielts_writing_dataset.csv` until its source and
 * licence are validated. It may be loaded to smoke-test the pipeline; every report of such a run
 * says so at the top and the experiment log refuses it. Bands (0–9) are mapped linearly onto the
 * ELLIPSE 1–5 half-point scale only so that the pipeline can run (`ieltsBandToEllipseScale`).
 *
 * @module
 */
import { DatasetError, readCsvTable } from "./csv_table.ts";
import type { Essay } from "./essay.ts";
import { normalisedTextHash } from "./text_hash.ts";

/** The banner every report of an IELTS run starts with. */
export const IELTS_BLOCKED_BANNER =
  "> **BLOCKED DATASET — SMOKE TEST ONLY.** This run used the IELTS dataset, which the runbook " +
  "blocks until its source and licence are validated. No metric here may be reported or used " +
  "for a decision.";

/** Columns an IELTS file must have. */
export const IELTS_REQUIRED_COLUMNS = ["Question", "Essay", "Overall"] as const;

/**
 * Map an IELTS band (0–9, half steps) to the 1–5 half-point scale: 4 → 1, 9 → 5, clipped.
 *
 * @example
 * ```ts
 * ieltsBandToEllipseScale(6.5); // 3
 * ```
 */
export function ieltsBandToEllipseScale(band: number): number {
  const mapped = 1 + (band - 4) * 0.8;
  return Math.min(5, Math.max(1, Math.round(mapped * 2) / 2));
}

/**
 * Load the IELTS CSV as essays (ids `ielts_<row>`; prompt = the question text). Every row is
 * assigned to the official "train" split; `prepare-dataset` splits it 60/40 by seed.
 *
 * @example
 * ```ts
 * const essays = await loadIeltsCsv("data/cefr_ielts_datasets/ielts_writing_dataset.csv");
 * ```
 */
export async function loadIeltsCsv(file: string): Promise<Essay[]> {
  const table = await readCsvTable(file);
  for (const column of IELTS_REQUIRED_COLUMNS) {
    if (!table.header.includes(column)) {
      throw new DatasetError(
        file,
        `missing column; expected IELTS columns ${IELTS_REQUIRED_COLUMNS.join(", ")}`,
        undefined,
        column,
      );
    }
  }
  return table.rows.map((cells, index) => {
    const row = index + 1;
    const line = table.rowLines[index];
    const text = cells.Essay;
    if (text.trim() === "") {
      throw new DatasetError(file, "empty essay text", row, "Essay", line);
    }
    const band = Number(cells.Overall.trim());
    if (cells.Overall.trim() === "" || !Number.isFinite(band) || band < 0 || band > 9) {
      throw new DatasetError(
        file,
        `expected an IELTS band 0–9, got "${cells.Overall}"`,
        row,
        "Overall",
        line,
      );
    }
    const question = cells.Question.trim() || "(no question)";
    return {
      id: `ielts_${row}`,
      text,
      prompt: question.length > 80 ? `${question.slice(0, 77)}...` : question,
      overall: ieltsBandToEllipseScale(band),
      split: parseInt(normalisedTextHash(text).slice(0, 8), 16) % 5 < 3 ? "train" : "test",
      sourceRow: row,
      columns: cells,
    } satisfies Essay;
  });
}
