/**
 * The one CLI entry: `deno task essay-scoring-research <command> [flags]`.
 *
 * Commands are registered in `COMMANDS` (one line each); every command has `--help`, rejects
 * unknown flags, and exits 2 on usage errors, 1 on failures (the run directory's `status.json`
 * then says `failed` with the error), 130/143 when interrupted by SIGINT/SIGTERM (`status.json`:
 * `failed`, reason `interrupted`; see `run/interrupt.ts`), 0 on success.
 *
 * @module
 */
import { commandHelp, type CommandSpec, parseFlags, UsageError } from "./run/cli_flags.ts";
import { DatasetError } from "./dataset/csv_table.ts";
import { ManifestError } from "./dataset/manifest.ts";
import { PerPromptScaleUnsupportedError } from "./dataset/per_prompt_scale.ts";
import {
  activeInterruptHandling,
  exitCodeForSignal,
  installInterruptHandling,
  InterruptedError,
} from "./run/interrupt.ts";
import { ExtractorMismatchError } from "./model/bundle/bundle.ts";
import { ModelBundleError } from "./model/bundle/bundle_io.ts";
import { FeatureStoreMismatchError } from "./features/feature_store.ts";
import { logExperimentCommand } from "./steps/log_experiment.ts";
import { makeSplitsCommand } from "./steps/make_splits.ts";
import { cvCommand } from "./steps/cv.ts";
import { dropColumnCommand } from "./steps/drop_column.ts";
import { fullRunCommand } from "./steps/full_run.ts";
import { prepareDatasetCommand } from "./steps/prepare_dataset.ts";
import { runbookCommand } from "./steps/runbook.ts";
import { scoreCommand } from "./steps/score.ts";
import { compareRunsCommand } from "./steps/compare_runs.ts";
import { ablationCommand, sweepCommand } from "./steps/sweep_step.ts";

/** Every command, in runbook order. */
export const COMMANDS: readonly CommandSpec[] = [
  prepareDatasetCommand,
  makeSplitsCommand,
  cvCommand,
  dropColumnCommand,
  fullRunCommand,
  runbookCommand,
  logExperimentCommand,
  scoreCommand,
  compareRunsCommand,
  sweepCommand,
  ablationCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    "usage: deno task essay-scoring-research <command> [flags]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`),
    "",
    "Run `deno task essay-scoring-research <command> --help` for a command's flags.",
  ].join("\n");
}

/**
 * Run the CLI on argv; resolves to the exit code.
 *
 * @example
 * ```ts
 * const code = await main(["prepare-dataset", "--run-name", "prep"]);
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    const { values, help } = parseFlags(rest, command.flags, command.name);
    if (help) {
      console.log(commandHelp(command));
      return 0;
    }
    return await command.run({ values, argv: rest });
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    const signal = error instanceof InterruptedError
      ? error.signal
      : activeInterruptHandling()?.received;
    if (signal) {
      console.error(
        `interrupted by ${signal}: the run stopped; its status.json says failed (interrupted) ` +
          "and the work finished so far is kept",
      );
      return exitCodeForSignal(signal);
    }
    if (error instanceof DatasetError) {
      console.error(`input error: ${error.message}`);
      return 1;
    }
    if (
      error instanceof ManifestError || error instanceof ModelBundleError ||
      error instanceof PerPromptScaleUnsupportedError ||
      error instanceof ExtractorMismatchError ||
      error instanceof FeatureStoreMismatchError
    ) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    console.error(`error: ${(error as Error).stack ?? error}`);
    return 1;
  }
}

if (import.meta.main) {
  installInterruptHandling();
  Deno.exit(await main(Deno.args));
}
