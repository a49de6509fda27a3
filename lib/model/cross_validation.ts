/**
 * K-fold cross-validation over one feature matrix and a list of folds given as row indices
 * (from `splits.json`): per fold, `trainAndPredict` on the fold's training rows, score the
 * held-out rows, collect out-of-fold predictions. Nothing from a held-out fold is used to fit,
 * tune, early-stop, stack or threshold (all of that happens inside the training rows).
 *
 * @module
 */
import type { DenseMatrix } from "./matrix.ts";
import { selectRows } from "./matrix.ts";
import { meanStd, type ScoreMetrics, scoreMetrics } from "./metrics.ts";
import type { StackedFeature } from "./stacking.ts";
import { trainAndPredict, type TrainingOptions } from "./training.ts";

/** One fold: row indices into the matrix. */
export interface FoldRows {
  readonly fold: number;
  readonly trainIndices: readonly number[];
  readonly valIndices: readonly number[];
}

/** Per-fold outcome. */
export interface FoldOutcome {
  readonly fold: number;
  readonly nTrain: number;
  readonly nVal: number;
  /** Half-point rounding. */
  readonly metrics: ScoreMetrics;
  /** QWK-optimised thresholds (null when off). */
  readonly cutpointMetrics: ScoreMetrics | null;
  readonly cutpoints: number[] | null;
  readonly fitSeconds: number;
  /** Boosting rounds kept by early stopping (gbm only). */
  readonly bestIteration?: number;
}

/** Mean ± std of a metric over folds. */
export interface MeanStd {
  readonly mean: number;
  readonly std: number;
}

/** Result of a cross-validation. */
export interface CrossValidationResult {
  readonly folds: readonly FoldOutcome[];
  readonly summary: {
    readonly qwk: MeanStd;
    readonly mae: MeanStd;
    readonly adjacentAccuracy: MeanStd;
    readonly exactAccuracy: MeanStd;
    readonly qwkCutpoints: MeanStd | null;
  };
  /** Raw out-of-fold prediction per matrix row (NaN for rows in no validation fold). */
  readonly oofPredictions: Float64Array;
  /** Out-of-fold predictions through each fold's thresholds (null when off). */
  readonly oofCutpointPredictions: Float64Array | null;
  /** Fold index each row was validated in (−1 if none). */
  readonly oofFold: Int32Array;
  /** Column names the models saw (with the stacked column when on). */
  readonly featureNames: readonly string[];
}

/** Inputs of {@link crossValidate}. */
export interface CrossValidationInput {
  readonly X: DenseMatrix;
  readonly y: ArrayLike<number>;
  /** Texts aligned with the rows (needed for text stacking). */
  readonly texts?: readonly string[];
  readonly folds: readonly FoldRows[];
  readonly options: TrainingOptions;
  /** Stacked text columns per fold number, filled on first use and reused (drop-column). */
  readonly stackingCache?: Map<number, StackedFeature>;
  /** Called after each fold (for logs and progress). */
  readonly onFold?: (outcome: FoldOutcome, done: number, total: number) => void;
}

/**
 * Cross-validate a learner.
 *
 * @example
 * ```ts
 * const cv = await crossValidate({ X, y, texts, folds, options });
 * cv.summary.qwk; // { mean, std }
 * ```
 */
export async function crossValidate(input: CrossValidationInput): Promise<CrossValidationResult> {
  const { X, y, texts, folds, options } = input;
  if (y.length !== X.nRows) throw new Error(`crossValidate: ${X.nRows} rows, ${y.length} labels`);
  const n = X.nRows;
  const oof = new Float64Array(n).fill(NaN);
  const oofCut = options.cutpointInnerFolds >= 2 ? new Float64Array(n).fill(NaN) : null;
  const oofFold = new Int32Array(n).fill(-1);
  const outcomes: FoldOutcome[] = [];
  let featureNames: readonly string[] = options.featureNames;
  for (const fold of folds) {
    const pick = <T>(a: readonly T[] | undefined, idx: readonly number[]) =>
      a ? idx.map((i) => a[i]) : undefined;
    const yTrain = fold.trainIndices.map((i) => y[i]);
    const yVal = fold.valIndices.map((i) => y[i]);
    const r = await trainAndPredict(
      { X: selectRows(X, fold.trainIndices), texts: pick(texts, fold.trainIndices) },
      yTrain,
      [{ X: selectRows(X, fold.valIndices), texts: pick(texts, fold.valIndices) }],
      options,
      input.stackingCache?.get(fold.fold),
    );
    if (r.stacked && input.stackingCache) input.stackingCache.set(fold.fold, r.stacked);
    featureNames = r.featureNames;
    const pred = r.predictions[0];
    fold.valIndices.forEach((row, j) => {
      if (oofFold[row] !== -1) throw new Error(`crossValidate: row ${row} validated twice`);
      oof[row] = pred[j];
      oofFold[row] = fold.fold;
      if (oofCut && r.cutpointPredictions) oofCut[row] = r.cutpointPredictions[0][j];
    });
    const model = r.model as { bestIteration?: number };
    const outcome: FoldOutcome = {
      fold: fold.fold,
      nTrain: fold.trainIndices.length,
      nVal: fold.valIndices.length,
      metrics: scoreMetrics(yVal, pred),
      cutpointMetrics: r.cutpointPredictions ? scoreMetrics(yVal, r.cutpointPredictions[0]) : null,
      cutpoints: r.cutpoints,
      fitSeconds: r.fitSeconds,
      ...(model.bestIteration !== undefined ? { bestIteration: model.bestIteration } : {}),
    };
    outcomes.push(outcome);
    input.onFold?.(outcome, outcomes.length, folds.length);
  }
  const ms = (f: (o: FoldOutcome) => number) => meanStd(outcomes.map(f));
  return {
    folds: outcomes,
    summary: {
      qwk: ms((o) => o.metrics.qwk),
      mae: ms((o) => o.metrics.mae),
      adjacentAccuracy: ms((o) => o.metrics.adjacentAccuracy),
      exactAccuracy: ms((o) => o.metrics.exactAccuracy),
      qwkCutpoints: oofCut ? ms((o) => o.cutpointMetrics!.qwk) : null,
    },
    oofPredictions: oof,
    oofCutpointPredictions: oofCut,
    oofFold,
    featureNames,
  };
}
