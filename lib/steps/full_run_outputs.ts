/**
 * What `run` writes once its pipeline is fitted: `artifacts/model.json` and
 * `artifacts/predictions.csv` and `artifacts/run_metrics.json`, the grade-scale reports, the run
 * report and the experiment-log entry — each a stage of `runFullRun` (`full_run.ts`), over the
 * typed state defined here.
 *
 * @module
 */
import { scaleOfConfig } from "../dataset/load_dataset.ts";
import { promptTable, promptTableMarkdown } from "../model/evaluation/prompt_table.ts";
import { auditMarkdown, type FeatureAudit } from "../features/feature_audit.ts";
import { auditResultJson, droppedByAudit } from "./feature_audit_step.ts";
import { stringify } from "csv-stringify/sync";
import type { Essay } from "../dataset/essay.ts";
import { tailSectionMarkdown } from "../report/evidence_reports.ts";
import { gradeScaleReport } from "../model/evaluation/grade_scale.ts";
import type { DenseMatrix } from "../model/learners/matrix.ts";
import {
  gradeScaleReportMarkdown,
  runReportMarkdown,
  type RunSplitMetrics,
  type ShapSummary,
} from "../report/model_reports.ts";
import type { PipelineFit, PipelinePrediction } from "../model/pipeline/scoring_pipeline.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import type { ExperimentConfig } from "../run/config.ts";
import type { RunContext } from "../run/run_context.ts";
import { saveRunModelBundle } from "./model_bundle.ts";
import { writeRunShap } from "./run_shap.ts";
import {
  modelRunJsonHeader,
  PREDICTION_CSV_COLUMNS,
  predictionCsvRows,
  recordRunInExperimentLog,
} from "./common.ts";
import { reportContext } from "./cv_outputs.ts";
import type { partEvidence } from "./evidence_outputs.ts";
import {
  learnerParams,
  type StepModelOptions,
  usesEmbeddingStacking,
  wordCounts,
} from "./model_inputs.ts";

/** One part of the run's data: essays, input matrix, labels. */
export interface RunPart {
  readonly split: "train" | "val" | "test";
  readonly essays: readonly Essay[];
  readonly X: DenseMatrix;
  readonly y: readonly number[];
}

/** The run's data after the split and the features. */
export interface RunData {
  /** The config as fitted (with the audit's exclusions under --drop-degenerate-features). */
  readonly config: ExperimentConfig;
  /** The degenerate-feature audit of the training store. */
  readonly audit: FeatureAudit;
  readonly step: StepModelOptions;
  readonly names: readonly string[];
  readonly embeddingColumns: readonly number[];
  readonly nEssays: number;
  readonly train: RunPart;
  readonly val: RunPart;
  readonly test: RunPart;
}

/** The fitted pipeline and its predictions of val and test. */
export interface RunModel {
  readonly fit: PipelineFit;
  readonly val: PipelinePrediction;
  readonly test: PipelinePrediction;
}

/** Per-part evidence (tails, slices) of val and test. */
export type RunEvidence = ReturnType<typeof partEvidence>;

/**
 * Write `model.json` (learner JSON, feature names, cut-points, blend).
 *
 * @example
 * ```ts
 * await writeModelJson(run, data, model);
 * ```
 */
export async function writeModelJson(run: RunContext, d: RunData, m: RunModel): Promise<void> {
  const { pipeline } = m.fit;
  await writeJsonAtomic(run.artifactPath("model.json"), {
    schema_version: 1,
    feature_names: pipeline.modelFeatureNames,
    feature_set: d.config.featureSet,
    text_stacking: d.step.textStacking,
    cutpoints: pipeline.cutpoints,
    blend: pipeline.blend,
    model: pipeline.learner.toJSON(),
  });
}

/**
 * Write `model.json`, `predictions.csv` (train in-sample, val, test) and `run_metrics.json`.
 *
 * @example
 * ```ts
 * await writeModelAndPredictions(run, data, model, metrics, evidence);
 * ```
 */
