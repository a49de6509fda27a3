/**
 * The common training grid of per-prompt score scales (issue 18, `per_prompt_scale.ts`): every
 * prompt's levels are placed exactly on one integer grid 0…L, with L the least common multiple of
 * every prompt's `levels − 1`. Level k of a prompt with n levels is the grid label
 * `k · L / (n − 1)` — a whole number, so no label is rounded and every prompt spans the whole grid
 * (the manifest's `normalise` rule: the normalised label k / (n − 1) times L). Splits, sample
 * weights and the learner run on that grid as on any numeric scale (0…L in steps of 1); a grid
 * prediction x goes back to a prompt as the level index `round(x · (n − 1) / L)` (halves up,
 * clipped), then that level's value or name.
 *
 * @module
 */
import { scaleValue, type ScoreScale, scoreScale } from "./score_scale.ts";

/** Largest common grid accepted (grid levels = L + 1; a larger L is a manifest error). */
export const MAX_GRID_SIZE = 600;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Least common multiple of positive whole numbers (1 for none).
 *
 * @example
 * ```ts
 * lcm([10, 3, 5]); // 30
 * ```
 */
export function lcm(values: readonly number[]): number {
  return values.reduce((acc, v) => (acc / gcd(acc, v)) * v, 1);
}

/**
 * The grid size L of prompts with these level counts: lcm of every `levels − 1`.
 *
 * @example
 * ```ts
 * gridSize([11, 4, 6]); // lcm(10, 3, 5) = 30
 * ```
 */
export function gridSize(levelCounts: readonly number[]): number {
  return lcm(levelCounts.map((n) => n - 1));
}

/**
 * Why a set of prompts cannot share a grid (L above {@link MAX_GRID_SIZE}), naming each prompt
 * and its level count; null when the grid is fine.
 *
 * @example
 * ```ts
 * gridSizeProblem(new Map([["a", 8], ["b", 12], ["c", 14]])); // lcm(7, 11, 13) = 1001 > 600 …
 * ```
 */
export function gridSizeProblem(levelsByPrompt: ReadonlyMap<string, number>): string | null {
  const counts = [...levelsByPrompt.values()];
  const L = gridSize(counts);
  if (L <= MAX_GRID_SIZE) return null;
  const list = [...levelsByPrompt].map(([p, n]) => `${p}: ${n} levels`).join(", ");
  return `the common training grid would have L = lcm(levels − 1) = ${L} steps, more than ` +
    `${MAX_GRID_SIZE} (${list}); give prompts whose level counts share factors, or train the ` +
    "prompts separately with one manifest each";
}

/**
 * The numeric scale 0…L in steps of 1 the model is trained on.
 *
 * @example
 * ```ts
 * gridScale(30).nLevels; // 31
 * ```
 */
export function gridScale(L: number): ScoreScale {
  return scoreScale({ kind: "numeric", min: 0, max: L, step: 1 });
}

/**
 * The grid label of level `k` of a prompt's scale: `k · L / (levels − 1)` (exact).
 *
 * @example
 * ```ts
 * gridLabelOfIndex(scoreScale({ kind: "numeric", min: 0, max: 3, step: 1 }), 30, 2); // 20
 * ```
 */
export function gridLabelOfIndex(scale: ScoreScale, L: number, k: number): number {
  return (k * L) / (scale.nLevels - 1);
}

/**
 * The prompt's level index of a grid value: `round(x · (levels − 1) / L)`, halves up, clipped to
 * 0 … levels − 1. Throws on NaN.
 *
 * @example
 * ```ts
 * gridToLevelIndex(scoreScale({ kind: "numeric", min: 0, max: 3, step: 1 }), 30, 15); // 2 (1.5 ↑)
 * ```
 */
export function gridToLevelIndex(scale: ScoreScale, L: number, x: number): number {
  if (Number.isNaN(x)) throw new Error("grid prediction is NaN");
  const n = scale.nLevels - 1;
  // the product is exact for grid labels; 1e-9 keeps an exact half (x·n/L = k + ½) going up
  const k = Math.floor((x * n) / L + 0.5 + 1e-9);
  return k < 0 ? 0 : k > n ? n : k;
}

/**
 * A grid value on a prompt's scale: its level index, then that level's model value (the number
 * of a numeric scale, the level index of an ordinal one).
 *
 * @example
 * ```ts
 * gridToValue(scoreScale({ kind: "numeric", min: 2, max: 12, step: 1 }), 30, 15); // 7
 * ```
 */
export function gridToValue(scale: ScoreScale, L: number, x: number): number {
  return scaleValue(scale, gridToLevelIndex(scale, L, x));
}

/**
 * The continuous value of a grid prediction on a prompt's scale (`min + x/L · (max − min)`), for
 * MAE and residuals in the prompt's own units.
 *
 * @example
 * ```ts
 * gridToRaw(scoreScale({ kind: "numeric", min: 0, max: 3, step: 1 }), 30, 15); // 1.5
 * ```
 */
export function gridToRaw(scale: ScoreScale, L: number, x: number): number {
  return scale.min + (x / L) * (scale.max - scale.min);
}
