/**
 * Runbook step 3, `cv`: K-fold cross-validation of one learner on one feature set over the folds
 * of a `splits.json` scheme.
 *
 * Features come through the configured backend into `<run>/cv_feature_store/` (reusable by later
 * runs with `--reuse-cv-feature-store-dir`; a store whose schema or extractor fingerprint differs
 * is refused). Per fold the learner is fitted on the fold's training rows only (text stacking,
 * early stopping and cut-points all inside them) and scored on the held-out rows. Writes
 * `artifacts/cv_metrics.json`, `artifacts/cv_oof_predictions.csv`, `reports/cv_report.md`, and
 * appends the QWK mean ± std to the experiment log. With `--evaluate-test`, it then fits on the
 * whole filtered train set and scores the official test set (`cv_test_evaluation.ts`).
 *
 * @module
 */
import { auditMarkdown } from "../features/feature_audit.ts";
import { auditResultJson, droppedByAudit } from "./feature_audit_step.ts";
import { normalisedTextHash } from "../dataset/text_hash.ts";
import { stringify } from "csv-stringify/sync";
import { crossValidate, type CrossValidationResult } from "../model/cross_validation.ts";
import { cvReportMarkdown, fmtMeanStd, type ModelReportContext } from "../model/model_reports.ts";
import { roundToHalfPoint } from "../model/metrics.ts";
import type { StackedColumns } from "../model/training.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import { type CommandSpec, type FlagSpec, UsageError } from "../run/cli_flags.ts";
import type { ExperimentConfig } from "../run/config.ts";
import { configFromInvocation } from "../run/config_loading.ts";
import { resolveResume, RESUME_FLAG, type ResumeTarget } from "../run/resume.ts";
import { type RunContext, withRun } from "../run/run_context.ts";
import { existingInputs, modelRunJsonHeader, recordRunInExperimentLog } from "./common.ts";
import { oofPart, partEvidence, writeResidualOutputs } from "./evidence_outputs.ts";
import { lofoSectionMarkdown, tailSectionMarkdown } from "../model/evidence_reports.ts";
import {
  evaluateOnTest,
  type TestEvaluation,
  testEvaluationJson,
  testEvaluationMarkdown,
} from "./cv_test_evaluation.ts";
import {
  CV_FLAGS,
  cvTrainingInputs,
  cvWorkersFor,
  learnerParams,
  type StepModelOptions,
  stepModelOptions,
  trainingOptionsFor,
  usesEmbeddingStacking,
} from "./model_inputs.ts";

/** What `cv` produced. */
export interface CvStepResult {
  readonly runDir: string;
  readonly metricsPath: string;
  readonly reportPath: string;
  readonly oofPath: string;
  readonly featureStoreDir: string;
  readonly cv: CrossValidationResult;
  /** Full train → test figures (`--evaluate-test` only). */
  readonly test?: TestEvaluation;
}

/** What `cv` adds to the shared CV flags. */
export const CV_TEST_FLAGS: readonly FlagSpec[] = [
  {
    name: "evaluate-test",
    type: "boolean",
    configKey: null,
    description: "after the folds, fit on the whole filtered train set and score the official " +
      "test set (the reference protocol's train → test figure)",
  },
  {
    name: "reuse-test-feature-store-dir",
    type: "string",
    configKey: null,
    description: "with --evaluate-test: reuse the feature_store_test/ of an earlier run",
  },
];

/** Options of {@link runCv} besides the config. */
export interface CvRunOptions {
  argv?: readonly string[];
  echo?: boolean;
  step?: StepModelOptions;
  /** Fit on the whole train set and score the test set after the folds. */
  evaluateTest?: boolean;
  /** A store holding the test essays' features (else extracted into the run). */
  reuseTestStoreDir?: string;
  /** Continue this interrupted run directory (`--resume`; checked by `resolveResume`). */
  resume?: ResumeTarget;
  /** Stacked columns per fold shared between runs on the same folds (sweep, ablation). */
  stackingCache?: Map<number, StackedColumns>;
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
  };
}

/**
 * Run `cv` with a resolved config.
 *
 * @example
 * ```ts
 * const r = await runCv(resolveExperimentConfig(undefined, { splitsPath, runName: "cv" }));
 * r.cv.summary.qwk.mean;
 * ```
 */
