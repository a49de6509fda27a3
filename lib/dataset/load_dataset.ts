/**
 * Load the configured dataset: any corpus through its dataset manifest (`--dataset`, or the
 * built-in ELLIPSE manifest the ELLIPSE flags map onto) — one loading path — or blocked IELTS
 * for smoke tests.
 *
 * @module
 */
import type { ExperimentConfig } from "../run/config.ts";
import { loadCorpus } from "./corpus_loader.ts";
import type { Essay } from "./essay.ts";
import { loadIeltsCsv } from "./ielts_csv.ts";
import { type DatasetManifest, ellipseManifest } from "./manifest.ts";
import { ELLIPSE_SCALE, type ScoreScale } from "./score_scale.ts";
import {
  type DatasetScale,
  datasetScale,
  isPerPromptScale,
  type PerPromptScale,
  singleScale,
} from "./per_prompt_scale.ts";

/** The official partitions and the files they came from. */
export interface LoadedDataset {
  readonly train: Essay[];
  readonly test: Essay[];
  /** Column order for writing prepared CSVs. */
  readonly header: readonly string[];
  readonly inputPaths: readonly string[];
  /** The score scale of `overall`: one scale, or one per prompt (`per_prompt_scale.ts`). */
  readonly scale: DatasetScale;
  /** Essays per genre tag ("" = untagged); empty when the corpus has no genre source. */
  readonly genreCounts: Readonly<Record<string, number>>;
}

/** The canonical columns written for data that has no ELLIPSE layout of its own (IELTS). */
export const CANONICAL_COLUMNS = ["text_id_kaggle", "full_text", "prompt", "Overall", "set"];

/**
 * The dataset manifest of a config: its `--dataset` manifest, else the built-in ELLIPSE one.
 *
 * @example
 * ```ts
 * datasetManifestOf(config).scale; // { kind: "numeric", min: 1, max: 5, step: 0.5 }
 * ```
 */
export function datasetManifestOf(config: ExperimentConfig): DatasetManifest {
  return config.dataset ?? ellipseManifest({
    trainPath: config.ellipseTrainPath,
    testPath: config.ellipseTestPath,
    minWords: config.minWords,
    maxWords: config.maxWords,
    excludedPrompts: config.ellipseExcludedPrompts,
  });
}

/**
 * The scale the model is trained and cross-validated on: the dataset's one scale (ELLIPSE's for
 * ELLIPSE and IELTS), or on per-prompt scales the common grid 0…L (`common_grid.ts`), on which
 * splits, sample weights and the learner run as on any numeric scale. Per-prompt results are
 * mapped back with {@link perPromptScaleOfConfig}.
 *
 * @example
 * ```ts
 * scaleOfConfig(config).nLevels; // 9 for ELLIPSE; 31 for prompts on 2–12, 0–3 and 1–6
 * ```
 */
export function scaleOfConfig(config: ExperimentConfig): ScoreScale {
  if (!config.dataset) return ELLIPSE_SCALE;
  const s = datasetScale(config.dataset.scale);
  return isPerPromptScale(s) ? s.grid : s;
}

/**
 * The per-prompt scale table of a config's dataset, or null when it has one scale.
 *
 * @example
 * ```ts
 * perPromptScaleOfConfig(config)?.gridSize; // 30 for prompts on 2–12, 0–3 and 1–6
 * ```
 */
export function perPromptScaleOfConfig(config: ExperimentConfig): PerPromptScale | null {
  if (!config.dataset) return null;
  const s = datasetScale(config.dataset.scale);
  return isPerPromptScale(s) ? s : null;
}

/**
 * Refuse a step that does not handle per-prompt scales (a `PerPromptScaleUnsupportedError` naming
 * it), so it never compares or decides on the pooled common grid; no-op on one scale.
 *
 * @example
 * ```ts
 * refusePerPromptScale(config, "drop-column");
 * ```
 */
export function refusePerPromptScale(config: ExperimentConfig, what: string): void {
  if (config.dataset) singleScale(datasetScale(config.dataset.scale), what);
}

/**
 * The dataset's scale, one or per prompt (ELLIPSE's for ELLIPSE and IELTS).
 *
 * @example
 * ```ts
 * datasetScaleOfConfig(config); // a ScoreScale or a PerPromptScale
 * ```
 */
export function datasetScaleOfConfig(config: ExperimentConfig): DatasetScale {
  return config.dataset ? datasetScale(config.dataset.scale) : ELLIPSE_SCALE;
}

/**
 * The input files of a config's dataset.
 *
 * @example
 * ```ts
 * datasetInputPaths(config); // ["data/embedded/ellipse_embedded_train.csv", …]
 * ```
 */
export function datasetInputPaths(config: ExperimentConfig): string[] {
  if (config.datasetKind === "ielts") return [config.ieltsPath];
  const m = datasetManifestOf(config);
  return "data" in m.files ? [m.files.data] : [m.files.train, m.files.test];
}

/**
 * Load the dataset the config names.
 *
 * @example
 * ```ts
 * const { train, test } = await loadDataset(config);
 * ```
 */
export async function loadDataset(config: ExperimentConfig): Promise<LoadedDataset> {
  if (config.datasetKind === "ielts") {
    const all = await loadIeltsCsv(config.ieltsPath);
    return {
      train: all.filter((e) => e.split === "train"),
      test: all.filter((e) => e.split === "test"),
      header: CANONICAL_COLUMNS,
      inputPaths: [config.ieltsPath],
      scale: ELLIPSE_SCALE,
      genreCounts: {},
    };
  }
  const c = await loadCorpus(datasetManifestOf(config), { allowGenreMix: config.allowGenreMix });
  return {
    train: c.train,
    test: c.test,
    header: c.header,
    inputPaths: c.inputPaths,
    scale: c.scale,
    genreCounts: c.genreCounts,
  };
}

/** Whether a dataset came from data the runbook blocks (IELTS: smoke tests only). */
export function isBlockedDataset(config: ExperimentConfig): boolean {
  return config.datasetKind === "ielts";
}
