/**
 * Train one learner on a training part and predict other parts — the unit `cv`, `drop-column`
 * and `run` all repeat — with the two optional levers of SPEC §5, both fitted on the training
 * part only:
 *
 * 1. **Text stacking**: the out-of-fold TF-IDF ridge prediction (`stacking.ts`) is appended as a
 *    column `tfidf_ridge_oof` (training rows: inner out-of-fold; other parts: the ridge fitted
 *    on the whole training part).
 * 2. **QWK-optimised cut-points**: an inner seeded K-fold over the training part gives
 *    out-of-fold predictions of the same learner; `fitCutpoints` fits thresholds on them (in-sample
 *    predictions of boosted trees are near-perfect and would teach nothing). Parts are scored
 *    both with plain half-point rounding and with the thresholds.
 *
 * Further levers (`docs/model.md` has their measured effect): a second text stack over
 * character n-grams (`char_tfidf_ridge_oof`), and a **blend** (`blend.ts`) of the learner with the
 * stacked ridge columns, fitted on inner out-of-fold predictions (optionally with a spread match);
 * when on, the parts' predictions are the blend's and the learner's own are kept beside them (SHAP
 * explains the learner).
 *
 * Every split inside the training part (the stacks' inner folds, the cut-points' and the blend's
 * inner folds, gradient boosting's early-stopping holdout) is grouped by the training rows'
 * `groups` (normalised-text hashes, `inner_folds.ts`), like the outer folds: an identical text is
 * never on both sides. Labels of the predicted parts are never read.
 *
 * @module
 */
import type { ScoreScale } from "../dataset/score_scale.ts";
import { applyStackBlend, fitStackBlend, type StackBlend } from "./blend.ts";
import { applyCutpoints, fitCutpoints } from "./cutpoints.ts";
import { fitRegressor, type Regressor } from "./estimator.ts";
import { createRegressor } from "./factory.ts";
import {
  type DenseMatrix,
  dropColumns,
  hconcat,
  selectColumns,
  selectRows,
  vconcat,
} from "./matrix.ts";
import { groupedInnerFolds, innerFoldRows } from "./inner_folds.ts";
import { seededRandom } from "./random.ts";
import { type SampleWeighting, sampleWeights } from "./sample_weights.ts";
import {
  STACKED_CHAR_TEXT_FEATURE,
  STACKED_EMBEDDING_FEATURE,
  STACKED_TEXT_FEATURE,
  stackedDenseFeature,
  type StackedFeature,
  stackedTextFeature,
} from "./stacking.ts";
import type { ExperimentConfig, ModelKind } from "../run/config.ts";

/** Out-of-fold stacked columns of one training part / held-out parts pair. */
export interface StackedColumns {
  readonly text?: StackedFeature;
  readonly dense?: StackedFeature;
  readonly char?: StackedFeature;
}

/** A matrix with its column names (and, for stacking, the essays' texts). */
export interface ModelPart {
  readonly X: DenseMatrix;
  /** Texts aligned with the rows; required when text stacking is on. */
  readonly texts?: readonly string[];
}

/** The training part: a {@link ModelPart} with the group id of every row. */
export interface TrainingPart extends ModelPart {
  /**
   * Group id per row: the normalised-text hash (`normalisedTextHash`), so identical texts share
   * a side in every inner split. One per row of `X`.
   */
  readonly groups: readonly string[];
}

