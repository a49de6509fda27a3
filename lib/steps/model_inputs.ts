/**
 * What the model steps (`cv`, `drop-column`, `run`) share: their flags, loading + filtering the
 * dataset exactly like `prepare-dataset`, binding `splits.json`, getting features through the
 * configured backend with the feature store (`extractWithStore`, reuse via
 * `--reuse-cv-feature-store-dir`), and turning extracted matrices into the model's matrix for a
 * feature set.
 *
 * @module
 */
import { assertEncoderLanguage } from "./step_config.ts";
import { languageFeatureMatrix } from "../features/language/language_features.ts";
import type { FeatureAudit } from "../features/feature_audit.ts";
import { auditStoreFeatures, withDegenerateDropped } from "./feature_audit_step.ts";
import { join } from "node:path";
import type { Essay } from "../dataset/essay.ts";
import { applyStandardFilters } from "../dataset/filters.ts";
import { loadDataset, perPromptScaleOfConfig, scaleOfConfig } from "../dataset/load_dataset.ts";
import { countWords } from "../dataset/words.ts";
import {
  FEATURE_STORE_METADATA_FILE,
  readFeatureStoreMetadata,
} from "../features/feature_store.ts";
import { extractWithStore } from "../features/store_extraction.ts";
import { normalisedTextHash } from "../dataset/text_hash.ts";
import type { ExtractedFeatures } from "../features/types.ts";
import {
  type DenseMatrix,
  hconcat,
  selectColumns,
  selectRows as selectMatrixRows,
} from "../model/learners/matrix.ts";
import { holdBackFold } from "../splits/held_back_fold.ts";
import { DEFAULT_STACKING_PARAMS } from "../model/params.ts";
import type { PipelineOptions } from "../model/pipeline/scoring_pipeline.ts";
import { createExtractorForConfig } from "../offload/backend.ts";
import { type FlagSpec, UsageError } from "../run/cli_flags.ts";
import type { ExperimentConfig } from "../run/config.ts";
import type { FeatureSet } from "../features/types.ts";
import type { RunContext } from "../run/run_context.ts";
import { type AppliedSplits, loadSplitsForDataset } from "../splits/apply_splits.ts";
import { filterSettingsOf } from "./prepare_dataset.ts";
import { DATASET_FLAGS } from "../run/cli_flags.ts";
import { promptIndicatorMatrix } from "../model/pipeline/prompt_columns.ts";

/** Feature-extraction flags (backend, services, store reuse, feature set). */
export const FEATURE_FLAGS: readonly FlagSpec[] = [
  { name: "feature-set", type: "string", description: "handcrafted | embeddings | combined" },
  { name: "backend", type: "string", description: "local | hemma (feature extraction)" },
  { name: "offload-service-url", type: "string", description: "Hemma offload server URL" },
  { name: "embedding-service-url", type: "string", description: "remote /v1/embed URL" },
  { name: "language-tool-service-url", type: "string", description: "LanguageTool URL" },
  {
    name: "checker",
    type: "string",
    description: "auto | languagetool | local: Tier 1 checker (default auto for real data: " +
      "LanguageTool via the URL or started locally with Java 17+, else harper.js + nspell; " +
      "local for the embedded data)",
  },
  {
    name: "language-tool-protocol",
    type: "string",
    description: "auto | huleedu (POST /v1/check JSON) | stock (POST /v2/check form)",
  },
  {
    name: "offload-request-timeout-s",
    type: "number",
    description: "per-request timeout of the offload clients in seconds (LanguageTool: 60)",
  },
  {
    name: "offload-concurrency",
    type: "int",
    description: "requests the offload clients keep in flight (default 2; ~2 per server " +
      "behind a load balancer)",
  },
  {
    name: "extraction-workers",
    type: "int",
    configKey: null,
    description: "Web Workers for local extraction (default: min(2, cores); 0 = calling thread)",
  },
  {
    name: "exclude-features",
    type: "list",
    configKey: "excludedFeatures",
    description: "handcrafted features to leave out of the model, separated by '|' " +
      "(e.g. those drop-column marked drop)",
  },
  {
    name: "drop-degenerate-features",
    type: "boolean",
    description: "drop the handcrafted columns the feature audit flags (constant, near-constant, " +
      "monotone copy of another column) before fitting",
  },
  {
    name: "reuse-cv-feature-store-dir",
    type: "string",
    description: "reuse the cv_feature_store/ of an earlier run (refused on schema/fingerprint " +
      "mismatch)",
  },
];

