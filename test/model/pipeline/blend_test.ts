/**
 * Contracts of the pipeline levers of issue 14: `char_wb` n-grams (golden values from
 * scikit-learn 1.2.1's analyzer), the stack blend with its spread match, and `ScoringPipeline`
 * with character stacking and blending switched on.
 */
import assert from "node:assert/strict";
import { applyStackBlend, fitStackBlend } from "../../../lib/model/pipeline/blend.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";
import { STACKED_CHAR_TEXT_FEATURE } from "../../../lib/model/pipeline/stacking.ts";
import { charWbNgrams, TfidfVectorizer } from "../../../lib/model/pipeline/tfidf.ts";
import { ScoringPipeline } from "../../../lib/model/pipeline/scoring_pipeline.ts";
import { resolveExperimentConfig } from "../../../lib/run/config.ts";

Deno.test("charWbNgrams equals scikit-learn's char_wb analyzer", () => {
  // CountVectorizer(analyzer="char_wb", ngram_range=(2, 3)).build_analyzer()("Hi  there, a I")
  assert.deepEqual(charWbNgrams("Hi  there, a I", 2, 3), [
    " h",
    "hi",
    "i ",
    " hi",
    "hi ",
    " t",
    "th",
    "he",
    "er",
    "re",
    "e,",
    ", ",
    " th",
    "the",
    "her",
    "ere",
    "re,",
    "e, ",
    " a",
    "a ",
    " a ",
    " i",
    "i ",
    " i ",
  ]); // deno-fmt-ignore
  const vec = new TfidfVectorizer({ analyzer: "char_wb", minDf: 1 }).fit(["ab", "ab ba"]);
  assert.ok(vec.vocabulary.has(" ab "), "2–5-grams by default, padded words");
  assert.ok(!vec.vocabulary.has("ab ba"), "never across words");
});

Deno.test("stack blend: recovers a linear combination; spread match gives the labels' mean/std", () => {
  const random = seededRandom(3);
  const n = 300;
  const a = Float64Array.from({ length: n }, () => random());
  const b = Float64Array.from({ length: n }, () => random());
  const y = Float64Array.from(a, (v, i) => 1 + 2 * v + 0.5 * b[i]);
  const blend = fitStackBlend(["a", "b"], [a, b], y, { alpha: 1e-9 });
  const p = applyStackBlend(blend, [a, b]);
  p.forEach((v, i) => assert.ok(Math.abs(v - y[i]) < 1e-6));
  assert.deepEqual(blend.spread, { a: 0, b: 1 });

  // a shrunken member: the spread match stretches it back to the labels' spread
  const shrunk = Float64Array.from(y, (v) => 3 + 0.3 * (v - 3) + 0.2 * (random() - 0.5));
  const s = fitStackBlend(["m"], [shrunk], y, { alpha: 10, matchSpread: true });
  const q = applyStackBlend(s, [shrunk]);
  const stats = (x: ArrayLike<number>) => {
    const m = Array.from(x).reduce((t, v) => t + v, 0) / x.length;
    return [m, Math.sqrt(Array.from(x).reduce((t, v) => t + (v - m) ** 2, 0) / x.length)];
  };
  const [my, sy] = stats(y);
  const [mq, sq] = stats(q);
  assert.ok(Math.abs(my - mq) < 1e-9 && Math.abs(sy - sq) < 1e-9);
  assert.throws(() => applyStackBlend(s, [shrunk, shrunk]), /2 members, fitted on 1/);
});

Deno.test("ScoringPipeline: char stacking adds its column; the blend changes predictions only", async () => {
  const random = seededRandom(11);
  const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
  const n = 120;
  const y: number[] = [];
  const texts: string[] = [];
  const values = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const level = Math.floor(random() * 9);
    y.push(1 + level / 2);
    texts.push(
      Array.from({ length: 40 }, () => words[Math.min(7, Math.floor(random() * (2 + level)))])
        .join(" "),
    );
    values[2 * i] = level + random();
    values[2 * i + 1] = random();
  }
  const X = { nRows: n, nCols: 2, values };
  const trainRows = Array.from({ length: 90 }, (_, i) => i);
  const pick = (rows: number[]) => ({
    X: {
      nRows: rows.length,
      nCols: 2,
      values: Float64Array.from(rows.flatMap((r) => [values[2 * r], values[2 * r + 1]])),
    },
    texts: rows.map((r) => texts[r]),
    groups: rows.map((r) => `essay-${r}`),
  });
  const heldRows = Array.from({ length: n - 90 }, (_, i) => 90 + i);
  const config = resolveExperimentConfig(undefined, {
    treeParams: { nEstimators: 40, earlyStoppingRounds: 0 },
  });
  const base = {
    kind: "gbm" as const,
    params: config,
    seed: 1,
    featureNames: ["signal", "noise"],
    textStacking: true,
    cutpointInnerFolds: 3,
  };
  const fitPredict = async (options: typeof base & Record<string, unknown>) => {
    const { pipeline } = await ScoringPipeline.fit(
      pick(trainRows),
      trainRows.map((r) => y[r]),
      options,
    );
    return { pipeline, p: pipeline.predict(pick(heldRows)) };
  };
  const plain = await fitPredict({ ...base, charTextStacking: true, singleThreaded: true });
  assert.deepEqual(plain.pipeline.modelFeatureNames, [
    "signal",
    "noise",
    "tfidf_ridge_oof",
    STACKED_CHAR_TEXT_FEATURE,
  ]);
  assert.equal(plain.pipeline.blend, null);
  assert.deepEqual(plain.p.raw, plain.p.learner);

  const blended = await fitPredict({
    ...base,
    charTextStacking: true,
    blendStacks: true,
    singleThreaded: true,
  });
  const blend = blended.pipeline.blend;
  assert.ok(blend !== null);
  assert.deepEqual(blend.members, ["gbm", "tfidf_ridge_oof", STACKED_CHAR_TEXT_FEATURE]);
  // same learner (same columns, same seed): only the final predictions differ
  assert.deepEqual(blended.p.learner, plain.p.learner);
  assert.notDeepEqual(blended.p.raw, plain.p.raw);
  assert.equal(blended.pipeline.cutpoints!.length, 8);
  assert.equal(X.nRows, n);
});

Deno.test("defaults keep the issue-14 pipeline: blend + spread match on, depth 3, char off", () => {
  const c = resolveExperimentConfig(undefined, {});
  assert.deepEqual(c.pipeline, {
    charTextStacking: false,
    blendStacks: true,
    blendMatchSpread: true,
  });
  assert.equal(c.treeParams.maxDepth, 3);
  // flags and config files reach the nested keys; unknown keys are refused
  const off = resolveExperimentConfig({ pipeline: { blendStacks: false } }, {});
  assert.equal(off.pipeline.blendStacks, false);
  assert.equal(off.pipeline.blendMatchSpread, true);
  assert.throws(() => resolveExperimentConfig({ pipeline: { blend: true } }, {}), /pipeline/);
});
