/**
 * K-fold cross-validation over one feature matrix and a list of folds given as row indices
 * (from `splits.json`): per fold, a `ScoringPipeline` fitted on the fold's training rows
 * (`cv_fold.ts`), score the held-out rows, collect out-of-fold predictions. Nothing from a held-out fold is used to fit,
 * tune, early-stop, stack or threshold (all of that happens inside the training rows).
 *
 * @module
 */
import type { DenseMatrix } from "../learners/matrix.ts";
import { meanStd, type ScoreMetrics, scoreMetrics } from "../evaluation/metrics.ts";
import type { PipelineOptions, StackedColumns } from "../pipeline/scoring_pipeline.ts";
import { type CvWorkerTask, fitFold, type FoldFit, type FoldRows } from "./cv_fold.ts";
import {
  type LofoCutpoints,
  lofoCutpoints,
  nestedPairFolds,
  nestedPredictions,
} from "./lofo_cutpoints.ts";
import type { CutpointMode } from "../params.ts";

export type { FoldRows };

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
  /** Nested leave-one-fold-out cut-points (null unless the mode is `lofo`). */
  readonly lofo?: (LofoCutpoints & { readonly qwk: MeanStd; readonly perFoldQwk: number[] }) | null;
  /** Which thresholds `cutpointMetrics` / `oofCutpointPredictions` / `qwkCutpoints` use. */
  readonly cutpointMode?: CutpointMode | null;
}

/** Inputs of {@link crossValidate}. */
export interface CrossValidationInput {
  readonly X: DenseMatrix;
  readonly y: ArrayLike<number>;
  /** Texts aligned with the rows (needed for text stacking). */
  readonly texts?: readonly string[];
  /**
   * Group id per row (normalised-text hash): every split inside a fold's training part keeps a
   * group on one side (see `scoring_pipeline.ts`).
   */
  readonly groups: readonly string[];
  readonly folds: readonly FoldRows[];
  readonly options: PipelineOptions;
  /** Stacked text columns per fold number, filled on first use and reused (drop-column). */
  readonly stackingCache?: Map<number, StackedColumns>;
  /** Web Workers to spread folds over (default 1 = this thread; results are identical). */
  readonly workers?: number;
  /** Called after each fold (for logs and progress). */
  readonly onFold?: (outcome: FoldOutcome, done: number, total: number) => void;
  /**
   * `inner_oof`: thresholds from inner out-of-fold predictions inside each training part (the
   * default); `lofo`: the inner fits are skipped and nested LOFO thresholds score each fold
   * (K(K−1)/2 extra fits, `lofo_cutpoints.ts`). Undefined/null: as `inner_oof`.
   */
  readonly cutpointMode?: CutpointMode | null;
}

/**
 * Cross-validate a learner.
 *
 * @example
 * ```ts
 * const cv = await crossValidate({ X, y, texts, groups: texts.map(normalisedTextHash), folds, options });
 * cv.summary.qwk; // { mean, std }
 * ```
 */
export async function crossValidate(input: CrossValidationInput): Promise<CrossValidationResult> {
  const { X, y, groups, folds } = input;
  const mode = input.cutpointMode ?? null;
  const options = mode === "lofo" ? { ...input.options, cutpointInnerFolds: 0 } : input.options;
  if (y.length !== X.nRows) throw new Error(`crossValidate: ${X.nRows} rows, ${y.length} labels`);
  if (groups.length !== X.nRows) {
    throw new Error(`crossValidate: ${X.nRows} rows, ${groups.length} group ids`);
  }
  const n = X.nRows;
  const oof = new Float64Array(n).fill(NaN);
  const oofCut = options.cutpointInnerFolds >= 2 ? new Float64Array(n).fill(NaN) : null;
  const oofFold = new Int32Array(n).fill(-1);
  const outcomes: FoldOutcome[] = [];
  let featureNames: readonly string[] = options.featureNames;

  const record = (fold: FoldRows, r: FoldFit) => {
    featureNames = r.featureNames;
    if (input.stackingCache) input.stackingCache.set(fold.fold, r.stacked);
    const yVal = fold.valIndices.map((i) => y[i]);
    fold.valIndices.forEach((row, j) => {
      if (oofFold[row] !== -1) throw new Error(`crossValidate: row ${row} validated twice`);
      oof[row] = r.predictions[j];
      oofFold[row] = fold.fold;
      if (oofCut && r.cutpointPredictions) oofCut[row] = r.cutpointPredictions[j];
    });
    const outcome: FoldOutcome = {
      fold: fold.fold,
      nTrain: fold.trainIndices.length,
      nVal: fold.valIndices.length,
      metrics: scoreMetrics(yVal, r.predictions, options.scale),
      cutpointMetrics: r.cutpointPredictions
        ? scoreMetrics(yVal, r.cutpointPredictions, options.scale)
        : null,
      cutpoints: r.cutpoints,
      fitSeconds: r.fitSeconds,
      ...(r.bestIteration !== undefined ? { bestIteration: r.bestIteration } : {}),
    };
    outcomes.push(outcome);
    input.onFold?.(outcome, outcomes.length, folds.length);
  };

  const results = await fitFolds(input, folds, options, input.stackingCache);
  folds.forEach((fold, k) => record(fold, results[k]));

  const lofo = mode === "lofo" ? await withLofo(input, options, oof, oofFold) : null;
  const finalOutcomes = mode === "lofo" ? outcomes.map((o) => lofoOutcome(o, lofo!)) : outcomes;
  const ms = (f: (o: FoldOutcome) => number) => meanStd(finalOutcomes.map(f));
  const cutOof = mode === "lofo" ? lofo!.predictions : oofCut;
  return {
    folds: finalOutcomes,
    summary: {
      qwk: ms((o) => o.metrics.qwk),
      mae: ms((o) => o.metrics.mae),
      adjacentAccuracy: ms((o) => o.metrics.adjacentAccuracy),
      exactAccuracy: ms((o) => o.metrics.exactAccuracy),
      qwkCutpoints: cutOof ? ms((o) => o.cutpointMetrics!.qwk) : null,
    },
    oofPredictions: oof,
    oofCutpointPredictions: cutOof,
    oofFold,
    featureNames,
    lofo: lofo
      ? {
        perFold: lofo.perFold,
        predictions: lofo.predictions,
        qwk: lofo.qwk,
        perFoldQwk: lofo.perFoldQwk,
      }
      : null,
    cutpointMode: mode,
  };
}

