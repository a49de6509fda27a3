/**
 * Strict CSV reading at the data boundary: UTF-8 (BOM tolerated), CRLF or LF, quoted newlines,
 * and rejection of everything else with the file, row, column and what was expected.
 *
 * `@std/csv` lives on a registry this workplace cannot reach, so parsing uses npm `csv-parse`.
 *
 * @module
 */
import { parse } from "csv-parse/sync";

/** A problem with an input file, located as precisely as it can be. */
export class DatasetError extends Error {
  /**
   * @param file path of the offending file
   * @param detail what was wrong and what was expected
   * @param row 1-based data row (header excluded), when the problem is in a row
   * @param column column name, when the problem is in a cell
   * @param line 1-based physical line where the row starts, when known
   */
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly row?: number,
    readonly column?: string,
    readonly line?: number,
  ) {
    const where = [
      file,
      row !== undefined ? `row ${row}` + (line !== undefined ? ` (line ${line})` : "") : undefined,
      column !== undefined ? `column "${column}"` : undefined,
    ].filter((p) => p !== undefined).join(", ");
    super(`${where}: ${detail}`);
    this.name = "DatasetError";
  }
}

/** A parsed CSV: header names and data rows as records, with source line numbers. */
export interface CsvTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly Readonly<Record<string, string>>[];
  /** 1-based physical line on which each data row starts. */
  readonly rowLines: readonly number[];
}

/**
 * Decode bytes as strict UTF-8, naming the line of the first invalid byte sequence.
 *
 * @example
 * ```ts
 * decodeUtf8Strict(new TextEncoder().encode("a,b"), "x.csv"); // "a,b"
 * ```
 */
export function decodeUtf8Strict(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const lossy = new TextDecoder("utf-8").decode(bytes);
    const at = lossy.indexOf("\uFFFD");
    const line = lossy.slice(0, Math.max(at, 0)).split("\n").length;
    throw new DatasetError(
      file,
      `file is not valid UTF-8 (first invalid byte sequence on line ${line}); ` +
        "expected UTF-8 text (re-save the file as UTF-8)",
    );
  }
}

/**
 * Parse CSV text with a header row into records, rejecting ragged rows, duplicate or empty
 * header names and an empty file. CRLF inside quoted fields is normalised to LF.
 *
 * @example
 * ```ts
 * const t = parseCsvTable("\uFEFFid,text\r\n1,\"a\r\nb\"\r\n", "x.csv");
 * t.rows[0].text; // "a\nb"
 * ```
 */
export function parseCsvTable(content: string, file: string, delimiter = ","): CsvTable {
  // BOM dropped; CRLF → LF up front (inside quotes too), so line numbers count physical lines.
  const text = (content.charCodeAt(0) === 0xfeff ? content.slice(1) : content).replace(
    /\r\n/g,
    "\n",
  );
  if (text.trim() === "") {
    throw new DatasetError(file, "file is empty; expected a header row and at least one data row");
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as { message?: string; lines?: number };
    throw new DatasetError(
      file,
      `malformed ${delimiter === "\t" ? "TSV" : "CSV"} (${e.message ?? String(error)}); ` +
        "expected RFC 4180 quoting",
      undefined,
      undefined,
      e.lines,
    );
  }
  if (records.length === 0) {
    throw new DatasetError(file, "file has no header row");
  }
  const header = records[0].record.map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === "") {
      throw new DatasetError(file, `header column ${i + 1} is empty; expected a column name`);
    }
    if (seen.has(name)) {
      throw new DatasetError(file, `header names column "${name}" twice; expected unique names`);
    }
    seen.add(name);
  });
  if (records.length === 1) {
    throw new DatasetError(file, "file has a header but no data rows; expected at least one");
  }
  const widths = new Set(records.slice(1).map((r) => r.record.length));
  if (widths.size === 1 && !widths.has(header.length)) {
    const [width] = widths;
    throw new DatasetError(
      file,
      `the header has ${header.length} column names but every data row has ${width} fields: ` +
        `a header name is ${width > header.length ? "missing" : "extra"} ` +
        `(header: ${header.join(", ")})`,
      undefined,
      undefined,
      1,
    );
  }
  const rows: Record<string, string>[] = [];
  const rowLines: number[] = [];
  // `info.lines` is the line on which the record ends; a record starts after the previous one.
  let previousEnd = records[0].info.lines;
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r];
    const startLine = previousEnd + 1;
    previousEnd = info.lines;
    if (record.length !== header.length) {
      throw new DatasetError(
        file,
        `ragged row: ${record.length} fields, expected ${header.length} (as in the header)`,
        r,
        undefined,
        startLine,
      );
    }
    const out: Record<string, string> = {};
    for (let c = 0; c < header.length; c++) out[header[c]] = record[c];
    rows.push(out);
    rowLines.push(startLine);
  }
  return { file, header, rows, rowLines };
}

/**
 * Read and parse a CSV file (strict UTF-8). Missing files get a clear error.
 *
 * @example
 * ```ts
 * const table = await readCsvTable("data/embedded/ellipse_embedded_train.csv");
 * ```
 */
export async function readCsvTable(file: string): Promise<CsvTable> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new DatasetError(file, "file not found; expected a CSV file at this path");
    }
    throw new DatasetError(file, `cannot read file: ${(error as Error).message}`);
  }
  return parseCsvTable(decodeUtf8Strict(bytes, file), file);
}
