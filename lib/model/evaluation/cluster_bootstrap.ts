/**
 * Two-stage cluster bootstrap draws: clusters (prompts) with replacement, then rows (essays)
 * with replacement within each drawn cluster. Essays of one prompt share its topic, its raters'
 * habits and its length profile, so they are not independent draws; resampling essays alone
 * understates how much a figure would move on another set of prompts. The comparison bootstrap
 * (`paired_comparison.ts`) uses these draws by default.
 *
 * @module
 */
import type { RandomSource } from "../learners/random.ts";

/**
 * Row indices grouped by cluster label, in order of first appearance.
 *
 * @example
 * ```ts
 * clusterRows(["a", "b", "a"]); // [Int32Array [0, 2], Int32Array [1]]
 * ```
 */
export function clusterRows(labels: readonly string[]): Int32Array[] {
  const by = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const g = by.get(label);
    if (g) g.push(i);
    else by.set(label, [i]);
  });
  return [...by.values()].map((rows) => Int32Array.from(rows));
}

/**
 * One two-stage draw: as many clusters as there are, drawn with replacement; for each drawn
 * cluster, as many of its rows as it has, drawn with replacement. The total size varies with the
 * clusters drawn.
 *
 * @example
 * ```ts
 * const rows = clusterBootstrapDraw(clusterRows(prompts), seededRandom(1, "draw"));
 * ```
 */
export function clusterBootstrapDraw(
  clusters: readonly Int32Array[],
  random: RandomSource,
): Int32Array {
  const picked: Int32Array[] = [];
  let total = 0;
  for (let c = 0; c < clusters.length; c++) {
    const g = clusters[Math.floor(random() * clusters.length)];
    picked.push(g);
    total += g.length;
  }
  const out = new Int32Array(total);
  let at = 0;
  for (const g of picked) {
    for (let j = 0; j < g.length; j++) out[at++] = g[Math.floor(random() * g.length)];
  }
  return out;
}
