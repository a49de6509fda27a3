import assert from "node:assert/strict";
import { gridLabel, perPromptScale } from "../../../lib/dataset/per_prompt_scale.ts";
import { scaleValue } from "../../../lib/dataset/score_scale.ts";
import {
  perPromptEvaluation,
  perPromptEvaluationMarkdown,
} from "../../../lib/model/evaluation/per_prompt_evaluation.ts";
import { adjacentAccuracy, quadraticWeightedKappa } from "../../../lib/model/evaluation/metrics.ts";
import { fisherZMean } from "../../../lib/model/evaluation/prompt_table.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";

const PP = perPromptScale({
  kind: "per_prompt",
  prompts: {
    a: { kind: "numeric", min: 2, max: 12, step: 1 },
    b: { kind: "numeric", min: 0, max: 3, step: 1 },
  },
  training: "normalise",
});

/** Grid labels (L = 30) and noisy grid predictions, 150 essays per prompt. */
function data() {
  const random = seededRandom(9, "pp");
  const prompts: string[] = [];
  const y: number[] = [];
  const pred: number[] = [];
  const raw: Record<string, { t: number[]; p: number[] }> = {
    a: { t: [], p: [] },
    b: { t: [], p: [] },
  };
  for (const prompt of ["a", "b"]) {
    const s = PP.byPrompt.get(prompt)!;
    for (let i = 0; i < 150; i++) {
      const v = scaleValue(s, Math.floor(random() * s.nLevels));
      const x = gridLabel(PP, s, v);
      const px = x + (random() - 0.5) * (prompt === "a" ? 9 : 18);
      prompts.push(prompt);
      y.push(x);
      pred.push(px);
      raw[prompt].t.push(v);
      raw[prompt].p.push(s.min + (px / 30) * (s.max - s.min));
    }
  }
  return { prompts, y, pred, raw };
}

Deno.test("per-prompt evaluation: each prompt's QWK on its own scale; headline is the Fisher-z mean", () => {
  const d = data();
  const e = perPromptEvaluation(d.y, d.pred, d.prompts, PP, { seed: 1, resamples: 200 });
  assert.deepEqual(e.rows.map((r) => r.prompt), ["a", "b"]);
  for (const r of e.rows) {
    const s = PP.byPrompt.get(r.prompt)!;
    const { t, p } = d.raw[r.prompt];
    assert.ok(Math.abs(r.qwk! - quadraticWeightedKappa(t, p, s)) < 1e-12, r.prompt);
    assert.ok(Math.abs(r.adjacentAccuracy - adjacentAccuracy(t, p, s)) < 1e-12);
    assert.equal(r.confusion.length, s.nLevels * s.nLevels);
    assert.equal(r.confusion.reduce((a, b) => a + b, 0), 150);
    assert.equal(r.n, 150);
  }
  assert.equal(e.meanPerPromptQwkFisherZ, fisherZMean(e.rows.map((r) => r.qwk!)));
  assert.equal(e.nPromptsInMean, 2);
  // prompt b (4 levels, noisier) and prompt a (11 levels) really differ
  assert.ok(e.rows[0].qwk! > e.rows[1].qwk!);
  const md = perPromptEvaluationMarkdown("Per prompt (test)", e);
  assert.match(
    md,
    /\*\*Mean per-prompt QWK \(Fisher z\): 0\.\d{3}\*\* \(unweighted over 2 prompts/,
  );
  assert.match(md, /\| a \| 2–12 \| 150 \| 0\.\d{3} \|/);
  assert.match(md, /### Confusion, prompt b[\s\S]*\| true \\ pred \| 0 \| 1 \| 2 \| 3 \|/);
});

Deno.test("per-prompt evaluation: a prompt with one true level has no QWK and stays out of the mean", () => {
  const d = data();
  const prompts = [...d.prompts, ...Array(12).fill("c")];
  const pp = perPromptScale({
    ...PP.spec,
    prompts: { ...PP.spec.prompts, c: { kind: "numeric", min: 1, max: 6, step: 1 } },
  });
  const e = perPromptEvaluation(
    [...d.y, ...Array(12).fill(12)],
    [...d.pred, ...Array(12).fill(12)],
    prompts,
    pp,
    { seed: 1, resamples: 200 },
  );
  assert.equal(e.rows[2].qwk, null);
  assert.equal(e.nPromptsInMean, 2);
  assert.throws(
    () => perPromptEvaluation([15], [15], ["zz"], PP, { seed: 1 }),
    /prompt "zz" has no scale/,
  );
});
