/**
 * Word counting shared by the filters, reports and features, by the dataset's language (a BCP 47
 * tag; absent means English):
 *
 * - English: a word is a maximal run of `[A-Za-z0-9]` (as always: ELLIPSE's word window and
 *   features are unchanged; an apostrophe splits, "It's" is two words);
 * - any other language: a maximal run of Unicode letters, combining marks and digits
 *   (`[\p{L}\p{M}\p{N}]`), so "på" and "översätta" are one word each (marks keep a decomposed
 *   "å" inside its word); an apostrophe splits, as in English.
 *
 * @module
 */

const ASCII_WORD = /[A-Za-z0-9]+/g;
const UNICODE_WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** Whether a language counts words as ASCII runs (English, or no language given). */
function isEnglish(language: string | undefined): boolean {
  return language === undefined || language.split("-")[0].toLowerCase() === "en";
}

/**
 * The word pattern of a language (global; reset `lastIndex` before `exec` loops).
 *
 * @example
 * ```ts
 * wordPattern("sv").source; // "[\\p{L}\\p{M}\\p{N}]+"
 * ```
 */
export function wordPattern(language?: string): RegExp {
  return isEnglish(language) ? ASCII_WORD : UNICODE_WORD;
}

/**
 * Count the words of a text in the dataset's language (default English).
 *
 * @example
 * ```ts
 * countWords("It's 5 o'clock!"); // 5: It, s, 5, o, clock
 * countWords("Vi går på bio.", "sv"); // 4 (in English: 6, "g", "r", "p", …)
 * ```
 */
export function countWords(text: string, language?: string): number {
  const pattern = wordPattern(language);
  let n = 0;
  pattern.lastIndex = 0;
  while (pattern.exec(text) !== null) n++;
  return n;
}

/**
 * The words of a text in the dataset's language (default English), in order.
 *
 * @example
 * ```ts
 * wordsOf("Hello, world"); // ["Hello", "world"]
 * wordsOf("Hej, världen", "sv"); // ["Hej", "världen"]
 * ```
 */
export function wordsOf(text: string, language?: string): string[] {
  return text.match(wordPattern(language)) ?? [];
}

/**
 * How words are counted in a language, for reports.
 *
 * @example
 * ```ts
 * wordRuleDescription(); // "runs of `[A-Za-z0-9]+`"
 * ```
 */
export function wordRuleDescription(language?: string): string {
  return isEnglish(language)
    ? "runs of `[A-Za-z0-9]+`"
    : "runs of Unicode letters and digits, `[\\p{L}\\p{M}\\p{N}]+`";
}
