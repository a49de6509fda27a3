/**
 * An experiment-log entry for an existing run directory, built from its `manifest.json`
 * (command line and resolved config) plus results and notes — what `log-experiment` and the
 * notebooks append.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { UsageError } from "./cli_flags.ts";
import { ExperimentConfigSchema } from "./config.ts";
import { type ExperimentLogEntry, utcDate } from "./experiment_log.ts";

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
