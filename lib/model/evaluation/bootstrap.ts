/**
 * Bootstrap confidence intervals for QWK: how much a split's QWK would move on another sample
 * of the same size. Essays are resampled with replacement (seeded), QWK recomputed per
 * resample, and the percentile interval reported.
 *
 * @module
 */
import type { ScoreScale } from "../../dataset/score_scale.ts";
import { quadraticWeightedKappa } from "./metrics.ts";
import { seededRandom } from "../learners/random.ts";

/** A percentile interval. */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly resamples: number;
}

/**
 * Percentile bootstrap interval of QWK over resampled essays.
 *
 * @example
 * ```ts
 * const ci = bootstrapQwkInterval(yTrue, yPred, { seed: 42 }); // { lower, upper, level: 0.95 }
 * ```
 */
export function bootstrapQwkInterval(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: { seed: number; resamples?: number; level?: number; scale?: ScoreScale },
): Interval {
  const n = yTrue.length;
  if (n !== yPred.length) throw new Error("bootstrapQwkInterval: lengths differ");
  if (n === 0) throw new Error("bootstrapQwkInterval: no rows");
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  const random = seededRandom(options.seed, "bootstrap-qwk");
  const t = new Float64Array(n);
  const p = new Float64Array(n);
  const values = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      t[i] = yTrue[j];
      p[i] = yPred[j];
    }
    values[b] = quadraticWeightedKappa(t, p, options.scale);
  }
  values.sort();
  const at = (q: number) =>
    values[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))];
  return { lower: at((1 - level) / 2), upper: at(1 - (1 - level) / 2), level, resamples };
}
