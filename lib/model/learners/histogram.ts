/**
 * Gradient/hessian histograms per tree node over binned features (the "hist" method).
 *
 * One histogram holds, for every feature, `nBins[f]` pairs (Σ gradient, Σ hessian) laid out
 * contiguously (`hist[offset[f] + 2b]`, `hist[offset[f] + 2b + 1]`). Only the smaller child of a
 * split is built from its rows; the larger child is the parent minus the smaller child
 * (sibling by subtraction), done in place in the parent's buffer.
 *
 * @module
 */
import type { BinnedMatrix } from "./binning.ts";

/** Where each feature's bins start in a histogram buffer, and the buffer length. */
export interface HistogramLayout {
  readonly offsets: Int32Array;
  readonly length: number;
}

/**
 * Layout of histograms for a binned matrix.
 *
 * @example
 * ```ts
 * const layout = histogramLayout(binned);
 * const hist = new Float64Array(layout.length);
 * ```
 */
export function histogramLayout(binned: BinnedMatrix): HistogramLayout {
  const offsets = new Int32Array(binned.nFeatures);
  let length = 0;
  for (let f = 0; f < binned.nFeatures; f++) {
    offsets[f] = length;
    length += 2 * binned.nBins[f];
  }
  return { offsets, length };
}

/**
 * Accumulate the histogram of the rows `rows[start..end)` for the given features into `out`
 * (the features' slots are zeroed first).
 *
 * @example
 * ```ts
 * buildHistogram(binned, layout, grad, hess, rows, 0, rows.length, features, hist);
 * ```
 */
export function buildHistogram(
  binned: BinnedMatrix,
  layout: HistogramLayout,
  grad: Float64Array,
  hess: Float64Array,
  rows: Uint32Array,
  start: number,
  end: number,
  features: Int32Array,
  out: Float64Array,
): void {
  const { bins, nRows, nBins } = binned;
  const offsets = layout.offsets;
  // gather the node's gradients once, so the per-feature loop reads them contiguously
  const m = end - start;
  const g = new Float64Array(m);
  const h = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const r = rows[start + i];
    g[i] = grad[r];
    h[i] = hess[r];
  }
  const nodeRows = rows.subarray(start, end);
  for (let k = 0; k < features.length; k++) {
    const f = features[k];
    const off = offsets[f];
    out.fill(0, off, off + 2 * nBins[f]);
    const column = bins.subarray(f * nRows, (f + 1) * nRows);
    for (let i = 0; i < m; i++) {
      const slot = off + 2 * column[nodeRows[i]];
      out[slot] += g[i];
      out[slot + 1] += h[i];
    }
  }
}

/**
 * `parent -= child` for the given features: turns the parent's histogram into the sibling's.
 *
 * @example
 * ```ts
 * subtractHistogramInPlace(layout, binned.nBins, parentHist, smallChildHist, features);
 * ```
 */
export function subtractHistogramInPlace(
  layout: HistogramLayout,
  nBins: Int32Array,
  parent: Float64Array,
  child: Float64Array,
  features: Int32Array,
): void {
  for (let k = 0; k < features.length; k++) {
    const f = features[k];
    const off = layout.offsets[f];
    const stop = off + 2 * nBins[f];
    for (let i = off; i < stop; i++) parent[i] -= child[i];
  }
}
