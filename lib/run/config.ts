/**
 * `ExperimentConfig`: the one zod schema every runbook step reads its settings from. It composes
 * the model layer's own parameter schemas (`model/params.ts`: learners, pipeline levers), which
 * carry their defaults; this file adds the data, splits, features and run settings.
 *
 * Defaults are the runbook's (200–1000 word window, the four letter-dominated ELLIPSE prompts
 * excluded, seed 42, 5 folds). A config is resolved in three layers — defaults, then an optional
 * JSON config file (`--config`), then command-line flags — and the resolved value is written into
 * every run directory (`manifest.json`).
 *
 * @module
 */
import { z } from "zod";
import {
  CUTPOINT_MODES,
  MODEL_KINDS,
  PipelineParamsSchema,
  RidgeParamsSchema,
  SAMPLE_WEIGHTINGS,
  TreeParamsSchema,
} from "../model/params.ts";
import { FEATURE_SETS } from "../features/types.ts";
import { DatasetManifestSchema } from "../dataset/manifest.ts";

/** The prompts the runbook excludes as letter-dominated (prompt-level, never per essay). */
export const DEFAULT_ELLIPSE_EXCLUDED_PROMPTS: readonly string[] = [
  "Community service",
  "Grades for extracurricular activities",
  "Cell phones at school",
  "Letter to employer",
];

/** Split schemes written by `make-splits`. */
export const SPLIT_SCHEMES = ["stratified_text", "prompt_holdout"] as const;
/** A split scheme name. */
export type SplitScheme = (typeof SPLIT_SCHEMES)[number];

