/**
 * Stratification classes for holistic scores: class = round(2·Overall), so 1.0–5.0 in 0.5 steps
 * becomes the integers 2–10, and the explicit, recorded merging of rare classes.
 *
 * Merging is never automatic: `make-splits` refuses a class with fewer members than folds unless
 * the user asks for `--merge-rare-classes`, and every merge is written to `splits.json` and the
 * splits report.
 *
 * @module
 */

/**
 * The stratification class of a holistic score: `round(2·overall)`.
 *
 * @example
 * ```ts
 * overallClass(3.5); // 7
 * ```
 */
export function overallClass(overall: number): number {
  return Math.round(2 * overall);
}

/**
 * Name a class the way a researcher reads it: as the score it stands for.
 *
 * @example
 * ```ts
 * describeOverallClass(2); // "Overall 1.0"
 * ```
 */
export function describeOverallClass(label: number): string {
  return `Overall ${(label / 2).toFixed(1)}`;
}

/** One rare class folded into a neighbour for stratification only (labels are untouched). */
export interface ClassMerge {
  /** The original class (round(2·Overall)). */
  readonly from: number;
  /** The class it is stratified together with. */
  readonly into: number;
  /** How many samples the original class had. */
  readonly count: number;
}

/**
 * Fold every class with fewer than `minCount` members into its adjacent class (towards the
 * median label), repeatedly, until all remaining classes have at least `minCount` members or
 * only one class is left. Returns the stratification label per sample and the merges made.
 *
 * @example
 * ```ts
 * const { labels, merges } = mergeRareClasses([2, 6, 6, 6, 7, 7, 7], 3);
 * // labels: [6, 6, 6, 6, 7, 7, 7]; merges: [{ from: 2, into: 6, count: 1 }]
 * ```
 */
export function mergeRareClasses(
  labels: ArrayLike<number>,
  minCount: number,
): { labels: Int32Array; merges: ClassMerge[] } {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  const originalCounts = new Map(counts);
  const target = new Map<number, number>();
  for (const c of counts.keys()) target.set(c, c);
  for (;;) {
    const present = [...counts.keys()].sort((a, b) => a - b);
    if (present.length <= 1) break;
    let rare: number | undefined;
    for (const c of present) {
      if (counts.get(c)! < minCount && (rare === undefined || counts.get(c)! < counts.get(rare)!)) {
        rare = c;
      }
    }
    if (rare === undefined) break;
    const at = present.indexOf(rare);
    const median = medianLabel(present, counts);
    let into: number;
    if (at === 0) into = present[1];
    else if (at === present.length - 1) into = present[at - 1];
    else into = rare < median ? present[at + 1] : present[at - 1];
    counts.set(into, counts.get(into)! + counts.get(rare)!);
    counts.delete(rare);
    for (const [c, t] of target) if (t === rare) target.set(c, into);
  }
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = target.get(labels[i])!;
  const merges: ClassMerge[] = [...target.entries()]
    .filter(([c, t]) => c !== t)
    .sort((a, b) => a[0] - b[0])
    .map(([from, into]) => ({ from, into, count: originalCounts.get(from)! }));
  return { labels: out, merges };
}

function medianLabel(present: readonly number[], counts: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const c of present) total += counts.get(c)!;
  let seen = 0;
  for (const c of present) {
    seen += counts.get(c)!;
    if (2 * seen >= total) return c;
  }
  return present[present.length - 1];
}
