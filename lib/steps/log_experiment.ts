/**
 * `log-experiment`: append an entry for an existing run directory to the experiment log, from
 * its manifest (command, resolved config) plus results and notes given on the command line.
 *
 * @module
 */
import { type CommandSpec, UsageError } from "../run/cli_flags.ts";
import { appendExperimentLogEntry } from "../run/experiment_log.ts";
import { experimentLogEntryFromRunDir } from "../run/run_dir_log_entry.ts";

export { experimentLogEntryFromRunDir };

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
