/**
 * The one estimator contract every learner implements (scikit-learn style: the constructor takes
 * only hyper-parameters and a seed, `fit(X, y)` learns, `predict(X)` answers, `toJSON()`
 * serialises), the JSON envelope models are saved in, and the `TreeEnsemble` view TreeSHAP
 * reads.
 *
 * The factory that builds a learner from its parameters lives in `factory.ts`.
 *
 * @module
 */
import type { RidgeParams, TreeParams } from "../params.ts";
import type { DenseMatrix } from "./matrix.ts";
import type { FlatTree } from "./tree.ts";

/** Tree and ridge hyper-parameters (schemas and defaults in `params.ts`). */
export type { RidgeParams, TreeParams };

/** Serialised model: learner kind, format version, hyper-parameters, seed and fitted state. */
export interface RegressorJSON {
  readonly kind: string;
  readonly formatVersion: 1;
  readonly params: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly state: unknown;
}

/** Optional side information for `fit`. */
export interface FitOptions {
  /**
   * Group id per row (normalised-text hash). A learner that splits its training rows (gradient
   * boosting's early-stopping holdout) keeps each group on one side. Learners that never split
   * their rows ignore it.
   */
  readonly groups?: ArrayLike<string>;
  /**
   * Per-row sample weights (e.g. grade-band weighting): gradient boosting scales each row's
   * gradient and hessian, the forests draw weighted bootstraps, ridge solves weighted least
   * squares. Absent = every row weighs 1.
   */
  readonly sampleWeights?: ArrayLike<number>;
}

/** A regression learner. */
export interface Regressor {
  /** Learner name as used by `--model` (`gbm`, `rf`, `ml-random-forest`, `ridge`). */
  readonly name: string;
  /** Resolved hyper-parameters (for reports). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Seed of all randomness in `fit`. */
  readonly seed: number;
  /** Learn from X (n × p) and y (n) (optionally grouped and weighted rows); returns this. */
  fit(X: DenseMatrix, y: ArrayLike<number>, options?: FitOptions): this;
  /** Optional multi-threaded fit with the same result as `fit`. */
  fitAsync?(X: DenseMatrix, y: ArrayLike<number>, options?: FitOptions): Promise<this>;
  /** Predict one value per row. */
  predict(X: DenseMatrix): Float64Array;
  /** Serialise the fitted model. */
  toJSON(): RegressorJSON;
}

/** A fitted tree ensemble, as TreeSHAP needs it. */
export interface TreeEnsemble {
  readonly trees: readonly FlatTree[];
  /** Constant added to the aggregated tree outputs (boosting's base score; 0 for a forest). */
  readonly baseScore: number;
  /** `sum`: prediction = base + Σ trees (leaf values already include the learning rate);
   * `mean`: prediction = base + mean of trees. */
  readonly aggregation: "sum" | "mean";
  readonly nFeatures: number;
}

/**
 * Fit with the learner's parallel path when it has one.
 *
 * @example
 * ```ts
 * await fitRegressor(model, Xtrain, yTrain);
 * ```
 */
export async function fitRegressor<R extends Regressor>(
  model: R,
  X: DenseMatrix,
  y: ArrayLike<number>,
  options: FitOptions = {},
): Promise<R> {
  if (model.fitAsync) return await model.fitAsync(X, y, options);
  return model.fit(X, y, options);
}

/**
 * Validate a training pair: shapes agree, labels are finite.
 *
 * @example
 * ```ts
 * checkTrainingData(X, y, "gbm");
 * ```
 */
export function checkTrainingData(X: DenseMatrix, y: ArrayLike<number>, who: string): void {
  if (X.values.length !== X.nRows * X.nCols) {
    throw new Error(`${who}: X values length ${X.values.length} != ${X.nRows} x ${X.nCols}`);
  }
  if (y.length !== X.nRows) throw new Error(`${who}: X has ${X.nRows} rows but y has ${y.length}`);
  if (X.nRows < 2) throw new Error(`${who}: need at least 2 training rows, got ${X.nRows}`);
  if (X.nCols < 1) throw new Error(`${who}: X has no columns`);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) throw new Error(`${who}: y[${i}] = ${y[i]} is not finite`);
  }
}

/**
 * Validate a prediction matrix against the number of features seen in `fit`.
 *
 * @example
 * ```ts
 * checkPredictData(X, this.nFeatures, "gbm");
 * ```
 */
export function checkPredictData(X: DenseMatrix, nFeatures: number, who: string): void {
  if (nFeatures < 0) throw new Error(`${who}: predict called before fit`);
  if (X.nCols !== nFeatures) {
    throw new Error(`${who}: X has ${X.nCols} columns, the model was fitted on ${nFeatures}`);
  }
  if (X.values.length !== X.nRows * X.nCols) {
    throw new Error(`${who}: X values length ${X.values.length} != ${X.nRows} x ${X.nCols}`);
  }
}

/**
 * Check sample weights against the rows: one finite weight > 0 per row.
 *
 * @example
 * ```ts
 * checkSampleWeights(w, X.nRows, "gbm");
 * ```
 */
export function checkSampleWeights(w: ArrayLike<number>, n: number, who: string): void {
  if (w.length !== n) throw new Error(`${who}: ${n} rows but ${w.length} sample weights`);
  for (let i = 0; i < n; i++) {
    if (!(w[i] > 0) || !Number.isFinite(w[i])) {
      throw new Error(`${who}: sample weight ${i} = ${w[i]} is not a finite number > 0`);
    }
  }
}
