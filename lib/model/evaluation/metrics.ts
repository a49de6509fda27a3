/**
 * Evaluation metrics on a score scale (SPEC §5; the scale is data, `dataset/score_scale.ts`, and
 * defaults to ELLIPSE's half points).
 *
 * Predictions are rounded to the nearest level with halves going up (ELLIPSE:
 * `floor(2x + 0.5) / 2`) and clipped to the scale; labels are mapped to their level index.
 * Quadratic weighted kappa is computed over the scale's full range of levels (ELLIPSE: the fixed
 * 9-class range 1.0, 1.5, …, 5.0) — not only over the classes present — so a fold that lacks a
 * rare grade is scored on the same scale as every other fold.
 *
 * @module
 */
import {
  ELLIPSE_SCALE,
  labelIndex,
  predictionIndex,
  roundToScale,
  type ScoreScale,
} from "../../dataset/score_scale.ts";

/** Number of score classes on ELLIPSE's half-point scale 1.0 … 5.0 (other scales: `scale.nLevels`). */
export const N_SCORE_CLASSES = ELLIPSE_SCALE.nLevels;

/**
 * Round a prediction to the nearest level of the scale (halves up) and clip it to the scale
 * (default ELLIPSE's half points).
 *
 * @example
 * ```ts
 * roundToHalfPoint(3.25); // 3.5
 * roundToHalfPoint(0.2); // 1
 * ```
 */
export function roundToHalfPoint(x: number, scale: ScoreScale = ELLIPSE_SCALE): number {
  if (Number.isNaN(x)) throw new Error("roundToHalfPoint: prediction is NaN");
  return roundToScale(scale, x);
}

/**
 * Class index of a rounded prediction (ELLIPSE: 1.0 → 0, 5.0 → 8).
 *
 * @example
 * ```ts
 * predictionClass(2.74); // 3  (2.5)
 * ```
 */
export function predictionClass(x: number, scale: ScoreScale = ELLIPSE_SCALE): number {
  if (Number.isNaN(x)) throw new Error("roundToHalfPoint: prediction is NaN");
  return predictionIndex(scale, x);
}

/**
 * Class index of a label (ELLIPSE: `round(2y) - 2`); throws when the label is off the scale.
 *
 * @example
 * ```ts
 * labelClass(3.5); // 5
 * ```
 */
export function labelClass(y: number, scale: ScoreScale = ELLIPSE_SCALE): number {
  return labelIndex(scale, y);
}

function checkLengths(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, what: string): void {
  if (yTrue.length !== yPred.length) {
    throw new Error(`${what}: ${yTrue.length} labels but ${yPred.length} predictions`);
  }
  if (yTrue.length === 0) throw new Error(`${what}: no rows`);
}

/**
 * Levels × levels confusion matrix (row = true class, column = predicted class), row-major, over
 * the whole scale (ELLIPSE: 9×9). Predictions are rounded and clipped first.
 *
 * @example
 * ```ts
 * const cm = scoreConfusionMatrix([3, 3.5], [3.1, 3.4]); // cm[4 * 9 + 4] === 1
 * ```
 */
export function scoreConfusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  scale: ScoreScale = ELLIPSE_SCALE,
): Float64Array {
  checkLengths(yTrue, yPred, "scoreConfusionMatrix");
  const k = scale.nLevels;
  const cm = new Float64Array(k * k);
  for (let i = 0; i < yTrue.length; i++) {
    cm[labelClass(yTrue[i], scale) * k + predictionClass(yPred[i], scale)] += 1;
  }
  return cm;
}

/**
 * Quadratic weighted kappa of a k×k confusion matrix (row = true, column = predicted); k is
 * read from the matrix size.
 * When both raters put every item in the same single class the expected disagreement is 0;
 * that is perfect agreement and returns 1.
 *
 * @example
 * ```ts
 * kappaFromConfusion(scoreConfusionMatrix(y, pred));
 * ```
 */
export function kappaFromConfusion(cm: Float64Array): number {
  const k = Math.round(Math.sqrt(cm.length));
  if (k * k !== cm.length) throw new Error(`confusion matrix of ${cm.length} cells is not square`);
  const rows = new Float64Array(k);
  const cols = new Float64Array(k);
  let n = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = cm[i * k + j];
      rows[i] += v;
      cols[j] += v;
      n += v;
    }
  }
  let observed = 0;
  let expected = 0;
  const denom = (k - 1) * (k - 1);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = ((i - j) * (i - j)) / denom;
      observed += w * cm[i * k + j];
      expected += (w * rows[i] * cols[j]) / n;
    }
  }
  if (expected === 0) return observed === 0 ? 1 : 0;
  return 1 - observed / expected;
}

