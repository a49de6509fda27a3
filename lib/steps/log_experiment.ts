/**
 * `log-experiment`: append an entry for an existing run directory to the experiment log, from
 * its manifest (command, resolved config) plus results and notes given on the command line.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { type CommandSpec, UsageError } from "../run/cli_flags.ts";
import { ExperimentConfigSchema } from "../run/config.ts";
import {
  appendExperimentLogEntry,
  type ExperimentLogEntry,
  utcDate,
} from "../run/experiment_log.ts";

const ManifestSchema = z.object({
  command_line: z.string(),
  config: ExperimentConfigSchema,
}).loose();

/**
 * Build a log entry for a run directory from its `manifest.json`.
 *
 * @example
 * ```ts
 * const entry = await experimentLogEntryFromRunDir("output/essay_scoring/2026…_cv", {
 *   results: [{ label: "QWK (CV mean±std)", value: "0.61 ± 0.02" }], notes: [],
 * });
 * ```
 */
export async function experimentLogEntryFromRunDir(
  runDir: string,
  extras: { results: ExperimentLogEntry["results"]; notes: readonly string[] },
): Promise<ExperimentLogEntry> {
  const path = join(runDir, "manifest.json");
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new UsageError(`${path}: cannot read run manifest (${(error as Error).message})`);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(`${path}: not a run manifest (${parsed.error.issues[0]?.message})`);
  }
  const { config, command_line } = parsed.data;
  return {
    date: utcDate(),
    runName: config.runName,
    command: command_line,
    datasetKind: config.datasetKind,
    minWords: config.minWords,
    maxWords: config.maxWords,
    excludedPrompts: config.ellipseExcludedPrompts,
    splitsPath: config.splitsPath,
    scheme: config.splitsPath ? config.scheme : undefined,
    featureSet: config.featureSet,
    offload: {
      backend: config.backend,
      extract: config.offloadServiceUrl,
      languageTool: config.languageToolServiceUrl,
      embedding: config.embeddingServiceUrl,
    },
    outputDir: runDir.endsWith("/") ? runDir : runDir + "/",
    results: extras.results,
    notes: extras.notes,
  };
}

const FLAGS = [
  { name: "run-dir", type: "string", configKey: null, description: "run directory to record" },
  {
    name: "result",
    type: "list",
    configKey: null,
    description: "results as 'label=value', separated by '|'",
  },
  { name: "note", type: "list", configKey: null, description: "notes, separated by '|'" },
  {
    name: "experiment-log-path",
    type: "string",
    configKey: null,
    description: "log file (default: output/essay_scoring/EXPERIMENT_LOG.md)",
  },
] as const;

/** The `log-experiment` CLI command. */
export const logExperimentCommand: CommandSpec = {
  name: "log-experiment",
  summary: "Append an entry for a run directory to the append-only experiment log " +
    "(refused for IELTS runs).",
  flags: FLAGS,
  async run({ values }) {
    const runDir = values["run-dir"];
    if (typeof runDir !== "string") throw new UsageError("--run-dir is required");
    const results = ((values["result"] as string[] | undefined) ?? []).map((r) => {
      const eq = r.indexOf("=");
      if (eq <= 0) throw new UsageError(`--result "${r}": expected label=value`);
      return { label: r.slice(0, eq).trim(), value: r.slice(eq + 1).trim() };
    });
    const entry = await experimentLogEntryFromRunDir(runDir, {
      results,
      notes: (values["note"] as string[] | undefined) ?? [],
    });
    const logPath = (values["experiment-log-path"] as string | undefined) ??
      "output/essay_scoring/EXPERIMENT_LOG.md";
    await appendExperimentLogEntry(logPath, entry);
    console.log(`appended ${entry.runName} to ${logPath}`);
    return 0;
  },
};
