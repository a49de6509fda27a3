/**
 * What `cv` writes on per-prompt score scales, in place of `cv_outputs.ts`'s pooled outputs: the
 * out-of-fold predictions mapped back to each essay's prompt's scale
 * (`artifacts/cv_oof_predictions.csv`, with the grid values beside them), `artifacts/
 * cv_metrics.json` and `reports/cv_report.md` with the per-prompt evaluation and the headline
 * mean per-prompt QWK (Fisher z) — out of fold, and per fold as mean ± std — and the
 * experiment-log entry. Pooled common-grid figures are withheld and cut-points are off, each with
 * its reason in the report.
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import { auditMarkdown } from "../features/feature_audit.ts";
import type { PerPromptScale } from "../dataset/per_prompt_scale.ts";
import type { PerPromptScaleEvaluation } from "../model/evaluation/per_prompt_evaluation.ts";
import type { MeanStd } from "../model/validation/cross_validation.ts";
import {
  CUTPOINTS_DISABLED_REASON,
  PER_PROMPT_HEADLINE,
  perPromptCvReportMarkdown,
  type PerPromptFoldRow,
  POOLED_WITHHELD_REASON,
} from "../report/per_prompt_reports.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import type { RunContext } from "../run/run_context.ts";
import { modelRunJsonHeader, recordRunInExperimentLog } from "./common.ts";
import { type CvState, reportContext } from "./cv_outputs.ts";
import { auditResultJson, droppedByAudit } from "./feature_audit_step.ts";
import { learnerParams, usesEmbeddingStacking } from "./model_inputs.ts";
import {
  headlineText,
  perPromptEvaluationJson,
  perPromptEvaluationOf,
  promptScaleCells,
} from "./per_prompt_outputs.ts";

/** The per-prompt figures of a finished cross-validation. */
export interface PerPromptCvFigures {
  /** Each prompt over all its out-of-fold predictions. */
  readonly oof: PerPromptScaleEvaluation;
  readonly folds: readonly PerPromptFoldRow[];
  /** Mean ± std of the per-fold headlines that are defined (null when none is). */
  readonly foldMeanStd: MeanStd | null;
}