/** Learner flags (`--model` and its params). */
export const MODEL_FLAGS: readonly FlagSpec[] = [
  { name: "model", type: "string", description: "gbm | rf | ml-random-forest | ridge" },
  {
    name: "n-estimators",
    type: "int",
    configKey: "treeParams.nEstimators",
    description: "trees / boosting rounds",
  },
  {
    name: "learning-rate",
    type: "number",
    configKey: "treeParams.learningRate",
    description: "boosting learning rate",
  },
  { name: "max-depth", type: "int", configKey: "treeParams.maxDepth", description: "tree depth" },
  {
    name: "min-child-weight",
    type: "number",
    configKey: "treeParams.minChildWeight",
    description: "min hessian (rows) per leaf",
  },
  {
    name: "lambda-l2",
    type: "number",
    configKey: "treeParams.lambdaL2",
    description: "L2 on leaf weights",
  },
  {
    name: "subsample",
    type: "number",
    configKey: "treeParams.subsample",
    description: "row subsample per boosting round",
  },
  {
    name: "colsample-bytree",
    type: "number",
    configKey: "treeParams.colsampleByTree",
    description: "column subsample per tree (rf: per node)",
  },
  { name: "max-bins", type: "int", configKey: "treeParams.maxBins", description: "bins ≤ 256" },
  {
    name: "early-stopping-rounds",
    type: "int",
    configKey: "treeParams.earlyStoppingRounds",
    description: "0 = off; stops on an inner split of the training part only",
  },
  {
    name: "validation-fraction",
    type: "number",
    configKey: "treeParams.validationFraction",
    description: "inner early-stopping share of the training part",
  },
  {
    name: "ridge-alpha",
    type: "number",
    configKey: "ridgeParams.alpha",
    description: "ridge penalty",
  },
  {
    name: "optimise-cutpoints",
    type: "boolean",
    description: "also score with QWK-optimised thresholds fitted inside the training part",
  },
  {
    name: "text-stacking",
    type: "boolean",
    configKey: null,
    description: "append out-of-fold TF-IDF ridge predictions as a feature (default: true)",
  },
  {
    name: "embedding-stacking",
    type: "boolean",
    configKey: null,
    description: "tree learners: replace the embedding dimensions by one out-of-fold ridge " +
      "prediction `embedding_ridge_oof` (default: true)",
  },
  {
    name: "embedding-stacking-alpha",
    type: "number",
    configKey: null,
    description: "ridge penalty of the embedding stack (default: 300)",
  },
  {
    name: "cutpoint-mode",
    type: "string",
    description: "inner_oof | lofo: cut-points fitted inside each training part, or for fold k " +
      "on the other folds' predictions by models fitted without fold k (nested LOFO)",
  },
  {
    name: "sample-weighting",
    type: "string",
    description: "none | sqrt_inv_freq (weights ∝ 1/√ score frequency; gbm, rf, ridge)",
  },
  {
    name: "sample-weight-cap",
    type: "number",
    description: "cap on a score's raw weight √(n_max / n_score) before normalising to mean 1",
  },
  {
    name: "char-text-stacking",
    type: "boolean",
    configKey: "pipeline.charTextStacking",
    description: "also stack an out-of-fold ridge over char_wb 2–5-gram TF-IDF",
  },
  {
    name: "blend-stacks",
    type: "boolean",
    configKey: "pipeline.blendStacks",
    description: "blend the learner with the stacked ridge columns (fitted on inner " +
      "out-of-fold predictions of the training part)",
  },
  {
    name: "blend-match-spread",
    type: "boolean",
    configKey: "pipeline.blendMatchSpread",
    description: "after the blend, match the training labels' mean and std",
  },
  {
    name: "cv-workers",
    type: "int",
    configKey: null,
    description: "Web Workers the CV folds are spread over (default: min(2, cores); same result)",
  },
  {
    name: "prompt-columns",
    type: "boolean",
    configKey: null,
    description: "per-prompt scales: one prompt-identity input column per prompt of the " +
      "manifest's scale table (default: true; no effect on single-scale corpora)",
  },
  {
    name: "prompt-standardise",
    type: "boolean",
    configKey: null,
    description: "per-prompt scales with prompt columns: standardise the handcrafted columns per " +
      "prompt on each fit's training rows (default: true; no effect on single-scale corpora)",
  },
  {
    name: "cutpoint-inner-folds",
    type: "int",
    configKey: null,
    description: "inner folds for the cut-points' out-of-fold predictions (default: 3)",
  },
];

