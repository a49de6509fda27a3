import assert from "node:assert/strict";
import { gridLabel, perPromptScale } from "../../../lib/dataset/per_prompt_scale.ts";
import { scaleValue } from "../../../lib/dataset/score_scale.ts";
import { comparePerPromptRuns } from "../../../lib/model/evaluation/per_prompt_comparison.ts";
import { meanPerPromptQwk } from "../../../lib/model/evaluation/per_prompt_evaluation.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";

const PP = perPromptScale({
  kind: "per_prompt",
  prompts: {
    a: { kind: "numeric", min: 2, max: 12, step: 1 },
    b: { kind: "numeric", min: 0, max: 3, step: 1 },
  },
  training: "normalise",
}); // L = 30

/** 60 essays per prompt in 3 folds; a noisy and a less noisy set of grid predictions. */
function data() {
  const random = seededRandom(4, "ppc");
  const prompts: string[] = [], y: number[] = [], folds: number[] = [];
  const noisy: number[] = [], good: number[] = [];
  for (const p of ["a", "b"]) {
    const s = PP.byPrompt.get(p)!;
    for (let i = 0; i < 60; i++) {
      const x = gridLabel(PP, s, scaleValue(s, Math.floor(random() * s.nLevels)));
      prompts.push(p);
      y.push(x);
      folds.push(i % 3);
      noisy.push(x + (random() - 0.5) * 24);
      good.push(x + (random() - 0.5) * 4);
    }
  }
  const essays = {
    ids: prompts.map((p, i) => `${p}${i}`),
    prompts,
    yGrid: Float64Array.from(y),
    folds: Int32Array.from(folds),
  };
  return { essays, noisy: Float64Array.from(noisy), good: Float64Array.from(good) };
}

Deno.test("per-prompt comparison: the headline Δ, per prompt and per fold, and its verdict", () => {
  const d = data();
  const c = comparePerPromptRuns(d.essays, d.noisy, d.good, PP, { seed: 1, resamples: 1000 });
  const head = (pred: Float64Array) =>
    meanPerPromptQwk(d.essays.yGrid, pred, d.essays.prompts, PP)!;
  assert.equal(c.headline.baseline, head(d.noisy));
  assert.equal(c.headline.candidate, head(d.good));
  assert.ok(c.headline.delta! > 0.1, `${c.headline.delta}`);
  assert.equal(c.difference, "candidate better");
  assert.ok(c.bootstrap.lower > 0 && c.bootstrap.lower <= c.headline.delta!);
  assert.deepEqual(c.prompts.map((p) => [p.prompt, p.n]), [["a", 60], ["b", 60]]);
  assert.deepEqual(c.folds.map((f) => f.fold), [0, 1, 2]);
  assert.equal(c.foldWins.of, 3);
  // the other way round: worse; the same predictions: Δ 0 and no difference
  const back = comparePerPromptRuns(d.essays, d.good, d.noisy, PP, { seed: 1, resamples: 1000 });
  assert.equal(back.difference, "candidate worse");
  const same = comparePerPromptRuns(d.essays, d.good, d.good, PP, { seed: 1, resamples: 1000 });
  assert.deepEqual([same.headline.delta, same.bootstrap.lower, same.bootstrap.upper], [0, 0, 0]);
  assert.equal(same.difference, "no difference");
});
