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
 * Stages: `load_and_filter`, `load_splits`, `features_cv_feature_store`, `cross_validate`
 * (a `ScoringPipeline` per fold), [`--evaluate-test`: `fit_full_train`, `score_test`],
 * `write_outputs` (`cv_outputs.ts`), `residual_diagnostics`, then the experiment-log entry.
 *
 * @module
 */
import { normalisedTextHash } from "../dataset/text_hash.ts";
import { crossValidate, type CrossValidationResult } from "../model/validation/cross_validation.ts";
import { fmtMeanStd } from "../report/model_reports.ts";
import type { StackedColumns } from "../model/pipeline/scoring_pipeline.ts";
import { type CommandSpec, type FlagSpec, UsageError } from "../run/cli_flags.ts";
import type { ExperimentConfig } from "../run/config.ts";
import { configFromInvocation } from "./step_config.ts";
import { resolveResume, RESUME_FLAG, type ResumeTarget } from "../run/resume.ts";
import { type RunContext, withRun } from "../run/run_context.ts";
import { existingInputs } from "./common.ts";
import { perPromptScaleOfConfig } from "../dataset/load_dataset.ts";
import type { PerPromptScale } from "../dataset/per_prompt_scale.ts";
import { PER_PROMPT_HEADLINE } from "../report/per_prompt_reports.ts";
import { headlineText, perPromptFitConfig } from "./per_prompt_outputs.ts";
import {
  logPerPromptCvRun,
  type PerPromptCvFigures,
  writePerPromptCvOutputs,
} from "./per_prompt_cv_outputs.ts";
import { writeResidualOutputs } from "./evidence_outputs.ts";
import { evaluateOnTest, type TestEvaluation } from "./cv_test_evaluation.ts";
import { type CvInputs, type CvState, logCvRun, writeCvOutputs } from "./cv_outputs.ts";
import {
  CV_FLAGS,
  cvTrainingInputs,
  cvWorkersFor,
  DEFAULT_STEP_MODEL_OPTIONS,
  type StepModelOptions,
  stepModelOptions,
  trainingOptionsFor,
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
  /** Per-prompt scales: the per-prompt figures (the pooled `cv.summary` is on the grid). */
  readonly perPrompt?: PerPromptCvFigures;
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
  const step = options.step ?? DEFAULT_STEP_MODEL_OPTIONS;
  const pp = perPromptScaleOfConfig(config);
  if (pp && options.evaluateTest) {
    throw new UsageError(
      "--evaluate-test is not supported on per-prompt score scales yet; use `run` for the " +
        "official test set (its report has the per-prompt test evaluation)",
    );
  }
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
      config = inputs.config; // with the audit's exclusions when --drop-degenerate-features
      if (pp) config = perPromptFitConfig(run, config); // cut-points off, with the reason
      const cv = await crossValidateStage(run, config, step, inputs, options.stackingCache, !pp);
      if (pp) return await finishPerPromptCv(run, { config, step, inputs, cv }, pp);
      const test = options.evaluateTest
        ? await evaluateOnTest(run, config, step, inputs.data, inputs, options.reuseTestStoreDir)
        : undefined;
      const state: CvState = { config, step, inputs, cv, test };
      const paths = await run.stage("write_outputs", () => writeCvOutputs(run, state));
      await run.stage(
        "residual_diagnostics",
        () => writeResidualOutputs(run, [paths.oof], "Residual diagnostics (cv, out-of-fold)"),
      );
      await logCvRun(run, state, paths.reportPath);
      return {
        runDir: run.dir,
        metricsPath: paths.metricsPath,
        reportPath: paths.reportPath,
        oofPath: paths.oofPath,
        featureStoreDir: `${run.dir}/cv_feature_store`,
        cv,
        test,
      };
    },
  );
  return result;
}

async function crossValidateStage(
  run: RunContext,
  config: ExperimentConfig,
  step: StepModelOptions,
  inputs: CvInputs,
  stackingCache: Map<number, StackedColumns> | undefined,
  pooledFoldLog: boolean,
): Promise<CrossValidationResult> {
  const { data, applied, X, names, embeddingColumns } = inputs;
  const texts = data.train.map((e) => e.text);
  const folds = applied.folds(config.scheme);
  run.log.info(
    `cv: ${config.model} on ${X.nRows} essays x ${X.nCols} features (${config.featureSet}), ` +
      `${folds.length} folds (${config.scheme})`,
  );
  return await run.stage("cross_validate", () =>
    crossValidate({
      X,
      y: data.train.map((e) => e.overall),
      texts,
      groups: texts.map(normalisedTextHash),
      folds,
      options: trainingOptionsFor(config, step, names, embeddingColumns),
      workers: cvWorkersFor(step),
      cutpointMode: config.optimiseCutpoints ? config.cutpointMode : null,
      stackingCache,
      onFold: (o, done, total) =>
        pooledFoldLog
          ? run.log.info(
            `fold ${o.fold} (${done}/${total}): QWK ${o.metrics.qwk.toFixed(4)}` +
              (o.cutpointMetrics ? `, with cut-points ${o.cutpointMetrics.qwk.toFixed(4)}` : "") +
              `, MAE ${o.metrics.mae.toFixed(4)}, fit ${o.fitSeconds.toFixed(1)} s`,
          )
          : run.log.info(
            `fold ${o.fold} (${done}/${total}): fit ${o.fitSeconds.toFixed(1)} s (per-prompt ` +
              "scales: QWK per prompt after the folds)",
          ),
    }));
}

/** Per-prompt scales: write the per-prompt outputs and the log entry (no pooled residuals). */
async function finishPerPromptCv(
  run: RunContext,
  state: CvState,
  pp: PerPromptScale,
): Promise<CvStepResult> {
  const out = await run.stage("write_outputs", () => writePerPromptCvOutputs(run, state, pp));
  run.log.info(
    "residual diagnostics: per prompt in the cv report (mean residual on each prompt's scale); " +
      "the pooled residual report on the common grid is withheld",
  );
  await logPerPromptCvRun(run, state, out.figures, out.reportPath);
  return {
    runDir: run.dir,
    metricsPath: out.metricsPath,
    reportPath: out.reportPath,
    oofPath: out.oofPath,
    featureStoreDir: `${run.dir}/cv_feature_store`,
    cv: state.cv,
    perPrompt: out.figures,
  };
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
    if (r.perPrompt) {
      console.log(`${PER_PROMPT_HEADLINE}, out-of-fold: ${headlineText(r.perPrompt.oof)}`);
      return 0;
    }
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
