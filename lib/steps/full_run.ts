/**
 * `run` (full run): the official train split is divided into train/val (82.35 / 17.65 %,
 * stratified by score, identical texts kept together — `run_split` of `splits.json`, or computed
 * with the same splitter and seed when no `--splits-path` is given); the learner is fitted on
 * train only and scored on train (in-sample), val and the official test set, which only this
 * step touches.
 *
 * The model is one `ScoringPipeline` (stacks → learner → blend → spread match → cut-points),
 * fitted on train and applied to val and test; the model bundle is its saved state.
 *
 * Outputs: `artifacts/model.json` (learner JSON + feature names + cut-points), the
 * self-contained model bundle `artifacts/model/` that `score` applies to new essays (see
 * `model_bundle.ts`), `artifacts/predictions.csv`, `artifacts/run_metrics.json`; SHAP (unless
 * `--skip-shap`, see `run_shap.ts`): exact SHAP of the final score in
 * `artifacts/shap_{val,test}.json` and of the learner alone in
 * `artifacts/learner_shap_{val,test}.json`, with the additivity check in the report; the grade-scale report (unless
 * `--skip-grade-scale-report`) for val and test in `reports/grade_scale_report.md` + `.json`;
 * `reports/run_report.md`; an experiment-log entry with train/val/test QWK.
 *
 * Stages: `load_and_filter`, `train_val_split`, `features_*`, `fit`, `predict`,
 * `save_model_and_predictions`, `save_model_bundle`, `shap`, `grade_scale_report`,
 * `residual_diagnostics`, then the report and the experiment-log entry.
 *
 * Features: train essays from `--reuse-cv-feature-store-dir` when given (a cv store covers the
 * official train essays), else extracted into `<run>/feature_store_train/`; test essays into
 * `<run>/feature_store_test/`.
 *
 * @module
 */
import { perPromptScaleOfConfig, scaleOfConfig } from "../dataset/load_dataset.ts";
import { gridLevelName } from "../dataset/per_prompt_scale.ts";
import { scaleValue } from "../dataset/score_scale.ts";
import { PER_PROMPT_HEADLINE } from "../report/per_prompt_reports.ts";
import { headlineText, perPromptFitConfig } from "./per_prompt_outputs.ts";
import { finishPerPromptRun, type PerPromptRunFigures } from "./per_prompt_run_outputs.ts";
import { withDegenerateDropped } from "./feature_audit_step.ts";
import { bootstrapQwkInterval } from "../model/evaluation/bootstrap.ts";
import { normalisedTextHash } from "../dataset/text_hash.ts";
import type { Essay } from "../dataset/essay.ts";
import { selectRows } from "../model/learners/matrix.ts";
import { scoreMetrics } from "../model/evaluation/metrics.ts";
import type { RunSplitMetrics, ShapSummary } from "../report/model_reports.ts";
import { type PipelinePrediction, ScoringPipeline } from "../model/pipeline/scoring_pipeline.ts";
import { type CommandSpec, DATASET_FLAGS, type FlagSpec } from "../run/cli_flags.ts";
import type { ExperimentConfig } from "../run/config.ts";
import { configFromInvocation } from "./step_config.ts";
import { resolveResume, RESUME_FLAG, type ResumeTarget } from "../run/resume.ts";
import { type RunContext, withRun } from "../run/run_context.ts";
import { applySplitsToDataset } from "../splits/apply_splits.ts";
import { loadSplitsFile } from "../splits/splits_file.ts";
import { describeOverallClass, overallClass } from "../splits/overall_class.ts";
import { runTrainValSplit } from "../splits/build_splits.ts";
import { existingInputs } from "./common.ts";
import { partEvidence, type PredictedPart, writeResidualOutputs } from "./evidence_outputs.ts";
import {
  type RunData,
  type RunModel,
  type RunPart,
  saveBundleAndShap,
  writeGradeScaleReports,
  writeModelAndPredictions,
  writeRunLogEntry,
  writeRunReport,
} from "./full_run_outputs.ts";
import {
  DEFAULT_STEP_MODEL_OPTIONS,
  extractFeatures,
  extractTestFeatures,
  FEATURE_FLAGS,
  featureSetMatrix,
  languageColumnsOf,
  loadFilteredData,
  MODEL_FLAGS,
  promptColumnsOf,
  type StepModelOptions,
  stepModelOptions,
  trainingOptionsFor,
} from "./model_inputs.ts";

/** Flags of `run`. */
export const RUN_FLAGS: readonly FlagSpec[] = [
  ...DATASET_FLAGS,
  {
    name: "splits-path",
    type: "string",
    description: "splits.json (its run_split is used; default: computed with --seed)",
  },
  ...FEATURE_FLAGS,
  ...MODEL_FLAGS,
  { name: "skip-shap", type: "boolean", description: "skip SHAP values" },
  {
    name: "skip-grade-scale-report",
    type: "boolean",
    description: "skip the grade-scale report",
  },
];

