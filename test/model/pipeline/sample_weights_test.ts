import assert from "node:assert/strict";
import { GradientBoostedTrees } from "../../../lib/model/learners/gradient_boosting.ts";
import type { DenseMatrix } from "../../../lib/model/learners/matrix.ts";
import { RandomForest } from "../../../lib/model/learners/random_forest.ts";
import { Ridge } from "../../../lib/model/learners/ridge.ts";
import { sampleWeights } from "../../../lib/model/pipeline/sample_weights.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";

/** n rows, 5 features; labels from `scores` in turn, feature 0 tracks the label. */
function data(n: number, scores: readonly number[], seed = 1): { X: DenseMatrix; y: Float64Array } {
  const random = seededRandom(seed);
  const p = 5;
  const values = new Float64Array(n * p);
  const y = Float64Array.from({ length: n }, (_, i) => scores[i % scores.length]);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < p; c++) values[r * p + c] = random();
    values[r * p] = y[r] + 0.8 * (random() - 0.5);
  }
  return { X: { nRows: n, nCols: p, values }, y };
}

const TREE = { nEstimators: 30, maxDepth: 3, subsample: 0.8, earlyStoppingRounds: 5 };

Deno.test("sqrt_inv_freq: weights ∝ 1/√frequency, capped, mean 1; none = null", () => {
  const y = [3, 3, 3, 3, 3, 3, 3, 3, 3, 5]; // 9:1
  const w = sampleWeights(y, "sqrt_inv_freq", 10)!;
  assert.ok(Math.abs(w[9] / w[0] - 3) < 1e-12);
  assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) / w.length - 1) < 1e-12);
  const capped = sampleWeights(y, "sqrt_inv_freq", 2)!;
  assert.ok(Math.abs(capped[9] / capped[0] - 2) < 1e-12);
  assert.equal(sampleWeights(y, "none", 3), null);
  assert.throws(() => sampleWeights(y, "sqrt_inv_freq", 0.5), /cap/);
});

Deno.test("equal band sizes: weighting is identical to no weighting (gbm, rf, ridge)", async () => {
  const { X, y } = data(180, [1.5, 2.5, 3, 3.5, 4.5, 5]);
  const w = sampleWeights(y, "sqrt_inv_freq", 3)!;
  assert.ok(w.every((v) => v === 1), "equal class sizes give unit weights");
  const pairs = [
    [new GradientBoostedTrees(TREE, 7), new GradientBoostedTrees(TREE, 7)],
    [new RandomForest(TREE, 7, { workers: 1 }), new RandomForest(TREE, 7, { workers: 1 })],
    [new Ridge({ alpha: 3 }), new Ridge({ alpha: 3 })],
  ] as const;
  for (const [plain, weighted] of pairs) {
    plain.fit(X, y);
    weighted.fit(X, y, { sampleWeights: w });
    assert.deepEqual(weighted.predict(X), plain.predict(X), plain.name);
  }
  // the worker path of the forest too
  const rf = await new RandomForest(TREE, 7, { workers: 2 }).fitAsync(X, y, { sampleWeights: w });
  assert.deepEqual(rf.predict(X), pairs[1][0].predict(X));
});

Deno.test("weighted ridge equals ridge on rows repeated by their (integer) weights", () => {
  const { X, y } = data(60, [2, 3, 3, 3, 4]);
  const w = Float64Array.from(y, (v) => (v === 3 ? 1 : 2));
  const rows: number[] = [];
  w.forEach((k, r) => {
    for (let j = 0; j < k; j++) rows.push(r);
  });
  const p = X.nCols;
  const Xd: DenseMatrix = {
    nRows: rows.length,
    nCols: p,
    values: Float64Array.from(rows.flatMap((r) => Array.from(X.values.subarray(r * p, r * p + p)))),
  };
  const yd = Float64Array.from(rows, (r) => y[r]);
  const a = new Ridge({ alpha: 2 }).fit(X, y, { sampleWeights: w }).predict(X);
  const b = new Ridge({ alpha: 2 }).fit(Xd, yd).predict(X);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-9, `${a[i]} vs ${b[i]}`);
});

Deno.test("unequal bands: weights move gbm and rf toward the rare scores", () => {
  const { X, y } = data(300, [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 5, 1]);
  const w = sampleWeights(y, "sqrt_inv_freq", 5)!;
  const rare = Array.from(y.keys()).filter((i) => y[i] !== 3);
  const err = (pred: Float64Array) => rare.reduce((s, i) => s + Math.abs(pred[i] - y[i]), 0);
  for (const make of [() => new GradientBoostedTrees(TREE, 3), () => new RandomForest(TREE, 3)]) {
    const plain = make().fit(X, y).predict(X);
    const weighted = make().fit(X, y, { sampleWeights: w }).predict(X);
    assert.ok(err(weighted) < err(plain), `${make().name}: ${err(weighted)} vs ${err(plain)}`);
  }
  assert.throws(
    () => new Ridge().fit(X, y, { sampleWeights: new Float64Array(3) }),
    /sample weights/,
  );
});
