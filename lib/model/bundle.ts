/**
 * The model bundle: everything `score` needs to go from raw essay text to a score, as plain
 * data with a versioned, zod-validated format (the files themselves are written and verified by
 * `bundle_io.ts`).
 *
 * A bundle holds the fitted learner (trees / forest / ridge, serialised with every float64 as
 * JSON's shortest round-trip decimal, so predictions are bit-for-bit those of the run), the
 * stacking models (TF-IDF vocabulary + idf + sparse ridge; the embedding ridge and which input
 * columns it replaces), the input and final feature column order, excluded features, cut-points,
 * the extractor fingerprint and handcrafted schema version the features were made with, the
 * word window, the training prompts and the training mean of each prompt-dependent feature (used
 * when an essay comes without a prompt), and provenance (training config, run directory, data
 * sha256s). Tree learners predict on raw feature values (thresholds are stored in feature
 * units), so no binning edges are needed.
 *
 * {@link bundleModelMatrix} rebuilds the final model matrix exactly as `trainAndPredict` built
 * it for held-out rows: embedding columns dropped and `embedding_ridge_oof` appended, then
 * `tfidf_ridge_oof` appended.
 *
 * @module
 */
import { z } from "zod";
import { canonicalJson } from "../features/fingerprint.ts";
import { FEATURE_SETS, MODEL_KINDS } from "../run/config.ts";
import { applyStackBlend } from "./blend.ts";
import { applyCutpoints } from "./cutpoints.ts";
import type { Regressor, RegressorJSON } from "./estimator.ts";
import { regressorFromJSON } from "./factory.ts";
import { type DenseMatrix, dropColumns, hconcat, selectColumns } from "./matrix.ts";
import { roundToHalfPoint } from "./metrics.ts";
import { Ridge } from "./ridge.ts";
import {
  type DenseStackModel,
  predictTextStack,
  STACKED_CHAR_TEXT_FEATURE,
  STACKED_EMBEDDING_FEATURE,
  STACKED_TEXT_FEATURE,
  type TextStackModel,
} from "./stacking.ts";
import { TfidfVectorizer } from "./tfidf.ts";
import { createHash } from "node:crypto";

/** Format name written into every bundle index. */
export const MODEL_BUNDLE_FORMAT = "essay-scoring-model-bundle";
/** Current bundle format version. */
export const MODEL_BUNDLE_FORMAT_VERSION = 1;
/** The index file of a bundle directory. */
export const BUNDLE_INDEX_FILE = "bundle.json";
/** The learner file. */
export const LEARNER_FILE = "learner.json";
/** The TF-IDF stacking model file (present when text stacking is on). */
export const TEXT_STACK_FILE = "text_stack.json";
/** The character n-gram TF-IDF stacking model file (present when character stacking is on). */
export const CHAR_TEXT_STACK_FILE = "char_text_stack.json";
/** The embedding stacking model file (present when embedding stacking is on). */
export const EMBEDDING_STACK_FILE = "embedding_stack.json";

const num = z.number(); // zod 4: finite only (NaN and ±Infinity are refused)
const numbers = z.array(num);
const names = z.array(z.string().min(1));

/** An input file of the training run (provenance). */
const DataFileSchema = z.object({
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
}).strict();