/** What `run` produced. */
export interface FullRunResult {
  readonly runDir: string;
  readonly reportPath: string;
  /** Pooled metrics per split (empty on per-prompt scales: see `perPrompt`). */
  readonly metrics: readonly RunSplitMetrics[];
  readonly shap: ShapSummary | null;
  /** Per-prompt scales: the per-prompt evaluation of train, val and test. */
  readonly perPrompt?: PerPromptRunFigures;
}

async function trainValSplit(run: RunContext, config: ExperimentConfig, train: readonly Essay[]) {
  return await run.stage("train_val_split", async () => {
    if (config.splitsPath) {
      const applied = applySplitsToDataset(
        await loadSplitsFile(config.splitsPath),
        train,
        config.splitsPath,
      );
      run.log.info(`train/val split: run_split of ${config.splitsPath}`);
      return applied.runSplit();
    }
    run.log.info(`train/val split: computed (stratified, text groups, seed ${config.seed})`);
    const scale = scaleOfConfig(config);
    const pp = perPromptScaleOfConfig(config);
    const describe = (c: number) =>
      pp ? gridLevelName(pp, scaleValue(scale, c)) : describeOverallClass(c, scale);
    const computed = runTrainValSplit({
      labels: Int32Array.from(train, (e) => overallClass(e.overall, scale)),
      groups: train.map((e) => normalisedTextHash(e.text)),
      seed: config.seed,
    });
    for (const m of computed.merges) {
      run.log.warn(
        `WARNING rare class: ${describe(m.from)} (${m.count} ` +
          `essay${m.count === 1 ? "" : "s"}) stratified together with ` +
          `${describe(m.into)} in the train/val split (labels unchanged)`,
      );
    }
    return computed;
  });
}

async function loadRunData(
  run: RunContext,
  config: ExperimentConfig,
  step: StepModelOptions,
): Promise<RunData> {
  const data = await loadFilteredData(run, config);
  const split = await trainValSplit(run, config, data.train);
  const trainFeatures = await extractFeatures(
    run,
    config,
    data.train,
    "feature_store_train",
    config.reuseCvFeatureStoreDir,
    step.extractionWorkers,
  );
  // a reused store may also hold the test essays (e.g. one built over train + test)
  const testFeatures = await extractTestFeatures(
    run,
    config,
    data.test,
    [config.reuseCvFeatureStoreDir],
    step.extractionWorkers,
  );
  // --drop-degenerate-features: decided on the training store's (label-free) audit only
  const effective = withDegenerateDropped(config, trainFeatures.audit);
  const excluded = effective.excludedFeatures;
  const all = featureSetMatrix(
    trainFeatures,
    config.featureSet,
    excluded,
    languageColumnsOf(config, data.train),
    promptColumnsOf(config, step, data.train),
  );
  const test = featureSetMatrix(
    testFeatures,
    config.featureSet,
    excluded,
    languageColumnsOf(config, data.test),
    promptColumnsOf(config, step, data.test),
  );
  if (test.names.join("\u0000") !== all.names.join("\u0000")) {
    throw new Error("run: train and test feature columns differ");
  }
  const part = (split: "train" | "val", rows: readonly number[]): RunPart => {
    const essays = rows.map((i) => data.train[i]);
    return { split, essays, X: selectRows(all.X, rows), y: essays.map((e) => e.overall) };
  };
  return {
    config: effective,
    audit: trainFeatures.audit,
    step,
    names: all.names,
    embeddingColumns: all.embeddingColumns,
    nEssays: data.train.length + data.test.length,
    train: part("train", split.trainIndices),
    val: part("val", split.valIndices),
    test: { split: "test", essays: data.test, X: test.X, y: data.test.map((e) => e.overall) },
  };
}

async function fitModel(run: RunContext, d: RunData): Promise<RunModel> {
  const { config } = d;
  run.log.info(
    `run: ${config.model} on ${d.train.X.nRows} train / ${d.val.X.nRows} val / ` +
      `${d.test.X.nRows} test essays x ${d.names.length} features (${config.featureSet})`,
  );
  const texts = (p: RunPart) => p.essays.map((e) => e.text);
  const fit = await run.stage("fit", () =>
    ScoringPipeline.fit(
      {
        X: d.train.X,
        texts: texts(d.train),
        groups: d.train.essays.map((e) => normalisedTextHash(e.text)),
      },
      d.train.y,
      trainingOptionsFor(config, d.step, d.names, d.embeddingColumns),
    ));
  return await run.stage("predict", () => ({
    fit,
    val: fit.pipeline.predict({ X: d.val.X, texts: texts(d.val) }),
    test: fit.pipeline.predict({ X: d.test.X, texts: texts(d.test) }),
  }));
}

