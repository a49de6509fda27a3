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

/** Languages a feature is defined for: `"any"` or a list of BCP 47 primary subtags. */
export type FeatureLanguages = "any" | readonly string[];

/**
 * The languages a handcrafted feature is defined for.
 *
 * @example
 * ```ts
 * featureLanguages(spec("ttr")); // "any"
 * featureLanguages(spec("flesch_kincaid")); // ["en"]
 * ```
 */
export function featureLanguages(spec: HandcraftedFeatureSpec): FeatureLanguages {
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
 * The handcrafted features not defined for a language, in schema order (empty for English).
 *
 * @example
 * ```ts
 * handcraftedFeaturesNotDefinedFor("sv"); // ["grammar_errors_per_100_words", …]
 * ```
 */
export function handcraftedFeaturesNotDefinedFor(tag: string): string[] {
  return HANDCRAFTED_FEATURE_SCHEMA.filter((f) => !isDefinedFor(featureLanguages(f), tag))
    .map((f) => f.name);
}

/** The local sentence encoder's languages (USE-lite is trained on English). */
export const LOCAL_ENCODER_LANGUAGES: FeatureLanguages = ["en"];
