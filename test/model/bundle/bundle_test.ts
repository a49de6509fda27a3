/**
 * Model bundle contracts: a written and re-read bundle predicts bit for bit what training
 * predicted (every learner, with text and embedding stacking); any changed, missing or malformed
 * file is refused with its name; an extractor with another fingerprint or schema is refused with
 * the reason; non-finite numbers are never saved.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  BUNDLE_INDEX_FILE,
  type BundleMeta,
  checkBundleExtractor,
  ExtractorMismatchError,
  MODEL_BUNDLE_FORMAT,
  MODEL_BUNDLE_FORMAT_VERSION,
  type ModelBundle,
  PIPELINE_FILE,
} from "../../../lib/model/bundle/bundle.ts";
import {
  ModelBundleError,
  readModelBundle,
  writeModelBundle,
} from "../../../lib/model/bundle/bundle_io.ts";
import {
  essayFlags,
  fillPromptFeatures,
  topContributions,
} from "../../../lib/model/bundle/bundle_scoring.ts";
import { type DenseMatrix, sameBits, selectRows } from "../../../lib/model/learners/matrix.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";
import { TfidfVectorizer } from "../../../lib/model/pipeline/tfidf.ts";
import {
  type PipelineOptions,
  type PipelinePrediction,
  ScoringPipeline,
} from "../../../lib/model/pipeline/scoring_pipeline.ts";
import type { ModelKind } from "../../../lib/model/params.ts";
import { TreeParamsSchema } from "../../../lib/model/params.ts";
import { resolveExperimentConfig } from "../../../lib/run/config.ts";
import { normalisedTextHash } from "../../../lib/dataset/text_hash.ts";

const WORDS = ["school", "students", "furthermore", "good", "however", "thing", "learn", "time"];

/** n essays: 3 handcrafted-like columns (one is `prompt_similarity`) + 6 "embedding" columns. */
function data(n: number, seed: number) {
  const random = seededRandom(seed);
  const p = 9;
  const values = new Float64Array(n * p);
  const y: number[] = [];
  const texts: string[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < p; c++) values[r * p + c] = random() * 2 - 1;
    const score = Math.min(5, Math.max(1, 3 + values[r * p] + 0.5 * values[r * p + 4]));
    y.push(Math.round(score * 2) / 2);
    texts.push(
      Array.from({ length: 30 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" "),
    );
  }
  const names = ["a", "prompt_similarity", "c", ...Array.from({ length: 6 }, (_, j) => `emb_${j}`)];
  return { X: { nRows: n, nCols: p, values } as DenseMatrix, y, texts, names };
}

function metaFor(kind: ModelKind, n: number): BundleMeta {
  return {
    format: MODEL_BUNDLE_FORMAT,
    format_version: MODEL_BUNDLE_FORMAT_VERSION,
    created_at: "2026-01-01T00:00:00.000Z",
    feature_set: "combined",
    extractor: {
      fingerprint: "fx1-test",
      handcrafted_schema_version: "handcrafted-v1",
      handcrafted_feature_names: ["a", "prompt_similarity", "c"],
    },
    excluded_features: [],
    word_window: { min_words: 200, max_words: 1000 },
    training_prompts: ["Phones and driving"],
    excluded_prompts: ["Letter to employer"],
    prompt_feature_fill: { prompt_similarity: 0.25 },
    training: {
      run_dir: "x",
      n_train: n,
      config: { ...resolveExperimentConfig(undefined, { model: kind }) },
      step: {},
    },
    data: [],
  };
}

