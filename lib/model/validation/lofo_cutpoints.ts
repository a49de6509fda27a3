/**
 * Nested leave-one-fold-out (LOFO) cut-points, the original pipeline's mode made leak-free: for
 * fold k, QWK-optimised thresholds are fitted on predictions of the *other* folds' rows that
 * come from models which never saw fold k (for the rows of fold j ≠ k: a model fitted without
 * folds j and k), and applied to fold k's out-of-fold predictions.
 *
 * The original (non-nested) LOFO fitted fold k's thresholds on the plain out-of-fold predictions
 * of the other folds; those come from models trained *on* fold k, so fold k's labels reached its
 * own thresholds (flipping fold 0's labels moved most of fold 0's thresholded predictions). That
 * figure was optimistic and is gone; this module needs the nested predictions
 * ({@link nestedPairFolds} says which fits give them, `cross_validation.ts` runs them).
 *
 * There are no "all out-of-fold" thresholds for a test set: a `run` fits its own thresholds on
 * the out-of-fold predictions of a K-fold over its training part (`scoring_pipeline.ts`).
 *
 * @module
 */
import type { ScoreScale } from "../../dataset/score_scale.ts";
import { applyCutpoints, fitCutpoints } from "../pipeline/cutpoints.ts";

/** Nested LOFO thresholds and the predictions they give. */
export interface LofoCutpoints {
  /** Per fold (ascending fold id): the thresholds fitted without it. */
  readonly perFold: readonly { readonly fold: number; readonly cutpoints: number[] }[];
  /** Each validated row's prediction through its fold's LOFO thresholds (NaN elsewhere). */
  readonly predictions: Float64Array;
}

/** One extra fit of the nesting: trained without folds `a` and `b`, predicting both. */
export interface PairFold {
  readonly a: number;
  readonly b: number;
  readonly trainIndices: readonly number[];
  /** Rows of folds a and b (a's first). */
  readonly valIndices: readonly number[];
}

/** A cross-validation fold as row indices. */
interface FoldIndices {
  readonly fold: number;
  readonly trainIndices: readonly number[];
  readonly valIndices: readonly number[];
}

/**
 * The K(K−1)/2 fits nested LOFO needs: for every pair of folds {a, b}, train on the rows both
 * folds train on (so neither fold's rows), predict the rows of a and b.
 *
 * @example
 * ```ts
 * nestedPairFolds(folds).length; // 10 for 5 folds
 * ```
 */
export function nestedPairFolds(folds: readonly FoldIndices[]): PairFold[] {
  const out: PairFold[] = [];
  for (let i = 0; i < folds.length; i++) {
    for (let j = i + 1; j < folds.length; j++) {
      const [fa, fb] = [folds[i], folds[j]];
      const inB = new Set(fb.trainIndices);
      out.push({
        a: fa.fold,
        b: fb.fold,
        trainIndices: fa.trainIndices.filter((r) => inB.has(r)),
        valIndices: [...fa.valIndices, ...fb.valIndices],
      });
    }
  }
  return out;
}

/**
 * Per scored fold k: a row-aligned array holding, for every row of another fold, the prediction
 * of the pair fit that never saw k (NaN elsewhere).
 *
 * @example
 * ```ts
 * const nested = nestedPredictions(n, pairs, pairPredictions);
 * nested.get(0)![row]; // row of fold 2: model trained without folds 0 and 2
 * ```
 */
export function nestedPredictions(
  nRows: number,
  pairs: readonly PairFold[],
  pairPredictions: readonly ArrayLike<number>[],
  foldOfRow: ArrayLike<number>,
): Map<number, Float64Array> {
  const out = new Map<number, Float64Array>();
  const forFold = (k: number) => {
    if (!out.has(k)) out.set(k, new Float64Array(nRows).fill(NaN));
    return out.get(k)!;
  };
  pairs.forEach((p, q) => {
    p.valIndices.forEach((row, j) => {
      const f = foldOfRow[row];
      // a row of fold a, predicted without b, serves fold b's thresholds (and vice versa)
      const scored = f === p.a ? p.b : f === p.b ? p.a : -1;
      if (scored < 0) {
        throw new Error(`nestedPredictions: row ${row} is in neither fold ${p.a}/${p.b}`);
      }
      forFold(scored)[row] = pairPredictions[q][j];
    });
  });
  return out;
}

/**
 * Nested LOFO cut-points of out-of-fold predictions `oof` with fold ids `oofFold` (−1 = not
 * validated); `nested.get(k)` holds the other folds' predictions from fits without fold k.
 *
 * @example
 * ```ts
 * const lofo = lofoCutpoints(y, cv.oofPredictions, cv.oofFold, nested);
 * lofo.perFold[0].cutpoints; // fitted on folds 1…K−1, predicted by models that never saw fold 0
 * ```
 */
export function lofoCutpoints(
  y: ArrayLike<number>,
  oof: ArrayLike<number>,
  oofFold: ArrayLike<number>,
  nested: ReadonlyMap<number, ArrayLike<number>>,
  /** The dataset's score scale (default ELLIPSE). */
  scale?: ScoreScale,
): LofoCutpoints {
  const n = y.length;
  if (oof.length !== n || oofFold.length !== n) {
    throw new Error(
      `lofoCutpoints: ${n} labels, ${oof.length} predictions, ${oofFold.length} folds`,
    );
  }
  const folds = [...new Set(Array.from(oofFold).filter((f) => f >= 0))].sort((a, b) => a - b);
  if (folds.length < 2) throw new Error("lofoCutpoints: needs at least 2 folds");
  const predictions = new Float64Array(n).fill(NaN);
  const rowsOf = (keep: (f: number) => boolean) =>
    Array.from({ length: n }, (_, i) => i).filter((i) => oofFold[i] >= 0 && keep(oofFold[i]));
  const perFold = folds.map((fold) => {
    const without = nested.get(fold);
    if (!without || without.length !== n) {
      throw new Error(`lofoCutpoints: no nested predictions without fold ${fold}`);
    }
    const fitRows = rowsOf((f) => f !== fold);
    const fitPred = fitRows.map((i) => without[i]);
    if (fitPred.some((v) => Number.isNaN(v))) {
      throw new Error(`lofoCutpoints: a nested prediction without fold ${fold} is missing`);
    }
    const cutpoints = fitCutpoints(fitRows.map((i) => y[i]), fitPred, { scale });
    const scoreRows = rowsOf((f) => f === fold);
    const scored = applyCutpoints(scoreRows.map((i) => oof[i]), cutpoints, scale);
    scoreRows.forEach((row, j) => (predictions[row] = scored[j]));
    return { fold, cutpoints };
  });
  return { perFold, predictions };
}
