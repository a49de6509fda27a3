/**
 * Resolve an `ExperimentConfig` for a CLI invocation: defaults ← `--config` JSON file ← flags
 * (the steps add the dataset language's checker and features: `steps/step_config.ts`).
 *
 * @module
 */
import { type ExperimentConfig, resolveExperimentConfig } from "./config.ts";
import { readDatasetManifest } from "../dataset/manifest.ts";
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
 * const config = await configFromFileAndFlags({ values: { "min-words": 150 }, argv: [] }, flags);
 * ```
 */
export async function configFromFileAndFlags(
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
  const overrides = configOverridesFromFlags(invocation.values, flags) as Partial<
    Record<keyof ExperimentConfig, unknown>
  >;
  const manifestPath = invocation.values["dataset"];
  if (typeof manifestPath === "string") {
    const dataset = await readDatasetManifest(manifestPath);
    Object.assign(overrides, {
      dataset,
      datasetKind: "manifest",
      minWords: overrides.minWords ?? dataset.wordWindow.min,
      maxWords: overrides.maxWords ?? dataset.wordWindow.max,
      ellipseExcludedPrompts: overrides.ellipseExcludedPrompts ?? dataset.excludedPrompts,
    });
  }
  try {
    return withManifestFilters(resolveExperimentConfig(fileConfig, overrides));
  } catch (error) {
    throw new UsageError(
      (typeof path === "string" ? `config (file ${path} + flags): ` : "") +
        (error as Error).message,
    );
  }
}

/**
 * The config with its manifest's word window and excluded prompts set to the config's own
 * (flags win over the manifest; the stored manifest then says what was applied).
 *
 * @example
 * ```ts
 * withManifestFilters(config).dataset?.wordWindow; // { min: config.minWords, max: … }
 * ```
 */
export function withManifestFilters(config: ExperimentConfig): ExperimentConfig {
  if (!config.dataset) return config;
  return {
    ...config,
    dataset: {
      ...config.dataset,
      wordWindow: { min: config.minWords, max: config.maxWords },
      excludedPrompts: [...config.ellipseExcludedPrompts],
    },
  };
}
