/**
 * Runbook step 4, `drop-column`: does each handcrafted feature add signal beyond everything
 * else? The baseline cross-validation and, for every handcrafted feature, a cross-validation
 * without that column run over the same folds, learner and seed; the decision rule is the
 * runbook's (`lib/model/evaluation/drop_column.ts`): ΔQWK = baseline − dropped per fold, stability = share
 * of folds with ΔQWK > 0, keep iff mean ΔQWK > 0 and stability ≥ 0.8.
 *
 * Scores use plain half-point rounding (cut-points are off here: thresholds would add noise to
 * a difference of two QWKs); the stacked text column, when on, is computed once per fold and
 * shared by every variant (it does not depend on the handcrafted columns). Writes
 * `artifacts/drop_column_importance.json` and `reports/drop_column_importance.md`.
 *
 * Stages: `load_and_filter`, `load_splits`, `features_cv_feature_store`, `baseline_cv`,
 * `drop_each_feature`, `write_outputs`, then the experiment-log entry.
 *
 * @module
 */
import { perPromptScaleOfConfig } from "../dataset/load_dataset.ts";
import type { PerPromptScale } from "../dataset/per_prompt_scale.ts";
import { meanStd } from "../model/evaluation/metrics.ts";
import {
  PER_PROMPT_DROP_COLUMN_NOTE,
  PER_PROMPT_HEADLINE,
  perPromptContext,
} from "../report/per_prompt_reports.ts";
import { perPromptFitConfig, perPromptFoldQwks } from "./per_prompt_outputs.ts";
import { normalisedTextHash } from "../dataset/text_hash.ts";
import {
  crossValidate,
  type CrossValidationInput,
  type CrossValidationResult,
} from "../model/validation/cross_validation.ts";
import { dropColumnImportance, type DropColumnRow } from "../model/evaluation/drop_column.ts";
import { type DenseMatrix, dropColumns } from "../model/learners/matrix.ts";
import { dropColumnReportMarkdown } from "../report/model_reports.ts";
import type { StackedColumns } from "../model/pipeline/scoring_pipeline.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import { type CommandSpec, UsageError } from "../run/cli_flags.ts";
import type { ExperimentConfig } from "../run/config.ts";
import { configFromInvocation } from "./step_config.ts";
import { resolveResume, RESUME_FLAG, type ResumeTarget } from "../run/resume.ts";
import { type RunContext, withRun } from "../run/run_context.ts";
import { reportContext } from "./cv_outputs.ts";
import { existingInputs, modelRunJsonHeader, recordRunInExperimentLog } from "./common.ts";
import {
  CV_FLAGS,
  cvTrainingInputs,
  cvWorkersFor,
  DEFAULT_STEP_MODEL_OPTIONS,
  learnerParams,
  type StepModelOptions,
  stepModelOptions,
  trainingOptionsFor,
} from "./model_inputs.ts";

/** What `drop-column` produced. */
export interface DropColumnStepResult {
  readonly runDir: string;
  readonly jsonPath: string;
  readonly reportPath: string;
  readonly baselinePerFold: readonly number[];
  readonly rows: readonly DropColumnRow[];
}

/**
 * Run `drop-column` with a resolved config.
 *
 * @example
 * ```ts
 * const r = await runDropColumn(config);
 * r.rows.filter((row) => row.decision === "keep");
 * ```
 */
export async function runDropColumn(
  config: ExperimentConfig,
  options: {
    argv?: readonly string[];
    echo?: boolean;
    step?: StepModelOptions;
    /** Only these handcrafted features (default: all). */
    features?: readonly string[];
    /** Continue this interrupted run directory (`--resume`; checked by `resolveResume`). */
    resume?: ResumeTarget;
  } = {},
): Promise<DropColumnStepResult> {
  const step = options.step ?? DEFAULT_STEP_MODEL_OPTIONS;
  if (config.featureSet === "embeddings") {
    throw new UsageError(
      "drop-column ranks handcrafted features: use --feature-set handcrafted " +
        "or combined",
    );
  }
  const { result } = await withRun(
    {
      command: "drop-column",
      config,
      argv: options.argv,
      inputPaths: await existingInputs(config),
      echo: options.echo,
      resume: options.resume,
    },
    async (run) => {
      const inputs = await cvTrainingInputs(run, config, step);
      config = inputs.config; // with the audit's exclusions when --drop-degenerate-features
      if (perPromptScaleOfConfig(config)) config = perPromptFitConfig(run, config);
      const s = dropColumnSetup(config, step, inputs, options.features);
      const baseline = await run.stage("baseline_cv", () => crossValidate(s.cvInput(s.X0)));
      const baselinePerFold = s.foldQwks(baseline);
      run.log.info(
        `baseline ${s.metricName} per fold: ${baselinePerFold.map((q) => q.toFixed(4)).join(", ")}`,
      );
      const dropped = await run.stage(
        "drop_each_feature",
        () => dropEachFeature(run, s, meanStd(baselinePerFold).mean),
      );
      const rows = dropColumnImportance(baselinePerFold, dropped);
      const out = await run.stage(
        "write_outputs",
        () => writeDropColumnOutputs(run, s, step, inputs.X.nRows, baseline, rows),
      );
      await logDropColumnRun(run, s, baselinePerFold, rows, out.reportPath);
      return { runDir: run.dir, ...out, baselinePerFold, rows };
    },
  );
  return result;
}

