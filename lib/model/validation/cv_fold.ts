/**
 * One cross-validation fold: fit a {@link ScoringPipeline} on the fold's training rows and
 * predict its validation rows — the unit `crossValidate` runs in the calling thread or spreads
 * over Web Workers (`cv_worker.ts`), with the plain-data task and result that cross the worker
 * border.
 *
 * @module
 */
import { type DenseMatrix, selectRows } from "../learners/matrix.ts";
import {
  type PipelineOptions,
  ScoringPipeline,
  type StackedColumns,
  type StackValues,
} from "../pipeline/scoring_pipeline.ts";
import { STACK_KINDS } from "../pipeline/pipeline_stacks.ts";

/** One fold: row indices into the matrix. */
export interface FoldRows {
  readonly fold: number;
  readonly trainIndices: readonly number[];
  readonly valIndices: readonly number[];
}

/** What one fold keeps (plain data: it crosses worker borders). */
export interface FoldFit {
  readonly fold: number;
  /** Final raw predictions of the validation rows. */
  readonly predictions: Float64Array;
  readonly cutpointPredictions: Float64Array | null;
  readonly cutpoints: number[] | null;
  /** The stacked columns of the fold's training and validation rows (for later refits). */
  readonly stacked: StackedColumns;
  readonly featureNames: readonly string[];
  readonly fitSeconds: number;
  readonly bestIteration?: number;
}

/** The rows every fold indexes into. */
export interface FoldData {
  readonly X: DenseMatrix;
  readonly y: ArrayLike<number>;
  readonly texts?: readonly string[];
  /** Group id per row (normalised-text hash). */
  readonly groups: readonly string[];
}

/** Message to a CV worker: the rows, what the pipeline is fitted with, its folds. */
export interface CvWorkerTask {
  readonly nRows: number;
  readonly nCols: number;
  readonly values: Float64Array;
  readonly y: Float64Array;
  readonly texts?: readonly string[];
  readonly groups: readonly string[];
  readonly options: PipelineOptions;
  readonly folds: readonly FoldRows[];
  readonly stacked: readonly (StackedColumns | undefined)[];
}

function heldOutOf(cached: StackedColumns | undefined): StackValues | undefined {
  if (!cached) return undefined;
  return Object.fromEntries(
    STACK_KINDS.flatMap((k) => (cached[k] ? [[k, cached[k]!.heldOut]] : [])),
  );
}

function columnsOf(train: StackValues, heldOut: StackValues): StackedColumns {
  return Object.fromEntries(
    STACK_KINDS.flatMap((k) => (train[k] ? [[k, { train: train[k]!, heldOut: heldOut[k]! }]] : [])),
  );
}

/**
 * Fit the pipeline on one fold's training rows and predict its validation rows.
 *
 * @example
 * ```ts
 * const r = await fitFold({ X, y, texts, groups }, folds[0], options);
 * r.predictions; // one per validation row
 * ```
 */
export async function fitFold(
  data: FoldData,
  fold: FoldRows,
  options: PipelineOptions,
  /** Stacked columns of this fold computed earlier (drop-column and sweep reuse them). */
  cached?: StackedColumns,
): Promise<FoldFit> {
  const { X, y, texts, groups } = data;
  const pick = (idx: readonly number[]) => (texts ? idx.map((i) => texts[i]) : undefined);
  const fit = await ScoringPipeline.fit(
    {
      X: selectRows(X, fold.trainIndices),
      texts: pick(fold.trainIndices),
      groups: fold.trainIndices.map((i) => groups[i]),
    },
    fold.trainIndices.map((i) => y[i]),
    options,
    cached,
  );
  const { pipeline } = fit;
  const p = pipeline.predict({
    X: selectRows(X, fold.valIndices),
    texts: pick(fold.valIndices),
    stacked: heldOutOf(cached),
  });
  const model = pipeline.learner as { bestIteration?: number };
  return {
    fold: fold.fold,
    predictions: p.raw,
    cutpointPredictions: p.cutpoints,
    cutpoints: pipeline.cutpoints ? [...pipeline.cutpoints] : null,
    stacked: columnsOf(fit.trainStacked, p.stacked),
    featureNames: pipeline.modelFeatureNames,
    fitSeconds: fit.fitSeconds,
    ...(model.bestIteration !== undefined ? { bestIteration: model.bestIteration } : {}),
  };
}