/** `bundle.json` without its `files` and `index_sha256` (what the bundle *is*). */
export const BundleMetaSchema = z.object({
  format: z.literal(MODEL_BUNDLE_FORMAT),
  format_version: z.literal(MODEL_BUNDLE_FORMAT_VERSION),
  created_at: z.string(),
  learner: z.enum(MODEL_KINDS),
  feature_set: z.enum(FEATURE_SETS),
  extractor: z.object({
    fingerprint: z.string().min(1),
    handcrafted_schema_version: z.string().min(1),
    handcrafted_feature_names: names,
  }).strict(),
  excluded_features: names,
  /** Columns of the extracted feature-set matrix, in order (before stacking). */
  input_feature_names: names.min(1),
  /** Columns the learner was fitted on, in order (after stacking). */
  model_feature_names: names.min(1),
  embedding_stacking: z.object({
    feature: z.literal(STACKED_EMBEDDING_FEATURE),
    /** Indices into `input_feature_names` replaced by the embedding ridge. */
    columns: z.array(z.number().int().min(0)).min(1),
  }).strict().nullable(),
  text_stacking: z.object({ feature: z.literal(STACKED_TEXT_FEATURE) }).strict().nullable(),
  /** The character n-gram TF-IDF stack (`--char-text-stacking`), appended after the word one. */
  char_text_stacking: z.object({ feature: z.literal(STACKED_CHAR_TEXT_FEATURE) }).strict()
    .nullable(),
  /**
   * The blend of the learner with the stacked columns (`--blend-stacks`, `blend.ts`): members
   * in order, the learner first, the others by model column name; null when off.
   */
  blend: z.object({
    members: names.min(2),
    coef: numbers,
    intercept: num,
    spread: z.object({ a: num, b: num }).strict(),
  }).strict().nullable(),
  cutpoints: numbers.nullable(),
  word_window: z.object({
    min_words: z.number().int().min(0),
    max_words: z.number().int().min(0),
  }).strict(),
  training_prompts: z.array(z.string()),
  /** Prompts the run's filters excluded from training (e.g. letter-dominated ones). */
  excluded_prompts: z.array(z.string()),
  /** Training mean of each prompt-dependent input column (used when an essay has no prompt). */
  prompt_feature_fill: z.record(z.string(), num),
  /** Ridge learner: training column means (the linear-SHAP background); else null. */
  linear_shap_background_mean: numbers.nullable(),
  training: z.object({
    run_dir: z.string(),
    n_train: z.number().int().min(1),
    /** The resolved `ExperimentConfig` of the run (validated again by `score`). */
    config: z.record(z.string(), z.unknown()),
    /** Step options that are not config keys (text/embedding stacking, inner folds). */
    step: z.record(z.string(), z.unknown()),
  }).strict(),
  data: z.array(DataFileSchema),
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

const TreeJsonSchema = z.object({
  feature: z.array(z.number().int()),
  threshold: numbers,
  thresholdBin: z.array(z.number().int()),
  left: z.array(z.number().int()),
  right: z.array(z.number().int()),
  value: numbers,
  cover: numbers,
}).strict();

const LEARNER_STATE_SCHEMAS: Record<string, z.ZodType> = {
  gbm: z.looseObject({
    nFeatures: z.number().int().min(1),
    baseScore: num,
    trees: z.array(TreeJsonSchema),
  }),
  rf: z.looseObject({ nFeatures: z.number().int().min(1), trees: z.array(TreeJsonSchema) }),
  ridge: z.looseObject({
    nFeatures: z.number().int().min(1),
    fillValues: numbers,
    intercept: num,
    coef: numbers,
  }),
  "ml-random-forest": z.looseObject({ nFeatures: z.number().int().min(1), model: z.unknown() }),
};

/** `learner.json`: a `Regressor.toJSON()` envelope whose state is checked per learner. */
export const LearnerFileSchema = z.object({
  kind: z.enum(MODEL_KINDS),
  formatVersion: z.literal(1),
  params: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  state: z.unknown(),
}).strict().superRefine((v, ctx) => {
  const r = LEARNER_STATE_SCHEMAS[v.kind].safeParse(v.state);
  if (!r.success) {
    for (const issue of r.error.issues) {
      ctx.addIssue({ code: "custom", path: ["state", ...issue.path], message: issue.message });
    }
  }
});

/** `text_stack.json`: the TF-IDF vectoriser and the sparse ridge fitted on all training rows. */
export const TextStackFileSchema = z.object({
  vectorizer: z.object({
    minDf: z.number().int().min(1),
    maxFeatures: z.number().int().min(1).nullable(),
    maxNgram: z.number().int().min(1),
    analyzer: z.enum(["word", "char_wb"]).optional(),
    minNgram: z.number().int().min(1).optional(),
    terms: z.array(z.string()),
    idf: numbers,
  }).strict(),
  ridge: z.object({ coef: numbers, intercept: num, iterations: z.number().int().min(0) })
    .strict(),
  alpha: z.number().positive(),
}).strict();

/** `embedding_stack.json`: the dense ridge over the embedding columns. */
export const EmbeddingStackFileSchema = z.object({ ridge: LearnerFileSchema }).strict();

/** A loaded (or freshly built) bundle: meta plus live models. */
export interface ModelBundle {
  readonly meta: BundleMeta;
  readonly learner: Regressor;
  readonly textStack: TextStackModel | null;
  readonly denseStack: DenseStackModel | null;
  /** The character n-gram stack (absent or null when off). */
  readonly charTextStack?: TextStackModel | null;
}

function textStackFile(model: TextStackModel) {
  const { ridge, vectorizer, alpha } = model;
  return {
    vectorizer: vectorizer.toJSON(),
    ridge: {
      coef: Array.from(ridge.coef),
      intercept: ridge.intercept,
      iterations: ridge.iterations,
    },
    alpha,
  };
}

function textStackFromFile(text: z.infer<typeof TextStackFileSchema>): TextStackModel {
  return {
    kind: "text",
    vectorizer: TfidfVectorizer.fromJSON(text.vectorizer),
    ridge: {
      coef: Float64Array.from(text.ridge.coef),
      intercept: text.ridge.intercept,
      iterations: text.ridge.iterations,
    },
    alpha: text.alpha,
  };
}

/** The serialisable files of a bundle (file name → JSON value), without the index. */
export function bundleFiles(bundle: ModelBundle): Record<string, unknown> {
  const files: Record<string, unknown> = { [LEARNER_FILE]: bundle.learner.toJSON() };
  if (bundle.textStack) files[TEXT_STACK_FILE] = textStackFile(bundle.textStack);
  if (bundle.charTextStack) files[CHAR_TEXT_STACK_FILE] = textStackFile(bundle.charTextStack);
  if (bundle.denseStack) files[EMBEDDING_STACK_FILE] = { ridge: bundle.denseStack.ridge.toJSON() };
  return files;
}

/** Which schema validates which bundle file. */
export const BUNDLE_FILE_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  [LEARNER_FILE]: LearnerFileSchema,
  [TEXT_STACK_FILE]: TextStackFileSchema,
  [CHAR_TEXT_STACK_FILE]: TextStackFileSchema,
  [EMBEDDING_STACK_FILE]: EmbeddingStackFileSchema,
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
 * The final model columns implied by the meta (input columns, embedding columns replaced by
 * `embedding_ridge_oof`, then `tfidf_ridge_oof`).
 */
export function expectedModelFeatureNames(meta: BundleMeta): string[] {
  const drop = new Set(meta.embedding_stacking?.columns ?? []);
  return [
    ...meta.input_feature_names.filter((_, j) => !drop.has(j)),
    ...(meta.embedding_stacking ? [STACKED_EMBEDDING_FEATURE] : []),
    ...(meta.text_stacking ? [STACKED_TEXT_FEATURE] : []),
    ...(meta.char_text_stacking ? [STACKED_CHAR_TEXT_FEATURE] : []),
  ];
}

/**
 * Check that the parts of a bundle agree with each other (names, column counts, which stacking
 * models exist). Throws an error saying what disagrees.
 */
export function checkBundleConsistency(bundle: ModelBundle): void {
  const { meta } = bundle;
  const fail = (what: string) => {
    throw new Error(`model bundle is inconsistent: ${what}`);
  };
  const expected = expectedModelFeatureNames(meta);
  if (canonicalJson(expected) !== canonicalJson(meta.model_feature_names)) {
    fail("model_feature_names do not follow from input_feature_names and the stacking settings");
  }
  const p = (bundle.learner as unknown as { nFeatures: number }).nFeatures;
  if (p !== meta.model_feature_names.length) {
    fail(`the learner has ${p} features, model_feature_names ${meta.model_feature_names.length}`);
  }
  if (bundle.learner.name !== meta.learner) {
    fail(`learner is ${bundle.learner.name}, not ${meta.learner}`);
  }
  if (!meta.text_stacking !== !bundle.textStack) fail("text stacking setting and model disagree");
  if (!meta.char_text_stacking !== !bundle.charTextStack) {
    fail("character stacking setting and model disagree");
  }
  const blend = meta.blend;
  if (blend) {
    if (blend.coef.length !== blend.members.length) fail("blend: one weight per member expected");
    if (blend.members[0] !== meta.learner) fail("blend: the first member must be the learner");
    for (const m of blend.members.slice(1)) {
      if (!meta.model_feature_names.includes(m)) fail(`blend member ${m} is not a model column`);
    }
  }
  if (!meta.embedding_stacking !== !bundle.denseStack) {
    fail("embedding stacking setting and model disagree");
  }
  const cols = meta.embedding_stacking?.columns ?? [];
  if (cols.some((c) => c >= meta.input_feature_names.length)) fail("embedding column out of range");
  if (bundle.denseStack && bundle.denseStack.ridge.nFeatures !== cols.length) {
    fail(`embedding ridge has ${bundle.denseStack.ridge.nFeatures} inputs, ${cols.length} columns`);
  }
  if (bundle.textStack) {
    const { vectorizer, ridge } = bundle.textStack;
    if (vectorizer.idf.length !== ridge.coef.length) {
      fail(`TF-IDF has ${vectorizer.idf.length} terms, its ridge ${ridge.coef.length} weights`);
    }
  }
  const cut = meta.cutpoints;
  if (cut && cut.some((c, k) => k > 0 && c < cut[k - 1])) fail("cut-points are not ascending");
  const bg = meta.linear_shap_background_mean;
  if (bg && bg.length !== meta.model_feature_names.length) fail("SHAP background has wrong size");
}

/**
 * Rebuild live models from validated file contents.
 *
 * @example
 * ```ts
 * const bundle = bundleFromFiles(meta, { "learner.json": learnerJson });
 * ```
 */
export function bundleFromFiles(meta: BundleMeta, files: Record<string, unknown>): ModelBundle {
  const learner = regressorFromJSON(files[LEARNER_FILE] as RegressorJSON);
  type TextFile = z.infer<typeof TextStackFileSchema> | undefined;
  const text = files[TEXT_STACK_FILE] as TextFile;
  const textStack = text ? textStackFromFile(text) : null;
  const char = files[CHAR_TEXT_STACK_FILE] as TextFile;
  const charTextStack = char ? textStackFromFile(char) : null;
  const dense = files[EMBEDDING_STACK_FILE] as { ridge: RegressorJSON } | undefined;
  const denseStack: DenseStackModel | null = dense
    ? { kind: "dense", ridge: Ridge.fromJSON(dense.ridge) }
    : null;
  const bundle = { meta, learner, textStack, denseStack, charTextStack };
  checkBundleConsistency(bundle);
  return bundle;
}

/**
 * The learner's input matrix for rows of the input feature-set matrix and their texts — the
 * same assembly `trainAndPredict` does for held-out rows.
 *
 * @example
 * ```ts
 * const Xmodel = bundleModelMatrix(bundle, X, texts);
 * ```
 */
export function bundleModelMatrix(
  bundle: ModelBundle,
  X: DenseMatrix,
  texts: readonly string[],
): DenseMatrix {
  const { meta } = bundle;
  if (X.nCols !== meta.input_feature_names.length) {
    throw new Error(
      `model bundle: ${X.nCols} input columns, expected ${meta.input_feature_names.length}`,
    );
  }
  if (texts.length !== X.nRows) throw new Error("model bundle: one text per row expected");
  const withColumn = (M: DenseMatrix, col: Float64Array) =>
    hconcat([M, { nRows: M.nRows, nCols: 1, values: col }]);
  let M = X;
  if (bundle.denseStack && meta.embedding_stacking) {
    const cols = meta.embedding_stacking.columns;
    const col = X.nRows > 0
      ? bundle.denseStack.ridge.predict(selectColumns(X, cols))
      : new Float64Array(0);
    M = withColumn(dropColumns(M, cols), col);
  }
  if (bundle.textStack) M = withColumn(M, predictTextStack(bundle.textStack, texts));
  if (bundle.charTextStack) M = withColumn(M, predictTextStack(bundle.charTextStack, texts));
  return M;
}

/** Predictions of a bundle. */
export interface BundlePredictions {
  /** The learner's input matrix (with stacked columns). */
  readonly modelX: DenseMatrix;
  readonly raw: Float64Array;
  /** The learner's own predictions (what SHAP explains; equal to `raw` without a blend). */
  readonly learnerRaw: Float64Array;
  /** Raw prediction rounded to the half-point grid and clipped to 1–5. */
  readonly rounded: Float64Array;
  /** Raw prediction through the bundle's cut-points (null when the run fitted none). */
  readonly cutpoints: Float64Array | null;
}

/**
 * Score rows of the input feature-set matrix.
 *
 * @example
 * ```ts
 * const { raw, rounded } = predictWithBundle(bundle, X, texts);
 * ```
 */
export function predictWithBundle(
  bundle: ModelBundle,
  X: DenseMatrix,
  texts: readonly string[],
): BundlePredictions {
  const modelX = bundleModelMatrix(bundle, X, texts);
  const learnerRaw = modelX.nRows > 0 ? bundle.learner.predict(modelX) : new Float64Array(0);
  const raw = blendedPredictions(bundle.meta, modelX, learnerRaw);
  return {
    modelX,
    raw,
    learnerRaw,
    rounded: raw.map((x) => roundToHalfPoint(x)),
    cutpoints: bundle.meta.cutpoints ? applyCutpoints(raw, bundle.meta.cutpoints) : null,
  };
}

/**
 * The bundle's blend applied to the learner's predictions and the stacked model columns (the
 * learner's predictions unchanged when the run blended nothing) — what `trainAndPredict` does
 * for held-out rows.
 */
function blendedPredictions(
  meta: BundleMeta,
  modelX: DenseMatrix,
  learnerRaw: Float64Array,
): Float64Array {
  if (!meta.blend) return learnerRaw;
  const columns = meta.blend.members.slice(1).map((name) =>
    selectColumns(modelX, [meta.model_feature_names.indexOf(name)]).values
  );
  return applyStackBlend(meta.blend, [learnerRaw, ...columns]);
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