async function trainedBundle(kind: ModelKind, stackEmbeddings: boolean, levers = false) {
  const d = data(160, 3);
  const train = Array.from({ length: 120 }, (_, i) => i);
  const held = Array.from({ length: 40 }, (_, i) => 120 + i);
  const options: PipelineOptions = {
    kind,
    params: {
      treeParams: TreeParamsSchema.parse({ nEstimators: 30, maxDepth: 3, earlyStoppingRounds: 0 }),
      ridgeParams: { alpha: 10 },
    },
    seed: 7,
    featureNames: d.names,
    textStacking: true,
    denseStackColumns: stackEmbeddings ? [3, 4, 5, 6, 7, 8] : undefined,
    cutpointInnerFolds: 3,
    singleThreaded: true,
    charTextStacking: levers,
    blendStacks: levers,
    blendMatchSpread: levers,
  };
  const fit = await ScoringPipeline.fit(
    {
      X: selectRows(d.X, train),
      texts: train.map((i) => d.texts[i]),
      groups: train.map((i) => normalisedTextHash(d.texts[i])),
    },
    train.map((i) => d.y[i]),
    options,
  );
  const heldX = selectRows(d.X, held);
  const heldTexts = held.map((i) => d.texts[i]);
  const bundle: ModelBundle = { meta: metaFor(kind, train.length), pipeline: fit.pipeline };
  return {
    bundle,
    heldX,
    heldTexts,
    expected: fit.pipeline.predict({ X: heldX, texts: heldTexts }),
  };
}

function assertSamePrediction(got: PipelinePrediction, want: PipelinePrediction, what: string) {
  assert.ok(sameBits(got.raw, want.raw), `${what}: raw predictions differ`);
  assert.ok(sameBits(got.learner, want.learner), `${what}: learner predictions differ`);
  assert.ok(sameBits(got.rounded, want.rounded), `${what}: rounded predictions differ`);
  assert.ok(sameBits(got.cutpoints!, want.cutpoints!), `${what}: cut-point predictions differ`);
  assert.ok(sameBits(got.modelX.values, want.modelX.values), `${what}: model matrix differs`);
}

function assertAdditive(
  shap: { expectedValue: number; nRows: number; nFeatures: number; values: Float64Array },
  target: Float64Array,
  what: string,
) {
  for (let r = 0; r < shap.nRows; r++) {
    let sum = shap.expectedValue;
    for (let f = 0; f < shap.nFeatures; f++) sum += shap.values[r * shap.nFeatures + f];
    assert.ok(
      Math.abs(sum - target[r]) < 1e-9,
      `${what}: row ${r} sums to ${sum}, not ${target[r]}`,
    );
  }
}

