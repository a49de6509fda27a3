/**
 * The `run` split: the official train set → train/val (82.35/17.65 by default), stratified by
 * class, with groups (text hashes) kept whole. The official test set is never involved.
 *
 * Contract: every sample is on exactly one side; no group straddles the sides. Per-class
 * validation targets are `valFraction` of each class, rounded by the largest-remainder method so
 * they sum to `round(valFraction · n)`. Groups are visited largest first (ties in seeded order)
 * and a group joins the validation side when that brings the per-class validation counts closer
 * (in L1) to the targets; with singleton groups this hits every target exactly.
 *
 * @module
 */
import {
  complementIndices,
  denseGroupIndex,
  seededPermutation,
  stableSortDescending,
} from "./seeded_order.ts";

/** The runbook's validation share of the official train set (15/85). */
export const RUN_VAL_FRACTION = 0.1765;

/** Input of {@linkcode stratifiedGroupTrainValSplit}. */
export interface TrainValSplitInput {
  /** Integer class per sample (round(2·Overall)). */
  readonly labels: ArrayLike<number>;
  /** Group key per sample (text hash). */
  readonly groups: ArrayLike<string>;
  /** Validation share in (0, 1); default {@linkcode RUN_VAL_FRACTION}. */
  readonly valFraction?: number;
  /** Seed of the group order. */
  readonly seed: number;
}

/** A two-way split: ascending sample indices on each side. */
export interface TrainValIndices {
  /** Training indices. */
  readonly trainIndices: number[];
  /** Validation indices. */
  readonly valIndices: number[];
}

/**
 * Split samples into train/val, stratified by class, groups kept whole.
 *
 * @example
 * ```ts
 * const labels = Array.from({ length: 100 }, (_, i) => 4 + (i % 3));
 * const groups = labels.map((_, i) => `g${i}`);
 * stratifiedGroupTrainValSplit({ labels, groups, seed: 42 }).valIndices.length; // 18
 * ```
 */
export function stratifiedGroupTrainValSplit(input: TrainValSplitInput): TrainValIndices {
  const { labels, groups, seed } = input;
  const valFraction = input.valFraction ?? RUN_VAL_FRACTION;
  if (!(valFraction > 0 && valFraction < 1)) {
    throw new Error(`val fraction must be in (0, 1) (got ${valFraction})`);
  }
  const n = labels.length;
  if (groups.length !== n) {
    throw new Error(`labels (${n}) and groups (${groups.length}) must have the same length`);
  }
  const nVal = Math.round(valFraction * n);
  if (nVal < 1 || nVal >= n) {
    throw new Error(
      `${n} essays are too few for a ${(valFraction * 100).toFixed(2)}% validation split`,
    );
  }
  const classes = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const classOf = new Map(classes.map((c, k) => [c, k]));
  const nClasses = classes.length;
  const totals = new Float64Array(nClasses);
  for (let i = 0; i < n; i++) totals[classOf.get(labels[i])!]++;
  const targets = largestRemainderTargets(totals, valFraction, nVal);

  const { index: groupOf, keys } = denseGroupIndex(groups);
  const nGroups = keys.length;
  const groupCounts = new Float64Array(nGroups * nClasses);
  const groupSizes = new Float64Array(nGroups);
  for (let i = 0; i < n; i++) {
    groupCounts[groupOf[i] * nClasses + classOf.get(labels[i])!]++;
    groupSizes[groupOf[i]]++;
  }
  const order = stableSortDescending(
    seededPermutation(nGroups, seed, "train_val_split"),
    (g) => groupSizes[g],
  );
  const valCounts = new Float64Array(nClasses);
  const inValGroup = new Uint8Array(nGroups);
  for (const g of order) {
    let delta = 0;
    for (let c = 0; c < nClasses; c++) {
      const add = groupCounts[g * nClasses + c];
      if (add === 0) continue;
      delta += Math.abs(valCounts[c] + add - targets[c]) - Math.abs(valCounts[c] - targets[c]);
    }
    if (delta < 0) {
      inValGroup[g] = 1;
      for (let c = 0; c < nClasses; c++) valCounts[c] += groupCounts[g * nClasses + c];
    }
  }
  const inVal = new Uint8Array(n);
  const valIndices: number[] = [];
  for (let i = 0; i < n; i++) {
    if (inValGroup[groupOf[i]] === 1) {
      inVal[i] = 1;
      valIndices.push(i);
    }
  }
  if (valIndices.length === 0 || valIndices.length === n) {
    throw new Error(
      `cannot form a ${(valFraction * 100).toFixed(2)}% validation split from ${nGroups} text ` +
        `groups of ${n} essays`,
    );
  }
  return { trainIndices: complementIndices(inVal), valIndices };
}

/** Per-class targets `fraction·total`, floored, remainders handed out largest first to sum to `sum`. */
function largestRemainderTargets(
  totals: Float64Array,
  fraction: number,
  sum: number,
): Float64Array {
  const targets = new Float64Array(totals.length);
  const remainders: { c: number; r: number }[] = [];
  let assigned = 0;
  for (let c = 0; c < totals.length; c++) {
    const exact = totals[c] * fraction;
    targets[c] = Math.floor(exact);
    assigned += targets[c];
    remainders.push({ c, r: exact - targets[c] });
  }
  remainders.sort((a, b) => (b.r - a.r) || (a.c - b.c));
  for (let k = 0; assigned < sum && k < remainders.length; k++) {
    targets[remainders[k].c]++;
    assigned++;
  }
  return targets;
}
