/**
 * Exact SHAP values of a linear model under feature independence (interventional):
 * φ_j(x) = w_j · (x_j − E[x_j]), base value = intercept + Σ w_j E[x_j], with E taken over a
 * background set (the training rows). Used for the ridge learner, where TreeSHAP does not apply.
 *
 * @module
 */
import type { DenseMatrix } from "./matrix.ts";
import type { Ridge } from "./ridge.ts";
import type { ShapResult } from "./tree_shap.ts";

/**
 * SHAP values of a fitted ridge model for the rows of X, background = `background` rows.
 *
 * @example
 * ```ts
 * const shap = linearShap(ridge, Xtest, Xtrain);
 * ```
 */
export function linearShap(model: Ridge, X: DenseMatrix, background: DenseMatrix): ShapResult {
  const p = model.nFeatures;
  if (X.nCols !== p || background.nCols !== p) {
    throw new Error(`linearShap: matrices must have ${p} columns`);
  }
  const fill = model.fillValues;
  const mean = new Float64Array(p);
  for (let r = 0; r < background.nRows; r++) {
    for (let c = 0; c < p; c++) {
      const v = background.values[r * p + c];
      mean[c] += Number.isNaN(v) ? fill[c] : v;
    }
  }
  for (let c = 0; c < p; c++) mean[c] /= background.nRows;
  let expectedValue = model.intercept;
  for (let c = 0; c < p; c++) expectedValue += model.coef[c] * mean[c];
  const values = new Float64Array(X.nRows * p);
  for (let r = 0; r < X.nRows; r++) {
    for (let c = 0; c < p; c++) {
      const v = X.values[r * p + c];
      values[r * p + c] = model.coef[c] * ((Number.isNaN(v) ? fill[c] : v) - mean[c]);
    }
  }
  return { nRows: X.nRows, nFeatures: p, values, expectedValue };
}
