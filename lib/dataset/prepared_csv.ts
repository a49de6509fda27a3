/**
 * Writing prepared (filtered) datasets back as CSV in the source layout, atomically.
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import { writeFileAtomic } from "../run/atomic_write.ts";
import type { Essay } from "./essay.ts";

/**
 * Render essays as CSV text with the given column order (columns the source did not have are
 * filled from the essay's fields: id, text, prompt, Overall, set).
 *
 * @example
 * ```ts
 * const csv = essaysToCsv(essays, ["text_id_kaggle", "full_text", "prompt", "Overall"]);
 * ```
 */
export function essaysToCsv(
  essays: readonly Essay[],
  header: readonly string[],
  asRead = false,
): string {
  const fallback = (e: Essay, column: string): string => {
    switch (column) {
      case "text_id_kaggle":
        return e.id;
      case "full_text":
        return e.text;
      case "prompt":
        return e.prompt;
      case "Overall":
        return String(e.overall);
      case "set":
        return e.split;
      default:
        return "";
    }
  };
  // Rows read from an ELLIPSE file are written back as read; other sources (IELTS) are written
  // from the essay's fields, so `Overall` is the mapped score, not the source's own scale.
  // A manifest-described corpus (`asRead`) is always written back in its own columns.
  const rows = essays.map((e) =>
    header.map((c) =>
      asRead
        ? e.columns[c] ?? ""
        : e.columns.text_id_kaggle === undefined
        ? fallback(e, c)
        : e.columns[c] ?? fallback(e, c)
    )
  );
  return stringify([header as string[], ...rows], { record_delimiter: "\n" });
}

/**
 * Write a prepared CSV atomically (temp + rename): never a half-written file.
 *
 * @example
 * ```ts
 * await writePreparedCsv("out/ellipse_train_prepared.csv", essays, header);
 * ```
 */
export async function writePreparedCsv(
  path: string,
  essays: readonly Essay[],
  header: readonly string[],
  asRead = false,
): Promise<void> {
  await writeFileAtomic(path, essaysToCsv(essays, header, asRead));
}
