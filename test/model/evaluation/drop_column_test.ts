import assert from "node:assert/strict";
import { dropColumnImportance } from "../../../lib/model/evaluation/drop_column.ts";

Deno.test("drop-column: ΔQWK = baseline − dropped, stability, keep rule, sorted", () => {
  const baseline = [0.6, 0.62, 0.58, 0.61, 0.6];
  const rows = dropColumnImportance(baseline, {
    // helps in 4 of 5 folds → stability 0.8 → keep
    mostly: [0.58, 0.6, 0.57, 0.6, 0.61],
    // helps everywhere → keep, largest Δ → first
    strong: [0.5, 0.52, 0.5, 0.5, 0.5],
    // helps in 3 of 5 folds, positive mean → drop (unstable)
    flaky: [0.5, 0.63, 0.57, 0.6, 0.61],
    // hurts → drop
    noise: [0.62, 0.63, 0.6, 0.62, 0.61],
  });
  assert.deepEqual(rows.map((r) => r.feature), ["strong", "flaky", "mostly", "noise"]);
  const by = Object.fromEntries(rows.map((r) => [r.feature, r]));
  assert.equal(by.strong.decision, "keep");
  assert.equal(by.mostly.decision, "keep");
  assert.equal(by.mostly.stability, 0.8);
  assert.equal(by.flaky.decision, "drop");
  assert.equal(by.flaky.stability, 0.6);
  assert.equal(by.noise.decision, "drop");
  assert.ok(Math.abs(by.strong.deltaQwkPerFold[0] - 0.1) < 1e-12);
  assert.ok(by.noise.meanDeltaQwk < 0);
});

Deno.test("drop-column: fold counts must agree", () => {
  assert.throws(() => dropColumnImportance([0.5, 0.6], { a: [0.5] }), /1 folds, expected 2/);
});
