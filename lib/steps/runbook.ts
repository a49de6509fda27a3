/**
 * `runbook`: the whole gold-standard workflow in one command — `prepare-dataset` →
 * `make-splits` (on the prepared CSVs) → `cv` → `drop-column` (reusing the CV feature store) →
 * `run` — each step in its own run directory exactly as if typed by hand, so every run
 * directory, report and experiment-log entry is the same as the step-by-step runbook's.
 *
 * This is what `deno task main` runs on the embedded data.
 *
 * @module
 */
import { PER_PROMPT_HEADLINE } from "../report/per_prompt_reports.ts";
import { headlineText } from "./per_prompt_outputs.ts";
import { checkerModeOf } from "../offload/backend.ts";
import type { ExperimentConfig } from "../run/config.ts";
import type { CommandSpec, FlagSpec } from "../run/cli_flags.ts";
import { configFromInvocation } from "./step_config.ts";
import { fmtMeanStd } from "../report/model_reports.ts";
import { type CvStepResult, runCv } from "./cv.ts";
import { type DropColumnStepResult, runDropColumn } from "./drop_column.ts";
import { type FullRunResult, runFullRun } from "./full_run.ts";
import {
  MAKE_SPLITS_FLAGS,
  makeSplits,
  type MakeSplitsResult,
  rareClassPolicyFromFlags,
} from "./make_splits.ts";
import type { RareClassPolicy } from "../splits/overall_class.ts";
import {
  FEATURE_FLAGS,
  MODEL_FLAGS,
  type StepModelOptions,
  stepModelOptions,
} from "./model_inputs.ts";
import { prepareDataset, type PrepareDatasetResult } from "./prepare_dataset.ts";

/** Flags of `runbook`: everything the five steps take. */
export const RUNBOOK_FLAGS: readonly FlagSpec[] = [
  ...MAKE_SPLITS_FLAGS,
  { name: "scheme", type: "string", description: "stratified_text | prompt_holdout" },
  ...FEATURE_FLAGS,
  ...MODEL_FLAGS,
  { name: "skip-drop-column", type: "boolean", configKey: null, description: "skip step 4" },
  { name: "skip-shap", type: "boolean", description: "skip SHAP values in the full run" },
  { name: "skip-grade-scale-report", type: "boolean", description: "skip the grade-scale report" },
];

/** The run directories and headline figures of one runbook pass. */
export interface RunbookResult {
  readonly prepare: PrepareDatasetResult;
  readonly splits: MakeSplitsResult;
  readonly cv: CvStepResult;
  readonly dropColumn: DropColumnStepResult | null;
  readonly fullRun: FullRunResult;
}

/**
 * Run the five runbook steps in order; each step's run name is `<runName>_<step>`.
 *
 * @example
 * ```ts
 * const r = await runRunbook(resolveExperimentConfig(undefined, { runName: "demo" }));
 * r.cv.cv.summary.qwk.mean;
 * ```
 */
