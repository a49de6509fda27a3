import assert from "node:assert/strict";
import { crossValidate, type FoldRows } from "../../../lib/model/validation/cross_validation.ts";
import { applyCutpoints, fitCutpoints } from "../../../lib/model/pipeline/cutpoints.ts";
import {
  lofoCutpoints,
  nestedPairFolds,
  nestedPredictions,
} from "../../../lib/model/validation/lofo_cutpoints.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";
import { ExperimentConfigSchema } from "../../../lib/run/config.ts";
import { syntheticRegression } from "../synthetic.ts";

/** Labels on the half-point scale, biased predictions (so thresholds move), 5 folds. */
function oofData(n: number, seed: number) {
  const random = seededRandom(seed);
  const y = Float64Array.from({ length: n }, () => 1 + Math.floor(random() * 9) / 2);
  const oof = Float64Array.from(y, (v) => 0.7 * v + 1 + 0.6 * (random() - 0.5));
  const folds = Int32Array.from({ length: n }, (_, i) => i % 5);
  return { y, oof, folds };
}

Deno.test("nestedPairFolds: one fit per pair, trained on neither fold", () => {
  const rows = Array.from({ length: 20 }, (_, i) => i);
  const folds = [0, 1, 2, 3].map((f) => ({
    fold: f,
    trainIndices: rows.filter((i) => i % 4 !== f),
    valIndices: rows.filter((i) => i % 4 === f),
  }));
  const pairs = nestedPairFolds(folds);
  assert.equal(pairs.length, 6);
  for (const p of pairs) {
    assert.ok(p.trainIndices.every((i) => i % 4 !== p.a && i % 4 !== p.b));
    assert.equal(p.trainIndices.length, 10);
    assert.deepEqual(
      [...p.valIndices].sort((a, b) => a - b),
      rows.filter((i) => i % 4 === p.a || i % 4 === p.b),
    );
  }
});

Deno.test("nested LOFO thresholds come from the nested predictions, never from the scored fold", () => {
  const { y, oof, folds } = oofData(400, 3);
  // nested predictions: a different noisy copy per scored fold
  const nested = new Map([0, 1, 2, 3, 4].map((k) => {
    const random = seededRandom(k, "nested");
    return [
      k,
      Float64Array.from(y, (v, i) => folds[i] === k ? NaN : 0.7 * v + 1 + 0.6 * (random() - 0.5)),
    ];
  }));
  const lofo = lofoCutpoints(y, oof, folds, nested);
  assert.deepEqual(lofo.perFold.map((p) => p.fold), [0, 1, 2, 3, 4]);
  for (const { fold, cutpoints } of lofo.perFold) {
    const others = Array.from(y.keys()).filter((i) => folds[i] !== fold);
    const without = nested.get(fold)!;
    assert.deepEqual(
      cutpoints,
      fitCutpoints(others.map((i) => y[i]), others.map((i) => without[i])),
    );
    // scramble the scored fold's labels: its thresholds must not move
    const y2 = y.slice();
    const random = seededRandom(fold, "scramble");
    folds.forEach((f, i) => f === fold && (y2[i] = 1 + Math.floor(random() * 9) / 2));
    const again = lofoCutpoints(y2, oof, folds, nested).perFold.find((p) => p.fold === fold)!;
    assert.deepEqual(again.cutpoints, cutpoints);
    const mine = Array.from(y.keys()).filter((i) => folds[i] === fold);
    const scored = applyCutpoints(mine.map((i) => oof[i]), cutpoints);
    mine.forEach((row, j) => assert.equal(lofo.predictions[row], scored[j]));
  }
  assert.throws(() => lofoCutpoints(y, oof, folds, new Map()), /no nested predictions/);
});

Deno.test("nestedPredictions routes each pair's rows to the other fold", () => {
  const foldOf = [0, 1, 2, 0, 1, 2];
  const pairs = nestedPairFolds([0, 1, 2].map((f) => ({
    fold: f,
    trainIndices: [0, 1, 2, 3, 4, 5].filter((i) => foldOf[i] !== f),
    valIndices: [0, 1, 2, 3, 4, 5].filter((i) => foldOf[i] === f),
  })));
  const preds = pairs.map((_, q) => Float64Array.from({ length: 4 }, (_, j) => 10 * q + j));
  const nested = nestedPredictions(6, pairs, preds, foldOf);
  // pair 0 = {0, 1}: rows 0, 3 (fold 0) serve fold 1; rows 1, 4 (fold 1) serve fold 0
  assert.deepEqual(Array.from(nested.get(1)!).slice(0, 1), [0]);
  assert.equal(nested.get(1)![3], 1);
  assert.equal(nested.get(0)![1], 2);
  assert.ok(Number.isNaN(nested.get(0)![0]));
});

Deno.test("crossValidate --cutpoint-mode lofo: nested, and flipping fold 0's labels leaves its predictions", async () => {
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
  assert.deepEqual(lofo.oofPredictions, inner.oofPredictions);
  assert.equal(inner.lofo ?? null, null);
  assert.ok(lofo.lofo);
  assert.deepEqual(lofo.oofCutpointPredictions, lofo.lofo.predictions);
  assert.deepEqual(lofo.folds.map((f) => f.cutpoints), lofo.lofo.perFold.map((p) => p.cutpoints));
  assert.equal(lofo.summary.qwkCutpoints!.mean, lofo.lofo.qwk.mean);
  // flip fold 0's labels (6 − y): fold 0's thresholded predictions stay bit-identical
  const flipped = y.map((v, i) => (i % 4 === 0 ? 6 - v : v));
  const again = await crossValidate({
    X,
    y: flipped,
    groups,
    folds,
    options,
    cutpointMode: "lofo",
  });
  const fold0 = folds[0].valIndices;
  assert.deepEqual(
    fold0.map((i) => again.oofCutpointPredictions![i]),
    fold0.map((i) => lofo.oofCutpointPredictions![i]),
  );
  // the workers path gives the same figures
  const twoWorkers = await crossValidate({
    X,
    y,
    groups,
    folds,
    options,
    cutpointMode: "lofo",
    workers: 2,
  });
  assert.deepEqual(twoWorkers.oofCutpointPredictions, lofo.oofCutpointPredictions);
});
