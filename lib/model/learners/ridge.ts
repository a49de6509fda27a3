/**
 * `Ridge`: closed-form ridge regression on standardised features (the learner for embeddings).
 *
 * Missing values (NaN) are replaced by the training column mean. Columns are centred and scaled to unit variance on the training data (constant columns are
 * left at scale 1, so they get weight 0); the target is centred, so the intercept is never
 * penalised. The penalised normal equations `(ZᵀZ + αI) w = Zᵀy` are solved by Cholesky when
 * p ≤ n, and the dual `w = Zᵀ(ZZᵀ + αI)⁻¹ y` when p > n. Coefficients are stored back in raw
 * feature units, so `predict` is one dot product per row.
 *
 * @module
 */
import { RidgeParamsSchema } from "../params.ts";
import {
  checkPredictData,
  checkSampleWeights,
  checkTrainingData,
  type FitOptions,
  type Regressor,
  type RegressorJSON,
  type RidgeParams,
} from "./estimator.ts";
import { choleskyInPlace, choleskySolve } from "./linear_algebra.ts";
import type { DenseMatrix } from "./matrix.ts";

interface RidgeState {
  nFeatures: number;
  fillValues: number[];
  intercept: number;
  coef: number[];
}

/** Ridge regression with standardisation and an unpenalised intercept. */
export class Ridge implements Regressor {
  /** Learner name. */
  readonly name = "ridge";
  /** Resolved hyper-parameters. */
  readonly params: RidgeParams;
  /** Unused by the closed form (kept for the common contract). */
  readonly seed: number;
  /** Coefficients in raw feature units. */
  coef = new Float64Array(0);
  /** Intercept in raw units. */
  intercept = 0;
  /** Number of features seen in fit (−1 before fit). */
  nFeatures = -1;
  /** Training column means that replace missing values (NaN). */
  fillValues = new Float64Array(0);

  /**
   * @example
   * ```ts
   * const ridge = new Ridge({ alpha: 10 }).fit(X, y);
   * ```
   */
  constructor(params: Partial<RidgeParams> = {}, seed = 42) {
    this.params = RidgeParamsSchema.parse(params);
    this.seed = seed;
  }