export async function runCv(
  config: ExperimentConfig,
  options: CvRunOptions = {},
): Promise<CvStepResult> {
  const step = options.step ?? { textStacking: true, cutpointInnerFolds: 3 };
  const { result } = await withRun(
    {
      command: "cv",
      config,
      argv: options.argv,
      inputPaths: await existingInputs(config),
      echo: options.echo,
      resume: options.resume,
    },
    async (run) => {
      const inputs = await cvTrainingInputs(run, config, step);
      const { data, applied, X, names, embeddingColumns, audit } = inputs;
      config = inputs.config; // with the audit's exclusions when --drop-degenerate-features
      const y = data.train.map((e) => e.overall);
      const texts = data.train.map((e) => e.text);
      const groups = texts.map(normalisedTextHash);
      const folds = applied.folds(config.scheme);
      run.log.info(
        `cv: ${config.model} on ${X.nRows} essays x ${X.nCols} features (${config.featureSet}), ` +
          `${folds.length} folds (${config.scheme})`,
      );
      const cv = await run.stage("cross_validate", () =>
        crossValidate({
          X,
          y,
          texts,
          groups,
          folds,
          options: trainingOptionsFor(config, step, names, embeddingColumns),
          workers: cvWorkersFor(step),
          cutpointMode: config.optimiseCutpoints ? config.cutpointMode : null,
          stackingCache: options.stackingCache,
          onFold: (o, done, total) =>
            run.log.info(
              `fold ${o.fold} (${done}/${total}): QWK ${o.metrics.qwk.toFixed(4)}` +
                (o.cutpointMetrics ? `, with cut-points ${o.cutpointMetrics.qwk.toFixed(4)}` : "") +
                `, MAE ${o.metrics.mae.toFixed(4)}, fit ${o.fitSeconds.toFixed(1)} s`,
            ),
        }));
      const ctx = reportContext(
        run,
        config,
        step,
        "Cross-validation report",
        cv.featureNames.length,
        X.nRows,
      );
      const oof = oofPart(data.train, X, names, cv);
      const evidence = partEvidence(oof);
      const test = options.evaluateTest
        ? await evaluateOnTest(
          run,
          config,
          step,
          data,
          { X, names, embeddingColumns },
          options.reuseTestStoreDir,
        )
        : undefined;
      const metricsPath = run.artifactPath("cv_metrics.json");
      const oofPath = run.artifactPath("cv_oof_predictions.csv");
      const reportPath = run.reportPath("cv_report.md");
      await run.stage("write_outputs", async () => {
        await writeJsonAtomic(metricsPath, {
          ...modelRunJsonHeader(config, learnerParams(config)),
          scheme: config.scheme,
          splits_path: config.splitsPath,
          text_stacking: step.textStacking,
          embedding_stacking: usesEmbeddingStacking(config, step),
          cutpoint_inner_folds: ctx.cutpointInnerFolds,
          n_essays: X.nRows,
          n_features: cv.featureNames.length,
          feature_names: cv.featureNames,
          summary: cv.summary,
          folds: cv.folds,
          evidence,
          cutpoint_mode: cv.cutpointMode,
          feature_audit: auditResultJson(config, audit),
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
        });
        const rows = data.train.map((e, i) => [
          e.id,
          e.prompt,
          cv.oofFold[i],
          e.overall,
          cv.oofPredictions[i],
          Number.isNaN(cv.oofPredictions[i]) ? "" : roundToHalfPoint(cv.oofPredictions[i]),
          cv.oofCutpointPredictions ? cv.oofCutpointPredictions[i] : "",
        ]);
        await writeFileAtomic(
          oofPath,
          stringify(rows, {
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
          }),
        );
        await writeFileAtomic(
          reportPath,
          cvReportMarkdown(ctx, cv) + (test ? "\n" + testEvaluationMarkdown(test) : "") + "\n" +
            lofoSectionMarkdown(cv) + tailSectionMarkdown([
              { label: "out-of-fold, rounded", evidence: evidence.rounded },
              ...(evidence.cutpoints
                ? [{ label: "out-of-fold, cut-points", evidence: evidence.cutpoints }]
                : []),
            ]) + `\nResidual diagnostics: \`${run.reportPath("residual_diagnostics.md")}\`.\n\n` +
            auditMarkdown(audit, "cv_feature_store", droppedByAudit(config, audit)),
        );
        run.log.info(`report: ${reportPath}`);
      });
      await run.stage(
        "residual_diagnostics",
        () => writeResidualOutputs(run, [oof], "Residual diagnostics (cv, out-of-fold)"),
      );
      const s = cv.summary;
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
      return {
        runDir: run.dir,
        metricsPath,
        reportPath,
        oofPath,
        featureStoreDir: `${run.dir}/cv_feature_store`,
        cv,
        test,
      };
    },
  );
  return result;
}

/** `cv`'s flags plus `--resume <run-dir>`. */
const CV_FLAGS_WITH_RESUME: readonly FlagSpec[] = [...CV_FLAGS, ...CV_TEST_FLAGS, RESUME_FLAG];

/** The `cv` CLI command. */
export const cvCommand: CommandSpec = {
  name: "cv",
  summary: "Cross-validate a learner on a feature set over a splits.json scheme (QWK mean±std, " +
    "per-fold report, out-of-fold predictions, reusable feature store).",
  flags: CV_FLAGS_WITH_RESUME,
  async run(invocation) {
    const resumed = await resolveResume(
      invocation,
      "cv",
      CV_FLAGS_WITH_RESUME,
      configFromInvocation,
      existingInputs,
    );
    const values = resumed?.values ?? invocation.values;
    const config = resumed?.config ??
      await configFromInvocation(invocation, [...CV_FLAGS, ...CV_TEST_FLAGS]);
    const reuseTest = values["reuse-test-feature-store-dir"] as string | undefined;
    const evaluateTest = values["evaluate-test"] === true;
    if (reuseTest !== undefined && !evaluateTest) {
      throw new UsageError("--reuse-test-feature-store-dir needs --evaluate-test");
    }
    const r = await runCv(config, {
      argv: invocation.argv,
      step: stepModelOptions(values),
      resume: resumed?.target,
      evaluateTest,
      reuseTestStoreDir: reuseTest,
    });
    console.log(`run directory: ${r.runDir}`);
    console.log(`report: ${r.reportPath}`);
    console.log(`QWK (CV mean±std): ${fmtMeanStd(r.cv.summary.qwk)}`);
    if (r.cv.summary.qwkCutpoints) {
      console.log(`QWK with cut-points: ${fmtMeanStd(r.cv.summary.qwkCutpoints)}`);
    }
    if (r.test) {
      console.log(
        `QWK full train → test: ${r.test.rounded.qwk.toFixed(4)}` +
          (r.test.cutpointMetrics ? ` (cut-points ${r.test.cutpointMetrics.qwk.toFixed(4)})` : ""),
      );
    }
    return 0;
  },
};
