/**
 * Apply a `splits.json` to the essays a step has loaded: verify it matches them, then hand out
 * folds and the run split as row indices into that step's own essay array (so one feature matrix
 * serves every fold; nothing is copied).
 *
 * This is the entry point for `cv`, `drop-column` and `run`.
 *
 * @module
 */
import {
  loadSplitsFile,
  type SplitsFile,
  type SplitsSchemeName,
  type VerifiableEssay,
  verifySplitsMatchDataset,
} from "./splits_file.ts";
import type { FoldIndices } from "./stratified_group_kfold.ts";
import type { TrainValIndices } from "./train_val_split.ts";

/** A verified `splits.json` bound to one essay array. */
export interface AppliedSplits {
  /** The validated file. */
  readonly splits: SplitsFile;
  /** A scheme's folds as ascending row indices into the essays given. */
  folds(scheme: SplitsSchemeName): FoldIndices[];
  /** The `run` train/val split as ascending row indices into the essays given. */
  runSplit(): TrainValIndices;
}

/**
 * Verify `splits` against `essays` (ids, normalised-text hashes, prompts) and bind it to them.
 * Throws the mismatch error of `verifySplitsMatchDataset` (with a filter hint when `filters` of
 * the current run are given).
 *
 * @example
 * ```ts
 * const applied = applySplitsToDataset(splits, trainEssays, "splits.json");
 * for (const { fold, trainIndices, valIndices } of applied.folds("stratified_text")) { ... }
 * ```
 */
export function applySplitsToDataset(
  splits: SplitsFile,
  essays: readonly VerifiableEssay[],
  source = "splits.json",
  options: { readonly filters?: SplitsFile["filters"] } = {},
): AppliedSplits {
  verifySplitsMatchDataset(splits, essays, source, options);
  const rowOf = new Map(essays.map((e, i) => [e.id, i]));
  const rows = (ids: readonly string[]) => ids.map((id) => rowOf.get(id)!).sort((a, b) => a - b);
  const complement = (val: readonly number[]) => {
    const inVal = new Uint8Array(essays.length);
    for (const i of val) inVal[i] = 1;
    const out: number[] = [];
    for (let i = 0; i < essays.length; i++) if (inVal[i] === 0) out.push(i);
    return out;
  };
  return {
    splits,
    folds(scheme) {
      const unavailable = scheme === "prompt_holdout"
        ? splits.schemes.prompt_holdout.unavailable
        : undefined;
      if (unavailable !== undefined) {
        throw new Error(`the prompt_holdout scheme of these splits is ${unavailable}`);
      }
      return splits.schemes[scheme].folds.map((f) => {
        const valIndices = rows(f.val_ids);
        return { fold: f.fold, trainIndices: complement(valIndices), valIndices };
      });
    },
    runSplit() {
      return {
        trainIndices: rows(splits.run_split.train_ids),
        valIndices: rows(splits.run_split.val_ids),
      };
    },
  };
}

/**
 * Load `splits.json` from `path`, validate it, and bind it to `essays`.
 *
 * @example
 * ```ts
 * const applied = await loadSplitsForDataset(config.splitsPath!, trainEssays, {
 *   filters: { min_words: 200, max_words: 1000, excluded_prompts: [...] },
 * });
 * ```
 */
export async function loadSplitsForDataset(
  path: string,
  essays: readonly VerifiableEssay[],
  options: { readonly filters?: SplitsFile["filters"] } = {},
): Promise<AppliedSplits> {
  return applySplitsToDataset(await loadSplitsFile(path), essays, path, options);
}
