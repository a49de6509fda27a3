/**
 * Load the configured dataset (ELLIPSE train/test, or blocked IELTS for smoke tests).
 *
 * @module
 */
import type { ExperimentConfig } from "../run/config.ts";
import { loadEllipseTrainTest } from "./ellipse_csv.ts";
import type { Essay } from "./essay.ts";
import { loadIeltsCsv } from "./ielts_csv.ts";

/** The official partitions and the files they came from. */
export interface LoadedDataset {
  readonly train: Essay[];
  readonly test: Essay[];
  /** Column order for writing prepared CSVs. */
  readonly header: readonly string[];
  readonly inputPaths: readonly string[];
}

/** The canonical columns written for data that has no ELLIPSE layout of its own (IELTS). */
export const CANONICAL_COLUMNS = ["text_id_kaggle", "full_text", "prompt", "Overall", "set"];

/**
 * Load the dataset the config names.
 *
 * @example
 * ```ts
 * const { train, test } = await loadDataset(config);
 * ```
 */
export async function loadDataset(config: ExperimentConfig): Promise<LoadedDataset> {
  if (config.datasetKind === "ielts") {
    const all = await loadIeltsCsv(config.ieltsPath);
    return {
      train: all.filter((e) => e.split === "train"),
      test: all.filter((e) => e.split === "test"),
      header: CANONICAL_COLUMNS,
      inputPaths: [config.ieltsPath],
    };
  }
  const { train, test, header } = await loadEllipseTrainTest(
    config.ellipseTrainPath,
    config.ellipseTestPath,
  );
  return {
    train,
    test,
    header,
    inputPaths: [config.ellipseTrainPath, config.ellipseTestPath],
  };
}

/** Whether a dataset came from data the runbook blocks (IELTS: smoke tests only). */
export function isBlockedDataset(config: ExperimentConfig): boolean {
  return config.datasetKind === "ielts";
}