/** Flags of `cv` and `drop-column`. */
export const CV_FLAGS: readonly FlagSpec[] = [
  ...DATASET_FLAGS,
  { name: "splits-path", type: "string", description: "splits.json from make-splits" },
  { name: "scheme", type: "string", description: "stratified_text | prompt_holdout" },
  {
    name: "held-back-fold",
    type: "int",
    description: "hold this fold of the scheme back: its essays are removed before anything is " +
      "fitted (sweep's confirmation fold)",
  },
  ...FEATURE_FLAGS,
  ...MODEL_FLAGS,
];

/** Filtered train and test essays. */
export interface FilteredData {
  readonly train: Essay[];
  readonly test: Essay[];
}

/**
 * Load and filter the dataset exactly as `prepare-dataset` does (idempotent on prepared CSVs).
 *
 * @example
 * ```ts
 * const { train, test } = await loadFilteredData(run, config);
 * ```
 */
export async function loadFilteredData(
  run: RunContext,
  config: ExperimentConfig,
): Promise<FilteredData> {
  return await run.stage("load_and_filter", async () => {
    const d = await loadDataset(config);
    const settings = filterSettingsOf(config);
    const train = applyStandardFilters(d.train, settings);
    const test = applyStandardFilters(d.test, settings);
    for (const [s, f] of [["train", train], ["test", test]] as const) {
      for (const st of f.stages) {
        run.log.info(`${s} ${st.stage}: ${st.before} → ${st.after} (removed ${st.removed})`);
      }
    }
    return { train: train.kept, test: test.kept };
  });
}

/**
 * Bind `--splits-path` to the filtered train essays (verified ids, hashes, prompts).
 *
 * @example
 * ```ts
 * const applied = await bindSplits(run, config, data.train);
 * ```
 */
export async function bindSplits(
  run: RunContext,
  config: ExperimentConfig,
  train: readonly Essay[],
): Promise<AppliedSplits> {
  if (!config.splitsPath) {
    throw new UsageError("--splits-path is required (a splits.json written by make-splits)");
  }
  return await run.stage("load_splits", () =>
    loadSplitsForDataset(config.splitsPath!, train, {
      filters: {
        min_words: config.minWords,
        max_words: config.maxWords,
        excluded_prompts: [...config.ellipseExcludedPrompts],
      },
    }));
}

/**
 * Features for essays through the configured backend and a feature store in the run directory
 * (or a reused one). Writes `artifacts/offload_metrics.json`.
 *
 * @example
 * ```ts
 * const features = await extractFeatures(run, config, essays, "cv_feature_store", reuseDir);
 * ```
 */
