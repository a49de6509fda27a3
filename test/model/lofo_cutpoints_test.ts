import assert from "node:assert/strict";
import { crossValidate, type FoldRows } from "../../lib/model/cross_validation.ts";
import { applyCutpoints, fitCutpoints } from "../../lib/model/cutpoints.ts";
import { lofoCutpoints } from "../../lib/model/lofo_cutpoints.ts";
import { seededRandom } from "../../lib/model/random.ts";
import { ExperimentConfigSchema } from "../../lib/run/config.ts";
import { syntheticRegression } from "./synthetic.ts";

/** Labels on the half-point scale, biased predictions (so thresholds move), 5 folds. */
function oofData(n: number, seed: number) {
  const random = seededRandom(seed);
  const y = Float64Array.from({ length: n }, () => 1 + Math.floor(random() * 9) / 2);
  const oof = Float64Array.from(y, (v) => 0.7 * v + 1 + 0.6 * (random() - 0.5));
  const folds = Int32Array.from({ length: n }, (_, i) => i % 5);
  return { y, oof, folds };
}

Deno.test("LOFO thresholds never see the fold they score", () => {
  const { y, oof, folds } = oofData(400, 3);
  const lofo = lofoCutpoints(y, oof, folds);
  assert.deepEqual(lofo.perFold.map((p) => p.fold), [0, 1, 2, 3, 4]);
  for (const { fold, cutpoints } of lofo.perFold) {
    // scramble the scored fold's labels and predictions: its thresholds must not move
    const y2 = y.slice();
    const oof2 = oof.slice();
    const random = seededRandom(fold, "scramble");
    folds.forEach((f, i) => {
      if (f !== fold) return;
      y2[i] = 1 + Math.floor(random() * 9) / 2;
      oof2[i] = 1 + 4 * random();
    });
    const again = lofoCutpoints(y2, oof2, folds).perFold.find((p) => p.fold === fold)!;
    assert.deepEqual(again.cutpoints, cutpoints);
    // and they are exactly the thresholds fitted on the other folds
    const others = Array.from(y.keys()).filter((i) => folds[i] !== fold);
    assert.deepEqual(cutpoints, fitCutpoints(others.map((i) => y[i]), others.map((i) => oof[i])));
    const mine = Array.from(y.keys()).filter((i) => folds[i] === fold);
    const scored = applyCutpoints(mine.map((i) => oof[i]), cutpoints);
    mine.forEach((row, j) => assert.equal(lofo.predictions[row], scored[j]));
  }
  assert.deepEqual(lofo.allOofCutpoints, fitCutpoints(y, oof));
  assert.notDeepEqual(lofo.perFold[0].cutpoints, lofo.perFold[1].cutpoints);
});

Deno.test("crossValidate --cutpoint-mode: lofo scores folds with LOFO thresholds, inner_oof reports both", async () => {
  const n = 200;
  const { X } = syntheticRegression(n, 5, 11);
  const y = Array.from(
    { length: n },
    (_, r) => Math.min(5, Math.max(1, Math.round(2 * (3 + X.values[r * 5])) / 2)),
  );
  const groups = y.map((_, i) => `essay-${i}`);
  const folds: FoldRows[] = Array.from({ length: 4 }, (_, f) => ({
    fold: f,
    trainIndices: Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 !== f),
    valIndices: Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 === f),
  }));
  const config = ExperimentConfigSchema.parse({
    treeParams: { nEstimators: 20, maxDepth: 2, earlyStoppingRounds: 0 },
  });
  const options = {
    kind: "gbm" as const,
    params: config,
    seed: 1,
    featureNames: ["a", "b", "c", "d", "e"],
    textStacking: false,
    cutpointInnerFolds: 3,
  };
  const inner = await crossValidate({ X, y, groups, folds, options, cutpointMode: "inner_oof" });
  const lofo = await crossValidate({ X, y, groups, folds, options, cutpointMode: "lofo" });
  // the raw predictions do not depend on the mode
  assert.deepEqual(lofo.oofPredictions, inner.oofPredictions);
  assert.ok(inner.lofo && lofo.lofo);
  assert.deepEqual(lofo.oofCutpointPredictions, lofo.lofo.predictions);
  assert.deepEqual(lofo.folds.map((f) => f.cutpoints), lofo.lofo.perFold.map((p) => p.cutpoints));
  assert.equal(lofo.summary.qwkCutpoints!.mean, lofo.lofo.qwk.mean);
  // inner_oof keeps its own thresholds and reports the same LOFO figures next to them
  assert.deepEqual(inner.lofo.perFoldQwk, lofo.lofo.perFoldQwk);
  assert.notDeepEqual(inner.folds.map((f) => f.cutpoints), lofo.folds.map((f) => f.cutpoints));
  const none = await crossValidate({ X, y, groups, folds, options });
  assert.equal(none.lofo ?? null, null);
});
