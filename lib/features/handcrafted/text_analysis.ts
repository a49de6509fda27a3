/**
 * The one NLP pass over an essay: paragraphs, sentences, tokens with POS and lemmas (wink-nlp),
 * and the dataset's word segmentation with syllable counts: runs of `[A-Za-z0-9]+` for English,
 * runs of Unicode letters and digits for any other language (`lib/dataset/words.ts`; the language
 * is the LanguageTool code the extractor checks in, `en-US` by default).
 *
 * Every handcrafted feature is computed from one {@link TextAnalysis}, so all features agree on
 * what a sentence, a paragraph and a word are. Paragraphs are the non-blank lines of the text
 * (ELLIPSE separates paragraphs by line breaks); sentences are wink-nlp's sentences within each
 * paragraph (a sentence never spans a paragraph break).
 *
 * @module
 */
import { syllable } from "syllable";
import { readDocWithoutHistory, winkIts } from "./history_free_nlp.ts";
import { wordPattern, wordsOf } from "../../dataset/words.ts";

/** wink-nlp's token property helpers. */
const its = winkIts();

/** The sentences and paragraphs features are computed over (what the encoder must embed). */
export interface EssaySegmentation {
  /** Sentences in text order, trimmed, never empty. */
  readonly sentences: string[];
  /** Paragraphs (non-blank lines) in text order, trimmed, never empty. */
  readonly paragraphs: string[];
}

/** One wink-nlp token (words, numbers, punctuation; whitespace tokens dropped). */
export interface AnalysedToken {
  /** Surface form. */
  readonly value: string;
  /** Lower-cased surface form. */
  readonly lower: string;
  /** Universal POS tag (wink-eng-lite-web-model). */
  readonly pos: string;
  /** Lemma, lower-cased. */
  readonly lemma: string;
  /** wink-nlp stop-word flag. */
  readonly stop: boolean;
  /** Index of the sentence this token belongs to. */
  readonly sentence: number;
}

/** Result of the single NLP pass over one essay. */
export interface TextAnalysis extends EssaySegmentation {
  /** Paragraph index of each sentence. */
  readonly sentenceParagraph: Int32Array;
  /** Tokens of all sentences in order (no whitespace tokens). */
  readonly tokens: readonly AnalysedToken[];
  /** `[start, end)` token index range of each sentence in `tokens`. */
  readonly sentenceTokenStart: Int32Array;
  readonly sentenceTokenEnd: Int32Array;
  /** Dataset words of the whole text, in order (`datasetWords`). */
  readonly words: readonly string[];
  /** Syllables of each word in `words` (at least 1 per word). */
  readonly wordSyllables: Int32Array;
  /** Dataset word count of each sentence. */
  readonly sentenceWordCounts: Int32Array;
}

/**
 * Dataset words of a text in a language (default English: maximal runs of `[A-Za-z0-9]+`; other
 * languages: runs of Unicode letters and digits).
 */
export function datasetWords(text: string, language?: string): string[] {
  return wordsOf(text, language);
}

/**
 * Syllables of a dataset word: the `syllable` package for words with letters (at least 1),
 * 1 for a pure number token.
 */
export function wordSyllableCount(word: string): number {
  if (!/[A-Za-z]/.test(word)) return 1;
  return Math.max(1, syllable(word));
}

/** Split a text into paragraphs: its non-blank lines, trimmed. */
export function splitParagraphs(text: string): string[] {
  return text.split(/\r\n|\r|\n/).map((line) => line.trim()).filter((line) => line.length > 0);
}

// deno-lint-ignore no-explicit-any
type WinkSentence = any;

/**
 * Segment an essay into the sentences and paragraphs the features use.
 *
 * @example
 * ```ts
 * segmentEssay("I agree. It helps.\n\nIn conclusion, yes.");
 * // { sentences: ["I agree.", "It helps.", "In conclusion, yes."],
 * //   paragraphs: ["I agree. It helps.", "In conclusion, yes."] }
 * ```
 */
export function segmentEssay(text: string, language?: string): EssaySegmentation {
  const { sentences, paragraphs } = analyseText(text, language);
  return { sentences: [...sentences], paragraphs: [...paragraphs] };
}

/** How many recent analyses are kept (a batch's `segmentEssay` calls then its features). */
export const ANALYSIS_CACHE_SIZE = 512;

const recentAnalyses = new Map<string, TextAnalysis>();

/**
 * Run the NLP pass over one essay, counting words in `language` (default English). Recent results
 * (up to {@link ANALYSIS_CACHE_SIZE} texts, least recently used evicted) are memoised, so
 * `segmentEssay(text)` for a whole batch followed by `computeHandcraftedFeatures({text, ...})` per
 * essay costs one pass per essay.
 */
export function analyseText(text: string, language?: string): TextAnalysis {
  const pattern = wordPattern(language);
  const key = `${pattern.source}\u0000${text}`;
  const cached = recentAnalyses.get(key);
  if (cached !== undefined) {
    recentAnalyses.delete(key);
    recentAnalyses.set(key, cached);
    return cached;
  }
  const analysis = runAnalysis(text, language);
  recentAnalyses.set(key, analysis);
  if (recentAnalyses.size > ANALYSIS_CACHE_SIZE) {
    const oldest = recentAnalyses.keys().next().value;
    if (oldest !== undefined) recentAnalyses.delete(oldest);
  }
  return analysis;
}

function runAnalysis(text: string, language: string | undefined): TextAnalysis {
  const paragraphs = splitParagraphs(text);
  const sentences: string[] = [];
  const sentenceParagraph: number[] = [];
  const tokens: AnalysedToken[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const sentenceWordCounts: number[] = [];
  paragraphs.forEach((paragraph, p) => {
    const doc = readDocWithoutHistory(paragraph);
    doc.sentences().each((s: WinkSentence) => {
      const sentenceText = String(s.out()).trim();
      if (sentenceText.length === 0) return;
      const index = sentences.length;
      const values: string[] = s.tokens().out(its.value);
      const pos: string[] = s.tokens().out(its.pos);
      const lemmas: string[] = s.tokens().out(its.lemma);
      const types: string[] = s.tokens().out(its.type);
      const stops: boolean[] = s.tokens().out(its.stopWordFlag);
      starts.push(tokens.length);
      for (let i = 0; i < values.length; i++) {
        if (types[i] === "tabCRLF" || pos[i] === "SPACE" || values[i].trim() === "") continue;
        tokens.push({
          value: values[i],
          lower: values[i].toLowerCase(),
          pos: pos[i],
          lemma: String(lemmas[i]).toLowerCase(),
          stop: Boolean(stops[i]),
          sentence: index,
        });
      }
      ends.push(tokens.length);
      sentences.push(sentenceText);
      sentenceParagraph.push(p);
      sentenceWordCounts.push(datasetWords(sentenceText, language).length);
    });
  });
  const words = datasetWords(text, language);
  const wordSyllables = new Int32Array(words.length);
  for (let i = 0; i < words.length; i++) wordSyllables[i] = wordSyllableCount(words[i]);
  return {
    sentences,
    paragraphs,
    sentenceParagraph: Int32Array.from(sentenceParagraph),
    tokens,
    sentenceTokenStart: Int32Array.from(starts),
    sentenceTokenEnd: Int32Array.from(ends),
    words,
    wordSyllables,
    sentenceWordCounts: Int32Array.from(sentenceWordCounts),
  };
}
