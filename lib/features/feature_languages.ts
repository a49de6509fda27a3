/**
 * The languages each feature is defined for (issue 18), and the selection a dataset's language
 * implies. Kept beside the handcrafted schema rather than in it, so the schema's definitions —
 * and with them every extractor fingerprint and stored feature matrix — are unchanged.
 *
 * A handcrafted feature is English-only when it depends on an English resource: a package of
 * {@link ENGLISH_ONLY_PACKAGES} (English dictionary, English tokenizer/POS model, English syllable
 * counter, English word frequencies, an English grammar checker), or an English word list of its
 * own ({@link ENGLISH_WORD_LIST_FEATURES}: connectives, stance and conclusion cues). The rest
 * (type-token ratio, word count, word length, MTLD, paragraph count, long-word ratio) are
 * language-neutral. The local sentence encoder (USE-lite) is English-only too.
 *
 * The error counts depend on the checker: with the local checker (harper.js + nspell with
 * `dictionary-en`) they are English-only; with LanguageTool checking in the dataset's language,
 * the category-based counts ({@link LANGUAGE_TOOL_COUNT_FEATURES}: grammar, spelling, punctuation
 * and casing matches per 100 words) are defined for any language LanguageTool checks in. The
 * agreement count stays English-only whatever the checker: it matches rule ids written for
 * English (`…_AGR`, `…AGREEMENT`), and LanguageTool's Swedish rules have none.
 *
 * Word-based features count the dataset's words: runs of `[A-Za-z0-9]` for English, of Unicode
 * letters and digits for any other language (`lib/dataset/words.ts`).
 *
 * @module
 */
import { FEATURE_PACKAGES, type FeaturePackage } from "./handcrafted/dependencies.ts";
import { HANDCRAFTED_FEATURE_SCHEMA, type HandcraftedFeatureSpec } from "./handcrafted/schema.ts";

/**
 * Packages whose data is English: a feature that depends on one is English-only. Today that is
 * every package a handcrafted feature depends on (tokenizer/POS model, syllables, word
 * frequencies, grammar checker, dictionary); a language-neutral package added later must be left
 * out of this list.
 */
export const ENGLISH_ONLY_PACKAGES: readonly FeaturePackage[] = FEATURE_PACKAGES;

/** Features with an English word list of their own (no package dependency). */
export const ENGLISH_WORD_LIST_FEATURES: readonly string[] = [
  "connective_diversity",
  "connective_density",
  "has_intro",
  "has_conclusion",
];

/**
 * The error-count features whose LanguageTool values are defined in any language LanguageTool
 * checks in: they count matches by LanguageTool's language-independent categories (`TYPOS`,
 * `PUNCTUATION`, `CASING`, the rest grammar; `error_categories.ts`).
 */
export const LANGUAGE_TOOL_COUNT_FEATURES: readonly string[] = [
  "grammar_errors_per_100_words",
  "spelling_errors_per_100_words",
  "punctuation_errors_per_100_words",
  "capitalization_errors_per_100_words",
];

/** Languages a feature is defined for: `"any"` or a list of BCP 47 primary subtags. */
export type FeatureLanguages = "any" | readonly string[];

/**
 * The Tier 1 checker the counts come from: the local English one, or LanguageTool checking in
 * the dataset's language.
 */
export type CheckerFamily = "local" | "languagetool";

/**
 * The languages a handcrafted feature is defined for.
 *
 * @example
 * ```ts
 * featureLanguages(spec("ttr")); // "any"
 * featureLanguages(spec("flesch_kincaid")); // ["en"]
 * featureLanguages(spec("spelling_errors_per_100_words"), "languagetool"); // "any"
 * ```
 */
export function featureLanguages(
  spec: HandcraftedFeatureSpec,
  checker: CheckerFamily = "local",
): FeatureLanguages {
  if (checker === "languagetool" && LANGUAGE_TOOL_COUNT_FEATURES.includes(spec.name)) return "any";
  const english = spec.dependsOn.some((p) => ENGLISH_ONLY_PACKAGES.includes(p)) ||
    ENGLISH_WORD_LIST_FEATURES.includes(spec.name);
  return english ? ["en"] : "any";
}

/** The primary language subtag of a BCP 47 tag ("sv-SE" → "sv"). */
export function primaryLanguage(tag: string): string {
  return tag.split("-")[0].toLowerCase();
}

/**
 * Whether a feature is defined for a language.
 *
 * @example
 * ```ts
 * isDefinedFor("any", "sv"); // true
 * isDefinedFor(["en"], "en-GB"); // true
 * ```
 */
export function isDefinedFor(languages: FeatureLanguages, tag: string): boolean {
  return languages === "any" || languages.includes(primaryLanguage(tag));
}

/**
 * The handcrafted features not defined for a language with that checker, in schema order
 * (empty for English).
 *
 * @example
 * ```ts
 * handcraftedFeaturesNotDefinedFor("sv"); // ["grammar_errors_per_100_words", …]
 * handcraftedFeaturesNotDefinedFor("sv", "languagetool"); // ["flesch_kincaid", …]
 * ```
 */
export function handcraftedFeaturesNotDefinedFor(
  tag: string,
  checker: CheckerFamily = "local",
): string[] {
  return HANDCRAFTED_FEATURE_SCHEMA.filter((f) => !isDefinedFor(featureLanguages(f, checker), tag))
    .map((f) => f.name);
}

/** The local sentence encoder's languages (USE-lite is trained on English). */
export const LOCAL_ENCODER_LANGUAGES: FeatureLanguages = ["en"];
