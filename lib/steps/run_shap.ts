/**
 * `run`'s SHAP stage: for val and test, exact SHAP of the **final score** (what `predictions.csv`
 * holds: blended and spread-matched under the default pipeline; `ScoringPipeline.explain`) in
 * `artifacts/shap_<split>.json`, and of the **learner's own prediction** in
 * `artifacts/learner_shap_<split>.json`, each with its base value and additivity check
 * (base + Σ SHAP = the prediction it explains). The report summarises the final-score SHAP of
 * the test set.
 *
 * @module
 */
import type { Essay } from "../dataset/essay.ts";
import type { ShapSummary } from "../report/model_reports.ts";
import type { PipelineShap } from "../model/pipeline/pipeline_shap.ts";
import type { PipelinePrediction, ScoringPipeline } from "../model/pipeline/scoring_pipeline.ts";
import { shapAdditivityError, type ShapResult } from "../model/learners/tree_shap.ts";
import { writeJsonAtomic } from "../run/atomic_write.ts";
import type { RunContext } from "../run/run_context.ts";

/** A predicted part to explain. */
export interface ExplainedPart {
  readonly split: string;
  readonly essays: readonly Essay[];
  readonly prediction: PipelinePrediction;
}

function shapSummaryOf(
  split: string,
  shap: ShapResult,
  names: readonly string[],
  predictions: Float64Array,
  method: string,
  top = 25,
): ShapSummary {
  const p = shap.nFeatures;
  const stats = names.map((feature, f) => {
    let a = 0;
    let s = 0;
    for (let r = 0; r < shap.nRows; r++) {
      const v = shap.values[r * p + f];
      a += Math.abs(v);
      s += v;
    }
    return { feature, meanAbs: a / shap.nRows, meanSigned: s / shap.nRows };
  }).sort((x, y) => y.meanAbs - x.meanAbs);
  return {
    split,
    nRows: shap.nRows,
    expectedValue: shap.expectedValue,
    maxAdditivityError: shapAdditivityError(shap, predictions),
    method,
    topFeatures: stats.slice(0, top),
  };
}

async function writeShapFile(
  run: RunContext,
  file: string,
  part: ExplainedPart,
  s: ShapResult,
  method: string,
  names: readonly string[],
  predictions: Float64Array,
): Promise<ShapSummary> {
  const sum = shapSummaryOf(part.split, s, names, predictions, method);
  run.log.info(
    `SHAP ${file} (${method}): base ${s.expectedValue.toFixed(4)}, additivity max error ` +
      `${sum.maxAdditivityError.toExponential(2)}`,
  );
  const rows: number[][] = [];
  for (let r = 0; r < s.nRows; r++) {
    rows.push(Array.from(s.values.subarray(r * s.nFeatures, (r + 1) * s.nFeatures)));
  }
  await writeJsonAtomic(run.artifactPath(file), {
    schema_version: 1,
    method,
    split: part.split,
    base_value: s.expectedValue,
    max_additivity_error: sum.maxAdditivityError,
    feature_names: names,
    ids: part.essays.map((e) => e.id),
    predictions: Array.from(predictions),
    values: rows,
  });
  return sum;
}

function skipped(reason: string): ShapSummary {
  return {
    split: "test",
    nRows: 0,
    expectedValue: NaN,
    maxAdditivityError: NaN,
    topFeatures: [],
    skipped: `SHAP not computed: ${reason}`,
  };
}

/**
 * Write the final-score and learner SHAP files of each part; the summary of the last part's
 * final-score SHAP (or why there is none).
 *
 * @example
 * ```ts
 * const summary = await writeRunShap(run, pipeline, [{ split: "val", essays, prediction }]);
 * ```
 */
export async function writeRunShap(
  run: RunContext,
  pipeline: ScoringPipeline,
  parts: readonly ExplainedPart[],
): Promise<ShapSummary> {
  const names = pipeline.modelFeatureNames;
  let summary: ShapSummary | null = null;
  for (const part of parts) {
    const learner: PipelineShap = pipeline.explainLearner(part.prediction.modelX);
    if (learner.shap === null) {
      run.log.warn(`SHAP not computed: ${learner.reason}`);
      return skipped(learner.reason);
    }
    const final = pipeline.explain(part.prediction);
    await writeShapFile(
      run,
      `learner_shap_${part.split}.json`,
      part,
      learner.shap,
      learner.method,
      names,
      part.prediction.learner,
    );
    summary = await writeShapFile(
      run,
      `shap_${part.split}.json`,
      part,
      final.shap!,
      (final as { method: string }).method,
      names,
      part.prediction.raw,
    );
  }
  return summary!;
}
