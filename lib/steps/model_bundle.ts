/**
 * `run`'s last model stage: write the self-contained model bundle (`artifacts/model/`, format in
 * `lib/model/bundle/bundle.ts`) — the fitted `ScoringPipeline`'s state plus the provenance `score`
 * checks (extractor fingerprint and schema, word window, training prompts, config, data hashes).
 * `score` predicts with the same pipeline code that `run` did, so nothing needs re-checking here;
 * the round trip fit → toJSON → fromJSON → predict is pinned bit for bit by the tests.
 *
 * @module
 */
import { join } from "node:path";
import type { Essay } from "../dataset/essay.ts";
import { perPromptScaleOfConfig } from "../dataset/load_dataset.ts";
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
} from "../model/bundle/bundle.ts";
import { writeModelBundle } from "../model/bundle/bundle_io.ts";
import type { DenseMatrix } from "../model/learners/matrix.ts";
import type { ScoringPipeline } from "../model/pipeline/scoring_pipeline.ts";
import type { ExperimentConfig } from "../run/config.ts";
import type { RunContext } from "../run/run_context.ts";
import type { StepModelOptions } from "./model_inputs.ts";

/** Directory of the bundle inside `artifacts/`. */
export const MODEL_BUNDLE_DIR = "model";

/** What `run` hands over. */
export interface RunBundleInputs {
  readonly config: ExperimentConfig;
  readonly step: StepModelOptions;
  readonly pipeline: ScoringPipeline;
  /** Input feature-set matrix of the training rows (before stacking) and their essays. */
  readonly trainX: DenseMatrix;
  readonly trainEssays: readonly Essay[];
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

async function bundleMeta(run: RunContext, input: RunBundleInputs): Promise<BundleMeta> {
  const { config } = input;
  const storeDir = config.reuseCvFeatureStoreDir ?? join(run.dir, "feature_store_train");
  const store = await readFeatureStoreMetadata(join(storeDir, FEATURE_STORE_METADATA_FILE));
  const pp = perPromptScaleOfConfig(config);
  return {
    format: MODEL_BUNDLE_FORMAT,
    format_version: MODEL_BUNDLE_FORMAT_VERSION,
    created_at: new Date().toISOString(),
    feature_set: config.featureSet,
    extractor: {
      fingerprint: store.fingerprint,
      handcrafted_schema_version: store.schema_version,
      handcrafted_feature_names: store.matrices.handcrafted?.names ??
        [...HANDCRAFTED_FEATURE_NAMES],
    },
    excluded_features: [...config.excludedFeatures],
    word_window: { min_words: config.minWords, max_words: config.maxWords },
    training_prompts: [...new Set(input.trainEssays.map((e) => e.prompt))].sort(),
    excluded_prompts: [...config.ellipseExcludedPrompts],
    prompt_feature_fill: promptFeatureFill(input.pipeline.inputFeatureNames, input.trainX),
    training: {
      run_dir: run.dir,
      n_train: input.trainX.nRows,
      config: { ...config },
      step: { ...input.step },
    },
    data: run.manifest.inputs.map((f) => ({ ...f })),
    ...(pp ? { per_prompt_scale: { scale: pp.spec, grid_size: pp.gridSize } } : {}),
  };
}

/**
 * The in-memory bundle of a finished training: the pipeline plus provenance.
 *
 * @example
 * ```ts
 * const bundle = await buildRunModelBundle(run, { config, step, pipeline, trainX, trainEssays });
 * ```
 */
export async function buildRunModelBundle(
  run: RunContext,
  input: RunBundleInputs,
): Promise<ModelBundle> {
  return { meta: await bundleMeta(run, input), pipeline: input.pipeline };
}

/**
 * Write the bundle to `artifacts/model/` (atomically, every file hashed). Returns its directory.
 *
 * @example
 * ```ts
 * await saveRunModelBundle(run, { config, step, pipeline, trainX, trainEssays });
 * ```
 */
export async function saveRunModelBundle(
  run: RunContext,
  input: RunBundleInputs,
): Promise<string> {
  const dir = run.artifactPath(MODEL_BUNDLE_DIR);
  const index = await writeModelBundle(dir, await buildRunModelBundle(run, input));
  run.log.info(`model bundle: ${dir} (${Object.keys(index.files).length + 1} files)`);
  return dir;
}
