/**
 * Stratified group k-fold: the `stratified_text` scheme's splitter.
 *
 * Contract: each group appears in exactly one validation fold (so members of a group never sit
 * on both sides of a split), and every class's share in each fold is as close to its share in
 * the whole set as the groups allow. The number of distinct groups, and the members of every
 * class, must be at least the number of folds; otherwise it is an error naming the counts.
 *
 * The assignment is scikit-learn's `StratifiedGroupKFold(shuffle=True)`: groups are shuffled
 * with the seed, stably sorted by the standard deviation of their per-class counts (most
 * concentrated first), and each group goes to the fold that minimises the mean over classes of
 * the standard deviation across folds of that class's per-fold proportion; ties go to the fold
 * with fewer samples, then the lower fold index. It returns index lists; it never copies data.
 *
 * @module
 */
import {
  complementIndices,
  denseGroupIndex,
  seededPermutation,
  stableSortDescending,
} from "./seeded_order.ts";
import { describeOverallClass } from "./overall_class.ts";

/** Input of {@linkcode stratifiedGroupKFold}. */
export interface StratifiedGroupKFoldInput {
  /** Integer class per sample (for essays: round(2·Overall)). */
  readonly labels: ArrayLike<number>;
  /** Group key per sample (for essays: sha256 of the normalised text). */
  readonly groups: ArrayLike<string>;
  /** Number of folds, ≥ 2. */
  readonly nSplits: number;
  /** Seed of the group shuffle. */
  readonly seed: number;
  /** How to name a class in error messages (default: as an Overall score, "Overall 1.0"). */
  readonly describeLabel?: (label: number) => string;
}

/** One fold: ascending sample indices on each side. */
export interface FoldIndices {
  /** Fold number, 0-based. */
  readonly fold: number;
  /** Indices of the training part (every sample not in `valIndices`). */
  readonly trainIndices: number[];
  /** Indices of the validation part. */
  readonly valIndices: number[];
}

/** Validate the fold count: an integer ≥ 2. */
export function assertFoldCount(nSplits: number): void {
  if (!Number.isInteger(nSplits) || nSplits < 2) {
    throw new Error(`n_splits must be an integer >= 2 (got ${nSplits})`);
  }
}

/**
 * Split samples into `nSplits` stratified folds with groups kept whole.
 *
 * @example
 * ```ts
 * const folds = stratifiedGroupKFold({
 *   labels: [6, 6, 7, 7, 6, 7], groups: ["a", "b", "c", "d", "e", "f"], nSplits: 2, seed: 42,
 * });
 * folds.map((f) => f.valIndices.length); // [3, 3]
 * ```
 */
