/**
 * QWK-optimised cut-points: one fewer monotone thresholds than the scale has levels (ELLIPSE:
 * eight thresholds for the nine half-point scores) that map continuous predictions to levels, fitted on *training* predictions only (SPEC §5, "never tune on the
 * fold being scored").
 *
 * Fitting is a coordinate search that starts from plain rounding to the scale (ELLIPSE thresholds
 * 1.25, 1.75, …, 4.75) and, for one threshold at a time, sweeps every position between its neighbours,
 * updating the confusion matrix incrementally (O(1) per candidate), and moves the threshold only
 * when the kappa on the training predictions strictly improves. So the fitted thresholds are
 * never worse than plain rounding on the data they were fitted on.
 *
 * @module
 */
import {
  ELLIPSE_SCALE,
  labelIndex,
  scaleValue,
  type ScoreScale,
} from "../../dataset/score_scale.ts";

/** `levels − 1` ascending thresholds; a prediction ≥ `cutpoints[k]` scores above class k. */
export type Cutpoints = readonly number[];

/**
 * The thresholds equivalent to plain rounding to the scale with clipping: the midpoints
 * `min + step/2 + k·step` (ELLIPSE: 1.25, 1.75, …, 4.75).
 *
 * @example
 * ```ts
 * roundingCutpoints(ELLIPSE_SCALE); // [1.25, 1.75, …, 4.75]
 * ```
 */
export function roundingCutpoints(scale: ScoreScale): number[] {
  const first = scale.min + scale.step / 2;
  return Array.from({ length: scale.nLevels - 1 }, (_, k) => first + k * scale.step);
}

/** The thresholds equivalent to plain half-point rounding with clipping: 1.25, 1.75, …, 4.75. */
export const HALF_POINT_CUTPOINTS: Cutpoints = roundingCutpoints(ELLIPSE_SCALE);

/**
 * Map continuous predictions to the scale's values with the given thresholds.
 *
 * @example
 * ```ts
 * applyCutpoints([2.2, 3.9], HALF_POINT_CUTPOINTS); // [2, 4]
 * ```
 */
export function applyCutpoints(
  pred: ArrayLike<number>,
  cutpoints: Cutpoints,
  scale: ScoreScale = ELLIPSE_SCALE,
): Float64Array {
  checkCutpoints(cutpoints, scale);
  const out = new Float64Array(pred.length);
  for (let i = 0; i < pred.length; i++) {
    out[i] = scaleValue(scale, classOf(pred[i], cutpoints));
  }
  return out;
}

function classOf(x: number, cuts: Cutpoints): number {
  let k = 0;
  while (k < cuts.length && x >= cuts[k]) k++;
  return k;
}

function checkCutpoints(cuts: Cutpoints, scale: ScoreScale): void {
  if (cuts.length !== scale.nLevels - 1) {
    throw new Error(`expected ${scale.nLevels - 1} cut-points, got ${cuts.length}`);
  }
  for (let k = 1; k < cuts.length; k++) {
    if (!(cuts[k] >= cuts[k - 1])) throw new Error(`cut-points are not ascending at ${k}`);
  }
}

/** Options of {@link fitCutpoints}. */
export interface FitCutpointsOptions {
  /** Maximum passes over the thresholds (default 25). */
  readonly maxPasses?: number;
  /** The score scale (default ELLIPSE's half points). */
  readonly scale?: ScoreScale;
}

/**
 * Fit QWK-optimal thresholds on training predictions and labels.
 *
 * @example
 * ```ts
 * const cuts = fitCutpoints(yTrain, trainPredictions);
 * const scored = applyCutpoints(testPredictions, cuts);
 * ```
 */
export function fitCutpoints(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: FitCutpointsOptions = {},
): number[] {
  const n = yTrue.length;
  if (n !== yPred.length) throw new Error(`fitCutpoints: ${n} labels, ${yPred.length} predictions`);
  if (n === 0) throw new Error("fitCutpoints: no rows");
  const scale = options.scale ?? ELLIPSE_SCALE;
  const K = scale.nLevels;
  const cuts = roundingCutpoints(scale);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => yPred[a] - yPred[b]);
  const pred = new Float64Array(n);
  const lab = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    pred[i] = yPred[order[i]];
    if (Number.isNaN(pred[i])) throw new Error("fitCutpoints: prediction is NaN");
    lab[i] = labelIndex(scale, yTrue[order[i]]);
  }
  const W = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) W[i * K + j] = ((i - j) * (i - j)) / ((K - 1) * (K - 1));
  }
  const rows = new Float64Array(K);
  for (let i = 0; i < n; i++) rows[lab[i]]++;
  const v = new Float64Array(K); // v_j = Σ_i W_ij r_i / n
  for (let j = 0; j < K; j++) {
    let s = 0;
    for (let i = 0; i < K; i++) s += W[i * K + j] * rows[i];
    v[j] = s / n;
  }
  const cls = new Int32Array(n);
  let num = 0; // Σ W[label][class]
  let den = 0; // Σ_j cols_j v_j
  for (let i = 0; i < n; i++) {
    cls[i] = classOf(pred[i], cuts);
    num += W[lab[i] * K + cls[i]];
    den += v[cls[i]];
  }
  const kappa = () => (den === 0 ? (num === 0 ? 1 : 0) : 1 - num / den);
  const move = (i: number, to: number) => {
    num += W[lab[i] * K + to] - W[lab[i] * K + cls[i]];
    den += v[to] - v[cls[i]];
    cls[i] = to;
  };
  // first sorted index with pred >= x
  const lowerBound = (x: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pred[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const maxPasses = options.maxPasses ?? 25;
  for (let pass = 0; pass < maxPasses; pass++) {
    let improved = false;
    for (let k = 0; k < K - 1; k++) {
      const lo = k === 0 ? -Infinity : cuts[k - 1];
      const hi = k === K - 2 ? Infinity : cuts[k + 1];
      const start = lowerBound(lo); // first point in [lo, hi)
      const end = lowerBound(hi); // one past last
      if (end <= start) continue;
      const current = kappa();
      const currentPos = lowerBound(cuts[k]) - start; // points below the threshold
      // all range points to class k+1, then sweep moving them down to class k one by one
      for (let i = start; i < end; i++) if (cls[i] !== k + 1) move(i, k + 1);
      let bestKappa = -Infinity;
      let bestPos = -1;
      for (let p = 0; p <= end - start; p++) {
        if (p > 0) move(start + p - 1, k);
        const validSplit = p === 0 || p === end - start ||
          pred[start + p - 1] < pred[start + p];
        if (!validSplit) continue;
        const kp = kappa();
        if (kp > bestKappa + 1e-12) {
          bestKappa = kp;
          bestPos = p;
        }
      }
      const target = bestKappa > current + 1e-12 ? bestPos : currentPos;
      for (let p = end - start; p > target; p--) move(start + p - 1, k + 1);
      if (target !== currentPos) {
        improved = true;
        const below = target === 0 ? undefined : pred[start + target - 1];
        const above = target === end - start ? undefined : pred[start + target];
        if (below === undefined) cuts[k] = Number.isFinite(lo) ? lo : (above as number);
        else if (above === undefined) cuts[k] = Number.isFinite(hi) ? hi : below + 1e-9;
        else cuts[k] = (below + above) / 2;
      }
    }
    if (!improved) break;
  }
  return cuts;
}
