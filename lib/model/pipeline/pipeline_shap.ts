/**
 * Explanations of a fitted scoring pipeline, exact in both forms:
 *
 * - **learner SHAP** ({@link learnerShap}): the learner's own prediction — exact path-dependent
 *   TreeSHAP for `gbm`/`rf`, exact linear SHAP for `ridge` (training means as background).
 * - **final-score SHAP** ({@link finalScoreShap}): the score users see. Without a blend the final
 *   score is the learner's prediction. With the blend and spread match it is
 *   `a + b · (c₀ + w₀ · learner(x) + Σⱼ wⱼ · sⱼ(x))`, where the sⱼ are stacked ridge columns that
 *   are also model columns. SHAP is linear in the model, so the attribution of every model column
 *   is `b · w₀ · φ_learner` plus, for a stacked column j, the exact linear term
 *   `b · wⱼ · (sⱼ(x) − E[sⱼ])` (training mean as background); the base value is
 *   `a + b · (c₀ + w₀ · E[learner] + Σⱼ wⱼ · E[sⱼ])`. Base + Σ attributions = the final score
 *   (up to float rounding): the stacked TF-IDF, character and embedding columns appear as their
 *   own features, with both their share through the learner and their direct blend weight.
 *
 * @module
 */
import type { StackBlend } from "./blend.ts";
import type { Regressor, TreeEnsemble } from "../learners/estimator.ts";
import { linearShap } from "../learners/linear_shap.ts";
import type { DenseMatrix } from "../learners/matrix.ts";
import type { Ridge } from "../learners/ridge.ts";
import { type ShapResult, treeShap } from "../learners/tree_shap.ts";

/** SHAP values with how they were computed, or why there are none. */
export type PipelineShap =
  | { readonly shap: ShapResult; readonly method: string }
  | { readonly shap: null; readonly reason: string };

/**
 * Exact SHAP values of the learner for rows of its model matrix.
 *
 * @example
 * ```ts
 * const s = learnerShap(learner, modelX, backgroundMean);
 * ```
 */
export function learnerShap(
  learner: Regressor,
  modelX: DenseMatrix,
  backgroundMean: readonly number[],
): PipelineShap {
  if (learner.name === "gbm" || learner.name === "rf") {
    return {
      shap: treeShap(learner as unknown as TreeEnsemble, modelX),
      method: "exact path-dependent TreeSHAP",
    };
  }
  if (learner.name === "ridge") {
    const mean = backgroundMean;
    const background = { nRows: 1, nCols: mean.length, values: Float64Array.from(mean) };
    return {
      shap: linearShap(learner as unknown as Ridge, modelX, background),
      method: "exact linear SHAP (interventional, training means as background)",
    };
  }
  return {
    shap: null,
    reason: `no exact explainer for \`${learner.name}\` (use --model gbm, rf or ridge)`,
  };
}

/**
 * SHAP values of the final (blended, spread-matched) score over the model columns, from the
 * learner's SHAP values; the learner's SHAP unchanged when there is no blend.
 *
 * @example
 * ```ts
 * const s = finalScoreShap(learnerShap(learner, modelX, mean), blend, modelX, names, mean);
 * ```
 */
export function finalScoreShap(
  learner: PipelineShap,
  blend: StackBlend | null,
  modelX: DenseMatrix,
  names: readonly string[],
  backgroundMean: readonly number[],
): PipelineShap {
  if (learner.shap === null || blend === null) return learner;
  const { shap } = learner;
  const p = shap.nFeatures;
  const b = blend.spread.b;
  const scale = b * blend.coef[0];
  const values = shap.values.map((v) => scale * v);
  let inner = blend.intercept + blend.coef[0] * shap.expectedValue;
  blend.members.slice(1).forEach((name, k) => {
    const c = names.indexOf(name);
    if (c < 0) throw new Error(`final-score SHAP: blend member ${name} is not a model column`);
    const w = blend.coef[k + 1];
    const mu = backgroundMean[c];
    inner += w * mu;
    for (let r = 0; r < modelX.nRows; r++) {
      values[r * p + c] += b * w * (modelX.values[r * modelX.nCols + c] - mu);
    }
  });
  return {
    shap: { nRows: shap.nRows, nFeatures: p, values, expectedValue: blend.spread.a + b * inner },
    method: `final score: ${learner.method} of the learner × its blend weight, plus exact linear ` +
      "SHAP of the stacked columns' blend weights (training means as background), through the " +
      "spread match",
  };
}

/**
 * Training mean of every column (the background of the linear parts): NaN counts as `fill[c]`
 * when given (the ridge learner's own fill values), else is skipped.
 *
 * @example
 * ```ts
 * shapBackgroundMean(trainX, ridge.fillValues);
 * ```
 */
export function shapBackgroundMean(X: DenseMatrix, fill?: ArrayLike<number>): number[] {
  const p = X.nCols;
  const sum = new Float64Array(p);
  const count = new Float64Array(p);
  for (let r = 0; r < X.nRows; r++) {
    for (let c = 0; c < p; c++) {
      const v = X.values[r * p + c];
      if (!Number.isNaN(v)) {
        sum[c] += v;
        count[c]++;
      } else if (fill) {
        sum[c] += fill[c];
        count[c]++;
      }
    }
  }
  return Array.from(sum, (s, c) => (count[c] > 0 ? s / count[c] : 0));
}
