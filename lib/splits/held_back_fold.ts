/**
 * A fold held back from a cross-validation: its essays are removed before anything is fitted, and
 * the other folds are renumbered onto the remaining rows (their training parts lose the held-back
 * rows). `sweep` selects its winner on such a cv of every variant and then confirms the winner on
 * the held-back fold, which the selection never saw (neither as training data nor as a score).
 *
 * @module
 */
import type { SplitsSchemeName } from "./splits_file.ts";
import type { AppliedSplits } from "./apply_splits.ts";
import type { FoldIndices } from "./stratified_group_kfold.ts";

/** The rows kept and the scheme's folds over them. */
export interface HeldBack {
  /** Row indices (into the bound essays) outside the held-back fold, ascending. */
  readonly keep: readonly number[];
  /** The other folds, with indices into `keep`. */
  readonly folds: readonly FoldIndices[];
  /** Row indices of the held-back fold (into the bound essays). */
  readonly heldBackRows: readonly number[];
}

/**
 * Hold fold `fold` of `scheme` back.
 *
 * @example
 * ```ts
 * const hb = holdBackFold(applied, "stratified_text", 4, train.length);
 * hb.folds.length; // 4
 * ```
 */
export function holdBackFold(
  applied: AppliedSplits,
  scheme: SplitsSchemeName,
  fold: number,
  nRows: number,
): HeldBack {
  const all = applied.folds(scheme);
  const held = all.find((f) => f.fold === fold);
  if (!held) {
    throw new Error(
      `held-back fold ${fold}: scheme ${scheme} has folds ${all.map((f) => f.fold).join(", ")}`,
    );
  }
  if (all.length < 3) throw new Error("holding a fold back needs at least 3 folds");
  const out = new Uint8Array(nRows);
  for (const i of held.valIndices) out[i] = 1;
  const keep: number[] = [];
  const newIndex = new Int32Array(nRows).fill(-1);
  for (let i = 0; i < nRows; i++) {
    if (out[i]) continue;
    newIndex[i] = keep.length;
    keep.push(i);
  }
  const remap = (rows: readonly number[]) => rows.flatMap((i) => (out[i] ? [] : [newIndex[i]]));
  const folds = all.filter((f) => f.fold !== fold).map((f) => ({
    fold: f.fold,
    trainIndices: remap(f.trainIndices),
    valIndices: remap(f.valIndices),
  }));
  return { keep, folds, heldBackRows: held.valIndices };
}
