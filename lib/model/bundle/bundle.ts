/**
 * The model bundle: everything `score` needs to go from raw essay text to a score, as plain
 * data with a versioned, zod-validated format (the files themselves are written and verified by
 * `bundle_io.ts`).
 *
 * A bundle is the fitted `ScoringPipeline`'s serialised state (`pipeline.json`: learner, stacking
 * models, blend, cut-points, column order; every float64 as JSON's shortest round-trip decimal,
 * so predictions are bit-for-bit those of the run) plus provenance in `bundle.json`: the feature
 * set and excluded features, the extractor fingerprint and handcrafted schema version the
 * features were made with, the word window, the training prompts and the training mean of each
 * prompt-dependent feature (used when an essay comes without a prompt), the training config, run
 * directory and data sha256s. There is no second implementation of the model: `score` calls the
 * same `ScoringPipeline.predict` that `run` did.
 *
 * @module
 */
import { z } from "zod";
import { canonicalJson } from "../../features/fingerprint.ts";
import { FEATURE_SETS } from "../../features/types.ts";
import { ScoringPipelineJsonSchema } from "../pipeline/pipeline_json.ts";
import { ScoringPipeline } from "../pipeline/scoring_pipeline.ts";
import { createHash } from "node:crypto";
import { PerPromptScaleSpecSchema } from "../../dataset/per_prompt_scale.ts";

/** Format name written into every bundle index. */
export const MODEL_BUNDLE_FORMAT = "essay-scoring-model-bundle";
/** Current bundle format version (2: the pipeline in one file). */
export const MODEL_BUNDLE_FORMAT_VERSION = 2;
/** The index file of a bundle directory. */
export const BUNDLE_INDEX_FILE = "bundle.json";
/** The fitted pipeline's state (`ScoringPipeline.toJSON()`). */
export const PIPELINE_FILE = "pipeline.json";

const num = z.number(); // zod 4: finite only (NaN and ±Infinity are refused)
const names = z.array(z.string().min(1));

/** An input file of the training run (provenance). */
const DataFileSchema = z.object({
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
}).strict();

/** `bundle.json` without its `files` and `index_sha256`: the provenance of the pipeline. */
export const BundleMetaSchema = z.object({
  format: z.literal(MODEL_BUNDLE_FORMAT),
  format_version: z.literal(MODEL_BUNDLE_FORMAT_VERSION),
  created_at: z.string(),
  feature_set: z.enum(FEATURE_SETS),
  extractor: z.object({
    fingerprint: z.string().min(1),
    handcrafted_schema_version: z.string().min(1),
    handcrafted_feature_names: names,
  }).strict(),
  excluded_features: names,
  word_window: z.object({
    min_words: z.number().int().min(0),
    max_words: z.number().int().min(0),
  }).strict(),
  training_prompts: z.array(z.string()),
  /** Prompts the run's filters excluded from training (e.g. letter-dominated ones). */
  excluded_prompts: z.array(z.string()),
  /** Training mean of each prompt-dependent input column (used when an essay has no prompt). */
  prompt_feature_fill: z.record(z.string(), num),
  training: z.object({
    run_dir: z.string(),
    n_train: z.number().int().min(1),
    /** The resolved `ExperimentConfig` of the run (validated again by `score`). */
    config: z.record(z.string(), z.unknown()),
    /** Step options that are not config keys (text/embedding stacking, inner folds). */
    step: z.record(z.string(), z.unknown()),
  }).strict(),
  data: z.array(DataFileSchema),
  /**
   * Per-prompt score scales (absent on one scale): each prompt's scale and the common grid 0…L
   * the pipeline predicts on; `score` maps each essay's prediction back to its prompt's scale.
   */
  per_prompt_scale: z.object({
    scale: PerPromptScaleSpecSchema,
    grid_size: z.number().int().min(1),
  }).strict().optional(),
}).strict();

/** What a bundle is (the index minus file hashes). */
export type BundleMeta = z.infer<typeof BundleMetaSchema>;

