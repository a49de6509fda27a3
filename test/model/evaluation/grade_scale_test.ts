import assert from "node:assert/strict";
import { gradeScaleReport } from "../../../lib/model/evaluation/grade_scale.ts";
import { linearShap } from "../../../lib/model/learners/linear_shap.ts";
import { gradeScaleReportMarkdown } from "../../../lib/report/model_reports.ts";
import { Ridge } from "../../../lib/model/learners/ridge.ts";
import { shapAdditivityError } from "../../../lib/model/learners/tree_shap.ts";
import { syntheticRegression } from "../synthetic.ts";

Deno.test("grade-scale report: Spearman, length bias, confusion, per-prompt distributions", () => {
  const yTrue = [1, 2, 3, 4, 5, 3];
  const yPred = [1.2, 2.1, 2.9, 4.4, 4.8, 3.6];
  const words = [200, 300, 400, 500, 600, 350];
  const prompts = ["a", "a", "b", "b", "b", "a"];
  const r = gradeScaleReport({ yTrue, yPred, wordCounts: words, prompts });
  assert.equal(r.n, 6);
  assert.ok(r.spearmanPredTrue > 0.9);
  assert.ok(r.lengthBias.spearmanWordsTrue > 0.8);
  // row 3.0 (class 4): one predicted 3.0, one 3.5
  assert.equal(r.confusion[4][4], 1);
  assert.equal(r.confusion[4][5], 1);
  assert.equal(r.trueCounts.reduce((a, b) => a + b, 0), 6);
  assert.deepEqual(r.prompts.map((p) => [p.prompt, p.n]), [["a", 3], ["b", 3]]);
  assert.equal(r.prompts[1].predictedCounts[7], 1); // 4.4 → 4.5
  const md = gradeScaleReportMarkdown("test", r);
  assert.match(md, /Spearman\(predicted, true\) \| 0\.9/);
  assert.match(md, /\| 3\.0 \| 0 \| 0 \| 0 \| 0 \| 1 \| 1 \| 0 \| 0 \| 0 \| 2 \|/);
});

Deno.test("ridge imputes NaN with training means; linear SHAP is additive", () => {
  const { X, y } = syntheticRegression(120, 5, 4);
  const withNaN = { ...X, values: X.values.slice() };
  withNaN.values[3] = NaN;
  withNaN.values[17] = NaN;
  const ridge = new Ridge({ alpha: 1 }).fit(withNaN, y);
  const pred = ridge.predict(withNaN);
  assert.ok(pred.every(Number.isFinite));
  const shap = linearShap(ridge, withNaN, withNaN);
  assert.ok(shapAdditivityError(shap, pred) < 1e-9);
  // mean SHAP over the background is 0 for every feature
  for (let f = 0; f < 5; f++) {
    let s = 0;
    for (let r = 0; r < 120; r++) s += shap.values[r * 5 + f];
    assert.ok(Math.abs(s / 120) < 1e-9);
  }
});

Deno.test("per-prompt QWK cell: n/a for small prompts or one true score, no negative zero", async () => {
  const { perPromptQwkCell } = await import("../../../lib/report/model_reports.ts");
  assert.equal(perPromptQwkCell(4, [0, 0, 2, 2, 0, 0, 0, 0, 0], -1), "n/a (n < 10)");
  assert.equal(perPromptQwkCell(12, [0, 0, 0, 0, 12, 0, 0, 0, 0], 0), "n/a (one true score)");
  assert.equal(perPromptQwkCell(12, [0, 0, 6, 6, 0, 0, 0, 0, 0], -0.0001), "0.000");
  assert.equal(perPromptQwkCell(12, [0, 0, 6, 6, 0, 0, 0, 0, 0], 0.51234), "0.512");
});
