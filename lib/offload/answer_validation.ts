/**
 * Validation of offload answers before anything is cached or used: every matrix an offload
 * server returns must have one row per essay asked for, the expected width, and numeric values.
 * A malformed answer is an {@link InvalidAnswerError} (the client counts it in
 * `offload_metrics.json` as `invalid_answer` and caches nothing of it), never a cache entry.
 *
 * NaN is a legitimate value in handcrafted columns (the original server may send NaN for
 * readability values), so it is carried; ±Infinity is never a feature value and is refused, and
 * embeddings must be finite.
 *
 * The checks are pure functions over decoded data, independent of the wire format:
 * {@link validateExtractAnswer} takes a decoded matrix (JSON rows decoded, or a `.npy` array),
 * {@link decodeWireAnswerMatrix} decodes and checks this project's JSON `{names, rows}` form,
 * and {@link validateEmbedAnswer} checks `/v1/embed` vectors.
 *
 * @module
 */
import type { FeatureMatrix } from "../features/types.ts";

/** An offload answer that must not be used or cached; the message says what is wrong. */
export class InvalidAnswerError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "InvalidAnswerError";
  }
}

/** What one matrix of an answer must look like. */
export interface AnswerExpectation {
  /** Rows: one per essay (text) in the request. */
  readonly rows: number;
  /** Columns, when known (embedding dimension; handcrafted names seen before). */
  readonly width?: number;
  /** Whether NaN is a legitimate value (handcrafted: yes; embeddings: no). */
  readonly allowNaN: boolean;
  /** Which matrix, for messages (`handcrafted`, `embeddings`). */
  readonly what: string;
}

/** A decoded answer matrix, whatever the wire format. */
export interface AnswerMatrix {
  readonly names?: readonly string[];
  readonly nRows: number;
  readonly nCols: number;
  readonly values: ArrayLike<unknown>;
}

function cellName(names: readonly string[] | undefined, c: number): string {
  return names?.[c] !== undefined ? `"${names[c]}"` : String(c);
}

function checkValue(
  value: unknown,
  r: number,
  c: number,
  names: readonly string[] | undefined,
  expected: AnswerExpectation,
): number {
  const where = `${expected.what} row ${r}, column ${cellName(names, c)}`;
  if (typeof value !== "number") {
    throw new InvalidAnswerError(`${where}: ${JSON.stringify(value)} is not a number`);
  }
  if (Number.isNaN(value)) {
    if (expected.allowNaN) return value;
    throw new InvalidAnswerError(`${where}: NaN (${expected.what} values must be finite)`);
  }
  if (!Number.isFinite(value)) {
    throw new InvalidAnswerError(`${where}: ${value} (not a finite number)`);
  }
  return value;
}

/**
 * Check a decoded answer matrix (shape, names, value types) and return it as a float64
 * `FeatureMatrix`; throws {@link InvalidAnswerError} saying what is wrong.
 *
 * @example
 * ```ts
 * const m = validateExtractAnswer(
 *   { names: ["a", "b"], nRows: 1, nCols: 2, values: Float32Array.of(1, NaN) },
 *   { rows: 1, width: 2, allowNaN: true, what: "handcrafted" },
 * );
 * m.values; // Float64Array [1, NaN]
 * ```
 */
export function validateExtractAnswer(
  matrix: AnswerMatrix | undefined,
  expected: AnswerExpectation,
): FeatureMatrix {
  const { what } = expected;
  if (!matrix) throw new InvalidAnswerError(`no ${what} matrix in the answer`);
  const { nRows, nCols, names } = matrix;
  if (nRows !== expected.rows) {
    throw new InvalidAnswerError(
      `${what}: ${nRows} rows for ${expected.rows} essays (one row per essay expected)`,
    );
  }
  if (expected.width !== undefined && nCols !== expected.width) {
    throw new InvalidAnswerError(`${what}: rows are ${nCols} wide, expected ${expected.width}`);
  }
  if (names !== undefined && names.length !== nCols) {
    throw new InvalidAnswerError(`${what}: ${names.length} column names for ${nCols} columns`);
  }
  if (matrix.values.length !== nRows * nCols) {
    throw new InvalidAnswerError(
      `${what}: ${matrix.values.length} values for ${nRows}x${nCols} (a ragged or truncated matrix)`,
    );
  }
  const values = new Float64Array(nRows * nCols);
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++) {
      values[r * nCols + c] = checkValue(matrix.values[r * nCols + c], r, c, names, expected);
    }
  }
  return { names: names ? [...names] : [], nRows, nCols, values };
}

