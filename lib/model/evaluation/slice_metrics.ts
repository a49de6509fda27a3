/**
 * Tail-slice metrics and worst-prompt QWK: where on the scale, and on which prompt, a model
 * fails. The mean QWK of a run hides both; an experiment is adopted only when it does not hurt
 * the score tails or the weakest prompt.
 *
 * Grade bands are fixed on the *true* score and come from the scale: the lowest and highest
 * `floor(levels / 3)` levels (ELLIPSE: low ≤ 2.0, high ≥ 4.0), middle in between. A slice
 * reports n, MAE of the raw predictions, adjacent accuracy after rounding, and the mean residual
 * (prediction − true; positive = over-scored). Worst-prompt QWK is the lowest per-prompt QWK
 * among prompts with at least {@link MIN_PROMPT_QWK_N} essays and more than one true score (the
 * rule the grade-scale report uses; below that, kappa is noise or undefined).
 *
 * @module
 */
import {
  ELLIPSE_SCALE,
  formatLevel,
  labelIndex,
  type ScoreScale,
} from "../../dataset/score_scale.ts";
import { adjacentAccuracy, labelClass, quadraticWeightedKappa } from "./metrics.ts";

/** Highest true score of the low band on ELLIPSE's scale. */
export const LOW_BAND_MAX = 2.0;
/** Lowest true score of the high band on ELLIPSE's scale. */
export const HIGH_BAND_MIN = 4.0;
/** Smallest prompt sample whose per-prompt QWK counts (and a report shows). */
export const MIN_PROMPT_QWK_N = 10;

/** The three grade bands, low to high. */
export const GRADE_BANDS = ["low", "middle", "high"] as const;
/** A grade band. */
export type GradeBand = (typeof GRADE_BANDS)[number];

/**
 * The band of a true score: the lowest / highest `max(1, floor(levels / 3))` levels of the
 * scale are low / high (ELLIPSE: ≤ 2.0 and ≥ 4.0; F–A: F, E and B, A).
 *
 * @example
 * ```ts
 * gradeBand(2.0); // "low"
 * gradeBand(4.0); // "high"
 * ```
 */
export function gradeBand(yTrue: number, scale: ScoreScale = ELLIPSE_SCALE): GradeBand {
  const k = labelIndex(scale, yTrue);
  const size = Math.max(1, Math.floor(scale.nLevels / 3));
  return k < size ? "low" : k >= scale.nLevels - size ? "high" : "middle";
}

/**
 * The grade bands in words, from the scale (ELLIPSE: "low ≤ 2.0, high ≥ 4.0"; F–A: "low ≤ E,
 * high ≥ B").
 *
 * @example
 * ```ts
 * gradeBandsText(ELLIPSE_SCALE); // "low ≤ 2.0, high ≥ 4.0"
 * ```
 */
export function gradeBandsText(scale: ScoreScale = ELLIPSE_SCALE): string {
  const size = Math.max(1, Math.floor(scale.nLevels / 3));
  return `low ≤ ${formatLevel(scale, size - 1)}, high ≥ ${
    formatLevel(scale, scale.nLevels - size)
  }`;
}

/** Metrics of one slice of essays (NaN fields when the slice is empty). */
export interface SliceMetrics {
  readonly n: number;
  /** MAE of raw predictions. */
  readonly mae: number;
  /** Share within one level after rounding to the scale. */
  readonly adjacentAccuracy: number;
  /** Mean of prediction − true (raw). */
  readonly meanResidual: number;
}

/** Slice metrics of the three grade bands. */
export type TailMetrics = Readonly<Record<GradeBand, SliceMetrics>>;

/**
 * Metrics of the rows `rows` (all rows when omitted).
 *
 * @example
 * ```ts
 * sliceMetrics([2, 4], [2.4, 3.4]); // { n: 2, mae: 0.5, adjacentAccuracy: 0.5, meanResidual: -0.1 }
 * ```
 */