export function stratifiedGroupKFold(input: StratifiedGroupKFoldInput): FoldIndices[] {
  const { labels, groups, nSplits, seed } = input;
  const describe = input.describeLabel ?? describeOverallClass;
  assertFoldCount(nSplits);
  const n = labels.length;
  if (groups.length !== n) {
    throw new Error(`labels (${n}) and groups (${groups.length}) must have the same length`);
  }
  if (n === 0) throw new Error("cannot split an empty data set");

  const classes = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  for (const c of classes) {
    if (!Number.isInteger(c)) throw new Error(`class labels must be integers (got ${c})`);
  }
  const classOf = new Map(classes.map((c, k) => [c, k]));
  const nClasses = classes.length;
  const classTotals = new Float64Array(nClasses);
  for (let i = 0; i < n; i++) classTotals[classOf.get(labels[i])!]++;

  const tooSmall = classes.filter((_, k) => classTotals[k] < nSplits);
  if (tooSmall.length > 0) {
    const parts = tooSmall.map((c) => {
      const count = classTotals[classOf.get(c)!];
      return `${describe(c)} has ${count} essay${count === 1 ? "" : "s"}`;
    });
    const largest = Math.max(...classTotals);
    const hint = tooSmall.length === nClasses
      ? `n_splits exceeds every class (the largest has ${largest} essays); lower n_splits`
      : `lower n_splits, or stratify rare classes with a neighbour (make-splits does so ` +
        `unless --strict-classes is given)`;
    throw new Error(
      `${parts.join(", ")} (need >= ${nSplits} per class for ${nSplits} folds); ${hint}`,
    );
  }

  const { index: groupOf, keys } = denseGroupIndex(groups);
  const nGroups = keys.length;
  if (nGroups < nSplits) {
    throw new Error(
      `only ${nGroups} distinct text group${nGroups === 1 ? "" : "s"} among ${n} essays ` +
        `for ${nSplits} folds (need >= ${nSplits} groups)`,
    );
  }
  const groupCounts = new Float64Array(nGroups * nClasses);
  for (let i = 0; i < n; i++) groupCounts[groupOf[i] * nClasses + classOf.get(labels[i])!]++;

  const shuffled = seededPermutation(nGroups, seed, "stratified_group_kfold");
  const order = stableSortDescending(shuffled, (g) => rowStd(groupCounts, g * nClasses, nClasses));

  const foldCounts = new Float64Array(nSplits * nClasses);
  const foldSizes = new Float64Array(nSplits);
  const foldOfGroup = new Int32Array(nGroups);
  const column = new Float64Array(nSplits);
  for (const g of order) {
    const base = g * nClasses;
    let bestFold = -1;
    let bestEval = Infinity;
    let bestSize = Infinity;
    for (let f = 0; f < nSplits; f++) {
      let evalSum = 0;
      for (let c = 0; c < nClasses; c++) {
        for (let h = 0; h < nSplits; h++) {
          const count = foldCounts[h * nClasses + c] + (h === f ? groupCounts[base + c] : 0);
          column[h] = count / classTotals[c];
        }
        evalSum += populationStd(column);
      }
      const foldEval = evalSum / nClasses;
      const size = foldSizes[f];
      if (foldEval < bestEval || (isClose(foldEval, bestEval) && size < bestSize)) {
        bestEval = foldEval;
        bestSize = size;
        bestFold = f;
      }
    }
    foldOfGroup[g] = bestFold;
    for (let c = 0; c < nClasses; c++) {
      foldCounts[bestFold * nClasses + c] += groupCounts[base + c];
      foldSizes[bestFold] += groupCounts[base + c];
    }
  }
  return foldsFromAssignment(groupOf, foldOfGroup, nSplits);
}

/**
 * Turn a per-group fold assignment into fold index lists (ascending sample indices).
 *
 * @example
 * ```ts
 * foldsFromAssignment(Int32Array.of(0, 1, 0), Int32Array.of(1, 0), 2)[1].valIndices; // [0, 2]
 * ```
 */
export function foldsFromAssignment(
  groupOf: Int32Array,
  foldOfGroup: Int32Array,
  nSplits: number,
): FoldIndices[] {
  const folds: FoldIndices[] = [];
  for (let f = 0; f < nSplits; f++) {
    const inVal = new Uint8Array(groupOf.length);
    const valIndices: number[] = [];
    for (let i = 0; i < groupOf.length; i++) {
      if (foldOfGroup[groupOf[i]] === f) {
        inVal[i] = 1;
        valIndices.push(i);
      }
    }
    folds.push({ fold: f, trainIndices: complementIndices(inVal), valIndices });
  }
  return folds;
}

function rowStd(values: Float64Array, offset: number, length: number): number {
  return populationStd(values.subarray(offset, offset + length));
}

function populationStd(values: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - mean) ** 2;
  return Math.sqrt(ss / values.length);
}

/** numpy.isclose defaults: |a − b| ≤ 1e-8 + 1e-5·|b|. */
function isClose(a: number, b: number): boolean {
  if (!Number.isFinite(b)) return false;
  return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b);
}
