import assert from "node:assert/strict";
import type { AppliedSplits } from "../../lib/splits/apply_splits.ts";
import { holdBackFold } from "../../lib/splits/held_back_fold.ts";

/** 12 rows in 4 folds (row % 4), only `folds` is used. */
function applied(): AppliedSplits {
  const rows = Array.from({ length: 12 }, (_, i) => i);
  return {
    splits: undefined as never,
    folds: () =>
      [0, 1, 2, 3].map((f) => ({
        fold: f,
        trainIndices: rows.filter((i) => i % 4 !== f),
        valIndices: rows.filter((i) => i % 4 === f),
      })),
    runSplit: () => {
      throw new Error("unused");
    },
  };
}

Deno.test("holdBackFold removes the fold's rows and renumbers the other folds onto the rest", () => {
  const hb = holdBackFold(applied(), "stratified_text", 3, 12);
  assert.deepEqual(hb.heldBackRows, [3, 7, 11]);
  assert.deepEqual(hb.keep, [0, 1, 2, 4, 5, 6, 8, 9, 10]);
  assert.deepEqual(hb.folds.map((f) => f.fold), [0, 1, 2]);
  for (const f of hb.folds) {
    // every index points into `keep`, and no held-back row survives in any training part
    const train = f.trainIndices.map((i) => hb.keep[i]);
    const val = f.valIndices.map((i) => hb.keep[i]);
    assert.ok(train.every((r) => r % 4 !== 3 && r % 4 !== f.fold));
    assert.ok(val.every((r) => r % 4 === f.fold));
    assert.equal(train.length + val.length, 9);
  }
  assert.throws(() => holdBackFold(applied(), "stratified_text", 7, 12), /has folds 0, 1, 2, 3/);
});
