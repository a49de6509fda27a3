/**
 * Cosine similarities over embedding vectors and the embedding-based features built on them.
 *
 * @module
 */

/**
 * Cosine similarity of two equally long vectors; 0 when either has zero norm.
 *
 * @example
 * ```ts
 * cosineSimilarity(Float32Array.of(1, 0), Float32Array.of(1, 1)); // 0.7071…
 * ```
 */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new Error(`cosineSimilarity: dimensions differ (${a.length} vs ${b.length})`);
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Element-wise mean of vectors (dimension `dim`); zeros for an empty list. */
export function meanVector(vectors: readonly Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(dim);
  if (vectors.length === 0) return out;
  const acc = new Float64Array(dim);
  for (const v of vectors) for (let i = 0; i < dim; i++) acc[i] += v[i];
  for (let i = 0; i < dim; i++) out[i] = acc[i] / vectors.length;
  return out;
}

/** Population variance of numbers; 0 for fewer than 2. */
export function populationVariance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return values.reduce((s, v) => s + (v - mean) * (v - mean), 0) / values.length;
}

/** Embedding-based Tier 2 features. */
export interface EmbeddingFeatures {
  readonly sentSimilarityVariance: number;
  readonly promptSimilarity: number;
  readonly introPromptSim: number;
  readonly minParaRelevance: number;
}

/**
 * sent_similarity_variance (variance of consecutive-sentence cosines, 0 with < 2 pairs),
 * prompt_similarity (cosine of the mean sentence embedding with the prompt), intro_prompt_sim
 * (first paragraph vs prompt) and min_para_relevance (least prompt-similar paragraph); 0 when
 * the essay has no sentences/paragraphs.
 */
export function embeddingFeatures(
  sentences: readonly Float32Array[],
  paragraphs: readonly Float32Array[],
  prompt: Float32Array,
): EmbeddingFeatures {
  const adjacent: number[] = [];
  for (let i = 1; i < sentences.length; i++) {
    adjacent.push(cosineSimilarity(sentences[i - 1], sentences[i]));
  }
  const paragraphSims = paragraphs.map((p) => cosineSimilarity(p, prompt));
  return {
    sentSimilarityVariance: adjacent.length >= 2 ? populationVariance(adjacent) : 0,
    promptSimilarity: sentences.length > 0
      ? cosineSimilarity(meanVector(sentences, prompt.length), prompt)
      : 0,
    introPromptSim: paragraphSims.length > 0 ? paragraphSims[0] : 0,
    minParaRelevance: paragraphSims.length > 0 ? Math.min(...paragraphSims) : 0,
  };
}
