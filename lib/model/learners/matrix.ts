/**
 * `DenseMatrix`: the row-major `Float64Array` matrix every learner in `lib/model/` consumes, and
 * the index-based views the steps need (row subsets for folds, column select/drop for
 * drop-column importance).
 *
 * A `FeatureMatrix` from `lib/features/types.ts` is structurally a `DenseMatrix` (it only adds
 * `names`), so feature matrices are passed to learners without conversion. Subsetting copies
 * into a new contiguous buffer so hot loops stay on one typed array.
 *
 * @module
 */

/** A dense row-major matrix: element (r, c) is `values[r * nCols + c]`. */
export interface DenseMatrix {
  readonly nRows: number;
  readonly nCols: number;
  readonly values: Float64Array;
}

/**
 * Build a matrix from an array of equal-length rows.
 *
 * @example
 * ```ts
 * const m = matrixFromRows([[1, 2], [3, 4]]); // m.values = [1, 2, 3, 4]
 * ```
 */
export function matrixFromRows(rows: readonly (readonly number[] | Float64Array)[]): DenseMatrix {
  const nRows = rows.length;
  const nCols = nRows === 0 ? 0 : rows[0].length;
  const values = new Float64Array(nRows * nCols);
  for (let r = 0; r < nRows; r++) {
    if (rows[r].length !== nCols) {
      throw new Error(`matrixFromRows: row ${r} has ${rows[r].length} columns, expected ${nCols}`);
    }
    values.set(rows[r], r * nCols);
  }
  return { nRows, nCols, values };
}

/**
 * Check that `values.length === nRows * nCols` and that dimensions are whole numbers.
 *
 * @example
 * ```ts
 * assertDenseMatrix({ nRows: 1, nCols: 2, values: new Float64Array(2) }, "X");
 * ```
 */
export function assertDenseMatrix(m: DenseMatrix, what: string): void {
  if (!Number.isInteger(m.nRows) || !Number.isInteger(m.nCols) || m.nRows < 0 || m.nCols < 0) {
    throw new Error(`${what}: invalid shape ${m.nRows} x ${m.nCols}`);
  }
  if (m.values.length !== m.nRows * m.nCols) {
    throw new Error(
      `${what}: values has ${m.values.length} entries, expected ${m.nRows} x ${m.nCols}`,
    );
  }
}

/**
 * Copy the given rows (by index, in the given order) into a new matrix.
 *
 * @example
 * ```ts
 * const train = selectRows(X, foldTrainIndices);
 * ```
 */
export function selectRows(m: DenseMatrix, rows: ArrayLike<number>): DenseMatrix {
  const nCols = m.nCols;
  const values = new Float64Array(rows.length * nCols);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!(r >= 0 && r < m.nRows && Number.isInteger(r))) {
      throw new Error(`selectRows: row index ${r} out of range [0, ${m.nRows})`);
    }
    values.set(m.values.subarray(r * nCols, (r + 1) * nCols), i * nCols);
  }
  return { nRows: rows.length, nCols, values };
}

/**
 * Copy the given columns (by index, in the given order) into a new matrix.
 *
 * @example
 * ```ts
 * const firstTwo = selectColumns(X, [0, 1]);
 * ```
 */
export function selectColumns(m: DenseMatrix, cols: ArrayLike<number>): DenseMatrix {
  for (let j = 0; j < cols.length; j++) {
    const c = cols[j];
    if (!(c >= 0 && c < m.nCols && Number.isInteger(c))) {
      throw new Error(`selectColumns: column index ${c} out of range [0, ${m.nCols})`);
    }
  }
  const nCols = cols.length;
  const values = new Float64Array(m.nRows * nCols);
  for (let r = 0; r < m.nRows; r++) {
    const src = r * m.nCols;
    const dst = r * nCols;
    for (let j = 0; j < nCols; j++) values[dst + j] = m.values[src + cols[j]];
  }
  return { nRows: m.nRows, nCols, values };
}

/**
 * Copy the matrix without the given columns.
 *
 * @example
 * ```ts
 * const withoutWordCount = dropColumns(X, [9]);
 * ```
 */
export function dropColumns(m: DenseMatrix, cols: ArrayLike<number>): DenseMatrix {
  const drop = new Set<number>(Array.from(cols));
  const keep: number[] = [];
  for (let c = 0; c < m.nCols; c++) if (!drop.has(c)) keep.push(c);
  return selectColumns(m, keep);
}

/**
 * Concatenate matrices with the same number of rows side by side.
 *
 * @example
 * ```ts
 * const combined = hconcat([handcrafted, embeddings]);
 * ```
 */
export function hconcat(parts: readonly DenseMatrix[]): DenseMatrix {
  if (parts.length === 0) return { nRows: 0, nCols: 0, values: new Float64Array(0) };
  const nRows = parts[0].nRows;
  let nCols = 0;
  for (const p of parts) {
    if (p.nRows !== nRows) throw new Error(`hconcat: ${p.nRows} rows, expected ${nRows}`);
    nCols += p.nCols;
  }
  const values = new Float64Array(nRows * nCols);
  for (let r = 0; r < nRows; r++) {
    let offset = r * nCols;
    for (const p of parts) {
      values.set(p.values.subarray(r * p.nCols, (r + 1) * p.nCols), offset);
      offset += p.nCols;
    }
  }
  return { nRows, nCols, values };
}

/**
 * Stack matrices with the same number of columns on top of each other.
 *
 * @example
 * ```ts
 * const all = vconcat([valX, testX]);
 * ```
 */
export function vconcat(parts: readonly DenseMatrix[]): DenseMatrix {
  if (parts.length === 0) return { nRows: 0, nCols: 0, values: new Float64Array(0) };
  const nCols = parts[0].nCols;
  let nRows = 0;
  for (const p of parts) {
    if (p.nCols !== nCols) throw new Error(`vconcat: ${p.nCols} columns, expected ${nCols}`);
    nRows += p.nRows;
  }
  const values = new Float64Array(nRows * nCols);
  let offset = 0;
  for (const p of parts) {
    values.set(p.values, offset);
    offset += p.values.length;
  }
  return { nRows, nCols, values };
}

/**
 * Copy one column into a new array.
 *
 * @example
 * ```ts
 * const wordCount = column(X, 9);
 * ```
 */
export function column(m: DenseMatrix, c: number): Float64Array {
  const out = new Float64Array(m.nRows);
  for (let r = 0; r < m.nRows; r++) out[r] = m.values[r * m.nCols + c];
  return out;
}

/**
 * Whether two float64 arrays are equal bit for bit (so -0 ≠ 0 and NaN payloads count).
 *
 * @example
 * ```ts
 * sameBits(Float64Array.of(1), Float64Array.of(1)); // true
 * ```
 */
export function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
