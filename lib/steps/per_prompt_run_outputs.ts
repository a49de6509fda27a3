/**
 * What `run` writes on per-prompt score scales, in place of `full_run_outputs.ts`'s pooled
 * outputs: `artifacts/model.json`, the model bundle (with the per-prompt scales and L, so `score`
 * maps back), `artifacts/predictions.csv` with each essay's true and predicted score on its own
 * prompt's scale (and the grid values beside them), `artifacts/run_metrics.json` and
 * `reports/run_report.md` with the per-prompt evaluation of train (in-sample), val and test and
 * the headline mean per-prompt QWK (Fisher z), SHAP (of the common-grid prediction), and the
 * experiment-log entry. The grade-scale report and the pooled residual diagnostics are withheld
 * (they pool over prompts on the grid), and cut-points are off — each said in the report.
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import { auditMarkdown } from "../features/feature_audit.ts";
import type { PerPromptScale } from "../dataset/per_prompt_scale.ts";
import type { PerPromptScaleEvaluation } from "../model/evaluation/per_prompt_evaluation.ts";
import {
  CUTPOINTS_DISABLED_REASON,
  PER_PROMPT_HEADLINE,
  perPromptRunReportMarkdown,
  POOLED_WITHHELD_REASON,
} from "../report/per_prompt_reports.ts";
import type { ShapSummary } from "../report/model_reports.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import type { ExperimentConfig } from "../run/config.ts";
import type { RunContext } from "../run/run_context.ts";
import { modelRunJsonHeader, recordRunInExperimentLog } from "./common.ts";
import { reportContext } from "./cv_outputs.ts";
import { auditResultJson, droppedByAudit } from "./feature_audit_step.ts";
import {
  type RunData,
  type RunModel,
  type RunPart,
  saveBundleAndShap,
  writeModelJson,
} from "./full_run_outputs.ts";
import { learnerParams, usesEmbeddingStacking } from "./model_inputs.ts";
import {
  headlineText,
  perPromptEvaluationJson,
  perPromptEvaluationOf,
  promptScaleCells,
} from "./per_prompt_outputs.ts";

/** The per-prompt evaluation of each split of a run. */
export type PerPromptRunFigures = Readonly<
  Record<"train" | "val" | "test", PerPromptScaleEvaluation>
>;

function partsOf(d: RunData, m: RunModel): readonly [RunPart, Float64Array][] {
  return [[d.train, m.fit.trainPredictions], [d.val, m.val.raw], [d.test, m.test.raw]];
}

/**
 * The per-prompt evaluation of train (in-sample), val and test.
 *
 * @example
 * ```ts
 * perPromptRunFigures(d, m, pp).test.meanPerPromptQwkFisherZ;
 * ```
 */
export function perPromptRunFigures(
  d: RunData,
  m: RunModel,
  pp: PerPromptScale,
): PerPromptRunFigures {
  const [train, val, test] = partsOf(d, m).map(([part, raw]) =>
    perPromptEvaluationOf(part.essays, raw, pp, d.config.seed)
  );
  return { train, val, test };
}

function predictionsCsv(d: RunData, m: RunModel, pp: PerPromptScale): string {
  const rows = partsOf(d, m).flatMap(([part, raw]) =>
    part.essays.map((e, i) => [
      part.split,
      e.id,
      e.prompt,
      ...promptScaleCells(pp, e, raw[i]),
      "",
      e.overall,
      raw[i],
    ])
  );
  return stringify(rows, {
    header: true,
    columns: [
      "split",
      "id",
      "prompt",
      "overall_true",
      "prediction_raw",
      "prediction_rounded",
      "prediction_cutpoints",
      "grid_true",
      "grid_prediction_raw",
    ],
  });
}

async function writePredictionsAndMetrics(
  run: RunContext,
  d: RunData,
  m: RunModel,
  pp: PerPromptScale,
  fig: PerPromptRunFigures,
): Promise<void> {
  const { config, step } = d;
  await writeModelJson(run, d, m);
  await writeFileAtomic(run.artifactPath("predictions.csv"), predictionsCsv(d, m, pp));
  await writeJsonAtomic(run.artifactPath("run_metrics.json"), {
    ...modelRunJsonHeader(config, learnerParams(config)),
    text_stacking: step.textStacking,
    embedding_stacking: usesEmbeddingStacking(config, step),
    per_prompt_scale: { ...pp.spec, grid_size: pp.gridSize },
    headline: PER_PROMPT_HEADLINE,
    pooled_grid_metrics: `withheld: ${POOLED_WITHHELD_REASON}`,
    cutpoints: `disabled: ${CUTPOINTS_DISABLED_REASON}`,
    feature_audit: auditResultJson(config, d.audit),
    n: { train: d.train.X.nRows, val: d.val.X.nRows, test: d.test.X.nRows },
    per_prompt: {
      train: perPromptEvaluationJson(fig.train),
      val: perPromptEvaluationJson(fig.val),
      test: perPromptEvaluationJson(fig.test),
    },
    fit_seconds: m.fit.fitSeconds,
  });
}

