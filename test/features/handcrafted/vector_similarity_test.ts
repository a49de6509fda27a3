import assert from "node:assert/strict";
import {
  cosineSimilarity,
  embeddingFeatures,
  meanVector,
  populationVariance,
} from "../../../lib/features/handcrafted/vector_similarity.ts";

const v = (...x: number[]) => Float32Array.from(x);

Deno.test("cosine, mean and variance on tiny vectors", () => {
  assert.ok(Math.abs(cosineSimilarity(v(1, 0), v(1, 1)) - Math.SQRT1_2) < 1e-7);
  assert.equal(cosineSimilarity(v(1, 0), v(0, 3)), 0);
  assert.equal(cosineSimilarity(v(0, 0), v(1, 1)), 0);
  assert.throws(() => cosineSimilarity(v(1), v(1, 0)), /dimensions differ/);
  assert.deepEqual(Array.from(meanVector([v(1, 2), v(3, 4)], 2)), [2, 3]);
  assert.equal(populationVariance([1, 3]), 1);
  assert.equal(populationVariance([5]), 0);
});

Deno.test("embedding features with too few sentences or paragraphs are 0", () => {
  const f = embeddingFeatures([v(1, 0), v(0, 1)], [], v(1, 0));
  assert.equal(f.sentSimilarityVariance, 0); // one pair only
  assert.equal(f.introPromptSim, 0);
  assert.equal(f.minParaRelevance, 0);
  assert.ok(Math.abs(f.promptSimilarity - Math.SQRT1_2) < 1e-7);
});