/** Decode one JSON wire cell: numbers, `null`/`"NaN"` → NaN, `"±Infinity"`; else as is. */
function decodeWireCell(x: unknown): unknown {
  if (x === null || x === "NaN") return Number.NaN;
  if (x === "Infinity") return Number.POSITIVE_INFINITY;
  if (x === "-Infinity") return Number.NEGATIVE_INFINITY;
  return x;
}

/**
 * Decode and check a matrix in this project's JSON wire form `{names, rows}` (see
 * `protocol.ts`); throws {@link InvalidAnswerError} naming the row and column at fault.
 *
 * @example
 * ```ts
 * decodeWireAnswerMatrix({ names: ["a"], rows: [[null], [2]] },
 *   { rows: 2, allowNaN: true, what: "handcrafted" }).values; // Float64Array [NaN, 2]
 * ```
 */
export function decodeWireAnswerMatrix(raw: unknown, expected: AnswerExpectation): FeatureMatrix {
  const { what } = expected;
  if (raw === undefined || raw === null) {
    throw new InvalidAnswerError(`no ${what} matrix in the answer`);
  }
  const m = raw as { names?: unknown; rows?: unknown };
  if (!Array.isArray(m.names) || m.names.some((n) => typeof n !== "string")) {
    throw new InvalidAnswerError(`${what}: "names" is not a list of column names`);
  }
  if (!Array.isArray(m.rows)) throw new InvalidAnswerError(`${what}: "rows" is not a list`);
  const names = m.names as string[];
  const nCols = names.length;
  const values: unknown[] = [];
  m.rows.forEach((row: unknown, r: number) => {
    if (!Array.isArray(row)) throw new InvalidAnswerError(`${what} row ${r} is not a list`);
    if (row.length !== nCols) {
      throw new InvalidAnswerError(
        `${what} row ${r} has ${row.length} values for ${nCols} columns (a ragged matrix)`,
      );
    }
    for (const cell of row) values.push(decodeWireCell(cell));
  });
  return validateExtractAnswer({ names, nRows: m.rows.length, nCols, values }, expected);
}

/**
 * Check `/v1/embed` vectors: `rows` vectors of `dimension` finite numbers each.
 *
 * @example
 * ```ts
 * validateEmbedAnswer([[0.6, 0.8]], 1, 2); // [Float32Array [0.6, 0.8]]
 * ```
 */
export function validateEmbedAnswer(
  vectors: unknown,
  rows: number,
  dimension: number,
): Float32Array[] {
  if (!Array.isArray(vectors)) throw new InvalidAnswerError(`embeddings: "vectors" is not a list`);
  const values: unknown[] = [];
  vectors.forEach((v: unknown, r: number) => {
    if (!Array.isArray(v) || v.length !== dimension) {
      throw new InvalidAnswerError(
        `embeddings row ${r}: ${Array.isArray(v) ? `${v.length} values` : "not a list"}, ` +
          `expected ${dimension}`,
      );
    }
    values.push(...v);
  });
  const m = validateExtractAnswer(
    { nRows: vectors.length, nCols: dimension, values },
    { rows, width: dimension, allowNaN: false, what: "embeddings" },
  );
  return Array.from(
    { length: rows },
    (_, r) => Float32Array.from(m.values.subarray(r * dimension, (r + 1) * dimension)),
  );
}

/** Which matrices an extract answer must carry, with their widths when known. */
export interface ExtractAnswerWants {
  readonly handcrafted?: { readonly width?: number };
  readonly embeddings?: { readonly width?: number };
}

/**
 * Check the matrices of a JSON `/v1/extract` answer body: each wanted matrix present, `rows` rows
 * of the expected width, numeric values (NaN carried in handcrafted columns only).
 *
 * @example
 * ```ts
 * validateWireExtractAnswer(body, 64, { handcrafted: {}, embeddings: { width: 512 } });
 * ```
 */
export function validateWireExtractAnswer(
  body: unknown,
  rows: number,
  wants: ExtractAnswerWants,
): { handcrafted?: FeatureMatrix; embeddings?: FeatureMatrix } {
  if (typeof body !== "object" || body === null) {
    throw new InvalidAnswerError("the answer is not a JSON object");
  }
  const b = body as Record<string, unknown>;
  const out: { handcrafted?: FeatureMatrix; embeddings?: FeatureMatrix } = {};
  if (wants.handcrafted) {
    out.handcrafted = decodeWireAnswerMatrix(b.handcrafted, {
      rows,
      width: wants.handcrafted.width,
      allowNaN: true,
      what: "handcrafted",
    });
  }
  if (wants.embeddings) {
    out.embeddings = decodeWireAnswerMatrix(b.embeddings, {
      rows,
      width: wants.embeddings.width,
      allowNaN: false,
      what: "embeddings",
    });
  }
  return out;
}
