/**
 * `ScoringPipeline`: the one fitted model that turns an essay's feature columns and text into a
 * score — feature columns → stacked ridge columns → learner → blend → spread match → cut-points —
 * with scikit-learn's estimator contract: {@link ScoringPipeline.fit} learns everything on a
 * training part, {@link ScoringPipeline.predict} answers for any rows, `explain` gives exact
 * SHAP of the final score, `toJSON` / {@link ScoringPipeline.fromJSON} serialise the fitted state
 * (a reloaded pipeline predicts bit for bit the same). `cv` fits one per fold, `run` one on its
 * train split; the model bundle `score` reads is this state plus provenance.
 *
 * Stages of `fit`, all on the training part only (its labels; never a predicted part's):
 * 1. **stacks** (`pipeline_stacks.ts`): out-of-fold ridge columns over the embeddings and the
 *    word / character TF-IDF (SPEC §5);
 * 2. **learner**: fitted on the input columns plus the stacked columns (grade-band sample
 *    weights optional);
 * 3. **inner out-of-fold predictions** of the learner (seeded K-fold grouped by text hash, each
 *    inner model a full refit): what the blend and the cut-points are fitted on (in-sample
 *    predictions of boosted trees are near-perfect and would teach nothing);
 * 4. **blend** (`blend.ts`): a small ridge over the learner and the stacked columns, then
 *    optionally a **spread match** to the training labels' mean and std;
 * 5. **cut-points** (`cutpoints.ts`): QWK-optimised thresholds on those out-of-fold predictions,
 *    one fewer than the levels of the dataset's score scale (`dataset/score_scale.ts`), which is
 *    part of the pipeline: `predict` rounds to it and maps the cut-points onto its levels.
 *
 * Every inner split is grouped by the training rows' `groups` (normalised-text hashes), so an
 * identical text is never on both sides.
 *
 * @module
 */
import { ELLIPSE_SCALE, type ScoreScale } from "../../dataset/score_scale.ts";
import { applyStackBlend, fitStackBlend, type StackBlend } from "./blend.ts";
import { applyCutpoints, fitCutpoints } from "./cutpoints.ts";
import { fitRegressor, type Regressor } from "../learners/estimator.ts";
import { createRegressor } from "../learners/factory.ts";
import { groupedInnerFolds, innerFoldRows } from "../learners/inner_folds.ts";
import { type DenseMatrix, selectRows } from "../learners/matrix.ts";
import { roundToHalfPoint } from "../evaluation/metrics.ts";
import type { LearnerParams, ModelKind, SampleWeighting } from "../params.ts";
import {
  assembleModelMatrix,
  fitStacks,
  modelFeatureNames,
  STACK_FEATURE,
  type StackedColumns,
  type StackSettings,
  type StackValues,
  stackValues,
} from "./pipeline_stacks.ts";
import {
  finalScoreShap,
  learnerShap,
  type PipelineShap,
  shapBackgroundMean,
} from "./pipeline_shap.ts";
import {
  pipelineFromJson,
  pipelineToJson,
  type ScoringPipelineState,
} from "./pipeline_serialise.ts";
import type { ScoringPipelineJson } from "./pipeline_json.ts";
import { seededRandom } from "../learners/random.ts";
import { sampleWeights } from "./sample_weights.ts";
import {
  applyPromptStandardisation,
  fitPromptStandardisation,
  type PromptStandardisation,
} from "./prompt_standardise.ts";
import type { FittedStack } from "./pipeline_stacks.ts";

export type { ScoringPipelineState, StackedColumns, StackValues };

/** Rows to fit on or predict: the input feature-set matrix and (for text stacking) the texts. */
export interface ModelPart {
  readonly X: DenseMatrix;
  /** Texts aligned with the rows; required when text stacking is on. */
  readonly texts?: readonly string[];
  /** Stack values of exactly these rows computed earlier (a cache; else from the stacks). */
  readonly stacked?: StackValues;
}

/** The training part: a {@link ModelPart} with the group id of every row. */
export interface TrainingPart extends ModelPart {
  /** Normalised-text hash per row: identical texts share a side in every inner split. */
  readonly groups: readonly string[];
}

