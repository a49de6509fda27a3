/**
 * The documented value range of every handcrafted column (ours and the original offload server's
 * 25, which share names): what the definition in `schema.ts` allows, so the degenerate-feature
 * audit (`feature_audit.ts`) can flag values outside it. Open ends are ±Infinity (readability
 * grades have no bound); a count or rate is ≥ 0; a share, flag or Jaccard overlap is in [0, 1];
 * a cosine similarity in [−1, 1]; a variance of cosines in [0, 1]; a SUBTLEX Zipf value in
 * [0, 10].
 *
 * @module
 */
import { HANDCRAFTED_FEATURE_NAMES } from "./schema.ts";

/** Closed range `[min, max]` of a column's documented values. */
export type FeatureRange = readonly [number, number];

const NONNEG: FeatureRange = [0, Infinity];
const UNIT: FeatureRange = [0, 1];
const COSINE: FeatureRange = [-1, 1];
const ANY: FeatureRange = [-Infinity, Infinity];

/** Documented ranges by column name (every handcrafted column has one; tested). */
export const HANDCRAFTED_FEATURE_RANGES: Readonly<Record<string, FeatureRange>> = {
  grammar_errors_per_100_words: NONNEG,
  spelling_errors_per_100_words: NONNEG,
  punctuation_errors_per_100_words: NONNEG,
  flesch_kincaid: ANY,
  smog: NONNEG,
  coleman_liau: ANY,
  ari: ANY,
  avg_sentence_length: NONNEG,
  ttr: UNIT,
  word_count: NONNEG,
  avg_word_length: NONNEG,
  parse_tree_depth: NONNEG,
  clause_count: NONNEG,
  passive_ratio: UNIT,
  dep_distance: NONNEG,
  connective_diversity: NONNEG,
  sent_similarity_variance: UNIT,
  prompt_similarity: COSINE,
  intro_prompt_sim: COSINE,
  min_para_relevance: COSINE,
  paragraph_count: NONNEG,
  has_intro: UNIT,
  has_conclusion: UNIT,
  lexical_overlap: UNIT,
  pronoun_noun_ratio: NONNEG,
  mtld: NONNEG,
  mean_word_zipf: [0, 10],
  rare_word_ratio: UNIT,
  mean_word_syllables: NONNEG,
  polysyllabic_word_ratio: UNIT,
  long_word_ratio: UNIT,
  connective_density: NONNEG,
  clauses_per_sentence: NONNEG,
  sentence_length_std: NONNEG,
  agreement_errors_per_100_words: NONNEG,
  capitalization_errors_per_100_words: NONNEG,
};

/**
 * The documented range of a handcrafted column, or undefined for a name without one.
 *
 * @example
 * ```ts
 * featureRange("ttr"); // [0, 1]
 * ```
 */
export function featureRange(name: string): FeatureRange | undefined {
  return Object.hasOwn(HANDCRAFTED_FEATURE_RANGES, name)
    ? HANDCRAFTED_FEATURE_RANGES[name]
    : undefined;
}

/** Handcrafted names without a documented range (empty; a test keeps it so). */
export function namesWithoutRange(): string[] {
  return HANDCRAFTED_FEATURE_NAMES.filter((n) => featureRange(n) === undefined);
}