export async function writeModelAndPredictions(
  run: RunContext,
  d: RunData,
  m: RunModel,
  metrics: readonly RunSplitMetrics[],
  evidence: readonly RunEvidence[],
): Promise<void> {
  const { config, step } = d;
  const { pipeline } = m.fit;
  await writeModelJson(run, d, m);
  const part = (p: RunPart, raw: Float64Array, c?: Float64Array | null) =>
    predictionCsvRows(p.essays, raw, c ?? undefined, scaleOfConfig(config)).map((row) => [
      p.split,
      ...row,
    ]);
  const rows = [
    ...part(d.train, m.fit.trainPredictions),
    ...part(d.val, m.val.raw, m.val.cutpoints),
    ...part(d.test, m.test.raw, m.test.cutpoints),
  ];
  await writeFileAtomic(
    run.artifactPath("predictions.csv"),
    stringify(rows, { header: true, columns: ["split", ...PREDICTION_CSV_COLUMNS] }),
  );
  await writeJsonAtomic(run.artifactPath("run_metrics.json"), {
    ...modelRunJsonHeader(config, learnerParams(config)),
    text_stacking: step.textStacking,
    embedding_stacking: usesEmbeddingStacking(config, step),
    cutpoints: pipeline.cutpoints,
    feature_audit: auditResultJson(config, d.audit),
    n: { train: d.train.X.nRows, val: d.val.X.nRows, test: d.test.X.nRows },
    metrics,
    evidence,
    fit_seconds: m.fit.fitSeconds,
  });
}

/**
 * The grade-scale report of val and test (`reports/grade_scale_report.{json,md}`).
 *
 * @example
 * ```ts
 * await writeGradeScaleReports(run, data, model);
 * ```
 */
export async function writeGradeScaleReports(
  run: RunContext,
  d: RunData,
  m: RunModel,
): Promise<void> {
  const reports = ([[d.val, m.val], [d.test, m.test]] as const).map(([part, p]) => ({
    split: part.split,
    report: gradeScaleReport({
      yTrue: part.y,
      yPred: p.raw,
      wordCounts: wordCounts(part.essays, d.config.dataset?.language),
      prompts: part.essays.map((e) => e.prompt),
      scale: scaleOfConfig(d.config),
    }),
  }));
  await writeJsonAtomic(run.reportPath("grade_scale_report.json"), reports);
  await writeFileAtomic(
    run.reportPath("grade_scale_report.md"),
    reports.map((r) =>
      gradeScaleReportMarkdown(r.split, r.report, d.config.datasetKind, scaleOfConfig(d.config))
    )
      .join("\n\n"),
  );
}

