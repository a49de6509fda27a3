/**
 * Swedish features (issue 18), computed from the text for a dataset whose manifest language is
 * Swedish (`sv`), appended to the handcrafted columns in place of the English-only ones:
 *
 * - `sv_lix`: LIX readability (Björnsson 1968): words per sentence + 100 × share of words longer
 *   than six letters; words are runs of Unicode letters/digits, sentences end at `.`, `!`, `?`
 *   or `:` (or the end of the text).
 * - `sv_spelling_errors_per_100_words`: words the Swedish Hunspell dictionary (npm
 *   `dictionary-sv` through `nspell`) does not know, per 100 words; words with digits and
 *   capitalised words not at a sentence start (names) are not checked.
 *
 * Pure functions of the text (the dictionary is loaded once per process), so the same values
 * come out in `cv`, `run` and `score`.
 *
 * @module
 */
import dictionary from "dictionary-sv";
import nspell from "nspell";

/** Column names of the Swedish features, in order. */
export const SWEDISH_FEATURE_NAMES = ["sv_lix", "sv_spelling_errors_per_100_words"] as const;

type Speller = { correct(word: string): boolean };
let speller: Speller | undefined;
const verdicts = new Map<string, boolean>();

/**
 * The `dictionary-sv` affix file as nspell can use it: as text (nspell misreads the package's
 * byte arrays: no suffix rule applies), and without the COMPOUNDRULEs that can match an empty
 * flag sequence (`0*`, `4?5?…`), which nspell takes as "every string is a compound" — with them
 * every word, even "xqzzy", is correct.
 *
 * @example
 * ```ts
 * nspell({ aff: swedishAffixText(), dic: … }).correct("xqzzy"); // false
 * ```
 */
export function swedishAffixText(): string {
  const lines = new TextDecoder().decode(dictionary.aff).split("\n");
  const matchesEmpty = /^COMPOUNDRULE\s+(\(?[^*?()\s]\)?[*?])+\s*$/;
  const kept = lines.filter((l) => !matchesEmpty.test(l));
  const n = kept.filter((l) => /^COMPOUNDRULE\s+\S*\D/.test(l)).length;
  return kept.map((l) => /^COMPOUNDRULE\s+\d+\s*$/.test(l) ? `COMPOUNDRULE ${n}` : l).join("\n");
}

function isKnown(word: string): boolean {
  const cached = verdicts.get(word);
  if (cached !== undefined) return cached;
  speller ??= nspell({
    aff: swedishAffixText(),
    dic: new TextDecoder().decode(dictionary.dic),
  }) as Speller;
  const ok = speller.correct(word) || speller.correct(word.toLowerCase());
  verdicts.set(word, ok);
  return ok;
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * LIX readability of a text (NaN for a text without words).
 *
 * @example
 * ```ts
 * lix("Det var en gång en katt. Katten hette Måns."); // 5 + 0 = 5 words/sentence …
 * ```
 */
export function lix(text: string): number {
  const words = text.match(WORD) ?? [];
  if (words.length === 0) return NaN;
  const sentences = Math.max(1, text.split(/[.!?:]+/).filter((s) => WORD.test(s)).length);
  WORD.lastIndex = 0;
  const long = words.filter((w) => [...w].length > 6).length;
  return words.length / sentences + (100 * long) / words.length;
}

/**
 * Words the Swedish dictionary does not know, per 100 words (0 for a text without words).
 *
 * @example
 * ```ts
 * swedishSpellingErrorsPer100Words("Jag tycker att skolan är bra."); // 0
 * ```
 */
export function swedishSpellingErrorsPer100Words(text: string): number {
  let words = 0;
  let errors = 0;
  for (const m of text.matchAll(WORD)) {
    words++;
    const w = m[0];
    if (/\p{N}/u.test(w)) continue;
    const before = text.slice(0, m.index).trimEnd();
    const sentenceStart = before === "" || /[.!?:\n]$/.test(before);
    if (!sentenceStart && /^\p{Lu}/u.test(w)) continue;
    if (!isKnown(w)) errors++;
  }
  return words === 0 ? 0 : (100 * errors) / words;
}

/**
 * The Swedish feature row of a text, in {@link SWEDISH_FEATURE_NAMES} order.
 *
 * @example
 * ```ts
 * swedishFeatureRow("Jag tycker att skolan är bra."); // [lix, spelling]
 * ```
 */
export function swedishFeatureRow(text: string): number[] {
  return [lix(text), swedishSpellingErrorsPer100Words(text)];
}
