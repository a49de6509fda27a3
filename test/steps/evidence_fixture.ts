/**
 * Fixture of the evidence-layer step tests: splits over the embedded data set and a synthetic
 * handcrafted feature store (column 0 = score + small noise, every other column noise) reused
 * through `reuseCvFeatureStoreDir`, so cv runs are fast and their quality is known.
 */
import { join } from "node:path";
import { embeddedSplitsAndEssays, testRunSettings } from "./embedded_splits_fixture.ts";
import { createLocalFeatureExtractor } from "../../lib/features/extract.ts";
import { rowIdentities, writeFeatureStore } from "../../lib/features/feature_store.ts";
import {
  HANDCRAFTED_FEATURE_NAMES,
  HANDCRAFTED_SCHEMA_VERSION,
} from "../../lib/features/handcrafted/schema.ts";
import { seededRandom } from "../../lib/model/learners/random.ts";
import { type ExperimentConfig, resolveExperimentConfig } from "../../lib/run/config.ts";

/** The handcrafted column that carries the score. */
export const SIGNAL_FEATURE = HANDCRAFTED_FEATURE_NAMES[0];

/**
 * Splits + synthetic store under `root`; the config every test run starts from. With
 * `embeddings`, the store is `combined` with 8 embedding columns (column 0 also tracks the
 * score, more noisily).
 */
export async function evidenceFixture(
  root: string,
  options: { embeddings?: boolean } = {},
): Promise<ExperimentConfig> {
  const common = testRunSettings(root);
  const splits = await embeddedSplitsAndEssays(root);
  const essays = [...splits.train, ...splits.test];
  const random = seededRandom(5, "store");
  const p = HANDCRAFTED_FEATURE_NAMES.length;
  const values = new Float64Array(essays.length * p);
  essays.forEach((e, r) => {
    for (let c = 0; c < p; c++) values[r * p + c] = random();
    values[r * p] = e.overall + 0.3 * (random() - 0.5);
  });
  const dims = 8;
  const embeddings = new Float64Array(essays.length * dims);
  essays.forEach((e, r) => {
    for (let c = 0; c < dims; c++) embeddings[r * dims + c] = random();
    embeddings[r * dims] = e.overall + (random() - 0.5);
  });
  const store = join(root, "store");
  const inputs = essays.map((e) => ({ id: e.id, text: e.text, prompt: e.prompt }));
  await writeFeatureStore({
    dir: store,
    kind: "store",
    schemaVersion: HANDCRAFTED_SCHEMA_VERSION,
    fingerprint: createLocalFeatureExtractor({ workers: 0 }).fingerprint,
    featureSet: options.embeddings ? "combined" : "handcrafted",
    rows: rowIdentities(inputs),
    features: {
      ids: essays.map((e) => e.id),
      handcrafted: { names: HANDCRAFTED_FEATURE_NAMES, nRows: essays.length, nCols: p, values },
      ...(options.embeddings
        ? {
          embeddings: {
            names: Array.from({ length: dims }, (_, c) => `use_${c}`),
            nRows: essays.length,
            nCols: dims,
            values: embeddings,
          },
        }
        : {}),
    },
  });
  return resolveExperimentConfig(undefined, {
    ...common,
    splitsPath: splits.splitsPath,
    featureSet: options.embeddings ? "combined" : "handcrafted",
    reuseCvFeatureStoreDir: store,
    treeParams: { nEstimators: 40, learningRate: 0.1, maxDepth: 3, earlyStoppingRounds: 0 },
  });
}
