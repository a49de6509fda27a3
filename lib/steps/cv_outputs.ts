/**
 * What `cv` writes once its folds are done: `artifacts/cv_metrics.json`,
 * `artifacts/cv_oof_predictions.csv`, `reports/cv_report.md` and the experiment-log entry, over
 * the typed state of a finished cross-validation; and the report header every model step shares
 * ({@link reportContext}).
 *
 * @module
 */
import { scaleOfConfig } from "../dataset/load_dataset.ts";
import { scoreOutputValue } from "../dataset/score_scale.ts";
import { auditMarkdown } from "../features/feature_audit.ts";
import { auditResultJson, droppedByAudit } from "./feature_audit_step.ts";
import { stringify } from "csv-stringify/sync";
import type { CrossValidationResult } from "../model/validation/cross_validation.ts";
import { lofoSectionMarkdown, tailSectionMarkdown } from "../report/evidence_reports.ts";
import { roundToHalfPoint } from "../model/evaluation/metrics.ts";
import { cvReportMarkdown, fmtMeanStd, type ModelReportContext } from "../report/model_reports.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import type { ExperimentConfig } from "../run/config.ts";
import type { RunContext } from "../run/run_context.ts";
import { checkerModeOf } from "../offload/backend.ts";
import { languageToolCode } from "../offload/languagetool_language.ts";
import { modelRunJsonHeader, recordRunInExperimentLog } from "./common.ts";
import {
  oofPart,
  partEvidence,
  partPromptTableMarkdown,
  type PredictedPart,
} from "./evidence_outputs.ts";
import {
  type TestEvaluation,
  testEvaluationJson,
  testEvaluationMarkdown,
} from "./cv_test_evaluation.ts";
import {
  type cvTrainingInputs,
  learnerParams,
  type StepModelOptions,
  usesEmbeddingStacking,
} from "./model_inputs.ts";

/** What `cv` trains on (data, bound splits, features, model matrix). */
export type CvInputs = Awaited<ReturnType<typeof cvTrainingInputs>>;

/** A finished cross-validation and what it ran with. */
export interface CvState {
  readonly config: ExperimentConfig;
  readonly step: StepModelOptions;
  readonly inputs: CvInputs;
  readonly cv: CrossValidationResult;
  readonly test?: TestEvaluation;
}

/**
 * The Tier 1 checker and language of a config, for report headers (undefined without handcrafted
 * features). `auto` is resolved at extraction (`offload_metrics.json`, `checker`), except for a
 * non-English dataset, whose config holds what it resolved to.
 *
 * @example
 * ```ts
 * checkerDescription(config); // "`languagetool`, language `sv`"
 * ```
 */
export function checkerDescription(config: ExperimentConfig): string | undefined {
  if (config.featureSet === "embeddings") return undefined;
  const language = languageToolCode(config.dataset?.language ?? "en");
  if (config.backend === "hemma") return `the offload server's (in its own language)`;
  const mode = checkerModeOf(config);
  const english = language.startsWith("en");
  return `\`${mode}\`, language \`${language}\`` + (
    mode === "auto"
      ? " (what it resolved to: `offload_metrics.json`, `checker`)"
      : mode === "local" && !english
      ? " (English-only: not run, error counts left out)"
      : ""
  );
}

/** Report header context of a model step. */
export function reportContext(
  run: RunContext,
  config: ExperimentConfig,
  step: StepModelOptions,
  title: string,
  nFeatures: number,
  nEssays: number,
  withScheme = true,
): ModelReportContext {
  return {
    title,
    runDir: run.dir,
    command: run.manifest.command_line,
    datasetKind: config.datasetKind,
    featureSet: config.featureSet,
    checker: checkerDescription(config),
    scheme: withScheme ? config.scheme : undefined,
    splitsPath: config.splitsPath,
    model: config.model,
    params: learnerParams(config),
    seed: config.seed,
    textStacking: step.textStacking,
    embeddingStacking: usesEmbeddingStacking(config, step),
    cutpointInnerFolds: config.optimiseCutpoints
      ? (config.cutpointMode === "lofo" ? config.nSplits : step.cutpointInnerFolds)
      : 0,
    cutpointMode: config.cutpointMode,
    sampleWeighting: config.sampleWeighting === "none"
      ? "none"
      : `${config.sampleWeighting} (cap ${config.sampleWeightCap})`,
    nFeatures,
    nEssays,
    pipeline: config.pipeline,
    scale: scaleOfConfig(config),
    datasetName: config.dataset?.name,
    allowGenreMix: config.allowGenreMix,
  };
}

