/**
 * The parameters the model layer fits with, each schema with its defaults written once: the
 * learners (`--model` and their hyper-parameters), the pipeline levers around the learner
 * (stacking, blend, spread match, cut-points, sample weights). `ExperimentConfig`
 * (`run/config.ts`) composes these schemas; nothing in `lib/model/` reads the experiment config.
 *
 * @module
 */
import { z } from "zod";

/** Learners selectable with `--model`. */
export const MODEL_KINDS = ["gbm", "rf", "ml-random-forest", "ridge"] as const;
/** A learner name. */
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Sample-weighting schemes selectable with `--sample-weighting` (see `sample_weights.ts`). */
export const SAMPLE_WEIGHTINGS = ["none", "sqrt_inv_freq"] as const;
/** A sample-weighting scheme. */
export type SampleWeighting = (typeof SAMPLE_WEIGHTINGS)[number];

/** How cut-points are fitted in `cv`: inside each training part, or leave-one-fold-out. */
export const CUTPOINT_MODES = ["inner_oof", "lofo"] as const;
/** A cut-point mode. */
export type CutpointMode = (typeof CUTPOINT_MODES)[number];

/** Gradient-boosting / random-forest hyper-parameters (shared tree core). */
export const TreeParamsSchema = z.object({
  nEstimators: z.number().int().min(1).default(300),
  learningRate: z.number().positive().max(1).default(0.05),
  // depth 3 (was 4): better CV on both schemes with the blend (issue 14, docs/model.md)
  maxDepth: z.number().int().min(1).max(16).default(3),
  minChildWeight: z.number().min(0).default(5),
  lambdaL2: z.number().min(0).default(1),
  subsample: z.number().positive().max(1).default(0.8),
  colsampleByTree: z.number().positive().max(1).default(0.8),
  maxBins: z.number().int().min(2).max(256).default(255),
  earlyStoppingRounds: z.number().int().min(0).default(50),
  validationFraction: z.number().min(0).max(0.5).default(0.15),
}).strict();

/** Tree hyper-parameters. */
export type TreeParams = z.infer<typeof TreeParamsSchema>;

/** Ridge hyper-parameters. */
export const RidgeParamsSchema = z.object({
  alpha: z.number().positive().default(10),
}).strict();

/** Ridge hyper-parameters. */
export type RidgeParams = z.infer<typeof RidgeParamsSchema>;

/**
 * Pipeline levers around the learner (issue 14; measured effects in docs/model.md): a second
 * text stack over character n-grams, and a blend of the learner with the stacked ridge columns
 * fitted on inner out-of-fold predictions, optionally with a spread match.
 */
export const PipelineParamsSchema = z.object({
  charTextStacking: z.boolean().default(false),
  blendStacks: z.boolean().default(true),
  blendMatchSpread: z.boolean().default(true),
}).strict();

/** Pipeline levers. */
export type PipelineParams = z.infer<typeof PipelineParamsSchema>;

/**
 * The stacking settings that are not experiment-config keys (`--text-stacking`,
 * `--embedding-stacking`, `--embedding-stacking-alpha`, `--cutpoint-inner-folds`), with their
 * defaults: the one place they are written.
 */
export const StackingParamsSchema = z.object({
  /** Append the out-of-fold TF-IDF ridge column `tfidf_ridge_oof`. */
  textStacking: z.boolean().default(true),
  /** Tree learners: the embedding dimensions → one out-of-fold ridge column. */
  embeddingStacking: z.boolean().default(true),
  /** Ridge penalty of the embedding stack (on standardised columns). */
  embeddingStackingAlpha: z.number().positive().default(300),
  /** Inner folds for the cut-points' out-of-fold predictions. */
  cutpointInnerFolds: z.number().int().min(2).default(3),
}).strict();

/** Stacking settings (step options). */
export type StackingParams = z.infer<typeof StackingParamsSchema>;

/** The default stacking settings. */
export const DEFAULT_STACKING_PARAMS: StackingParams = StackingParamsSchema.parse({});

/** What a learner is built from: its kind's hyper-parameters. */
export interface LearnerParams {
  readonly treeParams: TreeParams;
  readonly ridgeParams: RidgeParams;
}
