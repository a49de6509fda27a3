/**
 * Assemble a complete `splits.json` value from the filtered official-train essays: the
 * `stratified_text` folds, the `prompt_holdout` folds and the `run` train/val split, all seeded.
 *
 * Pure apart from hashing: no I/O, no clock. The CLI step (`lib/steps/make_splits.ts`) reads
 * the CSVs, applies the filters and writes the result.
 *
 * @module
 */
import { normalisedTextHash } from "../dataset/text_hash.ts";
import {
  type ClassMerge,
  mergeRareClasses,
  minStratumForValFraction,
  overallClass,
  overallOfClass,
  type RareClassPolicy,
} from "./overall_class.ts";
import { ELLIPSE_SCALE, type ScoreScale } from "../dataset/score_scale.ts";
import { promptHoldoutKFold } from "./prompt_holdout.ts";
import { SPLITS_SCHEMA_VERSION, type SplitsFile } from "./splits_file.ts";
import { stratifiedGroupKFold } from "./stratified_group_kfold.ts";
import {
  RUN_VAL_FRACTION,
  stratifiedGroupTrainValSplit,
  type TrainValIndices,
} from "./train_val_split.ts";

/** What the builder needs of an essay. */
export interface SplittableEssay {
  /** Essay id. */
  readonly id: string;
  /** Full text (grouping key = its normalised-text hash). */
  readonly text: string;
  /** Prompt name. */
  readonly prompt: string;
  /** Holistic score on the scale (stratification class: ELLIPSE round(2·overall)). */
  readonly overall: number;
}

/** Input of {@linkcode buildSplitsFile}. */
export interface BuildSplitsInput {
  /** The filtered official-train essays, in file order. Never the test set. */
  readonly essays: readonly SplittableEssay[];
  /** Seed of every split. */
  readonly seed: number;
  /** Number of CV folds per scheme. */
  readonly nSplits: number;
  /**
   * Rare classes: `merge` (default) stratifies a class with fewer than `nSplits` essays (in the
   * run split: fewer than `ceil(1 / valFraction)`) together with its neighbour, recorded in the
   * file; `strict` leaves classes alone, so such a class is an error in `stratified_text`.
   */
  readonly rareClasses?: RareClassPolicy;
  /** Provenance written to `created_from`. */
  readonly createdFrom: SplitsFile["created_from"];
  /** Filters written to `filters` (already applied to `essays`). */
  readonly filters: SplitsFile["filters"];
  /** Validation share of the `run` split (default 0.1765). */
  readonly runValFraction?: number;
  /**
   * The score scale (default ELLIPSE's). A scale other than ELLIPSE's is recorded in the file as
   * `score_scale`; ELLIPSE's files stay byte for byte as before.
   */
  readonly scale?: ScoreScale;
  /** Name of the dataset manifest the essays came from (recorded when given). */
  readonly datasetName?: string;
}

/**
 * Build the `splits.json` value for a filtered train set.
 *
 * @example
 * ```ts
 * const splits = buildSplitsFile({ essays, seed: 42, nSplits: 5, createdFrom, filters });
 * await Deno.writeTextFile(path, serializeSplitsFile(splits));
 * ```
 */
