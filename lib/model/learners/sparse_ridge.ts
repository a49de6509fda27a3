/**
 * Ridge regression on sparse CSR data, solved by conjugate gradient on the normal equations with
 * an unpenalised intercept:
 * `[XᵀX + αI, Xᵀ1; 1ᵀX, n] [w; b] = [Xᵀy; Σy]` — each iteration is two sparse products
 * (O(nnz)), so a 1–2-gram TF-IDF matrix with hundreds of thousands of columns fits in
 * milliseconds without ever forming XᵀX.
 *
 * @module
 */
import type { CsrMatrix } from "./csr_matrix.ts";

/** A fitted sparse ridge model. */
export interface SparseRidgeModel {
  readonly coef: Float64Array;
  readonly intercept: number;
  /** CG iterations used. */
  readonly iterations: number;
}

/** Solver options. */
export interface SparseRidgeOptions {
  /** L2 penalty on the coefficients (not the intercept). */
  readonly alpha: number;
  /** Relative residual tolerance (default 1e-8). */
  readonly tol?: number;
  /** Iteration cap (default 1000). */
  readonly maxIter?: number;
}

function matvec(X: CsrMatrix, w: Float64Array, b: number, out: Float64Array): void {
  for (let r = 0; r < X.nRows; r++) {
    let s = b;
    for (let k = X.indptr[r]; k < X.indptr[r + 1]; k++) s += X.data[k] * w[X.indices[k]];
    out[r] = s;
  }
}

function matTvec(X: CsrMatrix, u: Float64Array, out: Float64Array): void {
  out.fill(0);
  for (let r = 0; r < X.nRows; r++) {
    const ur = u[r];
    if (ur === 0) continue;
    for (let k = X.indptr[r]; k < X.indptr[r + 1]; k++) out[X.indices[k]] += X.data[k] * ur;
  }
}

/**
 * Fit ridge on sparse X.
 *
 * @example
 * ```ts
 * const model = fitSparseRidge(tfidf, y, { alpha: 1 });
 * const pred = predictSparseRidge(model, tfidfTest);
 * ```
 */
export function fitSparseRidge(
  X: CsrMatrix,
  y: ArrayLike<number>,
  options: SparseRidgeOptions,
): SparseRidgeModel {
  const n = X.nRows;
  const p = X.nCols;
  if (y.length !== n) throw new Error(`fitSparseRidge: ${n} rows but ${y.length} targets`);
  if (!(options.alpha > 0)) throw new Error("fitSparseRidge: alpha must be > 0");
  const alpha = options.alpha;
  const tol = options.tol ?? 1e-8;
  const maxIter = options.maxIter ?? 1000;
  const dim = p + 1; // last entry = intercept
  const u = new Float64Array(n);
  const tmp = new Float64Array(p);
  const apply = (v: Float64Array, out: Float64Array) => {
    matvec(X, v.subarray(0, p), v[p], u);
    matTvec(X, u, tmp);
    let su = 0;
    for (let i = 0; i < n; i++) su += u[i];
    for (let j = 0; j < p; j++) out[j] = tmp[j] + alpha * v[j];
    out[p] = su;
  };
  const rhs = new Float64Array(dim);
  const yv = Float64Array.from(y);
  matTvec(X, yv, tmp);
  rhs.set(tmp, 0);
  let sy = 0;
  for (let i = 0; i < n; i++) sy += yv[i];
  rhs[p] = sy;
  // start from w = 0, b = mean(y)
  const x = new Float64Array(dim);
  x[p] = n > 0 ? sy / n : 0;
  const Ax = new Float64Array(dim);
  apply(x, Ax);
  const r = new Float64Array(dim);
  for (let i = 0; i < dim; i++) r[i] = rhs[i] - Ax[i];
  const d = Float64Array.from(r);
  const Ad = new Float64Array(dim);
  let rr = 0;
  for (let i = 0; i < dim; i++) rr += r[i] * r[i];
  let rhsNorm = 0;
  for (let i = 0; i < dim; i++) rhsNorm += rhs[i] * rhs[i];
  const stop = tol * tol * Math.max(rhsNorm, 1e-300);
  let it = 0;
  while (it < maxIter && rr > stop) {
    apply(d, Ad);
    let dAd = 0;
    for (let i = 0; i < dim; i++) dAd += d[i] * Ad[i];
    const a = rr / dAd;
    for (let i = 0; i < dim; i++) {
      x[i] += a * d[i];
      r[i] -= a * Ad[i];
    }
    let rrNew = 0;
    for (let i = 0; i < dim; i++) rrNew += r[i] * r[i];
    const beta = rrNew / rr;
    for (let i = 0; i < dim; i++) d[i] = r[i] + beta * d[i];
    rr = rrNew;
    it++;
  }
  return { coef: x.slice(0, p), intercept: x[p], iterations: it };
}

/**
 * Predictions of a sparse ridge model.
 *
 * @example
 * ```ts
 * predictSparseRidge(model, Xtest);
 * ```
 */
export function predictSparseRidge(model: SparseRidgeModel, X: CsrMatrix): Float64Array {
  if (X.nCols !== model.coef.length) {
    throw new Error(`predictSparseRidge: X has ${X.nCols} columns, model ${model.coef.length}`);
  }
  const out = new Float64Array(X.nRows);
  matvec(X, model.coef, model.intercept, out);
  return out;
}