async function writeReport(
  run: RunContext,
  d: RunData,
  m: RunModel,
  pp: PerPromptScale,
  fig: PerPromptRunFigures,
): Promise<string> {
  const { config, step } = d;
  const ctx = reportContext(
    run,
    config,
    step,
    "Full run report",
    m.fit.pipeline.modelFeatureNames.length,
    d.nEssays,
    false,
  );
  const extra = [
    "## Files",
    "",
    `- train/val split: ${
      config.splitsPath ? `run_split of \`${config.splitsPath}\`` : "computed with the seed"
    } (stratified on the common grid)`,
    `- model: \`${run.artifactPath("model.json")}\`; bundle for \`score\` (with the per-prompt ` +
    `scales and L = ${pp.gridSize}): \`${run.artifactPath("model")}/\``,
    `- predictions (each essay on its prompt's scale; grid values in \`grid_*\`): ` +
    `\`${run.artifactPath("predictions.csv")}\``,
    config.skipShap
      ? "- SHAP: skipped (`--skip-shap`)"
      : "- SHAP (`shap_*.json`, `learner_shap_*.json`) explains the common-grid prediction",
    "- grade-scale report and pooled residual diagnostics: withheld (they pool prompts on the " +
    "common grid); the per-prompt tables above give each prompt's mean residual on its own scale",
    "",
    auditMarkdown(d.audit, "feature_store_train", droppedByAudit(d.config, d.audit)),
  ];
  const reportPath = run.reportPath("run_report.md");
  await writeFileAtomic(reportPath, perPromptRunReportMarkdown(ctx, pp, fig, extra));
  run.log.info(`report: ${reportPath}`);
  return reportPath;
}

async function logRun(
  run: RunContext,
  d: RunData,
  fig: PerPromptRunFigures,
  shap: ShapSummary | null,
  reportPath: string,
): Promise<void> {
  const { config, step } = d;
  await recordRunInExperimentLog(run, config, {
    splitsPath: config.splitsPath,
    featureSet: config.featureSet,
    results: (["train", "val", "test"] as const).map((s) => ({
      label: `${PER_PROMPT_HEADLINE} ${s}`,
      value: headlineText(fig[s], 5),
    })),
    notes: [
      `model: ${config.model} ${JSON.stringify(learnerParams(config))}, text stacking ` +
      `${step.textStacking ? "on" : "off"}`,
      POOLED_WITHHELD_REASON,
      CUTPOINTS_DISABLED_REASON,
      shap && !shap.skipped
        ? `SHAP additivity max error (test, final score): ${
          shap.maxAdditivityError.toExponential(2)
        }`
        : "SHAP: skipped",
      `Run report: \`${reportPath}\``,
    ],
  });
}

/**
 * Everything `run` does after the fit on per-prompt scales: outputs, bundle, SHAP, report and log.
 *
 * @example
 * ```ts
 * const figures = await finishPerPromptRun(run, d, m, pp, config);
 * ```
 */
export async function finishPerPromptRun(
  run: RunContext,
  d: RunData,
  m: RunModel,
  pp: PerPromptScale,
  config: ExperimentConfig,
): Promise<{ readonly reportPath: string; readonly figures: PerPromptRunFigures }> {
  const figures = perPromptRunFigures(d, m, pp);
  await run.stage(
    "save_model_and_predictions",
    () => writePredictionsAndMetrics(run, d, m, pp, figures),
  );
  const shap = await saveBundleAndShap(run, config, d, m);
  for (const s of ["train", "val", "test"] as const) {
    run.log.info(`${PER_PROMPT_HEADLINE} ${s}: ${headlineText(figures[s])}`);
  }
  run.log.info(
    "grade-scale report and pooled residual diagnostics: withheld on per-prompt scales",
  );
  const reportPath = await writeReport(run, d, m, pp, figures);
  await logRun(run, d, figures, shap, reportPath);
  return { reportPath, figures };
}
