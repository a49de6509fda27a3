/**
 * `run`'s last model stage: build the self-contained model bundle (`artifacts/model/`, format in
 * `lib/model/bundle.ts`) from the trained model, write it, read it back from disk and check that
 * it reproduces the run's own val and test predictions bit for bit — so a bundle that would
 * score differently from its run is never left behind as if it were good.
 *
 * @module
 */
import { scaleOfConfig } from "../dataset/load_dataset.ts";
import { join } from "node:path";
import type { Essay } from "../dataset/essay.ts";
import {
  FEATURE_STORE_METADATA_FILE,
  readFeatureStoreMetadata,
} from "../features/feature_store.ts";
import { HANDCRAFTED_FEATURE_NAMES } from "../features/handcrafted/schema.ts";
import { PROMPT_DEPENDENT_FEATURES } from "../features/prompt_features.ts";
import {
  type BundleMeta,
  MODEL_BUNDLE_FORMAT,
  MODEL_BUNDLE_FORMAT_VERSION,
  type ModelBundle,
  predictWithBundle,
} from "../model/bundle.ts";
import { readModelBundle, writeModelBundle } from "../model/bundle_io.ts";
import type { DenseMatrix } from "../model/matrix.ts";
import type { Ridge } from "../model/ridge.ts";
import {
  type DenseStackModel,
  STACKED_CHAR_TEXT_FEATURE,
  STACKED_EMBEDDING_FEATURE,
  STACKED_TEXT_FEATURE,
  type TextStackModel,
} from "../model/stacking.ts";
import type { TrainingOptions, TrainingResult } from "../model/training.ts";
import type { ExperimentConfig } from "../run/config.ts";
import type { RunContext } from "../run/run_context.ts";
import type { StepModelOptions } from "./model_inputs.ts";

/** Directory of the bundle inside `artifacts/`. */
export const MODEL_BUNDLE_DIR = "model";

/** A part the run predicted, to check the saved bundle against. */
export interface PredictedPart {
  readonly name: string;
  /** Input feature-set matrix (before stacking). */
  readonly X: DenseMatrix;
  readonly texts: readonly string[];
  readonly predictions: Float64Array;
}

/** What `run` hands over. */
export interface RunBundleInputs {
  readonly config: ExperimentConfig;
  readonly step: StepModelOptions;
  readonly trained: TrainingResult;
  readonly options: TrainingOptions;
  /** Input feature-set matrix of the training rows (before stacking) and their essays. */
  readonly trainX: DenseMatrix;
  readonly trainEssays: readonly Essay[];
  /** Parts whose predictions the reloaded bundle must reproduce exactly. */
  readonly check: readonly PredictedPart[];
}

/** Training mean of each prompt-dependent input column. */
function promptFeatureFill(names: readonly string[], X: DenseMatrix): Record<string, number> {
  const out: Record<string, number> = {};
  for (const feature of PROMPT_DEPENDENT_FEATURES) {
    const c = names.indexOf(feature);
    if (c < 0) continue;
    let s = 0;
    for (let r = 0; r < X.nRows; r++) s += X.values[r * X.nCols + c];
    out[feature] = s / X.nRows;
  }
  return out;
}

/** Column means as `linearShap` computes its background (NaN → the ridge's fill value). */
function ridgeBackgroundMean(model: Ridge, X: DenseMatrix): number[] {
  const p = X.nCols;
  const mean = new Float64Array(p);
  for (let r = 0; r < X.nRows; r++) {
    for (let c = 0; c < p; c++) {
      const v = X.values[r * p + c];
      mean[c] += Number.isNaN(v) ? model.fillValues[c] : v;
    }
  }
  for (let c = 0; c < p; c++) mean[c] /= X.nRows;
  return Array.from(mean);
}

