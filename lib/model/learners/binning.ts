/**
 * Quantile binning of a feature matrix for the histogram tree learner (LightGBM / XGBoost
 * "hist" design): every feature is cut once into ≤ 256 bins, the bin codes of all rows go into
 * one column-major `Uint8Array` (`bins[f * nRows + r]`) so histogram building walks one
 * contiguous column per feature, and the cut values are kept so new data (validation rows,
 * test rows) is binned identically.
 *
 * Bin `b` of feature `f` holds values `cuts[b-1] < x ≤ cuts[b]`, so "bin ≤ b" is the same test
 * as "x ≤ cuts[b]": a split found on bins is stored as a raw-unit threshold and trees can
 * predict on raw features. NaN goes right at every split (it is binned past every cut). A
 * feature with missing values (NaN) in the rows the mapper is fitted on gets a **missing-value
 * bin** of its own: a last cut at `Number.MAX_VALUE` closes the real values' bins, so NaN sits
 * alone in the last bin and a split can separate "missing" from every real value (the
 * learner chooses whether missing goes with the high values or on its own); the real values
 * then get at most `maxBins − 1` bins. NaN seen only in new data falls in the last bin.
 *
 * @module
 */
import type { DenseMatrix } from "./matrix.ts";

/** Cut values per feature; feature f has `cuts[f].length + 1` bins. */
export interface BinMapper {
  readonly nFeatures: number;
  readonly cuts: readonly Float64Array[];
}

/** A binned matrix: column-major bin codes plus the mapper that produced them. */
export interface BinnedMatrix {
  readonly nRows: number;
  readonly nFeatures: number;
  /** `bins[f * nRows + r]` = bin of row r, feature f. */
  readonly bins: Uint8Array;
  /** Number of bins actually used per feature. */
  readonly nBins: Int32Array;
  readonly mapper: BinMapper;
}

/**
 * Choose ≤ `maxBins` quantile bins per feature from the given rows.
 *
 * @example
 * ```ts
 * const mapper = fitBinMapper(X, 255);
 * ```
 */
export function fitBinMapper(X: DenseMatrix, maxBins = 255): BinMapper {
  if (!(maxBins >= 2 && maxBins <= 256)) throw new Error(`maxBins ${maxBins} not in [2, 256]`);
  const { nRows, nCols, values } = X;
  const col = new Float64Array(nRows);
  const cuts: Float64Array[] = [];
  for (let f = 0; f < nCols; f++) {
    let m = 0;
    for (let r = 0; r < nRows; r++) {
      const x = values[r * nCols + f];
      if (!Number.isNaN(x)) col[m++] = x;
    }
    const hasMissing = m < nRows && m > 0;
    const realBins = hasMissing ? maxBins - 1 : maxBins;
    const sorted = col.subarray(0, m).slice().sort();
    // distinct values with counts
    const distinct: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < m; i++) {
      if (i === 0 || sorted[i] !== sorted[i - 1]) {
        distinct.push(sorted[i]);
        counts.push(1);
      } else counts[counts.length - 1]++;
    }
    const c: number[] = [];
    if (distinct.length <= realBins) {
      for (let i = 0; i + 1 < distinct.length; i++) c.push(midpoint(distinct[i], distinct[i + 1]));
    } else {
      // greedy quantile cuts over distinct values: close a bin once it holds ≥ m / maxBins rows
      const target = m / realBins;
      let acc = 0;
      let remainingBins = realBins;
      for (let i = 0; i + 1 < distinct.length && remainingBins > 1; i++) {
        acc += counts[i];
        const remainingDistinct = distinct.length - i - 1;
        if (acc >= target || remainingDistinct < remainingBins) {
          c.push(midpoint(distinct[i], distinct[i + 1]));
          acc = 0;
          remainingBins--;
        }
      }
    }
    if (hasMissing) c.push(Number.MAX_VALUE); // NaN alone in the last bin
    cuts.push(Float64Array.from(c));
  }
  return { nFeatures: nCols, cuts };
}

function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  // guarantee a ≤ m < b even with rounding, so "x ≤ cut" separates a from b
  return m >= b ? a : m;
}

/**
 * Bin index of one value: number of cuts strictly below x (NaN → last bin).
 *
 * @example
 * ```ts
 * binOf(Float64Array.of(1.5, 2.5), 2); // 1
 * ```
 */
export function binOf(cuts: Float64Array, x: number): number {
  if (Number.isNaN(x)) return cuts.length;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Bin every row of X with a fitted mapper.
 *
 * @example
 * ```ts
 * const binned = applyBinMapper(fitBinMapper(X), X);
 * ```
 */
export function applyBinMapper(mapper: BinMapper, X: DenseMatrix): BinnedMatrix {
  if (X.nCols !== mapper.nFeatures) {
    throw new Error(`binning: matrix has ${X.nCols} columns, binner expects ${mapper.nFeatures}`);
  }
  const { nRows, nCols, values } = X;
  const bins = new Uint8Array(nRows * nCols);
  const nBins = new Int32Array(nCols);
  for (let f = 0; f < nCols; f++) {
    const cuts = mapper.cuts[f];
    nBins[f] = cuts.length + 1;
    const base = f * nRows;
    for (let r = 0; r < nRows; r++) bins[base + r] = binOf(cuts, values[r * nCols + f]);
  }
  return { nRows, nFeatures: nCols, bins, nBins, mapper };
}
