/// <reference lib="deno.worker" />
/**
 * Web Worker entry for `crossValidate` with `workers > 1`: receives the matrix, labels, texts,
 * training options and a list of folds, runs `trainAndPredict` for each (single-threaded inside
 * the worker) and posts back per-fold predictions, cut-points and the stacked column.
 *
 * @module
 */
import type { FoldRows } from "./cross_validation.ts";
import { selectRows } from "./matrix.ts";
import {
  type FoldTrainingResult,
  foldTrainingResult,
  type StackedColumns,
  trainAndPredict,
  type TrainingOptions,
} from "./training.ts";

/** Message to the worker. */
export interface CvWorkerTask {
  readonly nRows: number;
  readonly nCols: number;
  readonly values: Float64Array;
  readonly y: Float64Array;
  readonly texts?: readonly string[];
  /** Group id per row (normalised-text hash). */
  readonly groups: readonly string[];
  readonly options: TrainingOptions;
  readonly folds: readonly FoldRows[];
  readonly stacked: readonly (StackedColumns | undefined)[];
}

/** One fold's result as the worker posts it back. */
export type CvWorkerFold = FoldTrainingResult;

self.onmessage = async (e: MessageEvent<CvWorkerTask>) => {
  try {
    const t = e.data;
    const X = { nRows: t.nRows, nCols: t.nCols, values: t.values };
    const out: CvWorkerFold[] = [];
    for (let k = 0; k < t.folds.length; k++) {
      const fold = t.folds[k];
      const pick = (idx: readonly number[]) => (t.texts ? idx.map((i) => t.texts![i]) : undefined);
      const r = await trainAndPredict(
        {
          X: selectRows(X, fold.trainIndices),
          texts: pick(fold.trainIndices),
          groups: fold.trainIndices.map((i) => t.groups[i]),
        },
        fold.trainIndices.map((i) => t.y[i]),
        [{ X: selectRows(X, fold.valIndices), texts: pick(fold.valIndices) }],
        { ...t.options, singleThreaded: true },
        t.stacked[k],
      );
      out.push(foldTrainingResult(fold.fold, r));
    }
    self.postMessage({ folds: out });
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
};
