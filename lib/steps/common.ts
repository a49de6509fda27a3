/**
 * Pieces every step shares: the experiment-log entry of a run and the IELTS guard around it.
 *
 * @module
 */
import type { ExperimentConfig } from "../run/config.ts";
import {
  appendExperimentLogEntry,
  type ExperimentLogEntry,
  type ExperimentResult,
  utcDate,
} from "../run/experiment_log.ts";
import type { RunContext } from "../run/run_context.ts";

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
    notes: extras.notes ?? [],
  };
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