function meanStd(values: readonly number[]): MeanStd | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) /
    Math.max(1, values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/**
 * The out-of-fold and per-fold per-prompt figures of a cross-validation.
 *
 * @example
 * ```ts
 * perPromptCvFigures(state, pp).oof.meanPerPromptQwkFisherZ;
 * ```
 */
export function perPromptCvFigures(s: CvState, pp: PerPromptScale): PerPromptCvFigures {
  const { cv } = s;
  const essays = s.inputs.data.train;
  const seed = s.config.seed;
  const rowsOf = (keep: (fold: number) => boolean) =>
    essays.flatMap((_, i) => (cv.oofFold[i] >= 0 && keep(cv.oofFold[i]) ? [i] : []));
  const evaluate = (rows: readonly number[]) =>
    perPromptEvaluationOf(
      rows.map((i) => essays[i]),
      rows.map((i) => cv.oofPredictions[i]),
      pp,
      seed,
    );
  const folds = cv.folds.map((f) => ({
    fold: f.fold,
    nTrain: f.nTrain,
    nVal: f.nVal,
    headline: evaluate(rowsOf((k) => k === f.fold)).meanPerPromptQwkFisherZ,
    fitSeconds: f.fitSeconds,
  }));
  return {
    oof: evaluate(rowsOf(() => true)),
    folds,
    foldMeanStd: meanStd(folds.flatMap((f) => (f.headline === null ? [] : [f.headline]))),
  };
}

function oofCsv(s: CvState, pp: PerPromptScale): string {
  const { cv } = s;
  const rows = s.inputs.data.train.map((e, i) => [
    e.id,
    e.prompt,
    cv.oofFold[i],
    ...promptScaleCells(pp, e, cv.oofPredictions[i]),
    "",
    e.overall,
    Number.isNaN(cv.oofPredictions[i]) ? "" : cv.oofPredictions[i],
  ]);
  return stringify(rows, {
    header: true,
    columns: [
      "id",
      "prompt",
      "fold",
      "overall_true",
      "prediction_raw",
      "prediction_rounded",
      "prediction_cutpoints",
      "grid_true",
      "grid_prediction_raw",
    ],
  });
}

function metricsJson(s: CvState, pp: PerPromptScale, fig: PerPromptCvFigures) {
  const { config, step, cv } = s;
  return {
    ...modelRunJsonHeader(config, learnerParams(config)),
    scheme: config.scheme,
    splits_path: config.splitsPath,
    text_stacking: step.textStacking,
    embedding_stacking: usesEmbeddingStacking(config, step),
    n_essays: s.inputs.X.nRows,
    n_features: cv.featureNames.length,
    feature_names: cv.featureNames,
    per_prompt_scale: { ...pp.spec, grid_size: pp.gridSize },
    headline: PER_PROMPT_HEADLINE,
    out_of_fold: perPromptEvaluationJson(fig.oof),
    per_fold: fig.folds.map((f) => ({
      fold: f.fold,
      n_train: f.nTrain,
      n_val: f.nVal,
      mean_per_prompt_qwk_fisher_z: f.headline,
      fit_seconds: f.fitSeconds,
    })),
    per_fold_mean_std: fig.foldMeanStd,
    pooled_grid_metrics: `withheld: ${POOLED_WITHHELD_REASON}`,
    cutpoints: `disabled: ${CUTPOINTS_DISABLED_REASON}`,
    feature_audit: auditResultJson(config, s.inputs.audit),
    sample_weighting: config.sampleWeighting === "none"
      ? "none"
      : { mode: config.sampleWeighting, cap: config.sampleWeightCap },
  };
}

/** Where per-prompt `cv` wrote its outputs, and its figures. */
export interface PerPromptCvOutputs {
  readonly metricsPath: string;
  readonly oofPath: string;
  readonly reportPath: string;
  readonly figures: PerPromptCvFigures;
}

/**
 * Write `cv_metrics.json`, `cv_oof_predictions.csv` and `cv_report.md` on per-prompt scales.
 *
 * @example
 * ```ts
 * const { figures } = await writePerPromptCvOutputs(run, state, pp);
 * ```
 */
export async function writePerPromptCvOutputs(
  run: RunContext,
  s: CvState,
  pp: PerPromptScale,
): Promise<PerPromptCvOutputs> {
  const { config, step, cv, inputs } = s;
  const figures = perPromptCvFigures(s, pp);
  const ctx = reportContext(
    run,
    config,
    step,
    "Cross-validation report",
    cv.featureNames.length,
    inputs.X.nRows,
  );
  const metricsPath = run.artifactPath("cv_metrics.json");
  const oofPath = run.artifactPath("cv_oof_predictions.csv");
  const reportPath = run.reportPath("cv_report.md");
  await writeJsonAtomic(metricsPath, metricsJson(s, pp, figures));
  await writeFileAtomic(oofPath, oofCsv(s, pp));
  await writeFileAtomic(
    reportPath,
    perPromptCvReportMarkdown(ctx, pp, figures.oof, figures.folds, figures.foldMeanStd) + "\n" +
      auditMarkdown(inputs.audit, "cv_feature_store", droppedByAudit(config, inputs.audit)),
  );
  run.log.info(`${PER_PROMPT_HEADLINE}, out-of-fold: ${headlineText(figures.oof)}`);
  run.log.info(`report: ${reportPath}`);
  return { metricsPath, oofPath, reportPath, figures };
}

/**
 * The per-prompt `cv` experiment-log entry (the headline out of fold and over folds).
 *
 * @example
 * ```ts
 * await logPerPromptCvRun(run, state, figures, reportPath);
 * ```
 */
export async function logPerPromptCvRun(
  run: RunContext,
  s: CvState,
  fig: PerPromptCvFigures,
  reportPath: string,
): Promise<void> {
  const { config, step } = s;
  const ms = fig.foldMeanStd;
  await recordRunInExperimentLog(run, config, {
    splitsPath: config.splitsPath,
    scheme: config.scheme,
    featureSet: config.featureSet,
    results: [
      { label: `${PER_PROMPT_HEADLINE}, out-of-fold`, value: headlineText(fig.oof) },
      {
        label: `${PER_PROMPT_HEADLINE} (CV mean±std over folds)`,
        value: ms ? `${ms.mean.toFixed(4)} ± ${ms.std.toFixed(4)}` : "n/a",
      },
    ],
    notes: [
      `model: ${config.model} ${JSON.stringify(learnerParams(config))}, text stacking ` +
      `${step.textStacking ? "on" : "off"}`,
      POOLED_WITHHELD_REASON,
      CUTPOINTS_DISABLED_REASON,
      `CV report: \`${reportPath}\``,
      `feature store: \`${run.dir}/cv_feature_store\``,
    ],
  });
}
