/**
 * Shared setup of the model-step tests: `make-splits` on the embedded data in a temp root, and
 * the filtered train and test essays those splits cover (for a synthetic feature store).
 *
 * @module
 */
import { join } from "node:path";
import { applyStandardFilters } from "../../lib/dataset/filters.ts";
import { loadDataset } from "../../lib/dataset/load_dataset.ts";
import type { Essay } from "../../lib/dataset/essay.ts";
import { type ExperimentConfig, resolveExperimentConfig } from "../../lib/run/config.ts";
import { makeSplits } from "../../lib/steps/make_splits.ts";
import { filterSettingsOf } from "../../lib/steps/prepare_dataset.ts";

/** Config keys every model-step test run shares (its output root and experiment log). */
export function testRunSettings(root: string): Partial<ExperimentConfig> {
  return {
    outputRoot: join(root, "out"),
    experimentLogPath: join(root, "EXPERIMENT_LOG.md"),
    heartbeatMinutes: 60,
  };
}

/** `splits.json` of the embedded data and the filtered essays (train first, then test). */
export async function embeddedSplitsAndEssays(
  root: string,
): Promise<{ splitsPath: string; train: Essay[]; test: Essay[] }> {
  const base = resolveExperimentConfig(undefined, { ...testRunSettings(root), runName: "splits" });
  const splits = await makeSplits(base, { echo: false });
  const data = await loadDataset(base);
  const settings = filterSettingsOf(base);
  return {
    splitsPath: splits.splitsPath,
    train: applyStandardFilters(data.train, settings).kept,
    test: applyStandardFilters(data.test, settings).kept,
  };
}
