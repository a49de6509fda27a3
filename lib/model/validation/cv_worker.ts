/// <reference lib="deno.worker" />
/**
 * Web Worker entry for `crossValidate` with `workers > 1`: receives the rows, the pipeline
 * options and a list of folds (`cv_fold.ts`), fits each fold single-threaded and posts back the
 * per-fold results.
 *
 * @module
 */
import { type CvWorkerTask, fitFold, type FoldFit } from "./cv_fold.ts";

self.onmessage = async (e: MessageEvent<CvWorkerTask>) => {
  try {
    const t = e.data;
    const data = {
      X: { nRows: t.nRows, nCols: t.nCols, values: t.values },
      y: t.y,
      texts: t.texts,
      groups: t.groups,
    };
    const out: FoldFit[] = [];
    for (let k = 0; k < t.folds.length; k++) {
      out.push(
        await fitFold(data, t.folds[k], { ...t.options, singleThreaded: true }, t.stacked[k]),
      );
    }
    self.postMessage({ folds: out });
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
};
