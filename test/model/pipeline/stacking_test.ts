import assert from "node:assert/strict";
import { pearson } from "../../../lib/model/evaluation/metrics.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";
import { fitSparseRidge, predictSparseRidge } from "../../../lib/model/learners/sparse_ridge.ts";
import { stackedTextFeature } from "../../../lib/model/pipeline/stacking.ts";
import { TfidfVectorizer, wordNgrams } from "../../../lib/model/pipeline/tfidf.ts";

const GOOD = ["furthermore", "consequently", "nevertheless", "substantial", "perspective"];
const PLAIN = ["good", "very", "thing", "stuff", "nice", "big", "like", "so"];
const COMMON = ["the", "school", "students", "think", "because", "people", "time", "day"];

function corpus(n: number, seed: number): { texts: string[]; y: number[] } {
  const random = seededRandom(seed);
  const texts: string[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const level = Math.floor(random() * 9); // 0..8
    const words: string[] = [];
    for (let k = 0; k < 60; k++) {
      const u = random();
      if (u < 0.5) words.push(COMMON[Math.floor(random() * COMMON.length)]);
      else if (u < 0.5 + 0.05 * level) words.push(GOOD[Math.floor(random() * GOOD.length)]);
      else words.push(PLAIN[Math.floor(random() * PLAIN.length)]);
    }
    texts.push(words.join(" "));
    y.push(1 + level / 2);
  }
  return { texts, y };
}

Deno.test("TF-IDF: 1–2-grams, min_df, sublinear tf, L2-normalised rows", () => {
  assert.deepEqual(wordNgrams("The cat, the CAT!"), [
    "the",
    "cat",
    "the",
    "cat",
    "the cat",
    "cat the",
    "the cat",
  ]);
  const vec = new TfidfVectorizer({ minDf: 2 }).fit(["a b a", "a c", "b d"]);
  assert.deepEqual([...vec.vocabulary.keys()], ["a", "b"]);
  const X = vec.transform(["a a a b", "zzz"]);
  // row 0: a → (1 + ln 3)·idf(a), b → 1·idf(b); idf = ln(4/3) + 1 for both (df 2 of 3)
  const va = 1 + Math.log(3);
  const norm = Math.hypot(va, 1);
  assert.ok(Math.abs(X.data[0] - va / norm) < 1e-12);
  assert.ok(Math.abs(X.data[1] - 1 / norm) < 1e-12);
  assert.equal(X.indptr[2] - X.indptr[1], 0); // unknown words only
});

Deno.test("sparse ridge (CG) solves the normal equations with an unpenalised intercept", () => {
  const { texts, y } = corpus(60, 3);
  const X = new TfidfVectorizer({ minDf: 1 }).fit(texts).transform(texts);
  const sparse = fitSparseRidge(X, y, { alpha: 0.5, tol: 1e-12 });
  // the CG solution satisfies the normal equations Xᵀ(Xw + b − y) + αw = 0 and Σ(Xw + b − y) = 0
  const pred = predictSparseRidge(sparse, X);
  const resid = pred.map((v, i) => v - y[i]);
  const g = new Float64Array(X.nCols);
  for (let r = 0; r < X.nRows; r++) {
    for (let k = X.indptr[r]; k < X.indptr[r + 1]; k++) g[X.indices[k]] += X.data[k] * resid[r];
  }
  for (let j = 0; j < X.nCols; j++) assert.ok(Math.abs(g[j] + 0.5 * sparse.coef[j]) < 1e-8);
  assert.ok(Math.abs(resid.reduce((s, v) => s + v, 0)) < 1e-8);
});

Deno.test("stacked text feature carries signal out of fold and does not leak labels", () => {
  const train = corpus(300, 1);
  const test = corpus(150, 2);
  const groups = train.texts.map((_, i) => `row${i}`);
  const s = stackedTextFeature(train.texts, train.y, test.texts, { seed: 7, groups });
  assert.ok(pearson(s.train, train.y) > 0.6, `oof r = ${pearson(s.train, train.y)}`);
  assert.ok(pearson(s.heldOut, test.y) > 0.6, `held-out r = ${pearson(s.heldOut, test.y)}`);
  // random labels: in-sample ridge would memorise them; out-of-fold values must not
  const random = seededRandom(9);
  const noise = train.y.map(() => 1 + Math.floor(random() * 9) / 2);
  const sNoise = stackedTextFeature(train.texts, noise, [], { seed: 7, alpha: 0.1, groups });
  assert.ok(
    Math.abs(pearson(sNoise.train, noise)) < 0.2,
    `leak: r = ${pearson(sNoise.train, noise)}`,
  );
  // deterministic for a seed
  const again = stackedTextFeature(train.texts, train.y, test.texts, { seed: 7, groups });
  assert.deepEqual(again.train, s.train);
});
