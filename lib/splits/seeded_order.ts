/**
 * Seeded orderings shared by the splitters: one seedrandom stream per call, Fisher–Yates
 * shuffle, and a stable sort that keeps the shuffled order among ties.
 *
 * Every splitter derives its randomness from here, so "same inputs + same seed → same folds"
 * holds byte for byte, and `Math.random` is never involved.
 *
 * @module
 */
import seedrandom from "seedrandom";

/**
 * A seeded permutation of `0 … n-1` (Fisher–Yates over a seedrandom stream keyed by
 * `"<purpose>:<seed>"`). Different purposes give independent streams for the same seed.
 *
 * @example
 * ```ts
 * seededPermutation(5, 42, "groups"); // e.g. [3, 0, 4, 1, 2], the same on every call
 * ```
 */
export function seededPermutation(n: number, seed: number, purpose: string): number[] {
  const rng = seedrandom(`${purpose}:${seed}`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * Stable sort of `items` by a numeric key, descending; ties keep their input order.
 *
 * @example
 * ```ts
 * stableSortDescending([0, 1, 2], (i) => [1, 5, 1][i]); // [1, 0, 2]
 * ```
 */
export function stableSortDescending(
  items: readonly number[],
  key: (item: number) => number,
): number[] {
  const keyed = items.map((item, position) => ({ item, position, k: key(item) }));
  keyed.sort((a, b) => (b.k - a.k) || (a.position - b.position));
  return keyed.map((e) => e.item);
}

/**
 * Dense group indices for a list of group keys, numbered in order of first appearance.
 *
 * @example
 * ```ts
 * denseGroupIndex(["b", "a", "b"]); // { index: Int32Array [0, 1, 0], keys: ["b", "a"] }
 * ```
 */
export function denseGroupIndex(keys: ArrayLike<string>): { index: Int32Array; keys: string[] } {
  const byKey = new Map<string, number>();
  const index = new Int32Array(keys.length);
  const order: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    let g = byKey.get(keys[i]);
    if (g === undefined) {
      g = order.length;
      byKey.set(keys[i], g);
      order.push(keys[i]);
    }
    index[i] = g;
  }
  return { index, keys: order };
}

/** Indices of `0 … n-1` not in `chosen` (a boolean mask), ascending. */
export function complementIndices(chosen: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < chosen.length; i++) if (chosen[i] === 0) out.push(i);
  return out;
}