export async function extractFeatures(
  run: RunContext,
  config: ExperimentConfig,
  essays: readonly Essay[],
  storeName: string,
  reuseDir: string | undefined,
  extractionWorkers?: number,
): Promise<ExtractedFeatures & { readonly audit: FeatureAudit }> {
  assertEncoderLanguage(config);
  const features = await run.stage(`features_${storeName}`, async () => {
    const handle = await createExtractorForConfig(config, {
      log: (l) => run.log.info(l),
      local: extractionWorkers === undefined ? undefined : { workers: extractionWorkers },
    });
    try {
      return await extractWithStore({
        essays: essays.map((e) => ({ id: e.id, text: e.text, prompt: e.prompt })),
        extractor: handle.extractor,
        storeDir: join(run.dir, storeName),
        reuseDir,
        featureSet: config.featureSet,
        signal: run.signal,
        onProgress: (stage, done, total) => run.progress(stage, done, total),
        onLog: (l) => run.log.info(l),
      });
    } finally {
      const path = await handle.writeMetrics(run.artifactPath(""));
      run.log.info(`offload metrics: ${path}`);
      await handle.close();
    }
  });
  const audit = await auditStoreFeatures(run, features, storeName);
  return { ...features, audit };
}

/**
 * Features of the official test essays: from `reuseDirs` (the first store whose rows cover every
 * test essay, e.g. a store built over train + test, or the `feature_store_test/` of an earlier
 * run), else extracted into `<run>/feature_store_test/`.
 *
 * @example
 * ```ts
 * const test = await extractTestFeatures(run, config, data.test, [config.reuseCvFeatureStoreDir]);
 * ```
 */
export async function extractTestFeatures(
  run: RunContext,
  config: ExperimentConfig,
  test: readonly Essay[],
  reuseDirs: readonly (string | undefined)[],
  extractionWorkers?: number,
): Promise<ExtractedFeatures> {
  let reuse: string | undefined;
  for (const dir of reuseDirs) {
    if (!dir) continue;
    const meta = await readFeatureStoreMetadata(join(dir, FEATURE_STORE_METADATA_FILE));
    const have = new Set(meta.rows.map((r) => `${r.id}\u0000${r.text_hash}`));
    if (test.every((e) => have.has(`${e.id}\u0000${normalisedTextHash(e.text)}`))) {
      reuse = dir;
      break;
    }
    run.log.info(`test essays are not all in the store ${dir}`);
  }
  if (!reuse) run.log.info("extracting the test essays' features");
  return await extractFeatures(
    run,
    config,
    test,
    "feature_store_test",
    reuse,
    extractionWorkers,
  );
}

/** The model's input matrix with column names. */
export interface NamedMatrix {
  readonly X: DenseMatrix;
  readonly names: readonly string[];
  /** Indices of the sentence-embedding columns (empty for `handcrafted`). */
  readonly embeddingColumns: readonly number[];
}

/**
 * The matrix of a feature set: handcrafted (+ language columns), then the prompt-identity
 * columns of per-prompt corpora, then embeddings.
 *
 * @example
 * ```ts
 * const { X, names } = featureSetMatrix(features, "combined");
 * ```
 */
