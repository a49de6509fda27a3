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

/**
 * Dataset families the CLI understands: the built-in ELLIPSE layout, a corpus described by a
 * dataset manifest (`--dataset`), and IELTS (blocked: smoke tests only, never results).
 */
export type DatasetKind = "ellipse" | "manifest" | "ielts";

/** One essay with its holistic score and the raw CSV columns it was read from. */
export interface Essay {
  /** Stable essay id (`text_id_kaggle` for ELLIPSE). */
  readonly id: string;
  /** Full essay text exactly as read (CRLF normalised to LF, BOM removed). */
  readonly text: string;
  /** Prompt (task) name. */
  readonly prompt: string;
  /**
   * Holistic score as a model value on the dataset's scale (ELLIPSE: 1.0–5.0 in 0.5 steps; an
   * ordinal scale: the level index, F = 0 … A = 5).
   */
  readonly overall: number;
  /** Genre tag (from the manifest's genre column or per-prompt table); absent when untagged. */
  readonly genre?: string;
  /** Official partition. */
  readonly split: OfficialSplit;
  /** 1-based data row number in the source file (header excluded), for error messages. */
  readonly sourceRow: number;
  /** Every column of the source row, by header name, for writing prepared CSVs back. */
  readonly columns: Readonly<Record<string, string>>;
}
