/**
 * Pieces every step shares: the experiment-log entry of a run and the IELTS guard around it.
 *
 * @module
 */
import { ELLIPSE_SCALE, scoreOutputValue, type ScoreScale } from "../dataset/score_scale.ts";
import type { ExperimentConfig } from "../run/config.ts";
import {
  appendExperimentLogEntry,
  type ExperimentLogEntry,
  type ExperimentResult,
  utcDate,
} from "../run/experiment_log.ts";
import { InterruptedError } from "../run/interrupt.ts";
import type { RunContext } from "../run/run_context.ts";
import type { Essay } from "../dataset/essay.ts";
import { datasetInputPaths } from "../dataset/load_dataset.ts";
import { roundToHalfPoint } from "../model/evaluation/metrics.ts";

/** Extra fields a step adds to its log entry. */
export interface LogEntryExtras {
  readonly splitsPath?: string;
  readonly scheme?: string;
  readonly featureSet?: string;
  readonly results?: readonly ExperimentResult[];
  readonly notes?: readonly string[];
}

/**
 * The experiment-log entry of a run, in the runbook's template.
 *
 * @example
 * ```ts
 * const entry = experimentLogEntryForRun(run, config, { notes: ["prepared CSVs: …"] });
 * ```
 */
export function experimentLogEntryForRun(
  run: RunContext,
  config: ExperimentConfig,
  extras: LogEntryExtras = {},
): ExperimentLogEntry {
  return {
    date: utcDate(),
    runName: config.runName,
    command: run.manifest.command_line,
    datasetKind: config.datasetKind,
    minWords: config.minWords,
    maxWords: config.maxWords,
    excludedPrompts: config.ellipseExcludedPrompts,
    datasetFiles: datasetInputPaths(config),
    datasetName: config.dataset?.name,
    allowGenreMix: config.allowGenreMix,
    splitsPath: extras.splitsPath,
    scheme: extras.scheme,
    featureSet: extras.featureSet,
    offload: {
      backend: config.backend,
      extract: config.offloadServiceUrl,
      languageTool: config.languageToolServiceUrl,
      embedding: config.embeddingServiceUrl,
    },
    outputDir: run.dir + "/",
    results: extras.results ?? [],
    notes: [...(extras.notes ?? []), ...resumeNotes(run)],
  };
}

/** One note per `--resume` of the run (how the earlier attempt ended), for its log entry. */
function resumeNotes(run: RunContext): string[] {
  return (run.status.resumes ?? []).map((r, i) => {
    const e = r.previous_error;
    return `resumed (${i + 1}) at ${r.resumed_at} in the same run directory after ` +
      (e
        ? `${e.reason === "interrupted" ? `interruption by ${e.signal}` : "an error"} in stage ` +
          `${e.stage ?? "-"}`
        : `a ${r.previous_state} attempt`) +
      `: \`${r.command_line}\``;
  });
}

/**
 * Append a run's entry to the experiment log — unless the run used the blocked IELTS data, in
 * which case nothing is recorded and the run log says why.
 */
export async function recordRunInExperimentLog(
  run: RunContext,
  config: ExperimentConfig,
  extras: LogEntryExtras = {},
): Promise<void> {
  // An interrupted run is not finished: its entry comes when a resume completes it.
  if (run.interruptedBy) throw new InterruptedError(run.interruptedBy);
  if (config.datasetKind === "ielts") {
    run.log.warn("experiment log: not recorded (IELTS is blocked: smoke tests only)");
    return;
  }
  await appendExperimentLogEntry(
    config.experimentLogPath,
    experimentLogEntryForRun(run, config, extras),
  );
  run.log.info(`experiment log: entry appended to ${config.experimentLogPath}`);
}

/**
 * Input files of a step, for the manifest: the dataset CSVs and, if set, `splits.json` — only
 * those that exist (a missing one is reported by the loader inside the run).
 */
export async function existingInputs(config: ExperimentConfig): Promise<string[]> {
  const paths = datasetInputPaths(config);
  if (config.splitsPath) paths.push(config.splitsPath);
  const out: string[] = [];
  for (const p of paths) {
    try {
      await Deno.stat(p);
      out.push(p);
    } catch { /* reported inside the run */ }
  }
  return out;
}

/**
 * The fields every model step's JSON artifact starts with: dataset kind (and whether it is a
 * blocked smoke test), feature set, learner, its params and seed.
 *
 * @example
 * ```ts
 * await writeJsonAtomic(path, { ...modelRunJsonHeader(config, learnerParams(config)), metrics });
 * ```
 */
export function modelRunJsonHeader(
  config: ExperimentConfig,
  params: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    schema_version: 1,
    dataset_kind: config.datasetKind,
    smoke_test_only: config.datasetKind === "ielts",
    feature_set: config.featureSet,
    model: config.model,
    params,
    pipeline: config.pipeline,
    seed: config.seed,
  };
}

/** Columns of a predictions CSV row made by {@link predictionCsvRows}. */
export const PREDICTION_CSV_COLUMNS = [
  "id",
  "prompt",
  "overall_true",
  "prediction_raw",
  "prediction_rounded",
  "prediction_cutpoints",
] as const;

/**
 * One predictions CSV row per essay: id, prompt, true score, raw prediction, rounded score and
 * (when fitted) the cut-point score; scores as the scale writes them (ELLIPSE: numbers; an
 * ordinal scale: level names).
 *
 * @example
 * ```ts
 * predictionCsvRows(essays, raw, cut); // [["a1", "Phones", 3.5, 3.41, 3.5, 3.5], …]
 * ```
 */
export function predictionCsvRows(
  essays: readonly Essay[],
  raw: ArrayLike<number>,
  cutpoints?: ArrayLike<number> | null,
  scale: ScoreScale = ELLIPSE_SCALE,
): (string | number)[][] {
  const out = (v: number) => scoreOutputValue(scale, v);
  return essays.map((e, i) => [
    e.id,
    e.prompt,
    out(e.overall),
    raw[i],
    out(roundToHalfPoint(raw[i], scale)),
    cutpoints ? out(cutpoints[i]) : "",
  ]);
}