export function featureSetMatrix(
  features: ExtractedFeatures,
  featureSet: FeatureSet,
  excludedFeatures: readonly string[] = [],
  language?: LanguageColumns,
  prompts?: PromptColumns,
): NamedMatrix {
  const parts: DenseMatrix[] = [];
  const names: string[] = [];
  let nHand = 0;
  if (featureSet !== "embeddings") {
    if (!features.handcrafted) throw new Error("features: handcrafted matrix missing");
    const hand = features.handcrafted;
    const unknown = excludedFeatures.filter((f) => !hand.names.includes(f));
    if (unknown.length > 0) {
      throw new UsageError(
        `--exclude-features: unknown handcrafted feature(s) ${unknown.join(", ")}; ` +
          `known: ${hand.names.join(", ")}`,
      );
    }
    const keep = hand.names.flatMap((n, c) => excludedFeatures.includes(n) ? [] : [c]);
    parts.push(keep.length === hand.nCols ? hand : selectColumns(hand, keep));
    for (const c of keep) names.push(hand.names[c]);
    nHand = keep.length;
    const own = language ? languageFeatureMatrix(language.tag, language.texts) : null;
    if (own) {
      if (own.X.nRows !== hand.nRows) throw new Error("features: language columns misaligned");
      parts.push(own.X);
      names.push(...own.names);
      nHand += own.names.length;
    }
  } else if (excludedFeatures.length > 0) {
    throw new UsageError("--exclude-features applies to handcrafted features, not embeddings");
  }
  if (prompts) {
    // per-prompt corpora: prompt identity, before the embeddings (whose indices follow)
    const own = promptIndicatorMatrix(prompts.prompts, prompts.essayPrompts);
    parts.push(own.X);
    names.push(...own.names);
    nHand += own.names.length;
  }
  let nEmb = 0;
  if (featureSet !== "handcrafted") {
    if (!features.embeddings) throw new Error("features: embeddings matrix missing");
    parts.push(features.embeddings);
    names.push(...features.embeddings.names);
    nEmb = features.embeddings.nCols;
  }
  return {
    X: hconcat(parts),
    names,
    embeddingColumns: Array.from({ length: nEmb }, (_, j) => nHand + j),
  };
}

/**
 * Step-level options not in `ExperimentConfig` (the stacking settings, defaults in
 * `model/params.ts`, and how many workers).
 */
export interface StepModelOptions {
  readonly textStacking: boolean;
  readonly cutpointInnerFolds: number;
  /** Local extraction workers (undefined = the extractor's default). */
  readonly extractionWorkers?: number;
  /** Workers for CV folds (default min(2, cores)). */
  readonly cvWorkers?: number;
  /** Tree learners: embeddings → one out-of-fold ridge column (default true). */
  readonly embeddingStacking?: boolean;
  /** Ridge penalty of the embedding stack (default 300). */
  readonly embeddingStackingAlpha?: number;
  /** Per-prompt corpora: prompt-identity input columns (default true; no effect otherwise). */
  readonly promptColumns?: boolean;
  /** Per-prompt corpora: per-prompt standardisation of the input columns (default true). */
  readonly promptStandardise?: boolean;
}

/** The step options of a run given no flags (defaults from `model/params.ts`). */
export const DEFAULT_STEP_MODEL_OPTIONS: StepModelOptions = {
  textStacking: DEFAULT_STACKING_PARAMS.textStacking,
  cutpointInnerFolds: DEFAULT_STACKING_PARAMS.cutpointInnerFolds,
};

/**
 * Read `--text-stacking` and `--cutpoint-inner-folds` (not config keys).
 *
 * @example
 * ```ts
 * const opts = stepModelOptions(invocation.values);
 * ```
 */
export function stepModelOptions(values: Readonly<Record<string, unknown>>): StepModelOptions {
  const folds = values["cutpoint-inner-folds"];
  if (folds !== undefined && (typeof folds !== "number" || folds < 2)) {
    throw new UsageError("--cutpoint-inner-folds must be ≥ 2");
  }
  const workers = values["extraction-workers"];
  if (workers !== undefined && (typeof workers !== "number" || workers < 0)) {
    throw new UsageError("--extraction-workers must be ≥ 0");
  }
  const cvWorkers = values["cv-workers"];
  if (cvWorkers !== undefined && (typeof cvWorkers !== "number" || cvWorkers < 1)) {
    throw new UsageError("--cv-workers must be ≥ 1");
  }
  const alpha = values["embedding-stacking-alpha"];
  if (alpha !== undefined && (typeof alpha !== "number" || !(alpha > 0))) {
    throw new UsageError("--embedding-stacking-alpha must be > 0");
  }
  return {
    embeddingStacking: (values["embedding-stacking"] as boolean | undefined) ??
      DEFAULT_STACKING_PARAMS.embeddingStacking,
    embeddingStackingAlpha: alpha as number | undefined,
    cvWorkers: cvWorkers as number | undefined,
    textStacking: (values["text-stacking"] as boolean | undefined) ??
      DEFAULT_STACKING_PARAMS.textStacking,
    cutpointInnerFolds: (folds as number | undefined) ?? DEFAULT_STACKING_PARAMS.cutpointInnerFolds,
    extractionWorkers: workers as number | undefined,
    promptColumns: values["prompt-columns"] as boolean | undefined,
    promptStandardise: values["prompt-standardise"] as boolean | undefined,
  };
}

