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
  CHAR_TEXT_STACK_FILE,
  checkBundleExtractor,
  EMBEDDING_STACK_FILE,
  ExtractorMismatchError,
  LEARNER_FILE,
  MODEL_BUNDLE_FORMAT,
  type ModelBundle,
  predictWithBundle,
  TEXT_STACK_FILE,
} from "../../lib/model/bundle.ts";
import { ModelBundleError, readModelBundle, writeModelBundle } from "../../lib/model/bundle_io.ts";
import {
  essayFlags,
  fillPromptFeatures,
  topContributions,
} from "../../lib/model/bundle_scoring.ts";
import { bundleShap } from "../../lib/model/bundle_scoring.ts";
import { type DenseMatrix, selectRows } from "../../lib/model/matrix.ts";
import { seededRandom } from "../../lib/model/random.ts";
import type { DenseStackModel, TextStackModel } from "../../lib/model/stacking.ts";
import { TfidfVectorizer } from "../../lib/model/tfidf.ts";
import { trainAndPredict, type TrainingOptions } from "../../lib/model/training.ts";
import type { ModelKind } from "../../lib/run/config.ts";
import { resolveExperimentConfig } from "../../lib/run/config.ts";
import { sameBits } from "../../lib/steps/model_bundle.ts";
import { normalisedTextHash } from "../../lib/dataset/text_hash.ts";

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

