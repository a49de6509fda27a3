/**
 * Inner splits of a training part are grouped by normalised-text hash (issue 10 item 4): the
 * duplicated-random-label experiment, and the contracts of `inner_folds.ts`.
 */
import assert from "node:assert/strict";
import { normalisedTextHash } from "../../../lib/dataset/text_hash.ts";
import { GradientBoostedTrees } from "../../../lib/model/learners/gradient_boosting.ts";
import {
  groupedHoldout,
  groupedInnerFolds,
  innerFoldRows,
} from "../../../lib/model/learners/inner_folds.ts";
import { pearson } from "../../../lib/model/evaluation/metrics.ts";
import { seededRandom, shuffled } from "../../../lib/model/learners/random.ts";
import {
  STACKED_EMBEDDING_FEATURE,
  STACKED_TEXT_FEATURE,
  stackedDenseFeature,
} from "../../../lib/model/pipeline/stacking.ts";
import { ScoringPipeline } from "../../../lib/model/pipeline/scoring_pipeline.ts";
import { resolveExperimentConfig } from "../../../lib/run/config.ts";

/**
 * 300 texts of random words with random half-point labels; 60 of them appear twice (the copy
 * with extra whitespace, same label), rows shuffled. Labels carry no signal a text model could
 * learn, except through a twin on the other side of an inner split.
 */
