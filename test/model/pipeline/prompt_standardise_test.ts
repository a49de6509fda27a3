/**
 * Per-prompt standardisation (issue 18): statistics from the training rows of each prompt only,
 * the same map on held-out rows, prompt and embedding columns untouched, non-finite values kept,
 * the JSON round trip (a reloaded pipeline predicts the same), and no stage — and no JSON field —
 * for a pipeline without prompt columns.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  applyPromptStandardisation,
  fitPromptStandardisation,
  promptStandardisationFromJson,
  promptStandardisationToJson,
} from "../../../lib/model/pipeline/prompt_standardise.ts";
import { ScoringPipeline } from "../../../lib/model/pipeline/scoring_pipeline.ts";
import { matrixFromRows } from "../../../lib/model/learners/matrix.ts";
import { scoreScale } from "../../../lib/dataset/score_scale.ts";
import { resolveExperimentConfig } from "../../../lib/run/config.ts";

const NAMES = ["words", "prompt_is_a", "prompt_is_b", "embedding_0"];

Deno.test("fitPromptStandardisation: each prompt's training mean and std, other columns kept", () => {
  // prompt a: words 100, 300 (mean 200, std 100); prompt b: words 10, 20, 30 (mean 20)
  const X = matrixFromRows([
    [100, 1, 0, 5],
    [300, 1, 0, 6],
    [10, 0, 1, 7],
    [20, 0, 1, 8],
    [30, 0, 1, 9],
  ]);
  const s = fitPromptStandardisation(X, NAMES, [3])!;
  assert.deepEqual(s.promptColumns, [1, 2]);
  assert.deepEqual(s.columns, [0]);
  assert.deepEqual(s.mean, [[200], [20]]);
  assert.equal(s.std[0][0], 100);
  assert.ok(Math.abs(s.std[1][0] - Math.sqrt(200 / 3)) < 1e-12);
  const held = applyPromptStandardisation(matrixFromRows([[400, 1, 0, 1], [20, 0, 1, 2]]), s);
  assert.deepEqual(Array.from(held.values), [2, 1, 0, 1, 0, 0, 1, 2]);
  const nan = applyPromptStandardisation(matrixFromRows([[NaN, 1, 0, 0]]), s);
  assert.ok(Number.isNaN(nan.values[0]));
  assert.throws(
    () => applyPromptStandardisation(matrixFromRows([[1, 0, 0, 0]]), s),
    /row 0 has no prompt column set/,
  );
});

Deno.test("fitPromptStandardisation: none without prompt columns; degenerate stats are safe", () => {
  assert.equal(fitPromptStandardisation(matrixFromRows([[1, 2]]), ["a", "b"], []), null);
  // prompt b has no training rows, prompt a one row and a constant column
  const s = fitPromptStandardisation(matrixFromRows([[5, 1, 0, 0]]), NAMES, [3])!;
  assert.deepEqual(s.mean, [[5], [0]]);
  assert.deepEqual(s.std, [[1], [1]]);
  const json = promptStandardisationToJson(s);
  assert.deepEqual(promptStandardisationFromJson(json, 4), s);
  assert.throws(() => promptStandardisationFromJson(json, 2), /does not match the input columns/);
});

async function fitPipeline(names: readonly string[], promptStandardise: boolean) {
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 60; i++) {
    const a = i % 2 === 0;
    const words = (a ? 300 : 60) + (i % 10) * (a ? 30 : 6);
    rows.push(names.length === 1 ? [words] : [words, a ? 1 : 0, a ? 0 : 1]);
    y.push(i % 10);
  }
  const X = matrixFromRows(rows);
  const config = resolveExperimentConfig(undefined, {
    treeParams: { nEstimators: 30, earlyStoppingRounds: 0 },
  });
  const { pipeline } = await ScoringPipeline.fit(
    { X, groups: rows.map((_, i) => `e${i}`) },
    y,
    {
      kind: "gbm",
      params: config,
      seed: 1,
      featureNames: names,
      textStacking: false,
      cutpointInnerFolds: 0,
      singleThreaded: true,
      scale: scoreScale({ kind: "numeric", min: 0, max: 9, step: 1 }),
      promptStandardise,
    },
  );
  return { pipeline, X };
}

Deno.test("ScoringPipeline: the standardisation is fitted, saved and applied again", async () => {
  const { pipeline, X } = await fitPipeline(["words", "prompt_is_a", "prompt_is_b"], true);
  assert.deepEqual(pipeline.promptStandardisation?.columns, [0]);
  const json = pipeline.toJSON();
  assert.ok(json.prompt_standardisation);
  const again = ScoringPipeline.fromJSON(JSON.parse(JSON.stringify(json)));
  assert.deepEqual(again.predict({ X }).raw, pipeline.predict({ X }).raw);
  // the standardised words predict the within-prompt rank on both prompts alike
  const raw = pipeline.predict({ X }).raw;
  assert.ok(Math.abs(raw[0] - raw[1]) < 1.5, `rank 0 on both prompts: ${raw[0]} vs ${raw[1]}`);
});

Deno.test("ScoringPipeline: no prompt columns, no stage and no JSON field", async () => {
  const { pipeline } = await fitPipeline(["words"], true);
  assert.equal(pipeline.promptStandardisation, null);
  assert.equal("prompt_standardisation" in pipeline.toJSON(), false);
  const off = await fitPipeline(["words", "prompt_is_a", "prompt_is_b"], false);
  assert.equal(off.pipeline.promptStandardisation, null);
});
