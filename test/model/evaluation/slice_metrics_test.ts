import assert from "node:assert/strict";
import {
  gradeBand,
  perPromptQwk,
  sliceMetrics,
  tailSliceMetrics,
  worstPromptQwk,
} from "../../../lib/model/evaluation/slice_metrics.ts";
import {
  residualCsvTable,
  residualDiagnostics,
  residualRows,
} from "../../../lib/model/evaluation/residuals.ts";
import { quadraticWeightedKappa } from "../../../lib/model/evaluation/metrics.ts";

Deno.test("grade bands: low ≤ 2.0 < middle < 4.0 ≤ high", () => {
  assert.deepEqual([1, 2, 2.5, 3.5, 4, 5].map((y) => gradeBand(y)), [
    "low",
    "low",
    "middle",
    "middle",
    "high",
    "high",
  ]);
});

Deno.test("tail slices: n, MAE, adjacent accuracy and mean residual per band", () => {
  const y = [1.5, 2, 3, 4, 4.5];
  const p = [2.5, 2.1, 3, 3.0, 4.4];
  const t = tailSliceMetrics(y, p);
  assert.equal(t.low.n, 2);
  assert.ok(Math.abs(t.low.mae - 0.55) < 1e-12);
  assert.equal(t.low.adjacentAccuracy, 0.5); // 2.5 vs 1.5 is two half points off
  assert.ok(Math.abs(t.low.meanResidual - 0.55) < 1e-12);
  assert.equal(t.middle.n, 1);
  assert.equal(t.middle.meanResidual, 0);
  assert.equal(t.high.n, 2);
  assert.ok(Math.abs(t.high.meanResidual - (-1.1 / 2)) < 1e-12);
  assert.equal(t.high.adjacentAccuracy, 0.5);
  const empty = sliceMetrics(y, p, []);
  assert.equal(empty.n, 0);
  assert.ok(Number.isNaN(empty.mae));
});

Deno.test("worst-prompt QWK ignores prompts under 10 essays or with one true score", () => {
  const y: number[] = [];
  const p: number[] = [];
  const prompts: string[] = [];
  const add = (prompt: string, n: number, f: (i: number) => [number, number]) => {
    for (let i = 0; i < n; i++) {
      const [a, b] = f(i);
      y.push(a);
      p.push(b);
      prompts.push(prompt);
    }
  };
  add("good", 12, (i) => [2 + (i % 4) * 0.5, 2 + (i % 4) * 0.5]);
  add("bad", 12, (i) => [2 + (i % 4) * 0.5, 3.5 - (i % 4) * 0.5]);
  add("tiny", 5, (i) => [1 + i, 5 - i]);
  add("flat", 12, () => [3, 4.5]);
  const all = perPromptQwk(y, p, prompts);
  assert.deepEqual(all.map((q) => q.prompt), ["bad", "good"]);
  const w = worstPromptQwk(y, p, prompts)!;
  assert.equal(w.prompt, "bad");
  assert.equal(w.n, 12);
  const idx = prompts.flatMap((x, i) => (x === "bad" ? [i] : []));
  assert.equal(w.qwk, quadraticWeightedKappa(idx.map((i) => y[i]), idx.map((i) => p[i])));
  assert.equal(worstPromptQwk([3], [3], ["x"]), null);
});

Deno.test("residual diagnostics: groups, covariate Spearman, worst essays, CSV", () => {
  const n = 30;
  const words = Array.from({ length: n }, (_, i) => 200 + 10 * i);
  const y = Array.from({ length: n }, (_, i) => 1 + (i % 9) * 0.5);
  // residual grows with length: a length-leaning model
  const pred = y.map((v, i) => v + (words[i] - 340) / 300);
  const rows = residualRows({
    ids: y.map((_, i) => `e${i}`),
    prompts: y.map((_, i) => (i % 2 ? "A" : "B")),
    yTrue: y,
    yPred: pred,
    covariates: { word_count: words },
  });
  const d = residualDiagnostics("val", rows, 5);
  assert.equal(d.n, n);
  assert.equal(d.byBand.reduce((s, g) => s + g.n, 0), n);
  assert.equal(d.byPrompt.length, 2);
  assert.ok(Math.abs(d.covariateSpearman[0].spearman - 1) < 1e-12);
  assert.equal(d.worst.length, 5);
  assert.equal(d.worst[0].id, "e29");
  for (let k = 1; k < d.worst.length; k++) {
    assert.ok(Math.abs(d.worst[k - 1].residual) >= Math.abs(d.worst[k].residual));
  }
  const table = residualCsvTable(rows);
  assert.deepEqual(table.columns, [
    "id",
    "prompt",
    "overall_true",
    "prediction_raw",
    "prediction_rounded",
    "residual",
    "grade_band",
    "word_count",
  ]);
  assert.equal(table.rows.length, n);
  assert.throws(() =>
    residualRows({ ids: ["a"], prompts: [], yTrue: [1], yPred: [1], covariates: {} })
  );
});