function duplicatedRandomLabels(seed: number) {
  const random = seededRandom(seed, "duplicated-random-labels");
  const vocabulary = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}`);
  const base = Array.from({ length: 300 }, () => ({
    text: Array.from(
      { length: 40 },
      () => vocabulary[Math.floor(random() * vocabulary.length)],
    ).join(" "),
    y: 1 + Math.floor(random() * 9) / 2,
  }));
  const rows = [
    ...base.map((r, i) => ({ ...r, duplicated: i < 60 })),
    ...base.slice(0, 60).map((r) => ({
      text: `  ${r.text.replace(/ /g, "  ")}\n`,
      y: r.y,
      duplicated: true,
    })),
  ];
  const ordered = shuffled(rows, random);
  return {
    texts: ordered.map((r) => r.text),
    y: ordered.map((r) => r.y),
    duplicated: ordered.map((r) => r.duplicated),
    groups: ordered.map((r) => normalisedTextHash(r.text)),
  };
}

function correlationOn(values: ArrayLike<number>, y: readonly number[], mask: readonly boolean[]) {
  const v: number[] = [];
  const t: number[] = [];
  mask.forEach((m, i) => {
    if (m) {
      v.push(values[i]);
      t.push(y[i]);
    }
  });
  return pearson(v, t);
}

// Ungrouped inner folds give r = 0.85–0.94 on the duplicated rows (the twin on the other side
// teaches the ridge its label). Grouped ones give r between −0.4 and −0.1: no leak, only the
// usual slight anti-correlation of out-of-fold predictions under random labels (a row's label
// is missing from its fit folds' mean; a pair weighs twice), seen on unique rows as well.
// 0.5 separates the two with room on either side.
const SIGNAL_BOUND = 0.5;

Deno.test("stacked tfidf_ridge_oof carries no signal on duplicated rows (random labels)", async () => {
  const data = duplicatedRandomLabels(1);
  const n = data.texts.length;
  const config = resolveExperimentConfig(undefined, {});
  const X = { nRows: n, nCols: 1, values: new Float64Array(n) };
  const r = await ScoringPipeline.fit(
    { X, texts: data.texts, groups: data.groups },
    data.y,
    {
      kind: "ridge",
      params: config,
      seed: 42,
      featureNames: ["constant"],
      textStacking: true,
      cutpointInnerFolds: 0,
    },
  );
  const col = r.pipeline.modelFeatureNames.indexOf(STACKED_TEXT_FEATURE);
  const stacked = Float64Array.from(
    { length: n },
    (_, i) => r.trainX.values[i * r.trainX.nCols + col],
  );
  const onDuplicated = correlationOn(stacked, data.y, data.duplicated);
  const onUnique = correlationOn(stacked, data.y, data.duplicated.map((d) => !d));
  assert.ok(
    Math.abs(onDuplicated) < SIGNAL_BOUND,
    `tfidf_ridge_oof vs label on duplicated rows: r = ${onDuplicated.toFixed(3)}`,
  );
  assert.ok(Math.abs(onUnique) < SIGNAL_BOUND, `unique rows: r = ${onUnique.toFixed(3)}`);
});

Deno.test("stacked embedding_ridge_oof carries no signal on duplicated rows (random labels)", () => {
  const data = duplicatedRandomLabels(2);
  const n = data.texts.length;
  // A random 512-d "embedding" per distinct text; twins get identical rows.
  const DIM = 512;
  const byText = new Map<string, Float64Array>();
  const random = seededRandom(5, "embeddings");
  const values = new Float64Array(n * DIM);
  data.groups.forEach((g, i) => {
    if (!byText.has(g)) byText.set(g, Float64Array.from({ length: DIM }, () => random() - 0.5));
    values.set(byText.get(g)!, i * DIM);
  });
  const s = stackedDenseFeature(
    { nRows: n, nCols: DIM, values },
    data.y,
    { nRows: 0, nCols: DIM, values: new Float64Array(0) },
    { seed: 42, alpha: 0.01, groups: data.groups },
  );
  const onDuplicated = correlationOn(s.train, data.y, data.duplicated);
  assert.ok(
    Math.abs(onDuplicated) < SIGNAL_BOUND,
    `${STACKED_EMBEDDING_FEATURE} on duplicated rows: r = ${onDuplicated.toFixed(3)}`,
  );
});

Deno.test("groupedInnerFolds: groups whole, every row once, balanced, deterministic", () => {
  const random = seededRandom(3, "property");
  for (let t = 0; t < 50; t++) {
    const n = 20 + Math.floor(random() * 200);
    const k = 2 + Math.floor(random() * 5);
    const nGroups = Math.max(k, Math.floor(n * (0.5 + random() * 0.5)));
    const groups = Array.from(
      { length: n },
      (_, i) => i < nGroups ? `g${i}` : `g${Math.floor(random() * nGroups)}`,
    );
    const folds = groupedInnerFolds(groups, k, seededRandom(t, "inner"));
    const foldOfGroup = new Map<string, number>();
    groups.forEach((g, i) => {
      assert.equal(foldOfGroup.get(g) ?? folds.foldOf[i], folds.foldOf[i], "group split");
      foldOfGroup.set(g, folds.foldOf[i]);
    });
    assert.deepEqual(
      [...folds.order].sort((a, b) => a - b),
      Array.from({ length: n }, (_, i) => i),
    );
    const sizes = Array.from({ length: k }, (_, f) => innerFoldRows(folds, f).predRows.length);
    const largestGroup = Math.max(
      ...[...new Set(groups)].map((g) => groups.filter((x) => x === g).length),
    );
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= largestGroup, `sizes ${sizes}`);
    for (let f = 0; f < k; f++) {
      const { fitRows, predRows } = innerFoldRows(folds, f);
      assert.equal(fitRows.length + predRows.length, n);
      const fitGroups = new Set(fitRows.map((i) => groups[i]));
      assert.ok(predRows.every((i) => !fitGroups.has(groups[i])), "no group on both sides");
    }
    assert.deepEqual(groupedInnerFolds(groups, k, seededRandom(t, "inner")).foldOf, folds.foldOf);
  }
});

Deno.test("groupedInnerFolds / groupedHoldout: distinct texts give the plain seeded split", () => {
  const n = 37;
  const singletons = Array.from({ length: n }, (_, i) => `t${i}`);
  const order = shuffled(Array.from({ length: n }, (_, i) => i), seededRandom(8, "s"));
  const folds = groupedInnerFolds(singletons, 4, seededRandom(8, "s"));
  assert.deepEqual(folds.order, order);
  order.forEach((row, pos) => assert.equal(folds.foldOf[row], pos % 4));
  const holdout = groupedHoldout(singletons, 7, seededRandom(8, "s"));
  assert.deepEqual([...holdout.validRows], order.slice(0, 7).sort((a, b) => a - b));
  assert.throws(() => groupedInnerFolds(["a", "a", "b"], 3, seededRandom(1)), /2 distinct texts/);
});

Deno.test("gradient boosting's early-stopping holdout keeps text groups whole", () => {
  const data = duplicatedRandomLabels(3);
  const holdout = groupedHoldout(data.groups, 72, seededRandom(42, "es"));
  const validGroups = new Set([...holdout.validRows].map((i) => data.groups[i]));
  assert.ok(holdout.validRows.length > 60 && holdout.validRows.length <= 72);
  assert.ok([...holdout.trainRows].every((i) => !validGroups.has(data.groups[i])));
  // fit accepts the groups and stays deterministic
  const n = data.y.length;
  const X = {
    nRows: n,
    nCols: 2,
    values: Float64Array.from({ length: 2 * n }, (_, i) => (i * 7919) % 13),
  };
  const params = { nEstimators: 30, earlyStoppingRounds: 5, validationFraction: 0.2 };
  const a = new GradientBoostedTrees(params, 1).fit(X, data.y, { groups: data.groups });
  const b = new GradientBoostedTrees(params, 1).fit(X, data.y, { groups: data.groups });
  assert.deepEqual(a.predict(X), b.predict(X));
  assert.ok(a.validationRmse.length > 0);
});