async function bundleMeta(run: RunContext, input: RunBundleInputs): Promise<BundleMeta> {
  const { config, trained, options } = input;
  const storeDir = config.reuseCvFeatureStoreDir ?? join(run.dir, "feature_store_train");
  const store = await readFeatureStoreMetadata(join(storeDir, FEATURE_STORE_METADATA_FILE));
  const dense = options.denseStackColumns ?? [];
  return {
    format: MODEL_BUNDLE_FORMAT,
    format_version: MODEL_BUNDLE_FORMAT_VERSION,
    created_at: new Date().toISOString(),
    learner: config.model,
    feature_set: config.featureSet,
    extractor: {
      fingerprint: store.fingerprint,
      handcrafted_schema_version: store.schema_version,
      handcrafted_feature_names: store.matrices.handcrafted?.names ??
        [...HANDCRAFTED_FEATURE_NAMES],
    },
    excluded_features: [...config.excludedFeatures],
    input_feature_names: [...options.featureNames],
    model_feature_names: [...trained.featureNames],
    embedding_stacking: dense.length > 0
      ? { feature: STACKED_EMBEDDING_FEATURE, columns: [...dense] }
      : null,
    text_stacking: options.textStacking ? { feature: STACKED_TEXT_FEATURE } : null,
    char_text_stacking: options.charTextStacking ? { feature: STACKED_CHAR_TEXT_FEATURE } : null,
    blend: trained.blend
      ? {
        members: [...trained.blend.members],
        coef: [...trained.blend.coef],
        intercept: trained.blend.intercept,
        spread: { ...trained.blend.spread },
      }
      : null,
    cutpoints: trained.cutpoints,
    score_scale: scaleOfConfig(config).spec,
    word_window: { min_words: config.minWords, max_words: config.maxWords },
    training_prompts: [...new Set(input.trainEssays.map((e) => e.prompt))].sort(),
    excluded_prompts: [...config.ellipseExcludedPrompts],
    prompt_feature_fill: promptFeatureFill(options.featureNames, input.trainX),
    linear_shap_background_mean: trained.model.name === "ridge"
      ? ridgeBackgroundMean(trained.model as unknown as Ridge, trained.trainX)
      : null,
    training: {
      run_dir: run.dir,
      n_train: input.trainX.nRows,
      config: { ...config },
      step: { ...input.step },
    },
    data: run.manifest.inputs.map((f) => ({ ...f })),
  };
}

/** The in-memory bundle of a finished training. */
export async function buildRunModelBundle(
  run: RunContext,
  input: RunBundleInputs,
): Promise<ModelBundle> {
  const { stacked, model } = input.trained;
  if (input.options.textStacking && stacked.text?.model?.kind !== "text") {
    throw new Error("model bundle: the text stacking model was not kept by training");
  }
  const dense = input.options.denseStackColumns ?? [];
  if (dense.length > 0 && stacked.dense?.model?.kind !== "dense") {
    throw new Error("model bundle: the embedding stacking model was not kept by training");
  }
  if (input.options.charTextStacking && stacked.char?.model?.kind !== "text") {
    throw new Error("model bundle: the character stacking model was not kept by training");
  }
  return {
    meta: await bundleMeta(run, input),
    learner: model,
    textStack: input.options.textStacking ? stacked.text!.model as TextStackModel : null,
    denseStack: dense.length > 0 ? stacked.dense!.model as DenseStackModel : null,
    charTextStack: input.options.charTextStacking ? stacked.char!.model as TextStackModel : null,
  };
}

/**
 * Whether two float64 arrays are equal bit for bit (so -0 ≠ 0 and NaN payloads count).
 *
 * @example
 * ```ts
 * sameBits(Float64Array.of(1), Float64Array.of(1)); // true
 * ```
 */
export function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Write the bundle to `artifacts/model/`, reload it from disk, and fail unless it reproduces
 * every checked part's predictions bit for bit. Returns the bundle directory.
 *
 * @example
 * ```ts
 * await saveRunModelBundle(run, { config, step, trained, options, trainX, trainEssays, check });
 * ```
 */
export async function saveRunModelBundle(
  run: RunContext,
  input: RunBundleInputs,
): Promise<string> {
  const dir = run.artifactPath(MODEL_BUNDLE_DIR);
  const index = await writeModelBundle(dir, await buildRunModelBundle(run, input));
  const loaded = await readModelBundle(dir);
  for (const part of input.check) {
    const { raw } = predictWithBundle(loaded, part.X, part.texts);
    if (!sameBits(raw, part.predictions)) {
      throw new Error(
        `model bundle ${dir}: the reloaded bundle does not reproduce the run's ${part.name} ` +
          "predictions bit for bit",
      );
    }
  }
  run.log.info(
    `model bundle: ${dir} (${Object.keys(index.files).length + 1} files; reproduces ` +
      `${input.check.map((p) => `${p.name} (${p.predictions.length})`).join(", ")} bit for bit)`,
  );
  return dir;
}
