/**
 * `featureSetMatrix` with prompt-identity columns (issue 18): per-prompt corpora get one
 * indicator column per prompt of the scale table after the handcrafted columns and before the
 * embeddings (whose indices shift); single-scale corpora and `--prompt-columns false` get none.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readDatasetManifest } from "../../lib/dataset/manifest.ts";
import { resolveExperimentConfig } from "../../lib/run/config.ts";
import { featureSetMatrix, promptColumnsOf } from "../../lib/steps/model_inputs.ts";
import type { ExtractedFeatures } from "../../lib/features/types.ts";

const features: ExtractedFeatures = {
  ids: ["a", "b"],
  handcrafted: { nRows: 2, nCols: 2, values: Float64Array.from([1, 2, 3, 4]), names: ["h1", "h2"] },
  embeddings: { nRows: 2, nCols: 1, values: Float64Array.from([9, 8]), names: ["embedding_0"] },
};

async function configOf(scale: unknown) {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "m.json");
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      name: "m",
      language: "en",
      format: "csv",
      files: { data: "d.csv", split: { kind: "random", testFraction: 0.2, seed: 1 } },
      columns: { id: "id", text: "text", score: "score", prompt: "set" },
      scale,
    }),
  );
  const dataset = await readDatasetManifest(path);
  await Deno.remove(dir, { recursive: true });
  return resolveExperimentConfig(undefined, { datasetKind: "manifest", dataset });
}

const PER_PROMPT = {
  kind: "per_prompt",
  prompts: {
    "1": { kind: "numeric", min: 2, max: 12, step: 1 },
    "3": { kind: "numeric", min: 0, max: 3, step: 1 },
  },
  training: "normalise",
};

Deno.test("featureSetMatrix: prompt columns between handcrafted and embeddings", async () => {
  const config = await configOf(PER_PROMPT);
  const essays = [{ prompt: "3" }, { prompt: "1" }];
  const cols = promptColumnsOf(config, {}, essays);
  assert.deepEqual(cols, { prompts: ["1", "3"], essayPrompts: ["3", "1"] });
  const m = featureSetMatrix(features, "combined", [], undefined, cols);
  assert.deepEqual(m.names, ["h1", "h2", "prompt_is_1", "prompt_is_3", "embedding_0"]);
  assert.deepEqual(Array.from(m.X.values), [1, 2, 0, 1, 9, 3, 4, 1, 0, 8]);
  assert.deepEqual(m.embeddingColumns, [4]);
  const emb = featureSetMatrix(features, "embeddings", [], undefined, cols);
  assert.deepEqual(emb.names, ["prompt_is_1", "prompt_is_3", "embedding_0"]);
  assert.deepEqual(emb.embeddingColumns, [2]);
  assert.equal(promptColumnsOf(config, { promptColumns: false }, essays), undefined);
});

Deno.test("featureSetMatrix: single-scale corpora get no prompt columns", async () => {
  const config = await configOf({ kind: "numeric", min: 1, max: 6, step: 1 });
  assert.equal(promptColumnsOf(config, { promptColumns: true }, [{ prompt: "1" }]), undefined);
  const ellipse = resolveExperimentConfig(undefined, {});
  assert.equal(promptColumnsOf(ellipse, {}, [{ prompt: "x" }]), undefined);
  const m = featureSetMatrix(features, "combined", [], undefined, undefined);
  assert.deepEqual(m.names, ["h1", "h2", "embedding_0"]);
  assert.deepEqual(m.embeddingColumns, [2]);
});
