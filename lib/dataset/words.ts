/**
 * Word counting shared by the filters, reports and features: a word is a run of `[A-Za-z0-9]+`.
 *
 * @module
 */

const WORD_PATTERN = /[A-Za-z0-9]+/g;

/**
 * Count the words of a text: maximal runs of ASCII letters and digits.
 *
 * @example
 * ```ts
 * countWords("It's 5 o'clock!"); // 5: It, s, 5, o, clock
 * ```
 */
export function countWords(text: string): number {
  let n = 0;
  WORD_PATTERN.lastIndex = 0;
  while (WORD_PATTERN.exec(text) !== null) n++;
  return n;
}

/**
 * The words of a text, in order (runs of `[A-Za-z0-9]+`).
 *
 * @example
 * ```ts
 * wordsOf("Hello, world"); // ["Hello", "world"]
 * ```
 */
export function wordsOf(text: string): string[] {
  return text.match(WORD_PATTERN) ?? [];
}
