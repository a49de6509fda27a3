/**
 * Assemble the handcrafted feature vector from one text analysis, the checker's errors and the
 * embeddings (interface commit; the computation lands in the next commit).
 *
 * @module
 */
import type { EssayAnalysisInput } from "./handcrafted_features.ts";
import type { TextAnalysis } from "./text_analysis.ts";

/** Compute the feature row in `HANDCRAFTED_FEATURE_SCHEMA` order. */
export function featuresFromAnalysis(
  _analysis: TextAnalysis,
  _input: EssayAnalysisInput,
): Float64Array {
  throw new Error("computeHandcraftedFeatures: not implemented yet (interface commit)");
}
