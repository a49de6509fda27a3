import assert from "node:assert/strict";
import {
  loadUseLiteEncoder,
  planBatches,
  USE_LITE_CROSS_KERNEL_TOLERANCE,
  USE_LITE_ENCODER_NAME,
  USE_LITE_SHAPE_POLICY,
} from "../../lib/features/embeddings/use_lite_encoder.ts";
import {
  LENGTH_BUCKET,
  paddedTokenLength,
  rowSegments,
} from "../../lib/features/embeddings/fixed_shapes.ts";
import {
  cosineSimilarity,
  embeddingColumnNames,
  normalisedMean,
} from "../../lib/features/embeddings/vector_ops.ts";
import { OPENBLAS_PACKAGE, openBlasInstalled } from "../../lib/run/system_setup.ts";
import { systemDependency } from "../system_dependencies.ts";
import { createLocalFeatureExtractor } from "../../lib/features/extract.ts";
import {
  nativeBlasAvailable,
  nativeKernelStats,
} from "../../lib/features/embeddings/native_blas.ts";

Deno.test("planBatches keeps padded size within the token budget", () => {
  assert.deepEqual(planBatches([0, 1, 2], [10, 10, 100], 40, 64), [[0, 1], [2]]);
  assert.deepEqual(planBatches([0, 1, 2, 3], [5, 5, 5, 5], 1000, 3), [[0, 1, 2], [3]]);
  // A text longer than the budget still gets its own batch.
  assert.deepEqual(planBatches([0], [500], 10, 64), [[0]]);
});

Deno.test("planBatches: a batch holds texts of one padded length, in their given order", () => {
  // 3 → 8, 9 → 16, 7 → 8, 16 → 16, 200 → 128
  assert.deepEqual(planBatches([0, 1, 2, 3, 4], [3, 9, 7, 16, 200], 1000, 64), [
    [0, 2],
    [1, 3],
    [4],
  ]);
  assert.deepEqual(planBatches([2, 0], [3, 9, 7], 1000, 64), [[2, 0]]);
  // budget 0: one text per batch
  assert.deepEqual(planBatches([0, 1], [3, 3], 0, 64), [[0], [1]]);
});

Deno.test("paddedTokenLength depends on the text's own token count only", () => {
  assert.equal(LENGTH_BUCKET, 8);
  assert.deepEqual([0, 1, 8, 9, 16, 17, 120, 121, 128, 129, 900].map(paddedTokenLength), [
    8,
    8,
    8,
    16,
    16,
    24,
    120,
    128,
    128,
    128,
    128,
  ]);
});

Deno.test("rowSegments maps a matmul's rows to the texts of the call", () => {
  const shape = { batch: 3, padded: 16, lengths: [9, 16, 12] };
  assert.deepEqual(rowSegments(48, shape), [16, 16, 16]); // padded token matrix
  assert.deepEqual(rowSegments(37, shape), [9, 16, 12]); // gathered real tokens
  assert.deepEqual(rowSegments(3, shape), [1, 1, 1]); // one row per text
  assert.equal(rowSegments(5, shape), null);
  // all texts of the padded length: both readings agree
  assert.deepEqual(rowSegments(16, { batch: 2, padded: 8, lengths: [8, 8] }), [8, 8]);
});

/** Deterministic texts of many lengths: several share a padded length, one exceeds 128 tokens. */
function invarianceTexts(): string[] {
  const words = ("students teachers school lunch volcano phones learning friends homework " +
    "library summer winter because however online classes uniforms parents city music")
    .split(" ");
  const texts: string[] = [];
  for (let i = 0; i < 36; i++) {
    const n = 2 + ((i * 7) % 23) + (i % 5 === 0 ? 10 : 0);
    const sentence = Array.from({ length: n }, (_, k) => words[(i * 3 + k * k) % words.length]);
    texts.push(sentence.join(" ") + ".");
  }
  texts.push(Array.from({ length: 160 }, (_, k) => words[k % words.length]).join(" "));
  texts.push("", texts[3]);
  return texts;
}

function sameBits(got: readonly Float32Array[], want: readonly Float32Array[], what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    const a = new Uint32Array(got[i].buffer, got[i].byteOffset, got[i].length);
    const b = new Uint32Array(want[i].buffer, want[i].byteOffset, want[i].length);
    assert.ok(a.every((v, j) => v === b[j]), `${what}: text ${i} differs`);
  }
}

Deno.test("USE-lite: a text's vector is bit-identical in any batch composition, order or chunking", async () => {
  const texts = invarianceTexts();
  const before = { ...nativeKernelStats };
  const encoder = await loadUseLiteEncoder();
  assert.ok(encoder.name.includes(USE_LITE_SHAPE_POLICY));
  const reference = await encoder.embed(texts);
  // reversed order
  const reversed = await encoder.embed([...texts].reverse());
  sameBits([...reversed].reverse(), reference, "reversed");
  // interleaved permutation
  const perm = texts.map((_, i) => (i * 17) % texts.length);
  assert.equal(new Set(perm).size, texts.length);
  sameBits(await encoder.embed(perm.map((i) => texts[i])), perm.map((i) => reference[i]), "perm");
  // chunks of 5, then one text per call
  const chunked: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += 5) {
    chunked.push(...await encoder.embed(texts.slice(i, i + 5)));
  }
  sameBits(chunked, reference, "chunks of 5");
  const alone: Float32Array[] = [];
  for (const text of texts) alone.push(...await encoder.embed([text]));
  sameBits(alone, reference, "alone");
  // other batching options: tiny batches, no sorting, no dedupe
  const tiny = await loadUseLiteEncoder({ tokenBudget: 24, maxBatch: 2 });
  sameBits(await tiny.embed(texts), reference, "budget 24, max 2");
  const unsorted = await loadUseLiteEncoder({ sortByLength: false, dedupe: false });
  sameBits(await unsorted.embed(texts), reference, "unsorted, no dedupe");
  // mixed into a bigger batch with other texts of the same lengths
  const others = texts.map((t) => t.replace(/students/g, "pupils").replace(/school/g, "college"));
  const mixed = await encoder.embed([...others, ...texts]);
  sameBits(mixed.slice(others.length), reference, "mixed with others");
  if (nativeBlasAvailable()) {
    assert.ok(nativeKernelStats.rowwiseCalls > before.rowwiseCalls, "native kernels ran");
    assert.equal(nativeKernelStats.unsegmentedCalls, before.unsegmentedCalls);
  }
});

