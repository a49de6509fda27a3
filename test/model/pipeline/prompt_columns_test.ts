/**
 * Prompt-identity columns (issue 18): the indicator matrix and its names, the names → prompts
 * round trip `score` relies on, the refusals, and the point of the columns — on a corpus where
 * the same length means opposite scores on two prompts, a pooled pipeline with them is far better
 * per prompt than the same pipeline without them.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  PROMPT_COLUMN_PREFIX,
  promptColumnNames,
  promptIndicatorMatrix,
  promptsOfColumnNames,
} from "../../../lib/model/pipeline/prompt_columns.ts";
import { ScoringPipeline } from "../../../lib/model/pipeline/scoring_pipeline.ts";
import { hconcat } from "../../../lib/model/learners/matrix.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";
import { quadraticWeightedKappa } from "../../../lib/model/evaluation/metrics.ts";
import { scoreScale } from "../../../lib/dataset/score_scale.ts";
import { resolveExperimentConfig } from "../../../lib/run/config.ts";

Deno.test("promptIndicatorMatrix: one 1 per row in its prompt's column, names in order", () => {
  const m = promptIndicatorMatrix(["1", "3", "5"], ["3", "1", "5", "3"]);
  assert.deepEqual(m.names, ["prompt_is_1", "prompt_is_3", "prompt_is_5"]);
  assert.equal(m.X.nRows, 4);
  assert.equal(m.X.nCols, 3);
  assert.deepEqual(Array.from(m.X.values), [0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0]);
  assert.equal(promptIndicatorMatrix(["a"], []).X.values.length, 0);
});

Deno.test("promptsOfColumnNames: recovers the prompts of promptColumnNames, none without", () => {
  const names = ["words", ...promptColumnNames(["1", "set b"]), "emb_0"];
  assert.deepEqual(promptsOfColumnNames(names), ["1", "set b"]);
  assert.deepEqual(promptsOfColumnNames(["words", "emb_0"]), []);
  assert.equal(PROMPT_COLUMN_PREFIX, "prompt_is_");
});

Deno.test("promptIndicatorMatrix: refuses an unknown or missing prompt naming the row", () => {
  assert.throws(() => promptIndicatorMatrix(["1", "3"], ["1", "7"]), /row 1 has prompt "7"/);
  assert.throws(() => promptIndicatorMatrix(["1", "3"], [null]), /row 0 has prompt null/);
  assert.throws(() => promptIndicatorMatrix(["1", "1"], ["1"]), /distinct/);
  assert.throws(() => promptIndicatorMatrix([], []), /not empty/);
});

/** Two prompts: on "a" a longer essay scores higher, on "b" lower (grid 0–10). */
function oppositeLengthCorpus(n: number, seed: number) {
  const random = seededRandom(seed, "prompt-columns-test");
  const prompts: string[] = [];
  const length: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = i % 2 === 0 ? "a" : "b";
    const x = random();
    prompts.push(p);
    length.push(x + 0.02 * random());
    y.push(Math.round(10 * (p === "a" ? x : 1 - x)));
  }
  return { prompts, length, y };
}

async function perPromptQwk(withPromptColumns: boolean): Promise<Record<string, number>> {
  const { prompts, length, y } = oppositeLengthCorpus(240, 7);
  const base = { nRows: prompts.length, nCols: 1, values: Float64Array.from(length) };
  const X = withPromptColumns
    ? hconcat([base, promptIndicatorMatrix(["a", "b"], prompts).X])
    : base;
  const names = withPromptColumns ? ["length", ...promptColumnNames(["a", "b"])] : ["length"];
  const nTrain = 160;
  const rows = (from: number, to: number) => {
    const values = X.values.slice(from * X.nCols, to * X.nCols);
    return { nRows: to - from, nCols: X.nCols, values };
  };
  const scale = scoreScale({ kind: "numeric", min: 0, max: 10, step: 1 });
  const config = resolveExperimentConfig(undefined, {
    treeParams: { nEstimators: 200, learningRate: 0.1, earlyStoppingRounds: 0 },
  });
  const { pipeline } = await ScoringPipeline.fit(
    { X: rows(0, nTrain), groups: prompts.slice(0, nTrain).map((_, i) => `e${i}`) },
    y.slice(0, nTrain),
    {
      kind: "gbm",
      params: config,
      seed: 1,
      featureNames: names,
      textStacking: false,
      cutpointInnerFolds: 0,
      singleThreaded: true,
      scale,
    },
  );
  const pred = pipeline.predict({ X: rows(nTrain, prompts.length) }).raw;
  const out: Record<string, number> = {};
  for (const p of ["a", "b"]) {
    const idx = prompts.slice(nTrain).flatMap((q, i) => (q === p ? [i] : []));
    out[p] = quadraticWeightedKappa(
      idx.map((i) => y[nTrain + i]),
      idx.map((i) => pred[i]),
      scale,
    );
  }
  return out;
}

Deno.test("prompt columns: a pooled model learns that length means opposite things per prompt", async () => {
  const without = await perPromptQwk(false);
  const withColumns = await perPromptQwk(true);
  for (const p of ["a", "b"]) {
    assert.ok(withColumns[p] > 0.9, `with prompt columns, prompt ${p}: QWK ${withColumns[p]}`);
    assert.ok(without[p] < 0.5, `without prompt columns, prompt ${p}: QWK ${without[p]}`);
  }
});
