/**
 * Leave-one-fold-out (LOFO) cut-points, the original pipeline's mode: for fold k, QWK-optimised
 * thresholds are fitted on the out-of-fold predictions of the *other* folds and applied to fold
 * k; the thresholds for a later test set are fitted on all out-of-fold predictions. Each fold's
 * thresholds never see the labels or predictions of the fold they score.
 *
 * Cheap (threshold fitting on existing predictions, no refits), so `cv` reports it next to the
 * default inner-OOF mode (`scoring_pipeline.ts`), letting figures be compared like for like.
 *
 * @module
 */
import { applyCutpoints, fitCutpoints } from "./cutpoints.ts";

/** LOFO thresholds and the predictions they give. */
export interface LofoCutpoints {
  /** Per fold (ascending fold id): the thresholds fitted without it. */
  readonly perFold: readonly { readonly fold: number; readonly cutpoints: number[] }[];
  /** Each validated row's prediction through its fold's LOFO thresholds (NaN elsewhere). */
  readonly predictions: Float64Array;
  /** Thresholds fitted on all out-of-fold predictions (for a held-out test set). */
  readonly allOofCutpoints: number[];
}

/**
 * LOFO cut-points of out-of-fold predictions `oof` with fold ids `oofFold` (−1 = not validated).
 *
 * @example
 * ```ts
 * const lofo = lofoCutpoints(y, cv.oofPredictions, cv.oofFold);
 * lofo.perFold[0].cutpoints; // fitted on folds 1…K−1
 * ```
 */
export function lofoCutpoints(
  y: ArrayLike<number>,
  oof: ArrayLike<number>,
  oofFold: ArrayLike<number>,
): LofoCutpoints {
  const n = y.length;
  if (oof.length !== n || oofFold.length !== n) {
    throw new Error(
      `lofoCutpoints: ${n} labels, ${oof.length} predictions, ${oofFold.length} folds`,
    );
  }
  const folds = [...new Set(Array.from(oofFold).filter((f) => f >= 0))].sort((a, b) => a - b);
  if (folds.length < 2) throw new Error("lofoCutpoints: needs at least 2 folds");
  const predictions = new Float64Array(n).fill(NaN);
  const rowsOf = (keep: (f: number) => boolean) =>
    Array.from({ length: n }, (_, i) => i).filter((i) => oofFold[i] >= 0 && keep(oofFold[i]));
  const perFold = folds.map((fold) => {
    const fitRows = rowsOf((f) => f !== fold);
    const cutpoints = fitCutpoints(fitRows.map((i) => y[i]), fitRows.map((i) => oof[i]));
    const scoreRows = rowsOf((f) => f === fold);
    const scored = applyCutpoints(scoreRows.map((i) => oof[i]), cutpoints);
    scoreRows.forEach((row, j) => (predictions[row] = scored[j]));
    return { fold, cutpoints };
  });
  const all = rowsOf(() => true);
  return {
    perFold,
    predictions,
    allOofCutpoints: fitCutpoints(all.map((i) => y[i]), all.map((i) => oof[i])),
  };
}