export function buildSplitsFile(input: BuildSplitsInput): SplitsFile {
  const { essays, seed, nSplits } = input;
  if (essays.length === 0) throw new Error("no essays left to split (check the filters)");
  const ids = essays.map((e) => e.id);
  const hashes = essays.map((e) => normalisedTextHash(e.text));
  const prompts = essays.map((e) => e.prompt);
  const scale = input.scale ?? ELLIPSE_SCALE;
  const ellipse = scale === ELLIPSE_SCALE;
  const labels = Int32Array.from(essays, (e) => overallClass(e.overall, scale));
  const stratifyOn = ellipse ? "round(2*Overall)" : "score level";

  const policy = input.rareClasses ?? "merge";
  const strata = (minCount: number) =>
    policy === "merge" ? mergeRareClasses(labels, minCount) : { labels, merges: [] };
  const foldStrata = strata(nSplits);
  const stratified = stratifiedGroupKFold({
    labels: foldStrata.labels,
    groups: hashes,
    nSplits,
    seed,
  });
  const byPrompt = promptHoldoutKFold({ prompts, groups: hashes, nSplits, seed });
  const valFraction = input.runValFraction ?? RUN_VAL_FRACTION;
  const run = runTrainValSplit({ labels, groups: hashes, valFraction, seed, rareClasses: policy });
  const idsAt = (indices: readonly number[]) => indices.map((i) => ids[i]);

  return {
    schema_version: SPLITS_SCHEMA_VERSION,
    seed,
    n_splits: nSplits,
    rare_classes: policy,
    ...(input.datasetName !== undefined ? { dataset_name: input.datasetName } : {}),
    ...(ellipse ? {} : { score_scale: scale.spec }),
    created_from: input.createdFrom,
    filters: input.filters,
    n_essays: essays.length,
    essays: essays.map((e, i) => ({
      id: e.id,
      text_sha256: hashes[i],
      prompt: e.prompt,
      overall: e.overall,
    })),
    schemes: {
      stratified_text: {
        method: "stratified group k-fold (greedy, as scikit-learn StratifiedGroupKFold " +
          "shuffle=True; seeded group order)",
        stratify_on: stratifyOn,
        group_by: "sha256 of NFKC + whitespace-collapsed + trimmed text",
        class_merges: recordedMerges(foldStrata.merges, scale),
        folds: stratified.map((f) => ({ fold: f.fold, val_ids: idsAt(f.valIndices) })),
      },
      prompt_holdout: {
        method: "prompt-grouped k-fold (prompts sharing an identical text held out together; " +
          "largest prompt first into the smallest fold)",
        folds: byPrompt.map((f) => ({
          fold: f.fold,
          val_prompts: f.valPrompts,
          val_ids: idsAt(f.valIndices),
        })),
      },
    },
    run_split: {
      method: `official train -> train/val, stratified by ${stratifyOn}, text groups kept whole`,
      val_fraction: valFraction,
      class_merges: recordedMerges(run.merges, scale),
      train_ids: idsAt(run.trainIndices),
      val_ids: idsAt(run.valIndices),
    },
  };
}

function recordedMerges(
  merges: readonly ClassMerge[],
  scale: ScoreScale,
): SplitsFile["run_split"]["class_merges"] {
  return merges.map((m) => ({
    overall: overallOfClass(m.from, scale),
    stratified_with: overallOfClass(m.into, scale),
    n_essays: m.count,
  }));
}

/**
 * The `run` train/val split of class labels (round(2·Overall)) with rare classes handled by the
 * policy: under `merge` (default) a class with fewer than `ceil(1 / valFraction)` members is
 * stratified together with its neighbour (`mergeRareClasses`), and the merges are returned so
 * the caller can record and log them. What `make-splits` and a `run` without `--splits-path` use.
 *
 * @example
 * ```ts
 * const { trainIndices, valIndices, merges } = runTrainValSplit({ labels, groups, seed: 42 });
 * ```
 */
export function runTrainValSplit(input: {
  readonly labels: Int32Array;
  readonly groups: readonly string[];
  readonly seed: number;
  readonly valFraction?: number;
  readonly rareClasses?: RareClassPolicy;
}): TrainValIndices & { readonly merges: ClassMerge[] } {
  const valFraction = input.valFraction ?? RUN_VAL_FRACTION;
  const strata = (input.rareClasses ?? "merge") === "merge"
    ? mergeRareClasses(input.labels, minStratumForValFraction(valFraction))
    : { labels: input.labels, merges: [] };
  const split = stratifiedGroupTrainValSplit({
    labels: strata.labels,
    groups: input.groups,
    valFraction,
    seed: input.seed,
  });
  return { ...split, merges: strata.merges };
}