  /**
   * Fit on X, y; with sample weights, weighted least squares (weighted means and scales, rows
   * scaled by √w), which with unit weights is the same computation as without.
   */
  fit(X: DenseMatrix, y: ArrayLike<number>, options: FitOptions = {}): this {
    const sampleWeights = options.sampleWeights;
    checkTrainingData(X, y, this.name);
    const { nRows: n, nCols: p } = X;
    if (sampleWeights) checkSampleWeights(sampleWeights, n, this.name);
    const wt = sampleWeights ?? new Float64Array(n).fill(1);
    let wSum = 0;
    for (let r = 0; r < n; r++) wSum += wt[r];
    // missing values (NaN) are imputed with the training column mean, here and in predict
    const fill = new Float64Array(p);
    const seen = new Float64Array(p);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < p; c++) {
        const v = X.values[r * p + c];
        if (Number.isNaN(v)) continue;
        if (!Number.isFinite(v)) {
          throw new Error(`ridge: X[${r}, ${c}] = ${v} is not finite`);
        }
        fill[c] += v;
        seen[c]++;
      }
    }
    for (let c = 0; c < p; c++) fill[c] = seen[c] > 0 ? fill[c] / seen[c] : 0;
    this.fillValues = fill;
    const values = this.imputed(X);
    const mean = new Float64Array(p);
    const scale = new Float64Array(p);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < p; c++) mean[c] += wt[r] * values[r * p + c];
    }
    for (let c = 0; c < p; c++) mean[c] /= wSum;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < p; c++) scale[c] += wt[r] * (values[r * p + c] - mean[c]) ** 2;
    }
    for (let c = 0; c < p; c++) {
      const s = Math.sqrt(scale[c] / wSum);
      scale[c] = s > 1e-12 ? s : 1;
    }
    // rows scaled by √w: ordinary ridge on them is weighted ridge on the originals
    const Z = new Float64Array(n * p);
    for (let r = 0; r < n; r++) {
      const root = Math.sqrt(wt[r]);
      for (let c = 0; c < p; c++) {
        Z[r * p + c] = root * ((values[r * p + c] - mean[c]) / scale[c]);
      }
    }
    let yMean = 0;
    for (let i = 0; i < n; i++) yMean += wt[i] * y[i];
    yMean /= wSum;
    const yc = new Float64Array(n);
    for (let i = 0; i < n; i++) yc[i] = Math.sqrt(wt[i]) * (y[i] - yMean);
    const alpha = this.params.alpha;
    let w: Float64Array;
    if (p <= n) {
      const A = new Float64Array(p * p);
      const b = new Float64Array(p);
      for (let r = 0; r < n; r++) {
        const row = r * p;
        for (let i = 0; i < p; i++) {
          const zi = Z[row + i];
          if (zi === 0) continue;
          b[i] += zi * yc[r];
          const ai = i * p;
          for (let j = 0; j <= i; j++) A[ai + j] += zi * Z[row + j];
        }
      }
      for (let i = 0; i < p; i++) {
        A[i * p + i] += alpha;
        for (let j = 0; j < i; j++) A[j * p + i] = A[i * p + j];
      }
      choleskyInPlace(A, p);
      w = choleskySolve(A, p, b);
    } else {
      const K = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let c = 0; c < p; c++) s += Z[i * p + c] * Z[j * p + c];
          K[i * n + j] = s;
          K[j * n + i] = s;
        }
        K[i * n + i] += alpha;
      }
      choleskyInPlace(K, n);
      const a = choleskySolve(K, n, yc);
      w = new Float64Array(p);
      for (let r = 0; r < n; r++) for (let c = 0; c < p; c++) w[c] += Z[r * p + c] * a[r];
    }
    const coef = new Float64Array(p);
    let intercept = yMean;
    for (let c = 0; c < p; c++) {
      coef[c] = w[c] / scale[c];
      intercept -= coef[c] * mean[c];
    }
    this.coef = coef;
    this.intercept = intercept;
    this.nFeatures = p;
    return this;
  }

  private imputed(X: DenseMatrix): Float64Array {
    const { nRows: n, nCols: p } = X;
    let values = X.values;
    for (let i = 0; i < values.length; i++) {
      if (Number.isNaN(values[i])) {
        values = values.slice();
        for (let r = 0; r < n; r++) {
          for (let c = 0; c < p; c++) {
            if (Number.isNaN(values[r * p + c])) values[r * p + c] = this.fillValues[c];
          }
        }
        break;
      }
    }
    return values;
  }

  /** Predict one value per row (NaN replaced by the training column mean). */
  predict(X: DenseMatrix): Float64Array {
    checkPredictData(X, this.nFeatures, this.name);
    const { nRows: n, nCols: p } = X;
    const values = this.imputed(X);
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let s = this.intercept;
      for (let c = 0; c < p; c++) s += this.coef[c] * values[r * p + c];
      out[r] = s;
    }
    return out;
  }

  /** Serialise hyper-parameters and coefficients. */
  toJSON(): RegressorJSON {
    const state: RidgeState = {
      nFeatures: this.nFeatures,
      fillValues: Array.from(this.fillValues),
      intercept: this.intercept,
      coef: Array.from(this.coef),
    };
    return { kind: this.name, formatVersion: 1, params: this.params, seed: this.seed, state };
  }

  /**
   * Rebuild a fitted model from `toJSON()` output.
   *
   * @example
   * ```ts
   * const again = Ridge.fromJSON(ridge.toJSON());
   * ```
   */
  static fromJSON(json: RegressorJSON): Ridge {
    if (json.kind !== "ridge") throw new Error(`expected a 'ridge' model, got '${json.kind}'`);
    const s = json.state as RidgeState;
    const m = new Ridge(json.params as Partial<RidgeParams>, json.seed);
    if (s.coef.length !== s.nFeatures) throw new Error("ridge JSON: coef length != nFeatures");
    m.nFeatures = s.nFeatures;
    m.fillValues = Float64Array.from(s.fillValues ?? new Array(s.nFeatures).fill(0));
    m.intercept = s.intercept;
    m.coef = Float64Array.from(s.coef);
    return m;
  }
}