/** What to train and which levers to use. */
export interface TrainingOptions {
  readonly kind: ModelKind;
  readonly params: Pick<ExperimentConfig, "treeParams" | "ridgeParams">;
  readonly seed: number;
  /** Column names of the input matrices (the stacked column is appended to them). */
  readonly featureNames: readonly string[];
  /** Append the out-of-fold TF-IDF ridge column (needs texts). */
  readonly textStacking: boolean;
  /** Ridge penalty of the text model (default 1). */
  readonly textStackingAlpha?: number;
  /**
   * Columns (e.g. the embedding dimensions) to replace by one out-of-fold ridge prediction
   * `embedding_ridge_oof` (fitted inside the training part); empty/undefined = keep as is.
   */
  readonly denseStackColumns?: readonly number[];
  /** Ridge penalty of that dense stack (default 300, on standardised columns). */
  readonly denseStackAlpha?: number;
  /** Inner folds for the cut-points' out-of-fold predictions; 0 = no cut-points. */
  readonly cutpointInnerFolds: number;
  /** Fit in the calling thread even when the learner has a worker path (inside CV workers). */
  readonly singleThreaded?: boolean;
  /** Grade-band sample weights of every fit, from that fit's own labels (default none). */
  readonly sampleWeighting?: { readonly mode: SampleWeighting; readonly cap: number };
  /** Also append an out-of-fold ridge over `char_wb` 2–5-gram TF-IDF (`char_tfidf_ridge_oof`). */
  readonly charTextStacking?: boolean;
  /** Ridge penalty of the character model (default 1). */
  readonly charTextStackingAlpha?: number;
  /** Blend the learner with the stacked columns on inner out-of-fold predictions (`blend.ts`). */
  readonly blendStacks?: boolean;
  /** After the blend, match the training labels' mean and std. */
  readonly blendMatchSpread?: boolean;
  /** The score scale of `y` (cut-points, sample weights; default ELLIPSE's). */
  readonly scale?: ScoreScale;
}

/** A trained model with its inputs and outputs. */
export interface TrainingResult {
  readonly model: Regressor;
  /** Column names the model was fitted on (input names + the stacked column if any). */
  readonly featureNames: readonly string[];
  /** The training matrix as fitted (with the stacked column). */
  readonly trainX: DenseMatrix;
  /** Each predicted part's matrix as predicted (with the stacked column). */
  readonly partsX: readonly DenseMatrix[];
  /** Raw predictions per part (the blend's when blending is on). */
  readonly predictions: readonly Float64Array[];
  /** The learner's own predictions per part (equal to `predictions` without a blend). */
  readonly learnerPredictions: readonly Float64Array[];
  /** The fitted blend (null when off). */
  readonly blend: StackBlend | null;
  /** In-sample predictions on the training part. */
  readonly trainPredictions: Float64Array;
  /** Fitted thresholds (null when cut-points are off). */
  readonly cutpoints: number[] | null;
  /** Predictions mapped through the thresholds, per part (null when off). */
  readonly cutpointPredictions: readonly Float64Array[] | null;
  readonly fitSeconds: number;
  /** The stacked columns used (text and/or dense), for reuse by later calls on the same rows. */
  readonly stacked: StackedColumns;
}

function withColumn(X: DenseMatrix, col: Float64Array): DenseMatrix {
  return hconcat([X, { nRows: X.nRows, nCols: 1, values: col }]);
}

/** The matrices with the stacked columns appended, and the stacked members for the blend. */
interface StackedMatrices {
  readonly trainX: DenseMatrix;
  readonly partsX: readonly DenseMatrix[];
  readonly featureNames: readonly string[];
  readonly members: readonly { name: string; s: StackedFeature }[];
  readonly stacked: StackedColumns;
}

/**
 * Replace the dense stack columns by `embedding_ridge_oof` and append the text stacks (word and,
 * if on, character n-grams), all fitted on the training part only.
 */