export async function runRunbook(
  config: ExperimentConfig,
  options: {
    argv?: readonly string[];
    echo?: boolean;
    step?: StepModelOptions;
    /** Rare-class policy of `make-splits` (default `merge`). */
    rareClasses?: RareClassPolicy;
    skipDropColumn?: boolean;
  } = {},
): Promise<RunbookResult> {
  const base = config.runName;
  const echo = options.echo;
  const argv = options.argv;
  const prepare = await prepareDataset({ ...config, runName: `${base}_prep` }, { argv, echo });
  const prepared: ExperimentConfig = {
    ...config,
    // The checker is decided on the user's data (local for the embedded set), not on the
    // prepared CSVs' paths.
    checker: checkerModeOf(config),
    // A `--dataset` run goes on with the manifest over the prepared CSVs.
    ...(prepare.preparedManifest ? { dataset: prepare.preparedManifest } : {
      ellipseTrainPath: prepare.trainPreparedPath,
      ellipseTestPath: prepare.testPreparedPath,
    }),
    // The prepared CSVs are ELLIPSE-layout whatever the source was; the kind is kept so that an
    // IELTS smoke run stays marked blocked all the way through.
  };
  if (config.datasetKind === "ielts") {
    throw new Error(
      "runbook: IELTS is blocked and supported by prepare-dataset only (smoke test); " +
        "run the later steps by hand if you need a smoke test of them",
    );
  }
  const splits = await makeSplits({ ...prepared, runName: `${base}_splits` }, {
    argv,
    echo,
    rareClasses: options.rareClasses,
  });
  const withSplits: ExperimentConfig = { ...prepared, splitsPath: splits.splitsPath };
  const cv = await runCv({ ...withSplits, runName: `${base}_cv` }, {
    argv,
    echo,
    step: options.step,
  });
  const reuse: ExperimentConfig = { ...withSplits, reuseCvFeatureStoreDir: cv.featureStoreDir };
  const dropColumn = options.skipDropColumn || config.featureSet === "embeddings"
    ? null
    : await runDropColumn({ ...reuse, runName: `${base}_drop_column` }, {
      argv,
      echo,
      step: options.step,
    });
  const fullRun = await runFullRun({ ...reuse, runName: `${base}_run` }, {
    argv,
    echo,
    step: options.step,
  });
  return { prepare, splits, cv, dropColumn, fullRun };
}

/**
 * A short plain-text summary of a runbook pass (run directories and headline metrics).
 *
 * @example
 * ```ts
 * console.log(runbookSummary(result));
 * ```
 */
export function runbookSummary(r: RunbookResult): string {
  const lines = [
    "Runbook finished. Run directories:",
    `  1 prepare-dataset  ${r.prepare.runDir}`,
    `  2 make-splits      ${r.splits.runDir}`,
    `  3 cv               ${r.cv.runDir}`,
    `  4 drop-column      ${r.dropColumn?.runDir ?? "(skipped)"}`,
    `  5 run              ${r.fullRun.runDir}`,
    "",
    `prepared essays: ${r.prepare.report.counts.train.prepared} train / ` +
    `${r.prepare.report.counts.test.prepared} test`,
    ...r.splits.warnings,
    r.cv.perPrompt
      ? `CV ${PER_PROMPT_HEADLINE}, out-of-fold: ${headlineText(r.cv.perPrompt.oof)}`
      : `CV QWK (mean±std): ${fmtMeanStd(r.cv.cv.summary.qwk)}` +
        (r.cv.cv.summary.qwkCutpoints
          ? `; with cut-points ${fmtMeanStd(r.cv.cv.summary.qwkCutpoints)}`
          : ""),
  ];
  if (r.dropColumn) {
    const keep = r.dropColumn.rows.filter((row) => row.decision === "keep").map((row) =>
      row.feature
    );
    lines.push(`drop-column: keep ${keep.length}/${r.dropColumn.rows.length} (${keep.join(", ")})`);
  }
  for (const m of r.fullRun.metrics) lines.push(`run ${m.split}: QWK ${m.rounded.qwk.toFixed(4)}`);
  for (const [split, e] of Object.entries(r.fullRun.perPrompt ?? {})) {
    lines.push(`run ${split}: ${PER_PROMPT_HEADLINE} ${headlineText(e)}`);
  }
  lines.push(`reports: ${r.cv.reportPath}, ${r.fullRun.reportPath}`);
  return lines.join("\n");
}

/** The `runbook` CLI command (what `deno task main` runs). */
export const runbookCommand: CommandSpec = {
  name: "runbook",
  summary: "Run the whole runbook (prepare-dataset → make-splits → cv → drop-column → run), " +
    "each step in its own run directory.",
  flags: RUNBOOK_FLAGS,
  async run(invocation) {
    const config = await configFromInvocation(invocation, RUNBOOK_FLAGS);
    const result = await runRunbook(config, {
      argv: invocation.argv,
      step: stepModelOptions(invocation.values),
      rareClasses: rareClassPolicyFromFlags(invocation.values),
      skipDropColumn: invocation.values["skip-drop-column"] === true,
    });
    console.log(runbookSummary(result));
    return 0;
  },
};
