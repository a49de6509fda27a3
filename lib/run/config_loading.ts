/**
 * Resolve an `ExperimentConfig` for a CLI invocation: defaults ← `--config` JSON file ← flags.
 *
 * @module
 */
import { type ExperimentConfig, resolveExperimentConfig } from "./config.ts";
import {
  type CommandInvocation,
  configOverridesFromFlags,
  type FlagSpec,
  UsageError,
} from "./cli_flags.ts";

/**
 * Read the optional config file named by `--config`, then apply flag overrides.
 *
 * @example
 * ```ts
 * const config = await configFromInvocation({ values: { "min-words": 150 }, argv: [] }, flags);
 * ```
 */
export async function configFromInvocation(
  invocation: CommandInvocation,
  flags: readonly FlagSpec[],
): Promise<ExperimentConfig> {
  let fileConfig: unknown = undefined;
  const path = invocation.values["config"];
  if (typeof path === "string") {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      throw new UsageError(`--config ${path}: cannot read (${(error as Error).message})`);
    }
    try {
      fileConfig = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--config ${path}: not valid JSON (${(error as Error).message})`);
    }
  }
  try {
    return resolveExperimentConfig(
      fileConfig,
      configOverridesFromFlags(invocation.values, flags) as Partial<
        Record<keyof ExperimentConfig, unknown>
      >,
    );
  } catch (error) {
    throw new UsageError(
      (typeof path === "string" ? `config (file ${path} + flags): ` : "") +
        (error as Error).message,
    );
  }
}
