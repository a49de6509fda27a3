import assert from "node:assert/strict";
import {
  fisherZMean,
  promptTable,
  promptTableMarkdown,
} from "../../../lib/model/evaluation/prompt_table.ts";
import { quadraticWeightedKappa } from "../../../lib/model/evaluation/metrics.ts";
import { scoreScale } from "../../../lib/dataset/score_scale.ts";

Deno.test("fisherZMean: tanh of the mean atanh, clipped at ±0.999", () => {
  assert.ok(
    Math.abs(fisherZMean([0.6, 0.8]) - Math.tanh((Math.atanh(0.6) + Math.atanh(0.8)) / 2)) < 1e-15,
  );
  assert.ok(Math.abs(fisherZMean([0.5]) - 0.5) < 1e-15);
  assert.ok(fisherZMean([1, 1]) < 1);
  assert.ok(Number.isNaN(fisherZMean([])));
});

Deno.test("promptTable: per-prompt n, QWK with CI, mean residual; small prompts n/a", () => {
  const grades = scoreScale({ kind: "ordinal", levels: ["F", "E", "D", "C", "B", "A"] });
  const y: number[] = [];
  const p: number[] = [];
  const prompts: string[] = [];
  for (let i = 0; i < 24; i++) {
    y.push(i % 6);
    p.push((i % 6) + (i % 2 ? 0.3 : -0.2));
    prompts.push(i < 12 ? "a" : "b");
  }
  y.push(2, 3);
  p.push(2, 3);
  prompts.push("tiny", "tiny");
  const t = promptTable(y, p, prompts, { seed: 1, scale: grades, resamples: 200 });
  assert.deepEqual(t.rows.map((r) => r.prompt), ["a", "b", "tiny"]);
  const a = t.rows[0];
  assert.equal(a.n, 12);
  assert.equal(a.qwk, quadraticWeightedKappa(y.slice(0, 12), p.slice(0, 12), grades));
  assert.ok(a.qwkInterval!.lower <= a.qwk! && a.qwk! <= a.qwkInterval!.upper);
  assert.ok(Math.abs(a.meanResidual - 0.05) < 1e-12);
  assert.equal(t.rows[2].qwk, null);
  assert.equal(t.nPromptsInMean, 2);
  assert.equal(t.fisherZMeanQwk, fisherZMean([t.rows[0].qwk!, t.rows[1].qwk!]));
  const md = promptTableMarkdown("Per prompt", t);
  assert.match(md, /Fisher-z mean of per-prompt QWK \(unweighted over 2 prompts/);
  assert.match(md, /\| tiny \| 2 \| n\/a \|/);
});
