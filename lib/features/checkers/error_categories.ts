/**
 * The original system's mapping of checker matches to error categories (grammar / spelling /
 * punctuation), error counts per essay, and per-100-word densities.
 *
 * Mapping (exactly the original research client's, HEMMA_PROTOCOL.md §A.9.3): `PUNCT` in the
 * category id or the rule id → punctuation; else category TYPOS / SPELLING / TYPOGRAPHY /
 * MISSPELLING, or a category id containing `SPELL` → spelling; everything else → grammar. Ids are
 * compared upper-cased. The rule id is used only in the punctuation test.
 *
 * @module
 */
import type { ErrorMatch } from "../types.ts";

/** The three error categories of Tier 1. */
export type ErrorCategory = "grammar" | "spelling" | "punctuation";

/** Error counts of one essay by category. */
export interface ErrorCounts {
  readonly grammar: number;
  readonly spelling: number;
  readonly punctuation: number;
}

const SPELLING_CATEGORIES: ReadonlySet<string> = new Set([
  "TYPOS",
  "SPELLING",
  "TYPOGRAPHY",
  "MISSPELLING",
]);

/**
 * Category of one match under the original mapping.
 *
 * @example
 * ```ts
 * categoriseMatch({ offset: 0, length: 3, ruleId: "MORFOLOGIK_RULE_EN_US",
 *   categoryId: "TYPOS", message: "" }); // "spelling"
 * ```
 */
export function categoriseMatch(match: Pick<ErrorMatch, "ruleId" | "categoryId">): ErrorCategory {
  const category = match.categoryId.toUpperCase();
  const rule = match.ruleId.toUpperCase();
  if (category.includes("PUNCT") || rule.includes("PUNCT")) return "punctuation";
  if (SPELLING_CATEGORIES.has(category) || category.includes("SPELL")) return "spelling";
  return "grammar";
}

/**
 * Count matches per category.
 *
 * @example
 * ```ts
 * deriveErrorCounts(matches); // { grammar: 2, spelling: 5, punctuation: 1 }
 * ```
 */
export function deriveErrorCounts(matches: readonly ErrorMatch[]): ErrorCounts {
  let grammar = 0;
  let spelling = 0;
  let punctuation = 0;
  for (const m of matches) {
    const c = categoriseMatch(m);
    if (c === "grammar") grammar++;
    else if (c === "spelling") spelling++;
    else punctuation++;
  }
  return { grammar, spelling, punctuation };
}

/** Finer error types (extra features) beyond the three Tier 1 categories. */
export interface ErrorTypeCounts {
  /** Agreement errors: rule id containing `AGREEMENT` or `_AGR` (harper kind Agreement). */
  readonly agreement: number;
  /** Capitalisation errors: category CASING or rule id containing CAPITAL/UPPERCASE/LOWERCASE. */
  readonly capitalization: number;
}

/** Whether a match is about subject–verb / determiner–noun agreement. */
export function isAgreementMatch(match: Pick<ErrorMatch, "ruleId">): boolean {
  const rule = match.ruleId.toUpperCase();
  return rule.includes("AGREEMENT") || rule.includes("_AGR");
}

/** Whether a match is about capitalisation. */
export function isCapitalizationMatch(match: Pick<ErrorMatch, "ruleId" | "categoryId">): boolean {
  const category = match.categoryId.toUpperCase();
  const rule = match.ruleId.toUpperCase();
  return category === "CASING" || rule.includes("CAPITAL") || rule.includes("UPPERCASE") ||
    rule.includes("LOWERCASE");
}

/** Count agreement and capitalisation matches. */
export function deriveErrorTypeCounts(matches: readonly ErrorMatch[]): ErrorTypeCounts {
  let agreement = 0;
  let capitalization = 0;
  for (const m of matches) {
    if (isAgreementMatch(m)) agreement++;
    if (isCapitalizationMatch(m)) capitalization++;
  }
  return { agreement, capitalization };
}

/**
 * A count per 100 word tokens; 0 for a text without words.
 *
 * @example
 * ```ts
 * per100Words(3, 150); // 2
 * ```
 */
export function per100Words(count: number, wordCount: number): number {
  return wordCount > 0 ? (100 * count) / wordCount : 0;
}
