import assert from "node:assert/strict";
import {
  adjacentAccuracy,
  averageRanks,
  kappaFromConfusion,
  meanAbsoluteError,
  quadraticWeightedKappa,
  roundToHalfPoint,
  scoreConfusionMatrix,
  spearman,
} from "../../../lib/model/evaluation/metrics.ts";

const close = (a: number, b: number, eps = 1e-12) =>
  assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

Deno.test("roundToHalfPoint rounds halves up and clips to [1, 5]", () => {
  assert.equal(roundToHalfPoint(3.25), 3.5);
  assert.equal(roundToHalfPoint(3.2499), 3);
  assert.equal(roundToHalfPoint(2.75), 3);
  assert.equal(roundToHalfPoint(0.3), 1);
  assert.equal(roundToHalfPoint(7), 5);
  assert.equal(roundToHalfPoint(4.74), 4.5);
});

Deno.test("QWK is 1 on perfect agreement (after rounding) and symmetric", () => {
  const y = [1, 2, 2.5, 3, 3.5, 4, 5];
  assert.equal(quadraticWeightedKappa(y, y), 1);
  assert.equal(quadraticWeightedKappa(y, y.map((v) => v + 0.2)), 1);
  const a = [1, 2, 3, 4, 5, 3, 2.5];
  const b = [1.5, 2, 3.5, 4, 4.5, 2, 2.5];
  close(quadraticWeightedKappa(a, b), quadraticWeightedKappa(b, a));
});

Deno.test("QWK is <= 0 for a reversed scale", () => {
  const y = [1, 2, 3, 4, 5];
  const rev = [5, 4, 3, 2, 1];
  assert.ok(quadraticWeightedKappa(y, rev) <= 0);
  close(quadraticWeightedKappa(y, rev), -1);
});

Deno.test("QWK matches a hand-computed value", () => {
  // y = [1, 1, 2], pred = [1, 2, 2] → classes (doubled - 2): t = [0, 0, 2], p = [0, 2, 2]
  // weights w_ij = (i-j)^2 / 64; observed = w(0,2) * 1 = 4/64
  // row sums: t0 = 2, t2 = 1; col sums: p0 = 1, p2 = 2; n = 3
  // expected = Σ w_ij r_i c_j / n = [w(0,2)·2·2 + w(2,0)·1·1] / 3 = (16/64 + 4/64) / 3 = 20/192
  // kappa = 1 - (4/64) / (20/192) = 1 - 12/20 = 0.4
  close(quadraticWeightedKappa([1, 1, 2], [1, 2, 2]), 0.4);
});

Deno.test("QWK uses the fixed 9-class range: classes absent from a fold still set the weights", () => {
  // Over only the 2 classes present (3.0, 3.5), sklearn-style weights would be (i-j)^2/1;
  // over the fixed range they are (i-j)^2/64 — the kappa itself is scale free for a single
  // distance, so compare with a three-class case where relative distances differ.
  const y = [3, 3, 3.5, 3.5, 4.5];
  const p = [3, 3.5, 3.5, 3.5, 4.5];
  // hand computation on the fixed range: classes t = [4,4,5,5,7], p = [4,5,5,5,7]
  // observed = 1 disagreement of distance 1 → 1/64
  // r: c4=2, c5=2, c7=1; c: c4=1, c5=3, c7=1; n=5
  // expected·64 = Σ (i-j)^2 r_i c_j / 5
  //   i=4: j=5: 1·2·3=6, j=7: 9·2·1=18 ; i=5: j=4: 1·2·1=2, j=7: 4·2·1=8 ;
  //   i=7: j=4: 9·1·1=9, j=5: 4·1·3=12  → total 55 / 5 = 11
  // kappa = 1 - 1/11
  close(quadraticWeightedKappa(y, p), 1 - 1 / 11);
  // the same data with a prediction off the present classes (1.0) is still on the 9-class scale
  const cm = scoreConfusionMatrix([3, 3], [1, 5]);
  assert.equal(cm.length, 81);
  assert.equal(cm[4 * 9 + 0], 1);
  assert.equal(cm[4 * 9 + 8], 1);
});

Deno.test("kappaFromConfusion: all items in one class for both raters is perfect agreement", () => {
  assert.equal(quadraticWeightedKappa([3, 3, 3], [3, 3.1, 2.9]), 1);
  assert.equal(kappaFromConfusion(scoreConfusionMatrix([3, 3], [3, 3])), 1);
});

Deno.test("labels off the scale are rejected, lengths must agree", () => {
  assert.throws(() => quadraticWeightedKappa([6], [3]), /outside the 1.0–5.0/);
  assert.throws(() => quadraticWeightedKappa([3, 3], [3]), /2 labels but 1 predictions/);
});

Deno.test("MAE on raw predictions, adjacent accuracy after rounding", () => {
  close(meanAbsoluteError([1, 2], [1.5, 2]), 0.25);
  // 3.6 → 3.5 (adjacent), 4.3 → 4.5 (1.5 away), 2.74 → 2.5 (adjacent), 0.2 → 1 vs 2 (2 classes)
  assert.equal(adjacentAccuracy([3, 3, 3, 2], [3.6, 4.3, 2.74, 0.2]), 0.5);
});

Deno.test("Spearman averages ties", () => {
  assert.deepEqual(Array.from(averageRanks([10, 20, 20, 5])), [2, 3.5, 3.5, 1]);
  close(spearman([1, 2, 3, 4], [10, 20, 30, 1000]), 1);
  close(spearman([1, 2, 3], [3, 2, 1]), -1);
  // ties: x = [1, 2, 2, 3], y = [1, 2, 3, 4] → ranks x = [1, 2.5, 2.5, 4]
  // pearson of [1,2.5,2.5,4] and [1,2,3,4]: cov = (−1.5·−1.5 + 0 + 0 + 1.5·1.5) = 4.5,
  // var_x = 4.5, var_y = 5 → 4.5 / √(4.5·5)
  close(spearman([1, 2, 2, 3], [1, 2, 3, 4]), 4.5 / Math.sqrt(4.5 * 5));
});