function blendNote(m: RunModel): string[] {
  const blend = m.fit.pipeline.blend;
  if (!blend) return [];
  return [
    `predictions = blend of ${
      blend.members.map((name, j) => `${blend.coef[j].toFixed(3)} · \`${name}\``).join(" + ")
    } + ${blend.intercept.toFixed(3)}, then × ${blend.spread.b.toFixed(3)} + ` +
    `${blend.spread.a.toFixed(3)} (fitted on inner out-of-fold values of the training part); ` +
    "SHAP explains this final score (`shap_*.json`), the learner alone is explained in " +
    "`learner_shap_*.json`",
  ];
}

/**
 * Write `reports/run_report.md`; returns its path.
 *
 * @example
 * ```ts
 * const path = await writeRunReport(run, data, model, metrics, shap, evidence);
 * ```
 */
export async function writeRunReport(
  run: RunContext,
  d: RunData,
  m: RunModel,
  metrics: readonly RunSplitMetrics[],
  shap: ShapSummary | null,
  evidence: readonly RunEvidence[],
): Promise<string> {
  const { config, step } = d;
  const { pipeline } = m.fit;
  const reportPath = run.reportPath("run_report.md");
  const ctx = reportContext(
    run,
    config,
    step,
    "Full run report",
    pipeline.modelFeatureNames.length,
    d.nEssays,
    false,
  );
  const notes = [
    `train/val split: ${
      config.splitsPath ? `run_split of \`${config.splitsPath}\`` : "computed with the seed"
    }`,
    `model: \`${run.artifactPath("model.json")}\`; bundle for \`score\`: ` +
    `\`${run.artifactPath("model")}/\`; predictions: \`${run.artifactPath("predictions.csv")}\``,
    config.skipGradeScaleReport
      ? "grade-scale report skipped (`--skip-grade-scale-report`)"
      : `grade-scale report: \`${run.reportPath("grade_scale_report.md")}\``,
    `residual diagnostics: \`${run.reportPath("residual_diagnostics.md")}\``,
    ...blendNote(m),
  ];
  await writeFileAtomic(
    reportPath,
    runReportMarkdown(ctx, metrics, shap, pipeline.cutpoints, notes) + "\n" +
      tailSectionMarkdown(
        evidence.flatMap((e) => [
          { label: `${e.split}, rounded`, evidence: e.rounded },
          ...(e.cutpoints ? [{ label: `${e.split}, cut-points`, evidence: e.cutpoints }] : []),
        ]),
        scaleOfConfig(config),
      ) + "\n" +
      ([[d.val, m.val], [d.test, m.test]] as const).map(([part, p]) =>
        promptTableMarkdown(
          `Per prompt (${part.split}, rounded)`,
          promptTable(part.y, p.raw, part.essays.map((e) => e.prompt), {
            seed: config.seed,
            scale: scaleOfConfig(config),
          }),
        )
      ).join("\n") + "\n" +
      auditMarkdown(d.audit, "feature_store_train", droppedByAudit(d.config, d.audit)),
  );
  run.log.info(`report: ${reportPath}`);
  return reportPath;
}

/**
 * The run's experiment-log entry (train/val/test QWK).
 *
 * @example
 * ```ts
 * await writeRunLogEntry(run, data, metrics, shap, reportPath);
 * ```
 */
export async function writeRunLogEntry(
  run: RunContext,
  d: RunData,
  metrics: readonly RunSplitMetrics[],
  shap: ShapSummary | null,
  reportPath: string,
): Promise<void> {
  const { config, step } = d;
  const q = (s: string) => metrics.find((m) => m.split === s)!;
  const cut = q("test").cutpoints;
  await recordRunInExperimentLog(run, config, {
    splitsPath: config.splitsPath,
    featureSet: config.featureSet,
    results: [
      { label: "QWK train", value: q("train").rounded.qwk.toFixed(5) },
      { label: "QWK val", value: q("val").rounded.qwk.toFixed(5) },
      { label: "QWK test", value: q("test").rounded.qwk.toFixed(5) },
      ...(cut
        ? [{
          label: "QWK val/test with cut-points",
          value: `${q("val").cutpoints!.qwk.toFixed(5)} / ${cut.qwk.toFixed(5)}`,
        }]
        : []),
    ],
    notes: [
      `model: ${config.model} ${JSON.stringify(learnerParams(config))}, text stacking ` +
      `${step.textStacking ? "on" : "off"}`,
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
 * Save the run's model bundle (the pipeline fitted on the train part) and, unless
 * `config.skipShap`, write the SHAP of the val and test predictions; the SHAP summary, or null
 * when skipped. Shared by the single-scale and the per-prompt `run`.
 *
 * @example
 * ```ts
 * const shap = await saveBundleAndShap(run, config, data, model);
 * ```
 */
export async function saveBundleAndShap(
  run: RunContext,
  config: ExperimentConfig,
  d: RunData,
  m: RunModel,
): Promise<ShapSummary | null> {
  await run.stage("save_model_bundle", () =>
    saveRunModelBundle(run, {
      config,
      step: d.step,
      pipeline: m.fit.pipeline,
      trainX: d.train.X,
      trainEssays: d.train.essays,
    }));
  if (config.skipShap) return null;
  return await run.stage("shap", () =>
    writeRunShap(run, m.fit.pipeline, [
      { split: "val", essays: d.val.essays, prediction: m.val },
      { split: "test", essays: d.test.essays, prediction: m.test },
    ]));
}