Deno.test("normalisedMean and cosineSimilarity", () => {
  const m = normalisedMean([Float32Array.of(1, 0), Float32Array.of(0, 1)], 2);
  assert.ok(Math.abs(m[0] - Math.SQRT1_2) < 1e-12 && Math.abs(m[1] - Math.SQRT1_2) < 1e-12);
  assert.deepEqual(Array.from(normalisedMean([], 2)), [0, 0]);
  assert.ok(Math.abs(cosineSimilarity([1, 0], [1, 1]) - Math.SQRT1_2) < 1e-12);
  assert.equal(cosineSimilarity([0, 0], [1, 1]), 0);
  assert.deepEqual(embeddingColumnNames(512).slice(0, 2), ["embedding_000", "embedding_001"]);
  assert.equal(embeddingColumnNames(512)[511], "embedding_511");
});

Deno.test("USE-lite: similar sentences are closer than unrelated ones; batching changes nothing", async () => {
  const encoder = await loadUseLiteEncoder({ tokenBudget: 64 });
  assert.equal(encoder.dimension, 512);
  assert.match(USE_LITE_ENCODER_NAME, /model-embeddings-en@\d/);
  const texts = [
    "Students should have a longer lunch break at school.",
    "Pupils need more time to eat lunch during the school day.",
    "The volcano erupted and covered the village in ash.",
    "",
    "Students should have a longer lunch break at school.",
  ];
  const [a, b, c, empty, dup] = await encoder.embed(texts);
  assert.equal(a.length, 512);
  const similar = cosineSimilarity(a, b);
  const unrelated = cosineSimilarity(a, c);
  assert.ok(similar > unrelated + 0.2, `similar ${similar} vs unrelated ${unrelated}`);
  assert.ok(empty.every((v) => v === 0), "an empty text embeds to the zero vector");
  assert.deepEqual(Array.from(dup), Array.from(a));
  assert.equal(encoder.stats.embedded, 3, "duplicates and empty texts are not sent to the model");
  const [alone] = await encoder.embed([texts[1]]);
  assert.deepEqual(Array.from(alone), Array.from(b));
});

Deno.test("worker extraction equals in-process extraction", async () => {
  const essays = [
    { id: "x", text: "I like school. It is fun.\n\nIn the end school is good.", prompt: "School" },
    { id: "y", text: "Phones are useful for learning things fast.", prompt: "Phones" },
  ];
  const inProcess = createLocalFeatureExtractor({ workers: 0 });
  const pooled = createLocalFeatureExtractor({ workers: 1 });
  try {
    assert.equal(inProcess.fingerprint, pooled.fingerprint);
    const a = await inProcess.extract(essays, { featureSet: "combined" });
    const b = await pooled.extract(essays, { featureSet: "combined" });
    assert.deepEqual(Array.from(b.embeddings!.values), Array.from(a.embeddings!.values));
    assert.deepEqual(Array.from(b.handcrafted!.values), Array.from(a.handcrafted!.values));
    assert.equal(b.embeddings!.nCols, 512);
  } finally {
    await pooled.close();
  }
});

// ESSAY_SCORING_NATIVE_BLAS=0 (the wasm-only pass of test-blas-kernels) turns native off on
// purpose; otherwise a missing OpenBLAS library is a missing system dependency (fatal under CI)
const NATIVE_OFF = Deno.env.get("ESSAY_SCORING_NATIVE_BLAS") === "0";
const NO_OPENBLAS = !NATIVE_OFF && systemDependency(
  "OpenBLAS",
  openBlasInstalled() ? null : `${OPENBLAS_PACKAGE} is not installed (deno task setup, as root)`,
  "embeddings_test",
);

Deno.test({
  name: "native OpenBLAS kernels agree with the wasm kernels within the stated tolerance",
  ignore: NO_OPENBLAS || !nativeBlasAvailable(),
  fn: async () => {
    const essays = invarianceTexts().filter((t) => t !== "").map((text, i) => ({
      id: `e${i}`,
      text,
      prompt: "School",
    }));
    const native = createLocalFeatureExtractor({ workers: 0 });
    const wasm = createLocalFeatureExtractor({ workers: 1, encoderOptions: { nativeBlas: false } });
    try {
      assert.notEqual(native.fingerprint, wasm.fingerprint);
      const a = await native.extract(essays, { featureSet: "embeddings" });
      const b = await wasm.extract(essays, { featureSet: "embeddings" });
      let maxDiff = 0;
      a.embeddings!.values.forEach((v, i) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - b.embeddings!.values[i]));
      });
      assert.ok(maxDiff > 0, "different kernels (else the test compares nothing)");
      assert.ok(
        maxDiff <= USE_LITE_CROSS_KERNEL_TOLERANCE,
        `max difference ${maxDiff} > ${USE_LITE_CROSS_KERNEL_TOLERANCE}`,
      );
    } finally {
      await wasm.close();
    }
  },
});