/** `bundle.json`: the meta, sha256 of every other file, and a sha256 of the index itself. */
export const BundleIndexSchema = BundleMetaSchema.extend({
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
  /** sha256 of the canonical JSON of this object without this field. */
  index_sha256: z.string().regex(/^[0-9a-f]{64}$/),
}).strict();

/** The parsed index file. */
export type BundleIndex = z.infer<typeof BundleIndexSchema>;

/** A loaded (or freshly built) bundle: provenance plus the fitted pipeline. */
export interface ModelBundle {
  readonly meta: BundleMeta;
  readonly pipeline: ScoringPipeline;
}

/** The serialisable files of a bundle (file name → JSON value), without the index. */
export function bundleFiles(bundle: ModelBundle): Record<string, unknown> {
  return { [PIPELINE_FILE]: bundle.pipeline.toJSON() };
}

/** Which schema validates which bundle file. */
export const BUNDLE_FILE_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  [PIPELINE_FILE]: ScoringPipelineJsonSchema,
};

/**
 * sha256 (hex) of the canonical JSON of an index without its `index_sha256` field.
 *
 * @example
 * ```ts
 * indexSha256({ ...meta, files }); // "3f5a…"
 * ```
 */
export function indexSha256(index: Omit<BundleIndex, "index_sha256">): string {
  const { index_sha256: _drop, ...rest } = index as BundleIndex;
  return createHash("sha256").update(canonicalJson(rest), "utf8").digest("hex");
}

/**
 * Rebuild the bundle from validated file contents (the pipeline checks its own consistency).
 *
 * @example
 * ```ts
 * const bundle = bundleFromFiles(meta, { "pipeline.json": pipelineJson });
 * ```
 */
export function bundleFromFiles(meta: BundleMeta, files: Record<string, unknown>): ModelBundle {
  if (!(PIPELINE_FILE in files)) throw new Error(`${PIPELINE_FILE} is missing from the bundle`);
  return { meta, pipeline: ScoringPipeline.fromJSON(files[PIPELINE_FILE]) };
}

/** What the extractor now in use says about itself. */
export interface ExtractorIdentity {
  readonly fingerprint: string;
  readonly handcraftedSchemaVersion: string;
  readonly handcraftedFeatureNames: readonly string[];
  /** For the message, e.g. `local` or `hemma http://127.0.0.1:19000`. */
  readonly description: string;
}

/** The bundle was trained on features of another extractor. */
export class ExtractorMismatchError extends Error {
  override name = "ExtractorMismatchError";
  /** One line per difference. */
  readonly reasons: readonly string[];
  constructor(reasons: readonly string[]) {
    super(
      `model bundle refused: it was trained on features of another extractor — ` +
        `${reasons.join("; ")}. Features would not mean what the model learned; score with the ` +
        "extractor the run used, or train a new bundle with `run`.",
    );
    this.reasons = reasons;
  }
}

/**
 * Refuse a bundle whose handcrafted schema or extractor fingerprint differs from the extractor
 * now in use (the error lists each difference).
 *
 * @example
 * ```ts
 * checkBundleExtractor(bundle.meta, { fingerprint, handcraftedSchemaVersion, ... });
 * ```
 */
export function checkBundleExtractor(meta: BundleMeta, now: ExtractorIdentity): void {
  const reasons: string[] = [];
  const was = meta.extractor;
  if (was.handcrafted_schema_version !== now.handcraftedSchemaVersion) {
    reasons.push(
      `feature schema: bundle ${was.handcrafted_schema_version}, extractor now ` +
        now.handcraftedSchemaVersion,
    );
  } else if (
    canonicalJson(was.handcrafted_feature_names) !== canonicalJson(now.handcraftedFeatureNames)
  ) {
    reasons.push("feature schema: same version but different handcrafted column names");
  }
  if (was.fingerprint !== now.fingerprint) {
    reasons.push(
      `extractor fingerprint: bundle ${was.fingerprint}, extractor now in use ` +
        `(${now.description}) ${now.fingerprint}`,
    );
  }
  if (reasons.length > 0) throw new ExtractorMismatchError(reasons);
}
