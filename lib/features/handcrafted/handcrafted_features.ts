/**
 * Handcrafted essay features (SPEC §3, Tier 1–3 plus standard AES extras) for one essay.
 *
 * The orchestrator (`lib/features/extract.ts`) calls {@link segmentEssay} to learn which
 * sentences and paragraphs to embed, embeds them (and the prompt) with the sentence encoder,
 * runs an {@link ErrorChecker}, then calls {@link computeHandcraftedFeatures} once per essay.
 * The function is pure: same input, same vector, in `HANDCRAFTED_FEATURE_SCHEMA` order.
 *
 * @module
 */
import { analyseText, segmentEssay } from "./text_analysis.ts";
import { type EssayAnalysisInput, featuresFromAnalysis } from "./feature_vector.ts";

export { segmentEssay };
export type { EssayAnalysisInput };
export type { EssaySegmentation } from "./text_analysis.ts";

/**
 * Compute the handcrafted feature vector of one essay, in `HANDCRAFTED_FEATURE_SCHEMA` order.
 *
 * Throws when the embeddings do not line up with `segmentEssay(text)` (wrong count or
 * mismatched dimension), since silently misaligned similarities would be wrong features.
 *
 * @example
 * ```ts
 * const seg = segmentEssay(text);
 * const row = computeHandcraftedFeatures({
 *   text, prompt, errors: await checker.check(text, "en-US"),
 *   sentenceEmbeddings: await encoder.embed(seg.sentences),
 *   paragraphEmbeddings: await encoder.embed(seg.paragraphs),
 *   promptEmbedding: (await encoder.embed([prompt]))[0],
 * });
 * ```
 */
export function computeHandcraftedFeatures(input: EssayAnalysisInput): Float64Array {
  const analysis = analyseText(input.text, input.language);
  return featuresFromAnalysis(analysis, input);
}
