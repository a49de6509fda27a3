/**
 * Sparse matrices in compressed sparse row (CSR) form: the input of the sparse ridge learner,
 * produced by the TF-IDF vectorisers of the stacking stage.
 *
 * @module
 */

/** A sparse row-major matrix (compressed sparse rows). */
export interface CsrMatrix {
  readonly nRows: number;
  readonly nCols: number;
  /** Row r's entries are `indices/data[indptr[r] .. indptr[r + 1])`. */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float64Array;
}

/**
 * Rows of a CSR matrix, by index, as a new CSR matrix.
 *
 * @example
 * ```ts
 * const sub = csrSelectRows(X, [0, 2]);
 * ```
 */
export function csrSelectRows(m: CsrMatrix, rows: ArrayLike<number>): CsrMatrix {
  const indptr = new Int32Array(rows.length + 1);
  let nnz = 0;
  for (let i = 0; i < rows.length; i++) {
    nnz += m.indptr[rows[i] + 1] - m.indptr[rows[i]];
    indptr[i + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  for (let i = 0; i < rows.length; i++) {
    const a = m.indptr[rows[i]];
    const b = m.indptr[rows[i] + 1];
    indices.set(m.indices.subarray(a, b), indptr[i]);
    data.set(m.data.subarray(a, b), indptr[i]);
  }
  return { nRows: rows.length, nCols: m.nCols, indptr, indices, data };
}