/** What every cross-validation of a drop-column run shares. */
interface DropColumnSetup {
  readonly config: ExperimentConfig;
  /** Per-prompt scales, else null. */
  readonly pp: PerPromptScale | null;
  /** The per-fold figure the rule reads: QWK, or on per-prompt scales the Fisher-z headline. */
  readonly foldQwks: (cv: CrossValidationResult) => number[];
  /** Its name in logs ("QWK", "mean per-prompt QWK (Fisher z)"). */
  readonly metricName: string;
  readonly X0: { X: DenseMatrix; names: readonly string[] };
  readonly candidates: readonly string[];
  /** The cross-validation input for one matrix (same folds, learner, seed, stacking cache). */
  readonly cvInput: (
    m: { X: DenseMatrix; names: readonly string[] },
    dropped?: number,
  ) => CrossValidationInput;
}

function dropColumnSetup(
  config: ExperimentConfig,
  step: StepModelOptions,
  inputs: Awaited<ReturnType<typeof cvTrainingInputs>>,
  only: readonly string[] | undefined,
): DropColumnSetup {
  const { data, applied, features, X, names, embeddingColumns } = inputs;
  const handcrafted = (features.handcrafted?.names ?? []).filter((f) =>
    !config.excludedFeatures.includes(f)
  );
  const candidates = only ?? handcrafted;
  for (const f of candidates) {
    if (!handcrafted.includes(f)) {
      throw new UsageError(`drop-column: '${f}' is not a handcrafted feature`);
    }
  }
  const texts = data.train.map((e) => e.text);
  // decisions use plain rounding: no cut-points here
  const training = {
    ...trainingOptionsFor(config, step, names, embeddingColumns),
    cutpointInnerFolds: 0,
  };
  const shared = {
    y: data.train.map((e) => e.overall),
    texts,
    groups: texts.map(normalisedTextHash),
    folds: applied.folds(config.scheme),
    stackingCache: new Map<number, StackedColumns>(),
    workers: cvWorkersFor(step),
  };
  const pp = perPromptScaleOfConfig(config);
  return {
    config,
    pp,
    // per-prompt scales: each fold's mean per-prompt QWK (Fisher z), nothing pooled on the grid
    foldQwks: pp
      ? (cv) => perPromptFoldQwks(cv, data.train, pp)
      : (cv) => cv.folds.map((f) => f.metrics.qwk),
    metricName: pp ? PER_PROMPT_HEADLINE : "QWK",
    X0: { X, names },
    candidates,
    cvInput: (m, col) => ({
      ...shared,
      X: m.X,
      options: col === undefined ? training : {
        ...training,
        featureNames: m.names,
        // embedding columns sit after the handcrafted ones: shift past the dropped column
        denseStackColumns: training.denseStackColumns?.map((j) => (j > col ? j - 1 : j)),
      },
    }),
  };
}

/** ΔQWK inputs: each candidate's per-fold QWK without its column. */
async function dropEachFeature(
  run: RunContext,
  s: DropColumnSetup,
  baselineMean: number,
): Promise<Record<string, number[]>> {
  const dropped: Record<string, number[]> = {};
  const { X, names } = s.X0;
  let done = 0;
  for (const feature of s.candidates) {
    const col = names.indexOf(feature);
    const cv = await crossValidate(
      s.cvInput({ X: dropColumns(X, [col]), names: names.filter((_, j) => j !== col) }, col),
    );
    dropped[feature] = s.foldQwks(cv);
    done++;
    const without = s.pp ? meanStd(dropped[feature]).mean : cv.summary.qwk.mean;
    const mean = without - baselineMean;
    run.log.info(
      `[${done}/${s.candidates.length}] without ${feature}: ${s.metricName} ${
        without.toFixed(4)
      } (mean ΔQWK ${(-mean).toFixed(4)})`,
    );
  }
  return dropped;
}