/**
 * Quadratic weighted kappa exactly as SPEC §5: predictions rounded to the nearest level (halves
 * up; ELLIPSE: nearest 0.5), clipped to the scale; weights over the scale's full range of levels.
 *
 * @example
 * ```ts
 * quadraticWeightedKappa([1, 2, 3], [1.1, 2.2, 2.9]); // 1
 * ```
 */
export function quadraticWeightedKappa(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  scale: ScoreScale = ELLIPSE_SCALE,
): number {
  return kappaFromConfusion(scoreConfusionMatrix(yTrue, yPred, scale));
}

/**
 * Mean absolute error of the raw (unrounded) predictions.
 *
 * @example
 * ```ts
 * meanAbsoluteError([1, 2], [1.5, 2]); // 0.25
 * ```
 */
export function meanAbsoluteError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkLengths(yTrue, yPred, "meanAbsoluteError");
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i] - yPred[i]);
  return s / yTrue.length;
}

/**
 * Share of rows whose rounded, clipped prediction is within one level of the label (ELLIPSE: 0.5).
 *
 * @example
 * ```ts
 * adjacentAccuracy([3, 3], [3.6, 4.3]); // 0.5  (3.5 adjacent, 4.5 not)
 * ```
 */
export function adjacentAccuracy(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  scale: ScoreScale = ELLIPSE_SCALE,
): number {
  checkLengths(yTrue, yPred, "adjacentAccuracy");
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (Math.abs(labelClass(yTrue[i], scale) - predictionClass(yPred[i], scale)) <= 1) hit++;
  }
  return hit / yTrue.length;
}

/**
 * Share of rows whose rounded, clipped prediction equals the label.
 *
 * @example
 * ```ts
 * exactAccuracy([3, 3], [3.1, 3.3]); // 0.5
 * ```
 */
export function exactAccuracy(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  scale: ScoreScale = ELLIPSE_SCALE,
): number {
  checkLengths(yTrue, yPred, "exactAccuracy");
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (labelClass(yTrue[i], scale) === predictionClass(yPred[i], scale)) hit++;
  }
  return hit / yTrue.length;
}

/**
 * Ranks 1…n with ties given the average of the ranks they span.
 *
 * @example
 * ```ts
 * averageRanks([10, 20, 20]); // [1, 2.5, 2.5]
 * ```
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

/**
 * Pearson correlation; NaN when either side is constant.
 *
 * @example
 * ```ts
 * pearson([1, 2, 3], [2, 4, 6]); // 1
 * ```
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkLengths(a, b, "pearson");
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return NaN;
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Spearman rank correlation (Pearson on average ranks, so ties are averaged).
 *
 * @example
 * ```ts
 * spearman([1, 2, 3], [10, 100, 1000]); // 1
 * ```
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkLengths(a, b, "spearman");
  return pearson(averageRanks(a), averageRanks(b));
}

/** The standard metric bundle reported per fold / split. */
export interface ScoreMetrics {
  readonly qwk: number;
  readonly mae: number;
  readonly adjacentAccuracy: number;
  readonly exactAccuracy: number;
  readonly n: number;
}

/**
 * QWK, MAE, adjacent and exact accuracy of one set of predictions.
 *
 * @example
 * ```ts
 * const m = scoreMetrics(yTrue, yPred); // m.qwk, m.mae, …
 * ```
 */
export function scoreMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  scale: ScoreScale = ELLIPSE_SCALE,
): ScoreMetrics {
  return {
    qwk: quadraticWeightedKappa(yTrue, yPred, scale),
    mae: meanAbsoluteError(yTrue, yPred),
    adjacentAccuracy: adjacentAccuracy(yTrue, yPred, scale),
    exactAccuracy: exactAccuracy(yTrue, yPred, scale),
    n: yTrue.length,
  };
}

/**
 * Mean and sample standard deviation (n − 1; 0 for a single value).
 *
 * @example
 * ```ts
 * meanStd([0.6, 0.7]); // { mean: 0.65, std: 0.0707… }
 * ```
 */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, std: 0 };
  const v = values.reduce((s, x) => s + (x - mean) * (x - mean), 0) / (n - 1);
  return { mean, std: Math.sqrt(v) };
}
