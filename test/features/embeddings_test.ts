import assert from "node:assert/strict";
import {
  loadUseLiteEncoder,
  planBatches,
  USE_LITE_ENCODER_NAME,
} from "../../lib/features/embeddings/use_lite_encoder.ts";
import {
  cosineSimilarity,
  embeddingColumnNames,
  normalisedMean,
} from "../../lib/features/embeddings/vector_ops.ts";
import { createLocalFeatureExtractor } from "../../lib/features/extract.ts";
import { nativeBlasAvailable } from "../../lib/features/embeddings/native_blas.ts";

Deno.test("planBatches keeps padded size within the token budget", () => {
  assert.deepEqual(planBatches([0, 1, 2], [10, 10, 100], 40, 64), [[0, 1], [2]]);
  assert.deepEqual(planBatches([0, 1, 2, 3], [5, 5, 5, 5], 1000, 3), [[0, 1, 2], [3]]);
  // A text longer than the budget still gets its own batch.
  assert.deepEqual(planBatches([0], [500], 10, 64), [[0]]);
});

Deno.test("normalisedMean and cosineSimilarity", () => {
  const m = normalisedMean([Float32Array.of(1, 0), Float32Array.of(0, 1)], 2);
  assert.ok(Math.abs(m[0] - Math.SQRT1_2) < 1e-12 && Math.abs(m[1] - Math.SQRT1_2) < 1e-12);
  assert.deepEqual(Array.from(normalisedMean([], 2)), [0, 0]);
  assert.ok(Math.abs(cosineSimilarity([1, 0], [1, 1]) - Math.SQRT1_2) < 1e-12);
  assert.equal(cosineSimilarity([0, 0], [1, 1]), 0);
  assert.deepEqual(embeddingColumnNames(512).slice(0, 2), ["emb_000", "emb_001"]);
  assert.equal(embeddingColumnNames(512)[511], "emb_511");
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

Deno.test({
  name: "native OpenBLAS matmul kernels agree with the wasm kernels (when OpenBLAS is installed)",
  ignore: !nativeBlasAvailable(),
  fn: async () => {
    const essays = [
      { id: "x", text: "I like school. It is fun because my friends are there.", prompt: "School" },
      { id: "y", text: "Phones are useful for learning things fast.", prompt: "Phones" },
    ];
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
      assert.ok(maxDiff < 1e-5, `max difference ${maxDiff}`);
    } finally {
      await wasm.close();
    }
  },
});