/** What a pipeline is fitted with (nothing else reaches `fit`, nor a CV worker). */
export interface PipelineOptions extends StackSettings {
  readonly kind: ModelKind;
  readonly params: LearnerParams;
  /** Column names of the input matrices. */
  readonly featureNames: readonly string[];
  /** Inner folds for the cut-points' out-of-fold predictions; 0 = no cut-points. */
  readonly cutpointInnerFolds: number;
  /** Fit in the calling thread even when the learner has a worker path (inside CV workers). */
  readonly singleThreaded?: boolean;
  /** Grade-band sample weights of every fit, from that fit's own labels (default none). */
  readonly sampleWeighting?: { readonly mode: SampleWeighting; readonly cap: number };
  /** Blend the learner with the stacked columns on inner out-of-fold predictions. */
  readonly blendStacks?: boolean;
  /** After the blend, match the training labels' mean and std. */
  readonly blendMatchSpread?: boolean;
  /**
   * The dataset's score scale (default ELLIPSE 1–5 by 0.5): rounding, the cut-points (one fewer
   * than its levels) and the grade-band weights read it.
   */
  readonly scale?: ScoreScale;
  /**
   * Per-prompt corpora: standardise the non-embedding input columns per prompt on the training
   * rows first (`prompt_standardise.ts`; needs prompt-identity columns, else no effect).
   */
  readonly promptStandardise?: boolean;
}

/** Predictions of a pipeline for some rows. */
export interface PipelinePrediction {
  /** The learner's input matrix (input columns + stacked columns). */
  readonly modelX: DenseMatrix;
  /** The stacked columns' values of these rows. */
  readonly stacked: StackValues;
  /** The learner's own predictions (equal to `raw` without a blend). */
  readonly learner: Float64Array;
  /** The final raw score (the blend's, spread-matched, when on). */
  readonly raw: Float64Array;
  /** The raw score rounded to the half-point grid and clipped to 1–5. */
  readonly rounded: Float64Array;
  /** The raw score through the cut-points (null when none were fitted). */
  readonly cutpoints: Float64Array | null;
}

/** What `fit` returns besides the pipeline: the training rows as fitted. */
export interface PipelineFit {
  readonly pipeline: ScoringPipeline;
  /** The training matrix as the learner saw it (stacked columns out-of-fold). */
  readonly trainX: DenseMatrix;
  /** In-sample final predictions of the training rows (stacked columns out-of-fold). */
  readonly trainPredictions: Float64Array;
  /** The stacked columns' out-of-fold values on the training rows. */
  readonly trainStacked: StackValues;
  readonly fitSeconds: number;
}

/** A fitted scoring pipeline (see the module doc). */
export class ScoringPipeline implements ScoringPipelineState {
  readonly inputFeatureNames: readonly string[];
  readonly modelFeatureNames: readonly string[];
  readonly learner: Regressor;
  readonly stacks: readonly FittedStack[];
  readonly denseColumns: readonly number[];
  readonly blend: StackBlend | null;
  readonly cutpoints: readonly number[] | null;
  readonly shapBackgroundMean: readonly number[];
  readonly scale: ScoreScale;
  readonly promptStandardisation: PromptStandardisation | null;

  /** Build from fitted parts (use {@link ScoringPipeline.fit} or `fromJSON`). */
  constructor(state: ScoringPipelineState) {
    this.inputFeatureNames = state.inputFeatureNames;
    this.modelFeatureNames = state.modelFeatureNames;
    this.learner = state.learner;
    this.stacks = state.stacks;
    this.denseColumns = state.denseColumns;
    this.blend = state.blend;
    this.cutpoints = state.cutpoints;
    this.shapBackgroundMean = state.shapBackgroundMean;
    this.scale = state.scale;
    this.promptStandardisation = state.promptStandardisation ?? null;
  }

