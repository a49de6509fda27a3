/**
 * Tables as Deno-kernel displayables (HTML table + aligned plain text).
 *
 * Works on plain rows or on anything shaped like a danfojs `DataFrame` (`columns`, `values`,
 * optional `index`), so notebooks can build a frame with danfojs (`describe()`, `groupby`, …)
 * and show it as a real table in both Jupyter and the exported HTML report, while `lib/` itself
 * never imports danfojs (it is heavy; notebooks only).
 *
 * @module
 */
import type { JupyterDisplayable, MimeBundle } from "./plotly.ts";

/** A table: column headers and rows of cells (numbers, strings, booleans, null). */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
  /** Optional row labels shown as a first, bold column. */
  readonly index?: readonly (string | number)[];
  readonly caption?: string;
}

/** The structural part of a danfojs `DataFrame` this module reads. */
export interface DataFrameLike {
  readonly columns: readonly string[];
  readonly values: readonly unknown[];
  readonly index?: readonly (string | number)[];
}

/** Options for number formatting. */
export interface TableFormat {
  /** Significant digits for non-integers (default 4). */
  readonly digits?: number;
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/**
 * Format one cell: integers as is, other finite numbers to `digits` significant digits,
 * `null`/`undefined`/NaN as an empty string.
 */
export function formatCell(value: unknown, digits = 4): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "";
    if (Number.isInteger(value)) return String(value);
    return Number(value.toPrecision(digits)).toString();
  }
  return String(value);
}

/**
 * Build a `Table` from objects (keys of the first object give the column order).
 *
 * @example
 * ```ts
 * tableFromRecords([{ fold: 0, qwk: 0.61 }]).columns; // ["fold", "qwk"]
 * ```
 */
export function tableFromRecords(
  records: readonly Readonly<Record<string, unknown>>[],
  caption?: string,
): Table {
  const columns: string[] = [];
  for (const record of records) {
    for (const key of Object.keys(record)) if (!columns.includes(key)) columns.push(key);
  }
  return { columns, rows: records.map((r) => columns.map((c) => r[c])), caption };
}

/** Convert a danfojs `DataFrame` (or a `Series`-free frame-shaped object) to a `Table`. */
export function tableFromDataFrame(frame: DataFrameLike, caption?: string): Table {
  const rows = frame.values.map((row) => Array.isArray(row) ? row : [row]);
  return { columns: [...frame.columns], rows, index: frame.index, caption };
}

/** Render a table as an HTML `<table>` (escaped; numbers right-aligned). */
export function tableHtml(table: Table, format: TableFormat = {}): string {
  const digits = format.digits ?? 4;
  const head = (table.index ? ["<th></th>"] : []).concat(
    table.columns.map((c) => `<th>${escapeHtml(c)}</th>`),
  );
  const body = table.rows.map((row, r) => {
    const label = table.index ? [`<th>${escapeHtml(String(table.index[r] ?? ""))}</th>`] : [];
    const cells = row.map((v) => {
      const align = typeof v === "number" ? ' style="text-align:right"' : "";
      return `<td${align}>${escapeHtml(formatCell(v, digits))}</td>`;
    });
    return `<tr>${label.concat(cells).join("")}</tr>`;
  });
  const caption = table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : "";
  return `<table class="dataframe">${caption}<thead><tr>${head.join("")}</tr></thead>` +
    `<tbody>${body.join("")}</tbody></table>`;
}

/** Render a table as aligned plain text (for consoles and text exports). */
export function tableText(table: Table, format: TableFormat = {}): string {
  const digits = format.digits ?? 4;
  const header = (table.index ? [""] : []).concat(table.columns);
  const lines = table.rows.map((row, r) =>
    (table.index ? [String(table.index[r] ?? "")] : []).concat(
      row.map((v) => formatCell(v, digits)),
    )
  );
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c]?.length ?? 0)));
  const fmt = (cells: string[]) => cells.map((s, c) => s.padEnd(widths[c])).join("  ").trimEnd();
  const out = [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...lines.map(fmt)];
  return (table.caption ? [table.caption, ...out] : out).join("\n");
}

/**
 * Wrap a table (or a danfojs DataFrame) for display in a notebook cell.
 *
 * @example
 * ```ts
 * // last expression of a notebook cell:
 * displayTable(tableFromRecords([{ prompt: "A", n: 12 }]));
 * ```
 */
export function displayTable(
  table: Table | DataFrameLike,
  format: TableFormat = {},
): JupyterDisplayable {
  const t: Table = "rows" in table ? table : tableFromDataFrame(table);
  const bundle = (): MimeBundle => ({
    "text/html": tableHtml(t, format),
    "text/plain": tableText(t, format),
  });
  return { [Symbol.for("Jupyter.display")]: bundle };
}
