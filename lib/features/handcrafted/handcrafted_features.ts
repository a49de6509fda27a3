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
import type { ErrorMatch } from "../types.ts";
import { analyseText, segmentEssay } from "./text_analysis.ts";
import { featuresFromAnalysis } from "./feature_vector.ts";

export { segmentEssay };
export type { EssaySegmentation } from "./text_analysis.ts";

/** Everything {@link computeHandcraftedFeatures} needs for one essay. */
export interface EssayAnalysisInput {
  /** The essay text, as in the data set. */
  readonly text: string;
  /** The prompt (name or text) the essay answers. */
  readonly prompt: string;
  /** Errors found by the checker (local harper+nspell, or LanguageTool) in `text`. */
  readonly errors: readonly ErrorMatch[];
  /** One embedding per sentence, in the order of `segmentEssay(text).sentences`. */
  readonly sentenceEmbeddings: readonly Float32Array[];
  /** One embedding per paragraph, in the order of `segmentEssay(text).paragraphs`. */
  readonly paragraphEmbeddings: readonly Float32Array[];
  /** Embedding of `prompt` (same encoder). */
  readonly promptEmbedding: Float32Array;
}

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
  const analysis = analyseText(input.text);
  return featuresFromAnalysis(analysis, input);
}
