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
 * The check is a pure function over a decoded matrix (a `.npy` array of the extract zip or of a
 * `/v1/embed` answer), independent of the wire format: {@link validateExtractAnswer}. Bodies
 * damaged in transit (not a zip, CRC-32 mismatch) are caught before, by `verified_extract.ts`.
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
