/**
 * Local spelling checker: nspell with the Hunspell `dictionary-en` (American English).
 *
 * Checked tokens are runs of letters with inner apostrophes (contractions such as "don't" are
 * checked whole; a trailing possessive apostrophe is dropped; "student's" falls back to
 * "student"). Skipped: single letters, tokens touching digits ("3rd"), tokens with an upper-case
 * letter after the first (acronyms, "iPhone"), and capitalised words that do not start a
 * sentence (proper nouns). Matches use category `TYPOS`, rule `NSPELL_SPELLING`.
 *
 * @module
 */
import dictionary from "dictionary-en";
import nspell from "nspell";
import type { ErrorMatch } from "../types.ts";

/** Rule id of nspell matches. */
export const NSPELL_RULE_ID = "NSPELL_SPELLING";

type Speller = { correct(word: string): boolean };

let speller: Speller | undefined;
const verdicts = new Map<string, boolean>();

/** The process-wide nspell instance (loading the dictionary takes ~150 ms, once). */
function getSpeller(): Speller {
  speller ??= nspell(dictionary) as Speller;
  return speller;
}

const TOKEN_PATTERN = /[A-Za-z0-9]+(?:['\u2019][A-Za-z0-9]+)*['\u2019]?/g;

function isKnown(word: string): boolean {
  const cached = verdicts.get(word);
  if (cached !== undefined) return cached;
  const s = getSpeller();
  let ok = s.correct(word);
  if (!ok && /'s$/i.test(word)) ok = s.correct(word.slice(0, -2));
  verdicts.set(word, ok);
  return ok;
}

/** Whether the token at `offset` starts a sentence (text start, after . ! ? or a line break). */
function startsSentence(text: string, offset: number): boolean {
  let i = offset - 1;
  while (i >= 0 && /[\s"'\u2018\u2019\u201C\u201D([]/.test(text[i]) && text[i] !== "\n") i--;
  return i < 0 || /[.!?\n:]/.test(text[i]);
}

/**
 * Spelling errors of a text found by nspell + dictionary-en.
 *
 * @example
 * ```ts
 * findSpellingErrors("I recieved it."); // [{ offset: 2, length: 8, ruleId: "NSPELL_SPELLING", ... }]
 * ```
 */
export function findSpellingErrors(text: string): ErrorMatch[] {
  const matches: ErrorMatch[] = [];
  TOKEN_PATTERN.lastIndex = 0;
  for (let m = TOKEN_PATTERN.exec(text); m !== null; m = TOKEN_PATTERN.exec(text)) {
    const raw = m[0];
    if (/[0-9]/.test(raw)) continue;
    let word = raw.replace(/\u2019/g, "'");
    if (word.endsWith("'")) word = word.slice(0, -1);
    if (word.length < 2) continue;
    if (/[A-Z]/.test(word.slice(1))) continue;
    if (/^[A-Z]/.test(word) && !startsSentence(text, m.index)) continue;
    if (isKnown(word)) continue;
    matches.push({
      offset: m.index,
      length: raw.length,
      ruleId: NSPELL_RULE_ID,
      categoryId: "TYPOS",
      message: `Possible spelling mistake: "${raw}".`,
    });
  }
  return matches;
}
