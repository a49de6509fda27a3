/**
 * Seeded random helpers for the learners (seedrandom underneath; never `Math.random`).
 *
 * @module
 */
import seedrandom from "seedrandom";

/** A uniform [0, 1) source. */
export type RandomSource = () => number;

/**
 * A deterministic uniform source for a seed and an optional stream label (e.g. a tree index),
 * so each tree's randomness does not depend on how trees are spread over workers.
 *
 * @example
 * ```ts
 * const random = seededRandom(42, "tree-3");
 * ```
 */
export function seededRandom(seed: number, stream = ""): RandomSource {
  const rng = seedrandom(`${seed}|${stream}`);
  return () => rng();
}

/**
 * Shuffle a copy of `items` (Fisher–Yates).
 *
 * @example
 * ```ts
 * shuffled([1, 2, 3], seededRandom(1));
 * ```
 */
export function shuffled<T>(items: ArrayLike<T>, random: RandomSource): T[] {
  const a = Array.from(items);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * Draw `k` of `0..n-1` without replacement, returned sorted ascending.
 *
 * @example
 * ```ts
 * sampleIndices(10, 3, seededRandom(1)); // e.g. Uint32Array [1, 4, 8]
 * ```
 */
export function sampleIndices(n: number, k: number, random: RandomSource): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  const m = Math.min(k, n);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a.slice(0, m).sort();
}