function withStackedColumns(
  train: TrainingPart,
  y: ArrayLike<number>,
  parts: readonly ModelPart[],
  options: TrainingOptions,
  precomputed: StackedColumns | undefined,
): StackedMatrices {
  if (options.featureNames.length !== train.X.nCols) {
    throw new Error(
      `trainAndPredict: ${options.featureNames.length} names for ${train.X.nCols} columns`,
    );
  }
  let trainX = train.X;
  let partsX = parts.map((p) => p.X);
  let featureNames = [...options.featureNames];
  const dense = options.denseStackColumns ?? [];
  let denseStacked: StackedFeature | undefined;
  if (dense.length > 0) {
    const heldOut = partsX.length > 0
      ? vconcat(partsX.map((X) => selectColumns(X, dense)))
      : { nRows: 0, nCols: dense.length, values: new Float64Array(0) };
    const s = precomputed?.dense ?? stackedDenseFeature(selectColumns(trainX, dense), y, heldOut, {
      seed: options.seed,
      alpha: options.denseStackAlpha,
      groups: train.groups,
    });
    denseStacked = s;
    trainX = withColumn(dropColumns(trainX, dense), s.train);
    let offset = 0;
    partsX = partsX.map((X) => {
      const col = s.heldOut.slice(offset, offset + X.nRows);
      offset += X.nRows;
      return withColumn(dropColumns(X, dense), col);
    });
    const drop = new Set(dense);
    featureNames = [
      ...featureNames.filter((_, j) => !drop.has(j)),
      STACKED_EMBEDDING_FEATURE,
    ];
  }
  const members: { name: string; s: StackedFeature }[] = [];
  if (denseStacked) members.push({ name: STACKED_EMBEDDING_FEATURE, s: denseStacked });
  const appendStacked = (name: string, s: StackedFeature) => {
    const nHeld = partsX.reduce((t, X) => t + X.nRows, 0);
    if (s.train.length !== trainX.nRows || s.heldOut.length !== nHeld) {
      throw new Error("trainAndPredict: stacked column does not match the parts' rows");
    }
    trainX = withColumn(trainX, s.train);
    let offset = 0;
    partsX = partsX.map((X) => {
      const col = s.heldOut.slice(offset, offset + X.nRows);
      offset += X.nRows;
      return withColumn(X, col);
    });
    featureNames = [...featureNames, name];
    members.push({ name, s });
  };
  const textOf = (analyzer: "word" | "char_wb", alpha: number | undefined) => {
    if (!train.texts || parts.some((p) => !p.texts)) {
      throw new Error("trainAndPredict: text stacking needs the texts of every part");
    }
    return stackedTextFeature(train.texts, y, parts.flatMap((p) => p.texts!), {
      seed: options.seed,
      alpha,
      analyzer,
      groups: train.groups,
    });
  };
  let stacked: StackedFeature | null = null;
  if (options.textStacking) {
    stacked = precomputed?.text ?? textOf("word", options.textStackingAlpha);
    appendStacked(STACKED_TEXT_FEATURE, stacked);
  }
  let charStacked: StackedFeature | undefined;
  if (options.charTextStacking) {
    charStacked = precomputed?.char ?? textOf("char_wb", options.charTextStackingAlpha);
    appendStacked(STACKED_CHAR_TEXT_FEATURE, charStacked);
  }
  return {
    trainX,
    partsX,
    featureNames,
    members,
    stacked: { text: stacked ?? undefined, dense: denseStacked, char: charStacked },
  };
}

/**
 * Fit on `train` (labels `y`), predict each of `parts`.
 *
 * @example
 * ```ts
 * const train = { X: Xtr, texts: tTr, groups: tTr.map(normalisedTextHash) };
 * const r = await trainAndPredict(train, yTr, [{ X: Xva, texts: tVa }], {
 *   kind: "gbm", params: config, seed: 42, featureNames, textStacking: true, cutpointInnerFolds: 3,
 * });
 * r.predictions[0]; // raw predictions of the validation part
 * ```
 */