  /**
   * Fit every stage on a training part (labels `y`).
   *
   * @example
   * ```ts
   * const train = { X: Xtr, texts: tTr, groups: tTr.map(normalisedTextHash) };
   * const { pipeline } = await ScoringPipeline.fit(train, yTr, options);
   * pipeline.predict({ X: Xva, texts: tVa }).raw;
   * ```
   */
  static async fit(
    input: TrainingPart,
    y: ArrayLike<number>,
    options: PipelineOptions,
    /** Stacked columns computed earlier for exactly these training rows (drop-column reuses them). */
    precomputed?: StackedColumns,
  ): Promise<PipelineFit> {
    const t0 = performance.now();
    checkTrainingPart(input, y, options);
    const promptStandardisation = options.promptStandardise
      ? fitPromptStandardisation(input.X, options.featureNames, options.denseStackColumns ?? [])
      : null;
    const train = promptStandardisation
      ? { ...input, X: applyPromptStandardisation(input.X, promptStandardisation) }
      : input;
    const { stacks, train: trainStacked } = fitStacks(
      train.X,
      train.texts,
      train.groups,
      y,
      options,
      precomputed,
    );
    const denseColumns = stacks.some((s) => s.kind === "dense")
      ? [...options.denseStackColumns!]
      : [];
    const trainX = assembleModelMatrix(train.X, denseColumns, trainStacked);
    const model = createRegressor(options.kind, options.params, options.seed);
    await fitLearner(options, model, trainX, y, train.groups);
    const learnerTrain = model.predict(trainX);
    const members = stacks.map((s) => ({ name: STACK_FEATURE[s.kind], s: trainStacked[s.kind]! }));
    const { blend, cutpoints } = await fitBlendAndCutpoints(
      trainX,
      y,
      train.groups,
      options,
      model.name,
      members,
    );
    const pipeline = new ScoringPipeline({
      inputFeatureNames: [...options.featureNames],
      modelFeatureNames: modelFeatureNames(
        options.featureNames,
        denseColumns,
        stacks.map((s) => s.kind),
      ),
      learner: model,
      stacks,
      denseColumns,
      blend,
      cutpoints,
      shapBackgroundMean: shapBackgroundMean(
        trainX,
        model.name === "ridge"
          ? (model as unknown as { fillValues: Float64Array }).fillValues
          : undefined,
      ),
      scale: options.scale ?? ELLIPSE_SCALE,
      promptStandardisation,
    });
    const trainPredictions = blend
      ? applyStackBlend(blend, [learnerTrain, ...members.map((m) => m.s)])
      : learnerTrain;
    return {
      pipeline,
      trainX,
      trainPredictions,
      trainStacked,
      fitSeconds: (performance.now() - t0) / 1000,
    };
  }

  /**
   * Score rows of the input feature-set matrix (with their texts when a text stack is on).
   *
   * @example
   * ```ts
   * const { raw, rounded, cutpoints } = pipeline.predict({ X, texts });
   * ```
   */
  predict(part: ModelPart): PipelinePrediction {
    if (part.X.nCols !== this.inputFeatureNames.length) {
      throw new Error(
        `scoring pipeline: ${part.X.nCols} input columns, expected ${this.inputFeatureNames.length}`,
      );
    }
    const X = this.promptStandardisation
      ? applyPromptStandardisation(part.X, this.promptStandardisation)
      : part.X;
    const stacked = stackValues(this.stacks, this.denseColumns, X, part.texts, part.stacked);
    const modelX = assembleModelMatrix(X, this.denseColumns, stacked);
    const learner = modelX.nRows > 0 ? this.learner.predict(modelX) : new Float64Array(0);
    const raw = this.blend
      ? applyStackBlend(this.blend, [learner, ...this.stacks.map((s) => stacked[s.kind]!)])
      : learner;
    return {
      modelX,
      stacked,
      learner,
      raw,
      rounded: raw.map((x) => roundToHalfPoint(x, this.scale)),
      cutpoints: this.cutpoints ? applyCutpoints(raw, this.cutpoints, this.scale) : null,
    };
  }

  /**
   * Exact SHAP of the final score (blended, spread-matched) over the model columns, the stacked
   * ridge columns as their own features; base + Σ values = `predict(part).raw`.
   *
   * @example
   * ```ts
   * const s = pipeline.explain({ X, texts });
   * if (s.shap) s.shap.expectedValue;
   * ```
   */
  explain(part: ModelPart | PipelinePrediction): PipelineShap {
    const modelX = "modelX" in part ? part.modelX : this.predict(part).modelX;
    return finalScoreShap(
      this.explainLearner(modelX),
      this.blend,
      modelX,
      this.modelFeatureNames,
      this.shapBackgroundMean,
    );
  }

  /**
   * Exact SHAP of the learner's own prediction for rows of its model matrix.
   *
   * @example
   * ```ts
   * pipeline.explainLearner(pipeline.predict({ X, texts }).modelX);
   * ```
   */
  explainLearner(modelX: DenseMatrix): PipelineShap {
    return learnerShap(this.learner, modelX, this.shapBackgroundMean);
  }

