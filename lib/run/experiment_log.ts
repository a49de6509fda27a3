/**
 * The append-only experiment log, in the runbook's template.
 *
 * Entries are only ever appended (one write at the end of the file); earlier entries are never
 * read back for rewriting. Runs on the blocked IELTS data set are refused: they are smoke tests
 * and must never be recorded as results.
 *
 * @module
 */
import { dirname } from "node:path";
import type { ExperimentConfig } from "./config.ts";

/** One result line, e.g. `{ label: "QWK (CV mean±std)", value: "0.612 ± 0.021" }`. */
export interface ExperimentResult {
  readonly label: string;
  readonly value: string;
}

/** What one log entry records (the runbook's template fields). */
export interface ExperimentLogEntry {
  /** UTC date `YYYY-MM-DD`. */
  readonly date: string;
  readonly runName: string;
  /** The exact command line. */
  readonly command: string;
  readonly datasetKind: ExperimentConfig["datasetKind"];
  readonly minWords: number;
  readonly maxWords: number;
  readonly excludedPrompts: readonly string[];
  /** The input files (official train and test), so an entry says which data it is about. */
  readonly datasetFiles?: readonly string[];
  /** Name of the dataset manifest (`--dataset`), when one was given. */
  readonly datasetName?: string;
  /** The run mixed genres without a declared scope (`--allow-genre-mix`). */
  readonly allowGenreMix?: boolean;
  readonly splitsPath?: string;
  readonly scheme?: string;
  readonly featureSet?: string;
  readonly offload?: {
    readonly languageTool?: string;
    readonly embedding?: string;
    readonly extract?: string;
    readonly backend?: string;
  };
  readonly outputDir: string;
  readonly results: readonly ExperimentResult[];
  readonly notes: readonly string[];
}

/** The line every report and log entry of an `--allow-genre-mix` run starts with. */
export const GENRE_MIX_WARNING =
  "**WARNING: genres mixed without a declared scope (`--allow-genre-mix`)** — the construct is " +
  "not one genre; results are not comparable with genre-scoped runs.";

/** Raised when an entry may not be recorded (IELTS). */
export class ExperimentLogRefusal extends Error {
  override name = "ExperimentLogRefusal";
}

/**
 * Render an entry in the runbook's template.
 *
 * @example
 * ```ts
 * formatExperimentLogEntry(entry).startsWith("2026-02-04: `ellipse_prep_200_1000`"); // true
 * ```
 */
export function formatExperimentLogEntry(entry: ExperimentLogEntry): string {
  const dataset = entry.datasetKind === "ellipse"
    ? "ELLIPSE (train/test)"
    : entry.datasetKind === "manifest"
    ? `manifest "${entry.datasetName ?? "?"}" (train/test)`
    : "IELTS (BLOCKED)";
  const offloadParts = [
    entry.offload?.backend ? `backend=${entry.offload.backend}` : undefined,
    entry.offload?.extract ? `extract=${entry.offload.extract}` : undefined,
    `lt=${entry.offload?.languageTool ?? "local"}`,
    `embed=${entry.offload?.embedding ?? "local"}`,
  ].filter(Boolean);
  const lines = [
    `${entry.date}: \`${entry.runName}\``,
    ...(entry.allowGenreMix ? [`- ${GENRE_MIX_WARNING}`] : []),
    `- command: \`${entry.command}\``,
    `- dataset: ${dataset}, ${entry.minWords}–${entry.maxWords} words, excluded prompts: ` +
    `[${entry.excludedPrompts.map((p) => JSON.stringify(p)).join(", ")}]` +
    (entry.datasetFiles?.length
      ? `; files: ${entry.datasetFiles.map((f) => `\`${f}\``).join(", ")}` +
        (entry.datasetFiles.some(isEmbeddedDataPath)
          ? " (embedded synthetic data: a pipeline check, not a research result)"
          : "")
      : ""),
  ];
  if (entry.splitsPath !== undefined || entry.scheme !== undefined) {
    lines.push(
      `- splits: \`${entry.splitsPath ?? "-"}\` (scheme=${entry.scheme ?? "-"})`,
    );
  }
  if (entry.featureSet !== undefined) lines.push(`- feature_set: ${entry.featureSet}`);
  lines.push(`- offload: ${offloadParts.join(" ")}`);
  lines.push(`- output: \`${entry.outputDir}\``);
  lines.push("- results:");
  for (const r of entry.results) lines.push(`  - ${r.label}: ${r.value}`);
  if (entry.notes.length === 0) lines.push("  - notes:");
  else {
    lines.push("  - notes:");
    for (const note of entry.notes) lines.push(`    - ${note}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * Append an entry to the log file (created with a title if absent). Refuses IELTS runs.
 *
 * @example
 * ```ts
 * await appendExperimentLogEntry("output/essay_scoring/EXPERIMENT_LOG.md", entry);
 * ```
 */
export async function appendExperimentLogEntry(
  logPath: string,
  entry: ExperimentLogEntry,
): Promise<void> {
  if (entry.datasetKind === "ielts") {
    throw new ExperimentLogRefusal(
      `refusing to record run "${entry.runName}" in the experiment log: the IELTS dataset is ` +
        "blocked (smoke tests only, never results)",
    );
  }
  await Deno.mkdir(dirname(logPath), { recursive: true });
  let prefix = "";
  try {
    const stat = await Deno.stat(logPath);
    if (stat.size === 0) prefix = EXPERIMENT_LOG_TITLE;
    else {
      // Separate from the previous entry with a blank line; read only the last bytes.
      const file = await Deno.open(logPath, { read: true });
      try {
        const tail = new Uint8Array(2);
        await file.seek(Math.max(0, stat.size - 2), Deno.SeekMode.Start);
        const n = (await file.read(tail)) ?? 0;
        const end = new TextDecoder().decode(tail.subarray(0, n));
        prefix = end.endsWith("\n\n") ? "" : end.endsWith("\n") ? "\n" : "\n\n";
      } finally {
        file.close();
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    prefix = EXPERIMENT_LOG_TITLE;
  }
  await Deno.writeTextFile(logPath, prefix + formatExperimentLogEntry(entry), {
    append: true,
    create: true,
  });
}

/** The title written when the log is created. */
export const EXPERIMENT_LOG_TITLE = "# Experiment log (append-only)\n\n" +
  "One entry per run, in the runbook's template. Never edit earlier entries; add a new one.\n\n";

/** Whether a path is the project's embedded synthetic data set (`data/embedded/`). */
export function isEmbeddedDataPath(path: string): boolean {
  return /(^|\/)data\/embedded\//.test(path);
}

/** `YYYY-MM-DD` of a date in UTC. */
export function utcDate(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
