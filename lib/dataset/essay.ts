/**
 * The in-memory shape of one scored essay, shared by every runbook step.
 *
 * Loaders (`ellipse_csv.ts`, `ielts_csv.ts`) produce `Essay` values from validated CSV rows; the
 * prepared CSVs are written back from `columns` so they keep the corpus's own layout.
 *
 * @module
 */

/** Which official partition an essay came from. */
export type OfficialSplit = "train" | "test";

/** Dataset families the CLI understands. IELTS is blocked: smoke tests only, never results. */
export type DatasetKind = "ellipse" | "ielts";

/** One essay with its holistic score and the raw CSV columns it was read from. */
export interface Essay {
  /** Stable essay id (`text_id_kaggle` for ELLIPSE). */
  readonly id: string;
  /** Full essay text exactly as read (CRLF normalised to LF, BOM removed). */
  readonly text: string;
  /** Prompt (task) name. */
  readonly prompt: string;
  /** Holistic score, 1.0–5.0 in 0.5 steps. */
  readonly overall: number;
  /** Official partition. */
  readonly split: OfficialSplit;
  /** 1-based data row number in the source file (header excluded), for error messages. */
  readonly sourceRow: number;
  /** Every column of the source row, by header name, for writing prepared CSVs back. */
  readonly columns: Readonly<Record<string, string>>;
}