  /** The fitted state as JSON (refused for a pipeline fitted from cached stack values). */
  toJSON(): ScoringPipelineJson {
    return pipelineToJson(this);
  }

  /**
   * Rebuild a fitted pipeline from {@link ScoringPipeline.toJSON} output (validated).
   *
   * @example
   * ```ts
   * const again = ScoringPipeline.fromJSON(JSON.parse(JSON.stringify(pipeline)));
   * ```
   */
  static fromJSON(json: unknown): ScoringPipeline {
    return new ScoringPipeline(pipelineFromJson(json));
  }
}

function checkTrainingPart(train: TrainingPart, y: ArrayLike<number>, options: PipelineOptions) {
  if (options.featureNames.length !== train.X.nCols) {
    throw new Error(
      `scoring pipeline: ${options.featureNames.length} names for ${train.X.nCols} columns`,
    );
  }
  if (y.length !== train.X.nRows) {
    throw new Error(`scoring pipeline: ${train.X.nRows} training rows, ${y.length} labels`);
  }
  const groups = train.groups;
  if (groups === undefined || groups.length !== train.X.nRows) {
    throw new Error(
      `scoring pipeline: ${train.X.nRows} training rows need as many group ids ` +
        `(got ${groups?.length})`,
    );
  }
}

/** Fit one learner on rows with their group ids (weights from the options). */
async function fitLearner(
  options: PipelineOptions,
  m: Regressor,
  X: DenseMatrix,
  y: ArrayLike<number>,
  groups: readonly string[],
): Promise<void> {
  const sw = options.sampleWeighting;
  const w = sw ? sampleWeights(y, sw.mode, sw.cap, options.scale) ?? undefined : undefined;
  const fitOptions = { groups, sampleWeights: w };
  if (options.singleThreaded) m.fit(X, y, fitOptions);
  else await fitRegressor(m, X, y, fitOptions);
}

/**
 * The blend (when on and there are stacked columns) and the cut-points (when inner folds ≥ 2),
 * both fitted on inner out-of-fold predictions of the learner.
 */
async function fitBlendAndCutpoints(
  trainX: DenseMatrix,
  y: ArrayLike<number>,
  groups: readonly string[],
  options: PipelineOptions,
  learnerName: string,
  members: readonly { name: string; s: Float64Array }[],
): Promise<{ blend: StackBlend | null; cutpoints: number[] | null }> {
  const k = options.cutpointInnerFolds;
  const blendOn = options.blendStacks === true && members.length > 0;
  const innerK = k >= 2 ? k : blendOn ? 3 : 0;
  if (innerK < 2) return { blend: null, cutpoints: null };
  let oof = await innerOutOfFold(trainX, y, groups, innerK, options);
  let blend: StackBlend | null = null;
  if (blendOn) {
    const trainMembers = members.map((m) => m.s);
    blend = fitStackBlend(
      [learnerName, ...members.map((m) => m.name)],
      [oof, ...trainMembers],
      y,
      { matchSpread: options.blendMatchSpread },
    );
    oof = applyStackBlend(blend, [oof, ...trainMembers]);
  }
  return { blend, cutpoints: k >= 2 ? fitCutpoints(y, oof, { scale: options.scale }) : null };
}

/**
 * Out-of-fold predictions of the learner over the training rows (seeded inner K-fold grouped by
 * text hash, each inner model a full refit).
 */
async function innerOutOfFold(
  trainX: DenseMatrix,
  y: ArrayLike<number>,
  groups: readonly string[],
  k: number,
  options: PipelineOptions,
): Promise<Float64Array> {
  const folds = groupedInnerFolds(groups, k, seededRandom(options.seed, "cutpoint-inner-folds"));
  const oof = new Float64Array(trainX.nRows);
  for (let f = 0; f < k; f++) {
    const { fitRows, predRows } = innerFoldRows(folds, f);
    const inner = createRegressor(options.kind, options.params, options.seed);
    await fitLearner(
      options,
      inner,
      selectRows(trainX, fitRows),
      fitRows.map((i) => y[i]),
      fitRows.map((i) => groups[i]),
    );
    const pred = inner.predict(selectRows(trainX, predRows));
    predRows.forEach((row, j) => (oof[row] = pred[j]));
  }
  return oof;
}