function splitMetrics(d: RunData, m: RunModel): RunSplitMetrics[] {
  const seed = d.config.seed;
  const scale = scaleOfConfig(d.config);
  const held = (part: RunPart, p: PipelinePrediction): RunSplitMetrics => ({
    split: part.split,
    rounded: scoreMetrics(part.y, p.raw, scale),
    qwkInterval: bootstrapQwkInterval(part.y, p.raw, { seed, scale }),
    cutpoints: p.cutpoints ? scoreMetrics(part.y, p.cutpoints, scale) : null,
  });
  return [
    {
      split: "train",
      rounded: scoreMetrics(d.train.y, m.fit.trainPredictions, scale),
      cutpoints: null,
    },
    held(d.val, m.val),
    held(d.test, m.test),
  ];
}

/** Val and test as the evidence and residual outputs read them. */
function heldOutParts(d: RunData, m: RunModel): PredictedPart[] {
  return ([[d.val, m.val], [d.test, m.test]] as const).map(([part, p]) => ({
    split: part.split,
    essays: part.essays,
    predictions: p.raw,
    X: part.X,
    featureNames: d.names,
    cutpointPredictions: p.cutpoints,
    scale: scaleOfConfig(d.config),
    language: d.config.dataset?.language,
  }));
}

/**
 * Run the full run with a resolved config.
 *
 * @example
 * ```ts
 * const r = await runFullRun(config);
 * r.metrics.find((m) => m.split === "test")?.rounded.qwk;
 * ```
 */
export async function runFullRun(
  config: ExperimentConfig,
  options: {
    argv?: readonly string[];
    echo?: boolean;
    step?: StepModelOptions;
    /** Continue this interrupted run directory (`--resume`; checked by `resolveResume`). */
    resume?: ResumeTarget;
  } = {},
): Promise<FullRunResult> {
  const step = options.step ?? DEFAULT_STEP_MODEL_OPTIONS;
  const { result } = await withRun(
    {
      command: "run",
      config,
      argv: options.argv,
      inputPaths: await existingInputs(config),
      echo: options.echo,
      resume: options.resume,
    },
    async (run) => {
      const pp = perPromptScaleOfConfig(config);
      const loaded = await loadRunData(run, config, step);
      // per-prompt scales: cut-points off (with the reason), outputs mapped back per prompt
      const d = pp ? { ...loaded, config: perPromptFitConfig(run, loaded.config) } : loaded;
      const m = await fitModel(run, d);
      if (pp) {
        const r = await finishPerPromptRun(run, d, m, pp, config);
        return {
          runDir: run.dir,
          reportPath: r.reportPath,
          metrics: [],
          shap: null,
          perPrompt: r.figures,
        };
      }
      const metrics = splitMetrics(d, m);
      const held = heldOutParts(d, m);
      const evidence = held.map(partEvidence);
      await run.stage(
        "save_model_and_predictions",
        () => writeModelAndPredictions(run, d, m, metrics, evidence),
      );
      const shap = await saveBundleAndShap(run, config, d, m);
      if (!config.skipGradeScaleReport) {
        await run.stage("grade_scale_report", () => writeGradeScaleReports(run, d, m));
      }
      await run.stage(
        "residual_diagnostics",
        () => writeResidualOutputs(run, held, "Residual diagnostics (run: val and test)"),
      );
      const reportPath = await writeRunReport(run, d, m, metrics, shap, evidence);
      await writeRunLogEntry(run, d, metrics, shap, reportPath);
      return { runDir: run.dir, reportPath, metrics, shap };
    },
  );
  return result;
}

/** `run`'s flags plus `--resume <run-dir>`. */
const RUN_FLAGS_WITH_RESUME: readonly FlagSpec[] = [...RUN_FLAGS, RESUME_FLAG];

/** The `run` CLI command. */
export const fullRunCommand: CommandSpec = {
  name: "run",
  summary: "Full run: fit on train, QWK on train/val/test, model + predictions saved, SHAP, " +
    "grade-scale report.",
  flags: RUN_FLAGS_WITH_RESUME,
  async run(invocation) {
    const resumed = await resolveResume(
      invocation,
      "run",
      RUN_FLAGS_WITH_RESUME,
      configFromInvocation,
      existingInputs,
    );
    const config = resumed?.config ?? await configFromInvocation(invocation, RUN_FLAGS);
    const r = await runFullRun(config, {
      argv: invocation.argv,
      step: stepModelOptions(resumed?.values ?? invocation.values),
      resume: resumed?.target,
    });
    console.log(`run directory: ${r.runDir}`);
    console.log(`report: ${r.reportPath}`);
    for (const [split, e] of Object.entries(r.perPrompt ?? {})) {
      console.log(`${split}: ${PER_PROMPT_HEADLINE} ${headlineText(e)}`);
    }
    for (const m of r.metrics) {
      console.log(
        `${m.split}: QWK ${m.rounded.qwk.toFixed(4)}` +
          (m.cutpoints ? ` (cut-points ${m.cutpoints.qwk.toFixed(4)})` : ""),
      );
    }
    return 0;
  },
};
