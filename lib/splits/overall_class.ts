/**
 * Stratification classes for holistic scores, from the score scale (`dataset/score_scale.ts`):
 * on ELLIPSE class = round(2·Overall), so 1.0–5.0 in 0.5 steps becomes the integers 2–10; on an
 * ordinal scale the level index. And the explicit, recorded merging of rare classes.
 *
 * Merging is the default of `make-splits` but never silent: every merge is logged as a warning and
 * written to `splits.json`, the splits report and the experiment log; `--strict-classes` refuses a
 * class with fewer members than folds instead.
 *
 * @module
 */
import {
  describeStratum,
  ELLIPSE_SCALE,
  scaleValue,
  type ScoreScale,
  stratumOf,
} from "../dataset/score_scale.ts";

/**
 * The stratification class of a holistic score (ELLIPSE: `round(2·overall)`); throws when the
 * score is off the scale.
 *
 * @example
 * ```ts
 * overallClass(3.5); // 7
 * ```
 */
export function overallClass(overall: number, scale: ScoreScale = ELLIPSE_SCALE): number {
  return stratumOf(scale, overall);
}

/**
 * Name a class the way a researcher reads it: as the score it stands for.
 *
 * @example
 * ```ts
 * describeOverallClass(2); // "Overall 1.0"
 * ```
 */
export function describeOverallClass(label: number, scale: ScoreScale = ELLIPSE_SCALE): string {
  return describeStratum(scale, label);
}

/**
 * The score a class stands for (ELLIPSE: `label / 2`).
 *
 * @example
 * ```ts
 * overallOfClass(7); // 3.5
 * ```
 */
export function overallOfClass(label: number, scale: ScoreScale = ELLIPSE_SCALE): number {
  return scaleValue(scale, label - (scale.offset ?? 0));
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
 * How `make-splits` treats a class with too few essays to stratify: `merge` (the default) folds
 * it into a neighbour with {@linkcode mergeRareClasses} and records the merge; `strict`
 * (`--strict-classes`) refuses such a class with an error naming it and its count.
 */
export type RareClassPolicy = "merge" | "strict";

/**
 * The smallest stratum a train/validation split with validation share `valFraction` needs so
 * that the stratum's expected validation share is at least one essay: `ceil(1 / valFraction)`
 * (6 for the runbook's 0.1765).
 *
 * @example
 * ```ts
 * minStratumForValFraction(0.1765); // 6
 * ```
 */
export function minStratumForValFraction(valFraction: number): number {
  return Math.ceil(1 / valFraction - 1e-9);
}

/**
 * Merge rare classes into strata of at least `minCount` members, for stratification only (the
 * labels themselves are never changed). The rule, applied repeatedly until every stratum has
 * `>= minCount` members or only one stratum is left:
 *
 * 1. take the smallest stratum (ties: the lowest label);
 * 2. merge it into an adjacent stratum (the next present label below or above): at either end
 *    of the scale the only neighbour; otherwise the neighbour nearer in label distance, and if
 *    both are equally near, the one on the side of the median label (the sample median over all
 *    current strata), so tails fold towards the bulk of the data;
 * 3. the merged stratum keeps the neighbour's label; a class merged into a stratum that is later
 *    merged again is recorded with its final stratum.
 *
 * Deterministic (no randomness, no dependence on sample order). Returns the stratum per sample
 * and the merges, sorted by original class.
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
    const into = neighbourOf(rare, present, counts);
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

/** The adjacent stratum a rare one joins (rule 2 of {@linkcode mergeRareClasses}). */
function neighbourOf(
  rare: number,
  present: readonly number[],
  counts: ReadonlyMap<number, number>,
): number {
  const at = present.indexOf(rare);
  if (at === 0) return present[1];
  if (at === present.length - 1) return present[at - 1];
  const below = present[at - 1];
  const above = present[at + 1];
  if (rare - below < above - rare) return below;
  if (above - rare < rare - below) return above;
  return rare < medianLabel(present, counts) ? above : below;
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