export function sliceMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  rows?: readonly number[],
  scale: ScoreScale = ELLIPSE_SCALE,
): SliceMetrics {
  const idx = rows ?? Array.from({ length: yTrue.length }, (_, i) => i);
  if (idx.length === 0) return { n: 0, mae: NaN, adjacentAccuracy: NaN, meanResidual: NaN };
  let abs = 0;
  let res = 0;
  for (const i of idx) {
    const r = yPred[i] - yTrue[i];
    abs += Math.abs(r);
    res += r;
  }
  return {
    n: idx.length,
    mae: abs / idx.length,
    adjacentAccuracy: adjacentAccuracy(
      idx.map((i) => yTrue[i]),
      idx.map((i) => yPred[i]),
      scale,
    ),
    meanResidual: res / idx.length,
  };
}

/**
 * Slice metrics of the low (true ≤ 2.0), middle and high (true ≥ 4.0) bands.
 *
 * @example
 * ```ts
 * const t = tailSliceMetrics(yTrue, yPred); // t.high.adjacentAccuracy
 * ```
 */
export function tailSliceMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  scale: ScoreScale = ELLIPSE_SCALE,
): TailMetrics {
  if (yTrue.length !== yPred.length) {
    throw new Error(`tailSliceMetrics: ${yTrue.length} labels but ${yPred.length} predictions`);
  }
  const rows: Record<GradeBand, number[]> = { low: [], middle: [], high: [] };
  for (let i = 0; i < yTrue.length; i++) rows[gradeBand(yTrue[i], scale)].push(i);
  return {
    low: sliceMetrics(yTrue, yPred, rows.low, scale),
    middle: sliceMetrics(yTrue, yPred, rows.middle, scale),
    high: sliceMetrics(yTrue, yPred, rows.high, scale),
  };
}

/** QWK of one prompt. */
export interface PromptQwk {
  readonly prompt: string;
  readonly n: number;
  readonly qwk: number;
}

/**
 * Per-prompt QWK of the prompts that qualify (≥ `minN` essays, ≥ 2 distinct true scores),
 * ascending by QWK (worst first).
 *
 * @example
 * ```ts
 * perPromptQwk(yTrue, yPred, prompts)[0]; // the worst prompt
 * ```
 */
export function perPromptQwk(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  prompts: readonly string[],
  minN = MIN_PROMPT_QWK_N,
  scale: ScoreScale = ELLIPSE_SCALE,
): PromptQwk[] {
  if (yTrue.length !== yPred.length || yTrue.length !== prompts.length) {
    throw new Error("perPromptQwk: labels, predictions and prompts differ in length");
  }
  const groups = new Map<string, number[]>();
  prompts.forEach((p, i) => {
    const g = groups.get(p);
    if (g) g.push(i);
    else groups.set(p, [i]);
  });
  const out: PromptQwk[] = [];
  for (const [prompt, idx] of groups) {
    if (idx.length < minN) continue;
    if (new Set(idx.map((i) => labelClass(yTrue[i], scale))).size < 2) continue;
    const qwk = quadraticWeightedKappa(idx.map((i) => yTrue[i]), idx.map((i) => yPred[i]), scale);
    out.push({ prompt, n: idx.length, qwk });
  }
  return out.sort((a, b) => a.qwk - b.qwk || a.prompt.localeCompare(b.prompt));
}

/**
 * The lowest per-prompt QWK among qualifying prompts (null when none qualifies).
 *
 * @example
 * ```ts
 * worstPromptQwk(yTrue, yPred, prompts)?.qwk;
 * ```
 */
export function worstPromptQwk(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  prompts: readonly string[],
  minN = MIN_PROMPT_QWK_N,
  scale: ScoreScale = ELLIPSE_SCALE,
): PromptQwk | null {
  return perPromptQwk(yTrue, yPred, prompts, minN, scale)[0] ?? null;
}

/** Tail slices and worst prompt of one set of predictions. */
export interface EvidenceMetrics {
  readonly tails: TailMetrics;
  readonly worstPrompt: PromptQwk | null;
}

/**
 * Tail slices and worst-prompt QWK together (what every cv and run report shows).
 *
 * @example
 * ```ts
 * const e = evidenceMetrics(yTrue, yPred, prompts);
 * ```
 */
export function evidenceMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  prompts: readonly string[],
  scale: ScoreScale = ELLIPSE_SCALE,
): EvidenceMetrics {
  return {
    tails: tailSliceMetrics(yTrue, yPred, scale),
    worstPrompt: worstPromptQwk(yTrue, yPred, prompts, MIN_PROMPT_QWK_N, scale),
  };
}
