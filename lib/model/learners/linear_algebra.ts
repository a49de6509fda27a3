/**
 * Small dense linear-algebra kernels on row-major `Float64Array`s (Cholesky factorisation and
 * solve), shared by the ridge learners.
 *
 * @module
 */

/**
 * In-place Cholesky factorisation of a symmetric positive-definite n×n matrix: on return the
 * lower triangle holds L with A = L Lᵀ. Throws if A is not positive definite.
 *
 * @example
 * ```ts
 * const A = Float64Array.of(4, 2, 2, 3);
 * choleskyInPlace(A, 2); // lower triangle: [2, ·, 1, √2]
 * ```
 */
export function choleskyInPlace(A: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let d = A[rowJ + j];
    for (let k = 0; k < j; k++) d -= A[rowJ + k] * A[rowJ + k];
    if (!(d > 0)) throw new Error(`Cholesky: matrix is not positive definite (pivot ${j})`);
    const ljj = Math.sqrt(d);
    A[rowJ + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let s = A[rowI + j];
      for (let k = 0; k < j; k++) s -= A[rowI + k] * A[rowJ + k];
      A[rowI + j] = s / ljj;
    }
  }
}

/**
 * Solve L Lᵀ x = b given the factor from {@link choleskyInPlace}; returns x.
 *
 * @example
 * ```ts
 * const x = choleskySolve(A, 2, Float64Array.of(1, 2));
 * ```
 */
export function choleskySolve(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * x[k];
    x[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}