async function writeDropColumnOutputs(
  run: RunContext,
  s: DropColumnSetup,
  step: StepModelOptions,
  nEssays: number,
  baseline: CrossValidationResult,
  rows: readonly DropColumnRow[],
): Promise<{ jsonPath: string; reportPath: string }> {
  const { config, pp } = s;
  const baselinePerFold = s.foldQwks(baseline);
  const base = reportContext(
    run,
    config,
    step,
    "Drop-column importance (handcrafted features)",
    baseline.featureNames.length,
    nEssays,
  );
  const ctx = pp ? perPromptContext(base, pp) : base;
  const jsonPath = run.artifactPath("drop_column_importance.json");
  const reportPath = run.reportPath("drop_column_importance.md");
  await writeJsonAtomic(jsonPath, {
    ...modelRunJsonHeader(config, learnerParams(config)),
    scheme: config.scheme,
    splits_path: config.splitsPath,
    text_stacking: step.textStacking,
    rule: "keep iff mean ΔQWK > 0 and stability ≥ 0.8; ΔQWK = baseline − dropped",
    ...(pp ? { fold_metric: PER_PROMPT_HEADLINE } : {}),
    baseline_qwk_per_fold: baselinePerFold,
    baseline_qwk: pp ? meanStd(baselinePerFold) : baseline.summary.qwk,
    features: rows.map((r) => ({
      feature: r.feature,
      mean_delta_qwk: r.meanDeltaQwk,
      std_delta_qwk: r.stdDeltaQwk,
      stability: r.stability,
      decision: r.decision,
      delta_qwk_per_fold: r.deltaQwkPerFold,
    })),
  });
  await writeFileAtomic(
    reportPath,
    dropColumnReportMarkdown(ctx, baselinePerFold, rows) +
      (pp ? `\n${PER_PROMPT_DROP_COLUMN_NOTE}\n` : ""),
  );
  run.log.info(`report: ${reportPath}`);
  return { jsonPath, reportPath };
}

async function logDropColumnRun(
  run: RunContext,
  s: DropColumnSetup,
  baselinePerFold: readonly number[],
  rows: readonly DropColumnRow[],
  reportPath: string,
): Promise<void> {
  const { config } = s;
  const baseline = meanStd(baselinePerFold);
  const kept = rows.filter((r) => r.decision === "keep").map((r) => r.feature);
  await recordRunInExperimentLog(run, config, {
    splitsPath: config.splitsPath,
    scheme: config.scheme,
    featureSet: config.featureSet,
    results: [
      {
        label: `${s.metricName} (CV mean±std, baseline)`,
        value: `${baseline.mean.toFixed(4)} ± ${baseline.std.toFixed(4)}`,
      },
      { label: "features kept", value: `${kept.length} of ${rows.length}` },
    ],
    notes: [
      `kept: ${kept.join(", ") || "(none)"}`,
      `Drop-column report: \`${reportPath}\``,
    ],
  });
}

/** The `drop-column` CLI command. */
export const dropColumnCommand: CommandSpec = {
  name: "drop-column",
  summary: "Drop-column importance of each handcrafted feature over the CV folds (ΔQWK mean±std, " +
    "stability, keep/drop).",
  flags: [
    ...CV_FLAGS,
    {
      name: "features",
      type: "list",
      configKey: null,
      description: "only these handcrafted features, separated by '|' (default: all)",
    },
    RESUME_FLAG,
  ],
  async run(invocation) {
    const resumed = await resolveResume(
      invocation,
      "drop-column",
      this.flags,
      configFromInvocation,
      existingInputs,
    );
    const values = resumed?.values ?? invocation.values;
    const config = resumed?.config ?? await configFromInvocation(invocation, this.flags);
    const features = values["features"] as string[] | undefined;
    const r = await runDropColumn(config, {
      argv: invocation.argv,
      step: stepModelOptions(values),
      features,
      resume: resumed?.target,
    });
    console.log(`run directory: ${r.runDir}`);
    console.log(`report: ${r.reportPath}`);
    const kept = r.rows.filter((x) => x.decision === "keep").length;
    console.log(`kept ${kept} of ${r.rows.length} handcrafted features`);
    return 0;
  },
};
