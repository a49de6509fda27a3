import assert from "node:assert/strict";
import { gridScale } from "../../lib/dataset/common_grid.ts";
import { DatasetError } from "../../lib/dataset/csv_table.ts";
import type { EssayToScore, ScoringInput } from "../../lib/dataset/scoring_csv.ts";
import type { ModelBundle } from "../../lib/model/bundle/bundle.ts";
import type { PipelinePrediction } from "../../lib/model/pipeline/scoring_pipeline.ts";
import {
  bundlePerPromptScale,
  checkScoredPrompts,
  perPromptPredictionColumns,
  perPromptPredictionRows,
} from "../../lib/steps/score_per_prompt.ts";

const SCALE = {
  kind: "per_prompt" as const,
  prompts: {
    p1: { kind: "numeric" as const, min: 2, max: 12, step: 1 },
    p2: { kind: "ordinal" as const, levels: ["low", "mid", "high", "top"] },
  },
  training: "normalise" as const,
}; // L = lcm(10, 3) = 30

function bundle(gridSize: number, pipelineMax = gridSize): ModelBundle {
  return {
    meta: { per_prompt_scale: { scale: SCALE, grid_size: gridSize } },
    pipeline: { scale: gridScale(pipelineMax) },
  } as unknown as ModelBundle;
}

const essay = (id: string, prompt: string | null, label: number | null, row: number) =>
  ({ id, text: "one two three", prompt, label, sourceRow: row }) satisfies EssayToScore;

Deno.test("score on per-prompt scales: the bundle's scales and grid, checked against the pipeline", () => {
  const pp = bundlePerPromptScale(bundle(30))!;
  assert.equal(pp.gridSize, 30);
  assert.equal(bundlePerPromptScale({ meta: {}, pipeline: {} } as unknown as ModelBundle), null);
  assert.throws(() => bundlePerPromptScale(bundle(60)), /grid_size 60 does not match/);
  assert.throws(() => bundlePerPromptScale(bundle(30, 8)), /pipeline's scale 0–8/);
});

Deno.test("score on per-prompt scales: an essay without a prompt, or with an unknown one, is refused", () => {
  const pp = bundlePerPromptScale(bundle(30))!;
  const input = {
    file: "new.csv",
    essays: [],
    columns: { id: "id", text: "text", prompt: "prompt", label: null },
  } as ScoringInput;
  checkScoredPrompts(input, [essay("a", "p1", null, 1), essay("b", "p2", null, 2)], pp);
  const refused = (e: EssayToScore, pattern: RegExp) =>
    assert.throws(
      () => checkScoredPrompts(input, [essay("a", "p1", null, 1), e], pp),
      (err: Error) => err instanceof DatasetError && pattern.test(err.message),
    );
  refused(essay("b", null, null, 2), /row 2, column "prompt": essay "b" has no prompt/);
  refused(
    essay("c", "p9", null, 2),
    /row 2, column "prompt": essay "c": prompt "p9" has no scale in the model bundle \(scales are given for: p1, p2\)/,
  );
});

Deno.test("score on per-prompt scales: each essay written on its own prompt's scale", () => {
  const pp = bundlePerPromptScale(bundle(30))!;
  const essays = [essay("a", "p1", 15, 1), essay("b", "p2", 20, 2), essay("c", "p1", null, 3)];
  const p = {
    raw: Float64Array.from([16.5, 14.9, -3]),
    rounded: Float64Array.from([16, 15, 0]),
    cutpoints: null,
    learner: Float64Array.from([16, 15, -2]),
  } as unknown as PipelinePrediction;
  const flags = [[], ["prompt_unseen"], []];
  const rows = perPromptPredictionRows(essays, p, flags, true, null, pp);
  // p1 (2–12, 3 grid steps a level): 16.5 → 7.5 → 8 (halves up); p2: 14.9 → 1.49 → "mid";
  // -3 clipped to 2
  const near = (x: string | number) => Number((x as number).toFixed(9));
  assert.deepEqual(rows.map((r) => [r[0], near(r[3]), r[4], r[5], r[6], r[7], r[8]]), [
    ["a", 7.5, 8, "", "", 7, 16.5],
    ["b", 1.49, "mid", "", "prompt_unseen", "high", 14.9],
    ["c", 1, 2, "", "", "", -3],
  ]);
  const cols = perPromptPredictionColumns(true, 2);
  assert.deepEqual(cols.slice(0, 10), [
    "id",
    "prompt",
    "words",
    "prediction_raw",
    "prediction_rounded",
    "prediction_cutpoints",
    "flags",
    "overall_true",
    "grid_prediction_raw",
    "prediction_learner",
  ]);
  const explained = perPromptPredictionRows(essays, p, flags, true, {
    base: 14,
    top: essays.map(() => [{ feature: "word_count", value: 1 }, { feature: "ttr", value: 0.5 }]),
  }, pp);
  assert.equal(explained[0].length, cols.length);
});
