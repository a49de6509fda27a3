import assert from "node:assert/strict";
import { fitRegressor } from "../../../lib/model/learners/estimator.ts";
import { createRegressor, regressorFromJSON } from "../../../lib/model/learners/factory.ts";
import { GradientBoostedTrees } from "../../../lib/model/learners/gradient_boosting.ts";
import { MlRandomForest } from "../../../lib/model/learners/ml_random_forest.ts";
import { RandomForest } from "../../../lib/model/learners/random_forest.ts";
import { Ridge } from "../../../lib/model/learners/ridge.ts";
import { treeDepth } from "../../../lib/model/learners/tree.ts";
import { ExperimentConfigSchema } from "../../../lib/run/config.ts";
import { meanPredictorMse, mse, syntheticRegression } from "../synthetic.ts";

const train = syntheticRegression(600, 10, 1);
const test = syntheticRegression(300, 10, 2);
const baselineMse = meanPredictorMse(train.y, test.y);

Deno.test("GBM recovers a known function and beats the mean predictor widely", () => {
  const gbm = new GradientBoostedTrees({
    nEstimators: 300,
    learningRate: 0.1,
    maxDepth: 4,
    minChildWeight: 2,
    earlyStoppingRounds: 30,
  }, 7).fit(train.X, train.y);
  const e = mse(gbm.predict(test.X), test.y);
  assert.ok(e < 0.1 * baselineMse, `gbm mse ${e} vs mean predictor ${baselineMse}`);
  assert.ok(gbm.trees.every((t) => treeDepth(t) <= 4));
  // early stopping ran on an inner split of the training rows and kept the best round
  assert.ok(gbm.validationRmse.length >= gbm.bestIteration);
  assert.equal(gbm.trees.length, gbm.bestIteration);
});

Deno.test("GBM is deterministic for a seed and changes with the seed", () => {
  const params = { nEstimators: 40, maxDepth: 3, learningRate: 0.2 };
  const a = new GradientBoostedTrees(params, 3).fit(train.X, train.y).predict(test.X);
  const b = new GradientBoostedTrees(params, 3).fit(train.X, train.y).predict(test.X);
  const c = new GradientBoostedTrees(params, 4).fit(train.X, train.y).predict(test.X);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("GBM early stopping never sees rows outside fit's data", () => {
  // Same training data, different "scored" data: the fitted model must not depend on it.
  const params = { nEstimators: 200, maxDepth: 3, earlyStoppingRounds: 10 };
  const a = new GradientBoostedTrees(params, 1).fit(train.X, train.y);
  const b = new GradientBoostedTrees(params, 1).fit(train.X, train.y);
  assert.equal(a.bestIteration, b.bestIteration);
  assert.ok(a.bestIteration < 200, "early stopping should trigger on this data");
});

Deno.test("RF (same core) beats the mean predictor; fitAsync over 2 workers = fit", async () => {
  const params = { nEstimators: 24, maxDepth: 8, minChildWeight: 2, colsampleByTree: 0.5 };
  const rf = new RandomForest(params, 11).fit(train.X, train.y);
  const e = mse(rf.predict(test.X), test.y);
  assert.ok(e < 0.35 * baselineMse, `rf mse ${e} vs mean predictor ${baselineMse}`);
  const par = await new RandomForest(params, 11, { workers: 2 }).fitAsync(train.X, train.y);
  assert.deepEqual(par.predict(test.X), rf.predict(test.X));
  const perTree = new RandomForest(params, 11, { featureSampling: "tree" }).fit(train.X, train.y);
  assert.ok(mse(perTree.predict(test.X), test.y) < 0.5 * baselineMse);
});

Deno.test("Ridge recovers linear coefficients; primal and dual paths solve the normal equations", () => {
  const { X } = syntheticRegression(200, 5, 9);
  const coef = [1.5, -2, 0.5, 0, 3];
  const y = new Float64Array(200);
  for (let r = 0; r < 200; r++) {
    y[r] = 0.7;
    for (let c = 0; c < 5; c++) y[r] += coef[c] * X.values[r * 5 + c];
  }
  const ridge = new Ridge({ alpha: 1e-6 }).fit(X, y);
  for (let c = 0; c < 5; c++) assert.ok(Math.abs(ridge.coef[c] - coef[c]) < 1e-4);
  assert.ok(Math.abs(ridge.intercept - 0.7) < 1e-4);
  // p > n (dual path) and p < n (primal path): the solution must satisfy the stationarity
  // condition of the standardised ridge objective, Zᵀ(ŷ − y) + α·w = 0 with w = coef·scale
  for (const [n, p] of [[8, 12], [40, 6]]) {
    const d = syntheticRegression(n, p, 5);
    const alpha = 3;
    const m = new Ridge({ alpha }).fit(d.X, d.y);
    const fitted = m.predict(d.X);
    for (let c = 0; c < p; c++) {
      let mean = 0;
      for (let r = 0; r < n; r++) mean += d.X.values[r * p + c];
      mean /= n;
      let v = 0;
      for (let r = 0; r < n; r++) v += (d.X.values[r * p + c] - mean) ** 2;
      const scale = Math.sqrt(v / n);
      let g = alpha * m.coef[c] * scale;
      for (let r = 0; r < n; r++) {
        g += ((d.X.values[r * p + c] - mean) / scale) * (fitted[r] - d.y[r]);
      }
      assert.ok(Math.abs(g) < 1e-8, `n=${n} p=${p} column ${c}: gradient ${g}`);
    }
  }
});

Deno.test("ml-random-forest adapter fits, predicts and beats the mean predictor", () => {
  const small = syntheticRegression(150, 4, 3);
  const small2 = syntheticRegression(100, 4, 4);
  const m = new MlRandomForest({ nEstimators: 5, maxDepth: 6, minChildWeight: 3 }, 1)
    .fit(small.X, small.y);
  const e = mse(m.predict(small2.X), small2.y);
  assert.ok(e < 0.6 * meanPredictorMse(small.y, small2.y), `ml-rf mse ${e}`);
  const again = regressorFromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  assert.deepEqual(again.predict(small2.X), m.predict(small2.X));
});

Deno.test("every learner: serialise → deserialise → same predictions; factory uses config", async () => {
  const config = ExperimentConfigSchema.parse({
    treeParams: { nEstimators: 20, maxDepth: 3 },
    ridgeParams: { alpha: 2 },
  });
  for (const kind of ["gbm", "rf", "ridge"] as const) {
    const model = createRegressor(kind, config, 5);
    assert.equal(model.name, kind);
    await fitRegressor(model, train.X, train.y);
    const json = JSON.parse(JSON.stringify(model.toJSON()));
    const again = regressorFromJSON(json);
    assert.deepEqual(again.predict(test.X), model.predict(test.X), kind);
    assert.equal(again.params.nEstimators ?? again.params.alpha, kind === "ridge" ? 2 : 20);
  }
});

Deno.test("learners reject mismatched shapes and predicting before fit", () => {
  const gbm = new GradientBoostedTrees({ nEstimators: 2 });
  assert.throws(() => gbm.predict(test.X), /before fit/);
  assert.throws(() => gbm.fit(train.X, train.y.subarray(0, 10)), /600 rows but y has 10/);
  gbm.fit(train.X, train.y);
  assert.throws(
    () => gbm.predict({ nRows: 1, nCols: 3, values: new Float64Array(3) }),
    /3 columns, the model was fitted on 10/,
  );
});