function cvMetricsJson(
  s: CvState,
  ctx: ModelReportContext,
  evidence: ReturnType<typeof partEvidence>,
) {
  const { config, step, cv, test } = s;
  return {
    ...modelRunJsonHeader(config, learnerParams(config)),
    scheme: config.scheme,
    splits_path: config.splitsPath,
    text_stacking: step.textStacking,
    embedding_stacking: usesEmbeddingStacking(config, step),
    cutpoint_inner_folds: ctx.cutpointInnerFolds,
    n_essays: s.inputs.X.nRows,
    n_features: cv.featureNames.length,
    feature_names: cv.featureNames,
    summary: cv.summary,
    folds: cv.folds,
    evidence,
    cutpoint_mode: cv.cutpointMode,
    feature_audit: auditResultJson(config, s.inputs.audit),
    sample_weighting: config.sampleWeighting === "none"
      ? "none"
      : { mode: config.sampleWeighting, cap: config.sampleWeightCap },
    lofo_cutpoints: cv.lofo
      ? {
        qwk: cv.lofo.qwk,
        per_fold_qwk: cv.lofo.perFoldQwk,
        per_fold: cv.lofo.perFold,
        nested: true,
      }
      : null,
    ...(test ? { test: testEvaluationJson(test) } : {}),
  };
}

function oofCsv(s: CvState): string {
  const { cv } = s;
  const scale = scaleOfConfig(s.config);
  const out = (v: number) => Number.isNaN(v) ? "" : scoreOutputValue(scale, v);
  const rows = s.inputs.data.train.map((e, i) => [
    e.id,
    e.prompt,
    cv.oofFold[i],
    out(e.overall),
    cv.oofPredictions[i],
    Number.isNaN(cv.oofPredictions[i]) ? "" : out(roundToHalfPoint(cv.oofPredictions[i], scale)),
    cv.oofCutpointPredictions ? out(cv.oofCutpointPredictions[i]) : "",
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
    ],
  });
}

/** Where `cv` wrote its outputs, and the out-of-fold part the residual stage reads. */
export interface CvOutputs {
  readonly metricsPath: string;
  readonly oofPath: string;
  readonly reportPath: string;
  readonly oof: PredictedPart;
}

/**
 * Write `cv_metrics.json`, `cv_oof_predictions.csv` and `cv_report.md`.
 *
 * @example
 * ```ts
 * const { reportPath } = await writeCvOutputs(run, state);
 * ```
 */
export async function writeCvOutputs(run: RunContext, s: CvState): Promise<CvOutputs> {
  const { config, step, cv, test, inputs } = s;
  const ctx = reportContext(
    run,
    config,
    step,
    "Cross-validation report",
    cv.featureNames.length,
    inputs.X.nRows,
  );
  const oof = {
    ...oofPart(inputs.data.train, inputs.X, inputs.names, cv, scaleOfConfig(config)),
    language: config.dataset?.language,
  };
  const evidence = partEvidence(oof);
  const metricsPath = run.artifactPath("cv_metrics.json");
  const oofPath = run.artifactPath("cv_oof_predictions.csv");
  const reportPath = run.reportPath("cv_report.md");
  await writeJsonAtomic(metricsPath, cvMetricsJson(s, ctx, evidence));
  await writeFileAtomic(oofPath, oofCsv(s));
  await writeFileAtomic(
    reportPath,
    cvReportMarkdown(ctx, cv) +
      (test ? "\n" + testEvaluationMarkdown(test, scaleOfConfig(config)) : "") + "\n" +
      lofoSectionMarkdown(cv) + tailSectionMarkdown([
        { label: "out-of-fold, rounded", evidence: evidence.rounded },
        ...(evidence.cutpoints
          ? [{ label: "out-of-fold, cut-points", evidence: evidence.cutpoints }]
          : []),
      ], scaleOfConfig(config)) + "\n" +
      partPromptTableMarkdown(oof, "Per prompt (out-of-fold, rounded)", config.seed) +
      `\nResidual diagnostics: \`${run.reportPath("residual_diagnostics.md")}\`.\n\n` +
      auditMarkdown(inputs.audit, "cv_feature_store", droppedByAudit(config, inputs.audit)),
  );
  run.log.info(`report: ${reportPath}`);
  return { metricsPath, oofPath, reportPath, oof };
}

/**
 * The `cv` experiment-log entry (QWK mean ± std, and the test figures with `--evaluate-test`).
 *
 * @example
 * ```ts
 * await logCvRun(run, state, reportPath);
 * ```
 */
export async function logCvRun(run: RunContext, st: CvState, reportPath: string): Promise<void> {
  const { config, step, test } = st;
  const s = st.cv.summary;
  await recordRunInExperimentLog(run, config, {
    splitsPath: config.splitsPath,
    scheme: config.scheme,
    featureSet: config.featureSet,
    results: [
      { label: "QWK (CV mean±std)", value: fmtMeanStd(s.qwk) },
      ...(s.qwkCutpoints
        ? [{ label: "QWK with cut-points (CV mean±std)", value: fmtMeanStd(s.qwkCutpoints) }]
        : []),
      { label: "MAE (CV mean±std)", value: fmtMeanStd(s.mae) },
      ...(test
        ? [
          { label: "QWK full train → test", value: test.rounded.qwk.toFixed(4) },
          ...(test.cutpointMetrics
            ? [{
              label: "QWK full train → test with cut-points",
              value: test.cutpointMetrics.qwk.toFixed(4),
            }]
            : []),
        ]
        : []),
    ],
    notes: [
      `model: ${config.model} ${JSON.stringify(learnerParams(config))}, text stacking ` +
      `${step.textStacking ? "on" : "off"}`,
      `CV report: \`${reportPath}\``,
      `feature store: \`${run.dir}/cv_feature_store\``,
    ],
  });
}