/**
 * Training options for the config's learner.
 *
 * @example
 * ```ts
 * const options = trainingOptionsFor(config, step, names);
 * ```
 */
export function trainingOptionsFor(
  config: ExperimentConfig,
  step: StepModelOptions,
  featureNames: readonly string[],
  embeddingColumns: readonly number[] = [],
): PipelineOptions {
  return {
    kind: config.model,
    // only what the learners fit with (this object travels to the CV workers)
    params: { treeParams: config.treeParams, ridgeParams: config.ridgeParams },
    seed: config.seed,
    featureNames,
    textStacking: step.textStacking,
    denseStackColumns: usesEmbeddingStacking(config, step) ? embeddingColumns : undefined,
    denseStackAlpha: step.embeddingStackingAlpha ?? DEFAULT_STACKING_PARAMS.embeddingStackingAlpha,
    // lofo: cv scores folds with leave-one-fold-out thresholds (crossValidate skips inner fits);
    // a full run fits its thresholds on the out-of-fold predictions of an nSplits-fold over
    // the training part, i.e. on all out-of-fold predictions
    cutpointInnerFolds: !config.optimiseCutpoints
      ? 0
      : config.cutpointMode === "lofo"
      ? config.nSplits
      : step.cutpointInnerFolds,
    sampleWeighting: config.sampleWeighting === "none"
      ? undefined
      : { mode: config.sampleWeighting, cap: config.sampleWeightCap },
    charTextStacking: config.pipeline.charTextStacking,
    blendStacks: config.pipeline.blendStacks,
    blendMatchSpread: config.pipeline.blendMatchSpread,
    scale: scaleOfConfig(config),
    // per-prompt corpora only (the pipeline finds no prompt columns otherwise)
    ...(perPromptScaleOfConfig(config) !== null && step.promptStandardise !== false
      ? { promptStandardise: true }
      : {}),
  };
}

/** Whether embeddings are stacked: tree learners with a feature set that has embeddings. */
export function usesEmbeddingStacking(config: ExperimentConfig, step: StepModelOptions): boolean {
  return (step.embeddingStacking ?? DEFAULT_STACKING_PARAMS.embeddingStacking) &&
    config.model !== "ridge" &&
    config.featureSet !== "handcrafted";
}

/** The learner's hyper-parameters as reported (tree params or ridge params). */
export function learnerParams(config: ExperimentConfig): Record<string, unknown> {
  return config.model === "ridge" ? { ...config.ridgeParams } : { ...config.treeParams };
}

/** Workers for CV folds: the flag, else min(2, cores). */
export function cvWorkersFor(step: StepModelOptions): number {
  const cores = typeof navigator !== "undefined" ? navigator.hardwareConcurrency ?? 1 : 1;
  return step.cvWorkers ?? Math.max(1, Math.min(2, cores));
}

/** Word counts of essays in the dataset's language (`dataset/words.ts`; default English). */
export function wordCounts(essays: readonly Essay[], language?: string): Float64Array {
  return Float64Array.from(essays.map((e) => countWords(e.text, language)));
}