type LofoWithMetrics = LofoCutpoints & {
  readonly qwk: MeanStd;
  readonly perFoldQwk: number[];
  readonly perFoldMetrics: Map<number, ScoreMetrics>;
};

/** Fit each fold (on `input.workers` Web Workers when > 1) and return the results in fold order. */
async function fitFolds(
  input: CrossValidationInput,
  folds: readonly FoldRows[],
  options: PipelineOptions,
  stackingCache?: Map<number, StackedColumns>,
): Promise<FoldFit[]> {
  const { X, y, texts, groups } = input;
  const workers = Math.min(Math.max(1, Math.floor(input.workers ?? 1)), folds.length);
  if (workers <= 1) {
    const out: FoldFit[] = [];
    for (const fold of folds) {
      out.push(
        await fitFold({ X, y, texts, groups }, fold, options, stackingCache?.get(fold.fold)),
      );
    }
    return out;
  }
  // folds round-robin over workers; results in fold order, identical to 1 thread
  const lanes: FoldRows[][] = Array.from({ length: workers }, () => []);
  folds.forEach((f, i) => lanes[i % workers].push(f));
  const yArr = Float64Array.from(y);
  const results = await Promise.all(lanes.map((g) =>
    runCvWorker({
      nRows: X.nRows,
      nCols: X.nCols,
      values: X.values,
      y: yArr,
      texts,
      groups,
      options: { ...options, singleThreaded: true },
      folds: g,
      stacked: g.map((f) => stackingCache?.get(f.fold)),
    })
  ));
  const byFold = new Map<number, FoldFit>();
  for (const list of results) for (const r of list) byFold.set(r.fold, r);
  return folds.map((f) => byFold.get(f.fold)!);
}

/** Nested LOFO: K(K−1)/2 pair fits (without folds a and b), then thresholds per fold. */
async function withLofo(
  input: CrossValidationInput,
  options: PipelineOptions,
  oof: Float64Array,
  oofFold: Int32Array,
): Promise<LofoWithMetrics> {
  const { y, folds } = input;
  const pairs = nestedPairFolds(folds);
  const pairRows = pairs.map((p, q) => ({ ...p, fold: q }));
  const fits = await fitFolds(input, pairRows, { ...options, cutpointInnerFolds: 0 });
  const nested = nestedPredictions(y.length, pairs, fits.map((f) => f.predictions), oofFold);
  const l = lofoCutpoints(y, oof, oofFold, nested, options.scale);
  const perFoldMetrics = new Map(folds.map((f) => [
    f.fold,
    scoreMetrics(
      f.valIndices.map((i) => y[i]),
      f.valIndices.map((i) => l.predictions[i]),
      options.scale,
    ),
  ]));
  const perFoldQwk = folds.map((f) => perFoldMetrics.get(f.fold)!.qwk);
  return { ...l, qwk: meanStd(perFoldQwk), perFoldQwk, perFoldMetrics };
}

function lofoOutcome(o: FoldOutcome, lofo: LofoWithMetrics): FoldOutcome {
  return {
    ...o,
    cutpointMetrics: lofo.perFoldMetrics.get(o.fold)!,
    cutpoints: lofo.perFold.find((p) => p.fold === o.fold)!.cutpoints,
  };
}

function runCvWorker(task: CvWorkerTask): Promise<FoldFit[]> {
  const worker = new Worker(new URL("./cv_worker.ts", import.meta.url).href, { type: "module" });
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ folds?: FoldFit[]; error?: string }>) => {
      worker.terminate();
      if (e.data.error) reject(new Error(`cv worker: ${e.data.error}`));
      else resolve(e.data.folds ?? []);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      reject(new Error(`cv worker failed: ${e.message}`));
    };
    worker.postMessage(task);
  });
}
