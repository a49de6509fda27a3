/**
 * The local {@link ErrorChecker}: harper.js lints (grammar, punctuation, typos) plus nspell +
 * dictionary-en spelling, with overlapping spelling hits counted once.
 *
 * @module
 */
import { featurePackageVersions } from "../handcrafted/dependencies.ts";
import type { ErrorChecker, ErrorMatch } from "../types.ts";
import { categoriseMatch } from "./error_categories.ts";
import { findHarperErrors } from "./harper_checker.ts";
import { findSpellingErrors } from "./spelling_checker.ts";
import { primaryLanguage } from "../feature_languages.ts";

/** Whether two matches' spans overlap (zero-length spans overlap when they touch). */
function overlaps(a: ErrorMatch, b: ErrorMatch): boolean {
  return a.offset < b.offset + Math.max(1, b.length) && b.offset < a.offset + Math.max(1, a.length);
}

/**
 * Merge harper and nspell matches: an nspell hit is dropped when a harper match categorised as
 * spelling overlaps it (the harper one is kept). Result sorted by offset.
 */
export function mergeCheckerMatches(
  harper: readonly ErrorMatch[],
  spelling: readonly ErrorMatch[],
): ErrorMatch[] {
  const harperSpelling = harper.filter((m) => categoriseMatch(m) === "spelling");
  const merged = [...harper];
  for (const s of spelling) {
    if (!harperSpelling.some((h) => overlaps(h, s))) merged.push(s);
  }
  merged.sort((a, b) => a.offset - b.offset || a.ruleId.localeCompare(b.ruleId));
  return merged;
}

/** Options of {@link LocalErrorChecker}. */
export interface LocalErrorCheckerOptions {
  /** Also run harper's own spell check (slower; see `HarperOptions.spellCheck`). Default off. */
  readonly harperSpellCheck?: boolean;
}

/**
 * Local error checker (no server): harper.js + nspell. `language` is a LanguageTool code;
 * harper picks its dialect from it, nspell always uses American English (dictionary-en). Both are
 * English-only: for a non-English language the checker does not run and finds nothing (its counts
 * are left out of such a dataset's features, `feature_languages.ts`).
 *
 * @example
 * ```ts
 * const checker = new LocalErrorChecker();
 * const matches = await checker.check(essay.text, "en-US");
 * ```
 */
export class LocalErrorChecker implements ErrorChecker {
  /** Names the tools, versions and options (part of extractor fingerprints). */
  readonly name: string;
  readonly #harperSpellCheck: boolean;

  /** A checker; harper's own spell check is off unless asked for. */
  constructor(options: LocalErrorCheckerOptions = {}) {
    this.#harperSpellCheck = options.harperSpellCheck ?? false;
    const v = featurePackageVersions();
    this.name = `local:harper.js@${v["harper.js"]}(spellcheck=` +
      (this.#harperSpellCheck ? "on" : "off") +
      `,no-readability-style)+nspell@${v.nspell}/dictionary-en@${v["dictionary-en"]}`;
  }

  /** All matches of `text`, sorted by offset. */
  async check(text: string, language: string): Promise<readonly ErrorMatch[]> {
    if (primaryLanguage(language) !== "en") return [];
    const harper = await findHarperErrors(text, language, {
      spellCheck: this.#harperSpellCheck,
    });
    return mergeCheckerMatches(harper, findSpellingErrors(text));
  }
}