/** The complete, validated configuration of one experiment. */
export const ExperimentConfigSchema = z.object({
  datasetKind: z.enum(["ellipse", "manifest", "ielts"]).default("ellipse"),
  /**
   * The dataset manifest (`--dataset <file.json>`, paths resolved against its directory); absent
   * = the built-in ELLIPSE manifest made from the ELLIPSE flags. Its word window and excluded
   * prompts are mirrored in `minWords`, `maxWords` and `ellipseExcludedPrompts`.
   */
  dataset: DatasetManifestSchema.optional(),
  /** Run on a corpus that mixes genres without a declared scope (every report says so). */
  allowGenreMix: z.boolean().default(false),
  ellipseTrainPath: z.string().min(1).default("data/embedded/ellipse_embedded_train.csv"),
  ellipseTestPath: z.string().min(1).default("data/embedded/ellipse_embedded_test.csv"),
  ieltsPath: z.string().min(1).default("data/cefr_ielts_datasets/ielts_writing_dataset.csv"),
  minWords: z.number().int().min(0).default(200),
  maxWords: z.number().int().min(1).default(1000),
  ellipseExcludedPrompts: z.array(z.string().min(1)).default([
    ...DEFAULT_ELLIPSE_EXCLUDED_PROMPTS,
  ]),
  seed: z.number().int().default(42),
  nSplits: z.number().int().min(2).default(5),
  outputRoot: z.string().min(1).default("output/essay_scoring"),
  experimentLogPath: z.string().min(1).default("output/essay_scoring/EXPERIMENT_LOG.md"),
  runName: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' or '-' only")
    .default("run"),
  heartbeatMinutes: z.number().positive().default(10),
  splitsPath: z.string().optional(),
  scheme: z.enum(SPLIT_SCHEMES).default("stratified_text"),
  featureSet: z.enum(FEATURE_SETS).default("combined"),
  backend: z.enum(["local", "hemma"]).default("local"),
  offloadServiceUrl: z.string().url().optional(),
  embeddingServiceUrl: z.string().url().optional(),
  languageToolServiceUrl: z.string().url().optional(),
  /**
   * Tier 1 checker of local extraction: `auto` (LanguageTool when a URL is configured or Java 17+
   * can start one, else local), `languagetool`, `local` (harper.js + nspell). Unset: `local` for
   * the embedded data set, `auto` otherwise (`lib/offload/checker_choice.ts`).
   */
  checker: z.enum(["auto", "languagetool", "local"]).optional(),
  /** Dialect of `languageToolServiceUrl`: the HuleEdu service (`/v1/check`) or stock (`/v2/check`). */
  languageToolProtocol: z.enum(["auto", "huleedu", "stock"]).default("auto"),
  /** Per-request timeout of the offload clients, seconds (LanguageTool default 60, as the original). */
  offloadRequestTimeoutS: z.number().min(1).max(600).optional(),
  /** Requests the offload clients keep in flight (default 2); behind a balancer of N servers, ~2N. */
  offloadConcurrency: z.number().int().min(1).max(64).optional(),
  reuseCvFeatureStoreDir: z.string().optional(),
  /** Handcrafted features left out of the model (e.g. the ones drop-column said to drop). */
  excludedFeatures: z.array(z.string().min(1)).default([]),
  /**
   * Handcrafted features left out because the dataset's language is not one they are defined
   * for (also in `excludedFeatures`; `lib/features/feature_languages.ts`).
   */
  languageExcludedFeatures: z.array(z.string().min(1)).default([]),
  /**
   * Drop the handcrafted columns the degenerate-feature audit of the training store flags
   * (constant, near-constant, monotone copies; `lib/features/feature_audit.ts`) before fitting.
   */
  dropDegenerateFeatures: z.boolean().default(false),
  /**
   * `cv`/`drop-column`: a fold of the scheme held back — its essays are removed before anything
   * is fitted (`sweep` selects on such runs and confirms its winner on that fold).
   */
  heldBackFold: z.number().int().min(0).optional(),
  model: z.enum(MODEL_KINDS).default("gbm"),
  treeParams: TreeParamsSchema.default(TreeParamsSchema.parse({})),
  ridgeParams: RidgeParamsSchema.default(RidgeParamsSchema.parse({})),
  pipeline: PipelineParamsSchema.default(PipelineParamsSchema.parse({})),
  optimiseCutpoints: z.boolean().default(true),
  /** Grade-band sample weights (∝ 1/√ score frequency, capped) for gbm, rf and ridge. */
  sampleWeighting: z.enum(SAMPLE_WEIGHTINGS).default("none"),
  /** Largest raw weight ratio of `sqrt_inv_freq` (before normalising to mean 1). */
  sampleWeightCap: z.number().min(1).default(3),
  /** `inner_oof` (thresholds inside each training part) or `lofo` (leave-one-fold-out). */
  cutpointMode: z.enum(CUTPOINT_MODES).default("inner_oof"),
  skipShap: z.boolean().default(false),
  skipGradeScaleReport: z.boolean().default(false),
}).strict().refine((c) => c.minWords <= c.maxWords, {
  message: "minWords must be <= maxWords",
  path: ["minWords"],
}).refine((c) => (c.dataset === undefined) === (c.datasetKind !== "manifest"), {
  message: 'datasetKind "manifest" goes with a dataset manifest (--dataset), and only then',
  path: ["datasetKind"],
});

/** The resolved experiment configuration. */
export type ExperimentConfig = z.infer<typeof ExperimentConfigSchema>;

/**
 * Resolve a config from an optional JSON file's content and flag overrides (flags win).
 *
 * @example
 * ```ts
 * const config = resolveExperimentConfig(undefined, { minWords: 150 });
 * config.maxWords; // 1000
 * ```
 */
export function resolveExperimentConfig(
  fileConfig: unknown,
  overrides: Partial<Record<keyof ExperimentConfig, unknown>>,
): ExperimentConfig {
  const base = fileConfig === undefined ? {} : fileConfig;
  if (typeof base !== "object" || base === null || Array.isArray(base)) {
    throw new Error("config file must contain a JSON object");
  }
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, v]) => v !== undefined),
  );
  const merged: Record<string, unknown> = { ...base, ...defined };
  for (const key of ["treeParams", "ridgeParams", "pipeline"] as const) {
    const fromFile = (base as Record<string, unknown>)[key];
    const fromFlags = defined[key];
    if (fromFile !== undefined || fromFlags !== undefined) {
      merged[key] = {
        ...(fromFile as Record<string, unknown> ?? {}),
        ...(fromFlags as Record<string, unknown> ?? {}),
      };
    }
  }
  const result = ExperimentConfigSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`invalid experiment config:\n${lines.join("\n")}`);
  }
  return result.data;
}