const ROUND_TRIPS = [
  ["gbm", true, false],
  ["rf", true, false],
  ["ridge", false, false],
  ["gbm", true, true],
] as const;
for (const [kind, stack, levers] of ROUND_TRIPS) {
  const what = `text${stack ? " + embedding" : ""}${levers ? " + char stacking + blend" : ""}`;
  Deno.test(`pipeline round trip (${kind}, ${what}): fit → toJSON → fromJSON → predict, bit for bit`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "bundle_test_" });
    try {
      const t = await trainedBundle(kind, stack, levers);
      assert.equal(t.bundle.pipeline.blend !== null, levers);
      const again = ScoringPipeline.fromJSON(JSON.parse(JSON.stringify(t.bundle.pipeline)));
      assertSamePrediction(again.predict({ X: t.heldX, texts: t.heldTexts }), t.expected, "JSON");
      const index = await writeModelBundle(join(dir, "model"), t.bundle);
      assert.deepEqual(Object.keys(index.files), [PIPELINE_FILE]);
      const loaded = await readModelBundle(join(dir, "model"));
      const p = loaded.pipeline.predict({ X: t.heldX, texts: t.heldTexts });
      assertSamePrediction(p, t.expected, "bundle");
      // one row at a time, and the rows in another order, give the same values (rows are
      // independent: run's val and test parts score as any batch would)
      const one = loaded.pipeline.predict({ X: selectRows(t.heldX, [5]), texts: [t.heldTexts[5]] });
      assert.ok(sameBits(one.raw, t.expected.raw.subarray(5, 6)));
      const order = Array.from({ length: t.heldX.nRows }, (_, i) => t.heldX.nRows - 1 - i);
      const reversed = loaded.pipeline.predict({
        X: selectRows(t.heldX, order),
        texts: order.map((i) => t.heldTexts[i]),
      });
      assert.ok(sameBits(reversed.raw, Float64Array.from(order, (i) => t.expected.raw[i])));
      // SHAP: of the final score (base + Σ = raw) and of the learner alone (base + Σ = learner)
      const learner = loaded.pipeline.explainLearner(p.modelX);
      const final = loaded.pipeline.explain({ X: t.heldX, texts: t.heldTexts });
      assert.ok(learner.shap && final.shap);
      assertAdditive(final.shap, p.raw, "final-score SHAP");
      assertAdditive(learner.shap, p.learner, "learner SHAP");
      if (!levers) assert.ok(sameBits(final.shap.values, learner.shap.values));
      const names = loaded.pipeline.modelFeatureNames;
      const top = topContributions(final.shap, names, 3);
      assert.equal(top[0].length, 3);
      assert.ok(Math.abs(top[0][0].value) >= Math.abs(top[0][2].value));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("final-score SHAP: the stacked columns carry their blend weight as their own features", async () => {
  const t = await trainedBundle("gbm", true, true);
  const { pipeline } = t.bundle;
  const blend = pipeline.blend!;
  const learner = pipeline.explainLearner(t.expected.modelX).shap!;
  const final = pipeline.explain(t.expected).shap!;
  const p = final.nFeatures;
  const scale = blend.spread.b * blend.coef[0];
  const names = pipeline.modelFeatureNames;
  for (const [j, name] of blend.members.entries()) {
    if (j === 0) continue;
    const c = names.indexOf(name);
    const mu = pipeline.shapBackgroundMean[c];
    for (let r = 0; r < final.nRows; r++) {
      const direct = blend.spread.b * blend.coef[j] * (t.expected.modelX.values[r * p + c] - mu);
      const want = scale * learner.values[r * p + c] + direct;
      assert.ok(Math.abs(final.values[r * p + c] - want) < 1e-12, `${name} row ${r}`);
    }
  }
  // a handcrafted column only acts through the learner
  const a = names.indexOf("a");
  assert.ok(Math.abs(final.values[a] - scale * learner.values[a]) < 1e-15);
});

Deno.test("ml-random-forest: no exact explainer, said as such", async () => {
  const t = await trainedBundle("ml-random-forest", false);
  const s = t.bundle.pipeline.explain({ X: t.heldX, texts: t.heldTexts });
  assert.equal(s.shap, null);
  assert.match((s as { reason: string }).reason, /no exact explainer for `ml-random-forest`/);
});

Deno.test("bundle: a changed, missing or malformed file is refused with its name", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bundle_tamper_" });
  try {
    const t = await trainedBundle("gbm", true);
    const fresh = async (name: string) => {
      const d = join(dir, name);
      await writeModelBundle(d, t.bundle);
      return d;
    };
    // one changed digit in a tree's leaf value
    const a = await fresh("a");
    const learner = await Deno.readTextFile(join(a, PIPELINE_FILE));
    const m = /"value":\[(-?\d)/.exec(learner)!;
    const changed = learner.replace(m[0], m[0].slice(0, -1) + (m[1] === "9" ? "8" : "9"));
    await Deno.writeTextFile(join(a, PIPELINE_FILE), changed);
    await assert.rejects(
      () => readModelBundle(a),
      (e: Error) =>
        e instanceof ModelBundleError && e.message.includes(PIPELINE_FILE) &&
        /sha256 .* does not match/.test(e.message),
    );
    // the index edited (word window moved): its own hash no longer matches
    const b = await fresh("b");
    const index = JSON.parse(await Deno.readTextFile(join(b, BUNDLE_INDEX_FILE)));
    index.word_window.min_words += 1;
    await Deno.writeTextFile(join(b, BUNDLE_INDEX_FILE), JSON.stringify(index));
    await assert.rejects(() => readModelBundle(b), /bundle\.json: index_sha256 does not match/);
    // a file removed
    const c = await fresh("c");
    await Deno.remove(join(c, PIPELINE_FILE));
    await assert.rejects(() => readModelBundle(c), /pipeline\.json: file not found/);
    // a future format version
    const d = await fresh("d");
    const idx = JSON.parse(await Deno.readTextFile(join(d, BUNDLE_INDEX_FILE)));
    idx.format_version = 3;
    await Deno.writeTextFile(join(d, BUNDLE_INDEX_FILE), JSON.stringify(idx));
    await assert.rejects(() => readModelBundle(d), /format version 3; this build reads version 2/);
    // not JSON at all
    const e = await fresh("e");
    await Deno.writeTextFile(join(e, PIPELINE_FILE), "{");
    await assert.rejects(
      () => readModelBundle(e),
      /pipeline\.json: (not valid JSON|sha256)/,
    );
    // a consistent-looking but wrong state: the learner's width no longer matches the columns
    const f = await fresh("f");
    const json = t.bundle.pipeline.toJSON();
    assert.throws(
      () =>
        ScoringPipeline.fromJSON({
          ...json,
          model_feature_names: json.model_feature_names.slice(1),
        }),
      /model_feature_names do not follow/,
    );
    assert.ok(f);
    // a bundle directory that already exists is never overwritten
    await assert.rejects(() => writeModelBundle(a, t.bundle));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bundle: non-finite numbers are refused at write time (JSON would store null)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bundle_nan_" });
  try {
    const t = await trainedBundle("ridge", false);
    const learner = t.bundle.pipeline.learner as unknown as { coef: Float64Array };
    const saved = learner.coef[0];
    learner.coef[0] = NaN;
    await assert.rejects(
      () => writeModelBundle(join(dir, "m"), t.bundle),
      /pipeline\.json: cannot be saved: learner\.state\.coef\.0/,
    );
    learner.coef[0] = saved;
    await assert.rejects(() => Deno.stat(join(dir, "m")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkBundleExtractor names the fingerprint and schema differences", async () => {
  const { bundle } = await trainedBundle("ridge", false);
  const same = {
    fingerprint: "fx1-test",
    handcraftedSchemaVersion: "handcrafted-v1",
    handcraftedFeatureNames: ["a", "prompt_similarity", "c"],
    description: "local",
  };
  checkBundleExtractor(bundle.meta, same);
  assert.throws(
    () => checkBundleExtractor(bundle.meta, { ...same, fingerprint: "fx1-other" }),
    (e: Error) =>
      e instanceof ExtractorMismatchError &&
      e.message.includes(
        "extractor fingerprint: bundle fx1-test, extractor now in use (local) " +
          "fx1-other",
      ),
  );
  assert.throws(
    () =>
      checkBundleExtractor(bundle.meta, {
        ...same,
        fingerprint: "fx1-other",
        handcraftedSchemaVersion: "handcrafted-v2",
      }),
    (e: Error) =>
      e instanceof ExtractorMismatchError && e.reasons.length === 2 &&
      e.reasons[0] === "feature schema: bundle handcrafted-v1, extractor now handcrafted-v2",
  );
});

Deno.test("prompt fill, flags and TF-IDF JSON", async () => {
  const { bundle } = await trainedBundle("ridge", false);
  const X = { nRows: 2, nCols: 9, values: new Float64Array(18).fill(9) };
  const filled = fillPromptFeatures(bundle, X, [1]);
  assert.deepEqual([...filled.values.subarray(0, 9)], new Array(9).fill(9));
  assert.deepEqual([...filled.values.subarray(9, 12)], [9, 0.25, 9]);
  assert.deepEqual(essayFlags(bundle.meta, { words: 199, prompt: null }), [
    "below_word_window",
    "prompt_missing",
  ]);
  assert.deepEqual(essayFlags(bundle.meta, { words: 200, prompt: "Phones and driving" }), []);
  assert.deepEqual(essayFlags(bundle.meta, { words: 1001, prompt: "New" }), [
    "above_word_window",
    "prompt_unseen",
  ]);
  assert.deepEqual(essayFlags(bundle.meta, { words: 300, prompt: "Letter to employer" }), [
    "prompt_excluded",
  ]);
  const vec = new TfidfVectorizer({ minDf: 1 }).fit(["b a", "c a d"]);
  const again = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(vec.toJSON())));
  const x1 = vec.transform(["a d zz"]);
  const x2 = again.transform(["a d zz"]);
  assert.deepEqual([...x2.indices], [...x1.indices]);
  assert.ok(sameBits(x2.data, x1.data));
});
