/**
 * Grouped inner splits of a training part: the inner K-fold of the stacked columns and of the
 * cut-points, and the early-stopping holdout of gradient boosting. Rows sharing a group id (the
 * normalised-text hash of `lib/dataset/text_hash.ts`) always land on the same side, so an
 * identical text never sits on both sides of an inner fit/predict boundary — the same rule as
 * the outer folds of `splits.json`.
 *
 * Contract: {@linkcode groupedInnerFolds} puts every group in exactly one fold; groups are taken
 * in seeded order, larger groups first (stable), each into the fold with the fewest rows so far
 * (ties: the lower fold). With all-distinct groups this is the plain seeded round-robin
 * (`position % k` over a seeded shuffle), so data without duplicates gets the same folds as an
 * ungrouped split with the same random stream. {@linkcode groupedHoldout} takes whole groups in
 * seeded order while they fit into the holdout size.
 *
 * @module
 */
import { type RandomSource, shuffled } from "./random.ts";

/** Group id per row (normalised-text hash); rows with equal ids are kept together. */
export type RowGroups = ArrayLike<string>;

/** Dense group index per row, groups numbered in order of first occurrence. */
function denseGroups(groups: RowGroups): { groupOf: Int32Array; members: number[][] } {
  const index = new Map<string, number>();
  const groupOf = new Int32Array(groups.length);
  const members: number[][] = [];
  for (let i = 0; i < groups.length; i++) {
    let g = index.get(groups[i]);
    if (g === undefined) {
      g = members.length;
      index.set(groups[i], g);
      members.push([]);
    }
    groupOf[i] = g;
    members[g].push(i);
  }
  return { groupOf, members };
}

/** Row groups: the given ids, or one group per row when none are given. */
export function rowGroupsOrSingletons(groups: RowGroups | undefined, n: number): RowGroups {
  if (groups === undefined) return Array.from({ length: n }, (_, i) => String(i));
  if (groups.length !== n) throw new Error(`${n} rows but ${groups.length} group ids`);
  return groups;
}

/** Inner folds of a training part. */
export interface InnerFolds {
  /** Fold (0…k−1) of every row. */
  readonly foldOf: Int32Array;
  /** All rows in seeded group order (a group's rows contiguous): iterate it to build folds. */
  readonly order: readonly number[];
}

/**
 * Assign the rows of a training part to `k` inner folds, groups kept whole.
 *
 * @example
 * ```ts
 * const { foldOf } = groupedInnerFolds(["a", "b", "a", "c"], 2, seededRandom(42, "inner"));
 * foldOf[0] === foldOf[2]; // true: both rows are text "a"
 * ```
 */
export function groupedInnerFolds(groups: RowGroups, k: number, random: RandomSource): InnerFolds {
  const n = groups.length;
  if (!Number.isInteger(k) || k < 2) throw new Error(`inner folds must be >= 2 (got ${k})`);
  const { members } = denseGroups(groups);
  if (members.length < k) {
    throw new Error(
      `${members.length} distinct texts among ${n} training rows < ${k} inner folds`,
    );
  }
  const seeded = shuffled(Array.from({ length: members.length }, (_, g) => g), random);
  // stable: equal sizes keep their seeded order
  const byPosition = new Map(seeded.map((g, pos) => [g, pos]));
  const groupOrder = [...seeded].sort((a, b) =>
    (members[b].length - members[a].length) || (byPosition.get(a)! - byPosition.get(b)!)
  );
  const foldOf = new Int32Array(n);
  const foldRows = new Float64Array(k);
  const order: number[] = [];
  for (const g of groupOrder) {
    let best = 0;
    for (let f = 1; f < k; f++) if (foldRows[f] < foldRows[best]) best = f;
    foldRows[best] += members[g].length;
    for (const row of members[g]) {
      foldOf[row] = best;
      order.push(row);
    }
  }
  return { foldOf, order };
}

/**
 * Fit and predict rows of inner fold `f`: rows in `order`, as the stacked columns and the
 * cut-points iterate them.
 *
 * @example
 * ```ts
 * const { fitRows, predRows } = innerFoldRows(folds, 0);
 * ```
 */
export function innerFoldRows(
  folds: InnerFolds,
  f: number,
): { fitRows: number[]; predRows: number[] } {
  const fitRows: number[] = [];
  const predRows: number[] = [];
  for (const row of folds.order) (folds.foldOf[row] === f ? predRows : fitRows).push(row);
  return { fitRows, predRows };
}

/**
 * A grouped holdout of at most `nValid` rows: whole groups in seeded order, each taken when it
 * still fits. Both sides ascending. With all-distinct groups: the first `nValid` rows of a
 * seeded shuffle.
 *
 * @example
 * ```ts
 * const { trainRows, validRows } = groupedHoldout(groups, 20, seededRandom(42, "es"));
 * ```
 */
export function groupedHoldout(
  groups: RowGroups,
  nValid: number,
  random: RandomSource,
): { trainRows: Uint32Array; validRows: Uint32Array } {
  const { groupOf, members } = denseGroups(groups);
  const inValid = new Uint8Array(members.length);
  let taken = 0;
  for (const g of shuffled(Array.from({ length: members.length }, (_, i) => i), random)) {
    if (taken >= nValid) break;
    if (taken + members[g].length > nValid) continue;
    inValid[g] = 1;
    taken += members[g].length;
  }
  const validRows: number[] = [];
  const trainRows: number[] = [];
  for (let i = 0; i < groups.length; i++) (inValid[groupOf[i]] ? validRows : trainRows).push(i);
  return { trainRows: Uint32Array.from(trainRows), validRows: Uint32Array.from(validRows) };
}
