import assert from "node:assert/strict";
import { crossValidate, type FoldRows } from "../../../lib/model/validation/cross_validation.ts";
import { normalisedTextHash } from "../../../lib/dataset/text_hash.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";
import { ExperimentConfigSchema } from "../../../lib/run/config.ts";
import { syntheticRegression } from "../synthetic.ts";

function data(n: number) {
  const { X } = syntheticRegression(n, 6, 31);
  const random = seededRandom(2);
  const words = ["alpha", "beta", "gamma", "delta", "eps"];
  const y: number[] = [];
  const texts: string[] = [];
  for (let r = 0; r < n; r++) {
    const s = 3 + X.values[r * 6] + 0.5 * X.values[r * 6 + 1];
    y.push(Math.min(5, Math.max(1, Math.round(2 * s) / 2)));
    texts.push(
      Array.from({ length: 30 }, () => words[Math.floor(random() * 5)]).join(" ") +
        (y[r] >= 3.5 ? " excellent argument" : " ok"),
    );
  }
  // every 10th essay repeats the previous one's text: a text group of two
  for (let r = 1; r < n; r += 10) texts[r] = texts[r - 1];
  const groups = texts.map(normalisedTextHash);
  const folds: FoldRows[] = Array.from({ length: 4 }, (_, f) => ({
    fold: f,
    trainIndices: Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 !== f),
    valIndices: Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 === f),
  }));
  return { X, y, texts, groups, folds };
}

const config = ExperimentConfigSchema.parse({
  treeParams: { nEstimators: 40, maxDepth: 3, learningRate: 0.2, earlyStoppingRounds: 10 },
});

Deno.test("crossValidate: every row validated once, folds scored, cut-points never used on the val fold", async () => {
  const { X, y, texts, groups, folds } = data(240);
  const names = Array.from({ length: 6 }, (_, i) => `f${i}`);
  const cv = await crossValidate({
    X,
    y,
    texts,
    groups,
    folds,
    options: {
      kind: "gbm",
      params: config,
      seed: 1,
      featureNames: names,
      textStacking: true,
      cutpointInnerFolds: 3,
    },
  });
  assert.equal(cv.folds.length, 4);
  assert.ok(cv.oofFold.every((f) => f >= 0));
  assert.ok(cv.summary.qwk.mean > 0.7, `qwk ${cv.summary.qwk.mean}`);
  assert.equal(cv.featureNames.at(-1), "tfidf_ridge_oof");
  assert.ok(cv.folds.every((f) => f.cutpoints?.length === 8));
});

Deno.test("crossValidate over 2 Web Workers gives the same result as 1 thread", async () => {
  const { X, y, texts, groups, folds } = data(160);
  const options = {
    kind: "gbm" as const,
    params: config,
    seed: 3,
    featureNames: Array.from({ length: 6 }, (_, i) => `f${i}`),
    textStacking: true,
    cutpointInnerFolds: 0,
  };
  const one = await crossValidate({ X, y, texts, groups, folds, options });
  const two = await crossValidate({ X, y, texts, groups, folds, options, workers: 2 });
  assert.deepEqual(two.oofPredictions, one.oofPredictions);
  assert.deepEqual(two.folds.map((f) => f.metrics), one.folds.map((f) => f.metrics));
});

Deno.test("dense (embedding) stacking replaces the given columns by one out-of-fold ridge column", async () => {
  const { X, y, groups, folds } = data(160);
  const cv = await crossValidate({
    X,
    y,
    groups,
    folds,
    options: {
      kind: "gbm",
      params: config,
      seed: 3,
      featureNames: ["f0", "f1", "e0", "e1", "e2", "e3"],
      textStacking: false,
      denseStackColumns: [2, 3, 4, 5],
      cutpointInnerFolds: 0,
    },
  });
  assert.deepEqual(cv.featureNames, ["f0", "f1", "embedding_ridge_oof"]);
  assert.ok(cv.summary.qwk.mean > 0.5);
});
