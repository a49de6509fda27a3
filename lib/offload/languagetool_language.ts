/**
 * The LanguageTool language a dataset's BCP 47 tag is checked in (issue 18), and the language
 * modules the LanguageTool that `--checker` / `serve-languagetool` starts locally carries.
 *
 * - English: `en` (no region) → `en-US`, as every English run has always sent (so ELLIPSE's
 *   requests, cache keys and fingerprints are unchanged); an English tag with a region LanguageTool
 *   has a variant for (`en-GB`, `en-AU`, …) is sent as that variant.
 * - Swedish: `sv` (any region) → `sv` (LanguageTool has one Swedish variant).
 * - Any other tag is sent as given (a configured LanguageTool URL may have that language; the local
 *   one has only {@link LOCAL_LANGUAGE_TOOL_MODULES}).
 *
 * @module
 */
import { primaryLanguage } from "../features/feature_languages.ts";

/** English variants LanguageTool 6.6 checks in (`GET /v2/languages`). */
const ENGLISH_VARIANTS: readonly string[] = ["en-US", "en-GB", "en-AU", "en-CA", "en-NZ", "en-ZA"];

/**
 * Primary subtags whose module (`org.languagetool:language-<subtag>`) the local LanguageTool
 * fetches from Maven Central and so checks in.
 */
export const LOCAL_LANGUAGE_TOOL_MODULES: readonly string[] = ["en", "sv"];

/**
 * The LanguageTool language code of a BCP 47 tag (see the module docs). Pure.
 *
 * @example
 * ```ts
 * languageToolCode("en"); // "en-US"
 * languageToolCode("en-GB"); // "en-GB"
 * languageToolCode("sv-SE"); // "sv"
 * ```
 */
export function languageToolCode(tag: string): string {
  const primary = primaryLanguage(tag);
  if (primary === "en") {
    const variant = ENGLISH_VARIANTS.find((v) => v.toLowerCase() === tag.toLowerCase());
    return variant ?? "en-US";
  }
  if (primary === "sv") return "sv";
  return tag;
}

/**
 * Whether the locally started LanguageTool checks in this language (its module is fetched).
 *
 * @example
 * ```ts
 * localLanguageToolHas("sv"); // true
 * localLanguageToolHas("de-DE"); // false
 * ```
 */
export function localLanguageToolHas(tag: string): boolean {
  return LOCAL_LANGUAGE_TOOL_MODULES.includes(primaryLanguage(tag));
}