export async function trainAndPredict(
  train: TrainingPart,
  y: ArrayLike<number>,
  parts: readonly ModelPart[],
  options: TrainingOptions,
  /** Stacked columns computed earlier for exactly these rows (drop-column reuses them). */
  precomputed?: StackedColumns,
): Promise<TrainingResult> {
  const t0 = performance.now();
  const groups = train.groups;
  if (groups === undefined || groups.length !== train.X.nRows) {
    throw new Error(
      `trainAndPredict: ${train.X.nRows} training rows need as many group ids ` +
        `(got ${groups?.length})`,
    );
  }
  const { trainX, partsX, featureNames, members, stacked } = withStackedColumns(
    train,
    y,
    parts,
    options,
    precomputed,
  );
  const fit: InnerFit = async (m, X, yy, gg) => {
    const sw = options.sampleWeighting;
    const w = sw ? sampleWeights(yy, sw.mode, sw.cap, options.scale) ?? undefined : undefined;
    const fitOptions = { groups: gg, sampleWeights: w };
    if (options.singleThreaded) m.fit(X, yy, fitOptions);
    else await fitRegressor(m, X, yy, fitOptions);
  };
  const model = createRegressor(options.kind, options.params, options.seed);
  await fit(model, trainX, y, groups);
  const learnerPredictions = partsX.map((X) => model.predict(X));
  const learnerTrain = model.predict(trainX);

  const k = options.cutpointInnerFolds;
  const blendOn = options.blendStacks === true && members.length > 0;
  const innerK = k >= 2 ? k : blendOn ? 3 : 0;
  let oof = innerK >= 2 ? await innerOutOfFold(trainX, y, groups, innerK, options, fit) : null;
  let predictions = learnerPredictions;
  let trainPredictions = learnerTrain;
  let blend: StackBlend | null = null;
  if (blendOn && oof) {
    const heldOf = (p: number) => {
      const offset = partsX.slice(0, p).reduce((t, X) => t + X.nRows, 0);
      return members.map((m) => m.s.heldOut.subarray(offset, offset + partsX[p].nRows));
    };
    const trainMembers = members.map((m) => m.s.train);
    blend = fitStackBlend(
      [model.name, ...members.map((m) => m.name)],
      [oof, ...trainMembers],
      y,
      { matchSpread: options.blendMatchSpread },
    );
    oof = applyStackBlend(blend, [oof, ...trainMembers]);
    predictions = learnerPredictions.map((p, i) => applyStackBlend(blend!, [p, ...heldOf(i)]));
    trainPredictions = applyStackBlend(blend, [learnerTrain, ...trainMembers]);
  }
  let cutpoints: number[] | null = null;
  let cutpointPredictions: Float64Array[] | null = null;
  if (k >= 2 && oof) {
    cutpoints = fitCutpoints(y, oof, { scale: options.scale });
    cutpointPredictions = predictions.map((p) => applyCutpoints(p, cutpoints!, options.scale));
  }
  return {
    model,
    featureNames,
    trainX,
    partsX,
    predictions,
    learnerPredictions,
    blend,
    trainPredictions,
    cutpoints,
    cutpointPredictions,
    fitSeconds: (performance.now() - t0) / 1000,
    stacked,
  };
}

/** Fit one learner on rows with their group ids (weights come from the training options). */
type InnerFit = (
  m: Regressor,
  X: DenseMatrix,
  y: ArrayLike<number>,
  groups: readonly string[],
) => Promise<void>;

/**
 * Out-of-fold predictions of the learner over the training rows (seeded inner K-fold grouped by
 * text hash, each inner model a full refit): what cut-points and the blend are fitted on.
 */
async function innerOutOfFold(
  trainX: DenseMatrix,
  y: ArrayLike<number>,
  groups: readonly string[],
  k: number,
  options: TrainingOptions,
  fit: InnerFit,
): Promise<Float64Array> {
  const folds = groupedInnerFolds(groups, k, seededRandom(options.seed, "cutpoint-inner-folds"));
  const oof = new Float64Array(trainX.nRows);
  for (let f = 0; f < k; f++) {
    const { fitRows, predRows } = innerFoldRows(folds, f);
    const inner = createRegressor(options.kind, options.params, options.seed);
    await fit(
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

/** What one CV fold keeps of a {@link TrainingResult} (plain data: it crosses worker borders). */
export interface FoldTrainingResult {
  readonly fold: number;
  readonly predictions: Float64Array;
  readonly cutpointPredictions: Float64Array | null;
  readonly cutpoints: number[] | null;
  readonly stacked: StackedColumns;
  readonly featureNames: readonly string[];
  readonly fitSeconds: number;
  readonly bestIteration?: number;
}

/**
 * The part of a training result one CV fold keeps (its single validation part's predictions).
 *
 * @example
 * ```ts
 * const kept = foldTrainingResult(fold.fold, await trainAndPredict(train, y, [val], options));
 * ```
 */
export function foldTrainingResult(fold: number, r: TrainingResult): FoldTrainingResult {
  const model = r.model as { bestIteration?: number };
  return {
    fold,
    predictions: r.predictions[0],
    cutpointPredictions: r.cutpointPredictions ? r.cutpointPredictions[0] : null,
    cutpoints: r.cutpoints,
    // the full-fit stacking models stay behind: folds only pass their columns on
    stacked: {
      text: r.stacked.text && { train: r.stacked.text.train, heldOut: r.stacked.text.heldOut },
      dense: r.stacked.dense && { train: r.stacked.dense.train, heldOut: r.stacked.dense.heldOut },
      char: r.stacked.char && { train: r.stacked.char.train, heldOut: r.stacked.char.heldOut },
    },
    featureNames: r.featureNames,
    fitSeconds: r.fitSeconds,
    ...(model.bestIteration !== undefined ? { bestIteration: model.bestIteration } : {}),
  };
}