function metaFor(
  kind: ModelKind,
  options: TrainingOptions,
  r: Awaited<ReturnType<typeof trainAndPredict>>,
  n: number,
): BundleMeta {
  return {
    format: MODEL_BUNDLE_FORMAT,
    format_version: 1,
    created_at: "2026-01-01T00:00:00.000Z",
    learner: kind,
    feature_set: "combined",
    extractor: {
      fingerprint: "fx1-test",
      handcrafted_schema_version: "handcrafted-v1",
      handcrafted_feature_names: ["a", "prompt_similarity", "c"],
    },
    excluded_features: [],
    input_feature_names: [...options.featureNames],
    model_feature_names: [...r.featureNames],
    embedding_stacking: options.denseStackColumns?.length
      ? { feature: "embedding_ridge_oof", columns: [...options.denseStackColumns] }
      : null,
    text_stacking: options.textStacking ? { feature: "tfidf_ridge_oof" } : null,
    char_text_stacking: options.charTextStacking ? { feature: "char_tfidf_ridge_oof" } : null,
    blend: r.blend
      ? {
        members: [...r.blend.members],
        coef: [...r.blend.coef],
        intercept: r.blend.intercept,
        spread: { ...r.blend.spread },
      }
      : null,
    cutpoints: r.cutpoints,
    word_window: { min_words: 200, max_words: 1000 },
    training_prompts: ["Phones and driving"],
    excluded_prompts: ["Letter to employer"],
    prompt_feature_fill: { prompt_similarity: 0.25 },
    linear_shap_background_mean: null,
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
  const options: TrainingOptions = {
    kind,
    params: resolveExperimentConfig(undefined, {
      treeParams: { nEstimators: 30, maxDepth: 3, earlyStoppingRounds: 0 },
    }),
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
  const r = await trainAndPredict(
    {
      X: selectRows(d.X, train),
      texts: train.map((i) => d.texts[i]),
      groups: train.map((i) => normalisedTextHash(d.texts[i])),
    },
    train.map((i) => d.y[i]),
    [{ X: selectRows(d.X, held), texts: held.map((i) => d.texts[i]) }],
    options,
  );
  const bundle: ModelBundle = {
    meta: metaFor(kind, options, r, train.length),
    learner: r.model,
    textStack: r.stacked.text!.model as TextStackModel,
    denseStack: stackEmbeddings ? r.stacked.dense!.model as DenseStackModel : null,
    charTextStack: levers ? r.stacked.char!.model as TextStackModel : null,
  };
  return {
    bundle,
    heldX: selectRows(d.X, held),
    heldTexts: held.map((i) => d.texts[i]),
    expected: r.predictions[0],
    expectedLearner: r.learnerPredictions[0],
    expectedCut: r.cutpointPredictions![0],
  };
}

const ROUND_TRIPS = [
  ["gbm", true, false],
  ["rf", true, false],
  ["ridge", false, false],
  ["gbm", true, true],
] as const;
for (const [kind, stack, levers] of ROUND_TRIPS) {
  const what = `text${stack ? " + embedding" : ""}${levers ? " + char stacking + blend" : ""}`;
  Deno.test(`bundle round trip (${kind}, ${what}): bit for bit`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "bundle_test_" });
    try {
      const t = await trainedBundle(kind, stack, levers);
      assert.equal(t.bundle.meta.blend !== null, levers);
      const index = await writeModelBundle(join(dir, "model"), t.bundle);
      assert.ok(index.files[LEARNER_FILE] && index.files[TEXT_STACK_FILE]);
      assert.equal(EMBEDDING_STACK_FILE in index.files, stack);
      assert.equal(CHAR_TEXT_STACK_FILE in index.files, levers);
      const loaded = await readModelBundle(join(dir, "model"));
      const p = predictWithBundle(loaded, t.heldX, t.heldTexts);
      assert.ok(sameBits(p.raw, t.expected), "raw predictions differ");
      assert.ok(sameBits(p.learnerRaw, t.expectedLearner), "learner predictions differ");
      assert.ok(sameBits(p.cutpoints!, t.expectedCut), "cut-point predictions differ");
      // one row at a time gives the same values (rows are independent)
      const one = predictWithBundle(loaded, selectRows(t.heldX, [5]), [t.heldTexts[5]]);
      assert.ok(sameBits(one.raw, t.expected.subarray(5, 6)));
      if (kind !== "ridge") {
        const s = bundleShap(loaded, p.modelX);
        assert.ok(s.shap);
        for (let r = 0; r < s.shap.nRows; r++) {
          let sum: number = s.shap.expectedValue;
          for (let f = 0; f < s.shap.nFeatures; f++) sum += s.shap.values[r * s.shap.nFeatures + f];
          // SHAP explains the learner (before any blend)
          assert.ok(Math.abs(sum - p.learnerRaw[r]) < 1e-9, "SHAP additivity");
        }
        const top = topContributions(s.shap, loaded.meta.model_feature_names, 3);
        assert.equal(top[0].length, 3);
        assert.ok(Math.abs(top[0][0].value) >= Math.abs(top[0][2].value));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

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
    const learner = await Deno.readTextFile(join(a, LEARNER_FILE));
    const m = /"value":\[(-?\d)/.exec(learner)!;
    const changed = learner.replace(m[0], m[0].slice(0, -1) + (m[1] === "9" ? "8" : "9"));
    await Deno.writeTextFile(join(a, LEARNER_FILE), changed);
    await assert.rejects(
      () => readModelBundle(a),
      (e: Error) =>
        e instanceof ModelBundleError && e.message.includes(LEARNER_FILE) &&
        /sha256 .* does not match/.test(e.message),
    );
    // the index edited (cut-points moved): its own hash no longer matches
    const b = await fresh("b");
    const index = JSON.parse(await Deno.readTextFile(join(b, BUNDLE_INDEX_FILE)));
    index.cutpoints[0] += 0.01;
    await Deno.writeTextFile(join(b, BUNDLE_INDEX_FILE), JSON.stringify(index));
    await assert.rejects(() => readModelBundle(b), /bundle\.json: index_sha256 does not match/);
    // a file removed
    const c = await fresh("c");
    await Deno.remove(join(c, TEXT_STACK_FILE));
    await assert.rejects(() => readModelBundle(c), /text_stack\.json: file not found/);
    // a future format version
    const d = await fresh("d");
    const idx = JSON.parse(await Deno.readTextFile(join(d, BUNDLE_INDEX_FILE)));
    idx.format_version = 2;
    await Deno.writeTextFile(join(d, BUNDLE_INDEX_FILE), JSON.stringify(idx));
    await assert.rejects(() => readModelBundle(d), /format version 2; this build reads version 1/);
    // not JSON at all
    const e = await fresh("e");
    await Deno.writeTextFile(join(e, EMBEDDING_STACK_FILE), "{");
    await assert.rejects(
      () => readModelBundle(e),
      /embedding_stack\.json: (not valid JSON|sha256)/,
    );
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
    const learner = t.bundle.learner as unknown as { coef: Float64Array };
    const saved = learner.coef[0];
    learner.coef[0] = NaN;
    await assert.rejects(
      () => writeModelBundle(join(dir, "m"), t.bundle),
      /learner\.json: cannot be saved: state\.coef\.0/,
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
  const filled = fillPromptFeatures(bundle.meta, X, [1]);
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
