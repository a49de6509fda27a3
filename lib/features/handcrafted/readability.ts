/**
 * Classic readability formulas from counts of one segmentation (sentences, words, syllables,
 * characters), so every formula agrees on what a sentence and a word are.
 *
 * @module
 */

/** Counts the readability formulas need, all from one segmentation. */
export interface ReadabilityCounts {
  readonly sentences: number;
  readonly words: number;
  readonly syllables: number;
  /** Words with >= 3 syllables. */
  readonly polysyllables: number;
  /** Letters and digits in words. */
  readonly characters: number;
}

/**
 * Flesch–Kincaid grade level: 0.39·W/S + 11.8·Syl/W − 15.59; 0 without words or sentences.
 *
 * @example
 * ```ts
 * fleschKincaidGrade({ sentences: 1, words: 10, syllables: 15, polysyllables: 0, characters: 40 });
 * // 0.39*10 + 11.8*1.5 - 15.59 = 6.01
 * ```
 */
export function fleschKincaidGrade(c: ReadabilityCounts): number {
  if (c.words === 0 || c.sentences === 0) return 0;
  return 0.39 * (c.words / c.sentences) + 11.8 * (c.syllables / c.words) - 15.59;
}

/** SMOG grade: 1.0430·√(polysyllables·30/S) + 3.1291; 0 without sentences. */
export function smogGrade(c: ReadabilityCounts): number {
  if (c.sentences === 0 || c.words === 0) return 0;
  return 1.043 * Math.sqrt((c.polysyllables * 30) / c.sentences) + 3.1291;
}

/**
 * Coleman–Liau index: 0.0588·L − 0.296·S − 15.8 with L letters per 100 words and S sentences
 * per 100 words; 0 without words.
 */
export function colemanLiauIndex(c: ReadabilityCounts): number {
  if (c.words === 0 || c.sentences === 0) return 0;
  const l = (100 * c.characters) / c.words;
  const s = (100 * c.sentences) / c.words;
  return 0.0588 * l - 0.296 * s - 15.8;
}

/** Automated Readability Index: 4.71·chars/W + 0.5·W/S − 21.43; 0 without words. */
export function automatedReadabilityIndex(c: ReadabilityCounts): number {
  if (c.words === 0 || c.sentences === 0) return 0;
  return 4.71 * (c.characters / c.words) + 0.5 * (c.words / c.sentences) - 21.43;
}
