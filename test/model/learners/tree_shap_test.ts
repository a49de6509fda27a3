import assert from "node:assert/strict";
import { GradientBoostedTrees } from "../../../lib/model/learners/gradient_boosting.ts";
import { RandomForest } from "../../../lib/model/learners/random_forest.ts";
import type { FlatTree } from "../../../lib/model/learners/tree.ts";
import {
  shapAdditivityError,
  treeExpectedValue,
  treeShap,
  treeShapRow,
} from "../../../lib/model/learners/tree_shap.ts";
import { syntheticRegression } from "../synthetic.ts";

/** Path-dependent E[f(x) | x_S]: follow x on features in S, cover-weighted average otherwise. */
function conditionalExpectation(tree: FlatTree, x: ArrayLike<number>, S: Set<number>): number {
  const walk = (n: number): number => {
    const f = tree.feature[n];
    if (f < 0) return tree.value[n];
    const l = tree.left[n];
    const r = tree.right[n];
    if (S.has(f)) return x[f] <= tree.threshold[n] ? walk(l) : walk(r);
    return (tree.cover[l] * walk(l) + tree.cover[r] * walk(r)) / tree.cover[n];
  };
  return walk(0);
}

/** Shapley values by enumerating all subsets (exponential; tiny p only). */
function bruteForceShapley(tree: FlatTree, x: ArrayLike<number>, p: number): Float64Array {
  const phi = new Float64Array(p);
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  for (let i = 0; i < p; i++) {
    const others = Array.from({ length: p }, (_, k) => k).filter((k) => k !== i);
    for (let mask = 0; mask < 1 << others.length; mask++) {
      const S = new Set(others.filter((_, b) => (mask >> b) & 1));
      const w = (fact(S.size) * fact(p - S.size - 1)) / fact(p);
      const withI = new Set(S);
      withI.add(i);
      phi[i] += w * (conditionalExpectation(tree, x, withI) - conditionalExpectation(tree, x, S));
    }
  }
  return phi;
}

Deno.test("TreeSHAP equals brute-force Shapley values on small trees (incl. repeated features)", () => {
  const { X, y } = syntheticRegression(200, 4, 21);
  // depth 4 on 4 features: paths reuse features, exercising the unwind step
  const gbm = new GradientBoostedTrees({
    nEstimators: 5,
    maxDepth: 4,
    learningRate: 0.5,
    minChildWeight: 1,
    subsample: 1,
    colsampleByTree: 1,
    earlyStoppingRounds: 0,
  }, 1).fit(X, y);
  let repeated = false;
  for (const tree of gbm.trees) {
    for (let r = 0; r < 12; r++) {
      const x = X.values.subarray(r * 4, r * 4 + 4);
      const fast = new Float64Array(4);
      treeShapRow(tree, x, fast, 1);
      const slow = bruteForceShapley(tree, x, 4);
      for (let f = 0; f < 4; f++) {
        assert.ok(Math.abs(fast[f] - slow[f]) < 1e-9, `feature ${f}: ${fast[f]} vs ${slow[f]}`);
      }
    }
    // does some root-to-leaf path use a feature twice?
    const walk = (n: number, seen: Set<number>): void => {
      const f = tree.feature[n];
      if (f < 0) return;
      if (seen.has(f)) repeated = true;
      const s2 = new Set(seen).add(f);
      walk(tree.left[n], s2);
      walk(tree.right[n], s2);
    };
    walk(0, new Set());
  }
  assert.ok(repeated, "test trees should contain a path with a repeated feature");
});

Deno.test("TreeSHAP additivity to 1e-6 for GBM (sum + base score) and RF (mean)", () => {
  const train = syntheticRegression(300, 6, 4);
  const test = syntheticRegression(50, 6, 5);
  const gbm = new GradientBoostedTrees({ nEstimators: 60, maxDepth: 5 }, 2).fit(train.X, train.y);
  const s1 = treeShap(gbm, test.X);
  assert.ok(shapAdditivityError(s1, gbm.predict(test.X)) < 1e-6);
  // base value = base score + Σ tree expectations
  const ev = gbm.baseScore + gbm.trees.reduce((s, t) => s + treeExpectedValue(t), 0);
  assert.ok(Math.abs(s1.expectedValue - ev) < 1e-12);
  const rf = new RandomForest({ nEstimators: 10, maxDepth: 6, minChildWeight: 2 }, 3)
    .fit(train.X, train.y);
  const s2 = treeShap(rf, test.X);
  assert.ok(shapAdditivityError(s2, rf.predict(test.X)) < 1e-6);
  // the signal features carry more attribution than the noise features
  const meanAbs = (f: number) => {
    let s = 0;
    for (let r = 0; r < s1.nRows; r++) s += Math.abs(s1.values[r * 6 + f]);
    return s / s1.nRows;
  };
  assert.ok(meanAbs(0) > 3 * meanAbs(5));
});