/**
 * What `cv` and `drop-column` start from: the filtered data, `splits.json` bound to the train
 * essays, the train features (extracted into `cv_feature_store/` or reused) and the model matrix
 * of the configured feature set.
 *
 * @example
 * ```ts
 * const { applied, X, names } = await cvTrainingInputs(run, config, step);
 * ```
 */
export async function cvTrainingInputs(
  run: RunContext,
  config: ExperimentConfig,
  step: StepModelOptions,
) {
  const data = await loadFilteredData(run, config);
  const applied = await bindSplits(run, config, data.train);
  const features = await extractFeatures(
    run,
    config,
    data.train,
    "cv_feature_store",
    config.reuseCvFeatureStoreDir,
    step.extractionWorkers,
  );
  // --drop-degenerate-features: the training store's audit adds to the exclusions
  const effective = withDegenerateDropped(config, features.audit);
  const matrix = featureSetMatrix(
    features,
    effective.featureSet,
    effective.excludedFeatures,
    languageColumnsOf(effective, data.train),
    promptColumnsOf(effective, step, data.train),
  );
  const base = { data, applied, features, audit: features.audit, config: effective, ...matrix };
  if (effective.heldBackFold === undefined) return base;
  // --held-back-fold: that fold's essays leave before anything is fitted
  const hb = holdBackFold(applied, effective.scheme, effective.heldBackFold, data.train.length);
  run.log.info(
    `held-back fold ${effective.heldBackFold} (${effective.scheme}): ${hb.heldBackRows.length} ` +
      `essays removed, ${hb.keep.length} left in ${hb.folds.length} folds`,
  );
  const refuse = () => {
    throw new Error(`--held-back-fold: only the folds of ${effective.scheme} are available`);
  };
  return {
    ...base,
    data: { train: hb.keep.map((i) => data.train[i]), test: data.test },
    applied: {
      splits: applied.splits,
      folds: (scheme: string) => (scheme === effective.scheme ? [...hb.folds] : refuse()),
      runSplit: refuse,
    } as AppliedSplits,
    X: selectMatrixRows(matrix.X, hb.keep),
  };
}

/** The dataset language and texts whose language-specific columns a matrix gets. */
export interface LanguageColumns {
  readonly tag: string;
  readonly texts: readonly string[];
}

/**
 * The language columns of a config's dataset for these essays (undefined for English/ELLIPSE,
 * whose matrices stay exactly as before).
 *
 * @example
 * ```ts
 * featureSetMatrix(features, "handcrafted", [], languageColumnsOf(config, essays));
 * ```
 */
export function languageColumnsOf(
  config: ExperimentConfig,
  essays: readonly { readonly text: string }[],
): LanguageColumns | undefined {
  const tag = config.dataset?.language;
  return tag === undefined ? undefined : { tag, texts: essays.map((e) => e.text) };
}

/** The prompt-identity columns a matrix gets: the scale table's prompts and each row's prompt. */
export interface PromptColumns {
  readonly prompts: readonly string[];
  readonly essayPrompts: readonly (string | null)[];
}

/**
 * The prompt-identity columns of a config's dataset for these essays: one per prompt of a
 * per-prompt scale table (`model/pipeline/prompt_columns.ts`); undefined for single-scale
 * corpora (their matrices stay exactly as before) or with `--prompt-columns false`.
 *
 * @example
 * ```ts
 * featureSetMatrix(features, "combined", [], undefined, promptColumnsOf(config, step, essays));
 * ```
 */
export function promptColumnsOf(
  config: ExperimentConfig,
  step: Pick<StepModelOptions, "promptColumns">,
  essays: readonly { readonly prompt: string }[],
): PromptColumns | undefined {
  const pp = perPromptScaleOfConfig(config);
  if (pp === null || step.promptColumns === false) return undefined;
  return { prompts: [...pp.byPrompt.keys()], essayPrompts: essays.map((e) => e.prompt) };
}
