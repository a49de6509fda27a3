/**
 * Grade-band sample weights: each training essay weighs ∝ 1/√(frequency of its score level
 * in the training part), so rare scores (the tails) pull harder on the fit without the noise of
 * full inverse-frequency weights.
 *
 * Raw weight of score class b: `min(cap, √(n_max / n_b))` (n_max = the most frequent class), then
 * normalised to mean 1 over the rows, so `minChildWeight` still counts rows. With equal class
 * sizes every raw weight is exactly 1 and so is every normalised one: weighting is then the same
 * computation as no weighting, bit for bit.
 *
 * @module
 */
import type { SampleWeighting } from "../params.ts";
import { ELLIPSE_SCALE, type ScoreScale } from "../../dataset/score_scale.ts";
import { labelClass } from "../evaluation/metrics.ts";

export type { SampleWeighting };

/**
 * Per-row weights for labels `y` (null for `none`).
 *
 * @example
 * ```ts
 * sampleWeights([3, 3, 3, 5], "sqrt_inv_freq", 3); // 5 weighs √3 times a 3
 * ```
 */
export function sampleWeights(
  y: ArrayLike<number>,
  mode: SampleWeighting,
  cap: number,
  scale: ScoreScale = ELLIPSE_SCALE,
): Float64Array | null {
  if (mode === "none") return null;
  if (!(cap >= 1)) throw new Error(`sampleWeights: cap must be ≥ 1, got ${cap}`);
  const n = y.length;
  if (n === 0) throw new Error("sampleWeights: no rows");
  const cls = Int32Array.from({ length: n }, (_, i) => labelClass(y[i], scale));
  const counts = new Float64Array(scale.nLevels);
  for (const c of cls) counts[c]++;
  const max = Math.max(...counts);
  const raw = counts.map((k) => (k > 0 ? Math.min(cap, Math.sqrt(max / k)) : 0));
  let sum = 0;
  for (const c of cls) sum += raw[c];
  const mean = sum / n;
  return Float64Array.from(cls, (c) => raw[c] / mean);
}
