/**
 * The serialised state of a fitted `ScoringPipeline` (`toJSON` / `fromJSON`): zod schemas for
 * the learner envelope (checked per learner), the TF-IDF stacks, the embedding stack, the blend
 * and the cut-points. Every float64 is written as JSON's shortest round-trip decimal, so a
 * reloaded pipeline predicts bit for bit what the fitted one did; non-finite numbers are refused.
 *
 * @module
 */
import { z } from "zod";
import { ScoreScaleSpecSchema } from "../../dataset/score_scale.ts";
import { PromptStandardisationJsonSchema } from "./prompt_standardise.ts";
import { MODEL_KINDS } from "../params.ts";
import type { TextStackModel } from "./stacking.ts";
import { TfidfVectorizer } from "./tfidf.ts";

const num = z.number(); // zod 4: finite only (NaN and ±Infinity are refused)
const numbers = z.array(num);
const names = z.array(z.string().min(1));

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

/** A `Regressor.toJSON()` envelope whose state is checked per learner. */
export const LearnerJsonSchema = z.object({
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

/** A TF-IDF stack: the vectoriser and the sparse ridge fitted on all training rows. */
export const TextStackJsonSchema = z.object({
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

/** The serialised TF-IDF stack. */
export type TextStackJson = z.infer<typeof TextStackJsonSchema>;

/** The fitted state of a scoring pipeline. */
export const ScoringPipelineJsonSchema = z.object({
  format_version: z.literal(1),
  /** Columns of the input feature-set matrix, in order (before stacking). */
  input_feature_names: names.min(1),
  /** Columns the learner was fitted on, in order (after stacking). */
  model_feature_names: names.min(1),
  learner: LearnerJsonSchema,
  /** The embedding stack: which input columns it replaces and its ridge. */
  embedding_stack: z.object({
    columns: z.array(z.number().int().min(0)).min(1),
    ridge: LearnerJsonSchema,
  }).strict().nullable(),
  text_stack: TextStackJsonSchema.nullable(),
  char_text_stack: TextStackJsonSchema.nullable(),
  /** Learner first, then the stacked columns by model column name; null when off. */
  blend: z.object({
    members: names.min(2),
    coef: numbers,
    intercept: num,
    spread: z.object({ a: num, b: num }).strict(),
  }).strict().nullable(),
  cutpoints: numbers.nullable(),
  /**
   * Training mean of every model column (the SHAP background of linear parts: the ridge learner,
   * the stacked columns in the blend); NaN values count as the ridge learner's fill value, or
   * are skipped for other learners.
   */
  shap_background_mean: numbers,
  /** The dataset's score scale (`dataset/score_scale.ts`). */
  score_scale: ScoreScaleSpecSchema,
  /** Per-prompt corpora: the per-prompt standardisation of the input columns (`prompt_standardise.ts`). */
  prompt_standardisation: PromptStandardisationJsonSchema.optional(),
}).strict();

/** The serialised pipeline. */
export type ScoringPipelineJson = z.infer<typeof ScoringPipelineJsonSchema>;

/**
 * A TF-IDF stack as JSON.
 *
 * @example
 * ```ts
 * const json = textStackToJson(model);
 * ```
 */
export function textStackToJson(model: TextStackModel): TextStackJson {
  const { ridge, vectorizer, alpha } = model;
  return {
    vectorizer: vectorizer.toJSON() as TextStackJson["vectorizer"],
    ridge: {
      coef: Array.from(ridge.coef),
      intercept: ridge.intercept,
      iterations: ridge.iterations,
    },
    alpha,
  };
}

/**
 * A TF-IDF stack from JSON.
 *
 * @example
 * ```ts
 * const model = textStackFromJson(json);
 * ```
 */
export function textStackFromJson(text: TextStackJson): TextStackModel {
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
