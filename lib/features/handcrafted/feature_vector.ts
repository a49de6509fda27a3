/**
 * Assemble the handcrafted feature vector of one essay from its text analysis, the checker's
 * errors and the sentence/paragraph/prompt embeddings, in `HANDCRAFTED_FEATURE_SCHEMA` order.
 *
 * @module
 */
import type { ErrorMatch } from "../types.ts";
import {
  deriveErrorCounts,
  deriveErrorTypeCounts,
  per100Words,
} from "../checkers/error_categories.ts";
import {
  adjacentLemmaOverlap,
  conclusionCueMatcher,
  connectiveMatcher,
  introCueMatcher,
} from "./discourse.ts";
import { measureOfTextualLexicalDiversity, typeTokenRatio } from "./lexical_diversity.ts";
import {
  automatedReadabilityIndex,
  colemanLiauIndex,
  fleschKincaidGrade,
  type ReadabilityCounts,
  smogGrade,
} from "./readability.ts";
import { HANDCRAFTED_FEATURE_NAMES } from "./schema.ts";
import { clauseCount, dependencyDistances, hasPassive, treeDepthProxy } from "./syntax_proxies.ts";
import { type AnalysedToken, datasetWords, type TextAnalysis } from "./text_analysis.ts";
import { embeddingFeatures, populationVariance } from "./vector_similarity.ts";
import { frequencyRank, zipfFrequency } from "./word_frequency.ts";

/** Everything `computeHandcraftedFeatures` needs for one essay. */
export interface EssayAnalysisInput {
  /** The essay text, as in the data set. */
  readonly text: string;
  /** The prompt (name or text) the essay answers. */
  readonly prompt: string;
  /** Errors found by the checker (local harper+nspell, or LanguageTool) in `text`. */
  readonly errors: readonly ErrorMatch[];
  /** One embedding per sentence, in the order of `segmentEssay(text).sentences`. */
  readonly sentenceEmbeddings: readonly Float32Array[];
  /** One embedding per paragraph, in the order of `segmentEssay(text).paragraphs`. */
  readonly paragraphEmbeddings: readonly Float32Array[];
  /** Embedding of `prompt` (same encoder). */
  readonly promptEmbedding: Float32Array;
  /**
   * The language words are counted in (a BCP 47 tag or LanguageTool code; default English:
   * `lib/dataset/words.ts`).
   */
  readonly language?: string;
}

const LEXICAL_POS: ReadonlySet<string> = new Set(["NOUN", "VERB", "ADJ", "ADV"]);

/** Rank beyond which a word counts as rare (lexical frequency profile, beyond 2,000). */
export const RARE_WORD_RANK = 2000;

function checkEmbeddings(analysis: TextAnalysis, input: EssayAnalysisInput): void {
  const dim = input.promptEmbedding.length;
  if (input.sentenceEmbeddings.length !== analysis.sentences.length) {
    throw new Error(
      `computeHandcraftedFeatures: ${input.sentenceEmbeddings.length} sentence embeddings for ` +
        `${analysis.sentences.length} sentences of segmentEssay(text)`,
    );
  }
  if (input.paragraphEmbeddings.length !== analysis.paragraphs.length) {
    throw new Error(
      `computeHandcraftedFeatures: ${input.paragraphEmbeddings.length} paragraph embeddings ` +
        `for ${analysis.paragraphs.length} paragraphs of segmentEssay(text)`,
    );
  }
  for (const v of [...input.sentenceEmbeddings, ...input.paragraphEmbeddings]) {
    if (v.length !== dim) {
      throw new Error(
        `computeHandcraftedFeatures: embedding of dimension ${v.length}, prompt has ${dim}`,
      );
    }
  }
}

function sentenceTokens(analysis: TextAnalysis): AnalysedToken[][] {
  const out: AnalysedToken[][] = [];
  for (let s = 0; s < analysis.sentences.length; s++) {
    out.push(
      analysis.tokens.slice(analysis.sentenceTokenStart[s], analysis.sentenceTokenEnd[s]),
    );
  }
  return out;
}

function lowerWordsOf(text: string): string[] {
  return datasetWords(text).map((w) => w.toLowerCase());
}

/**
 * Compute the named feature values of one essay (every schema name exactly once).
 * Exposed for tests and diagnostics; {@link featuresFromAnalysis} orders them.
 */
export function namedFeatures(
  analysis: TextAnalysis,
  input: EssayAnalysisInput,
): Record<string, number> {
  checkEmbeddings(analysis, input);
  const words = analysis.words;
  const nWords = words.length;
  const nSentences = analysis.sentences.length;
  const lowerWords = words.map((w) => w.toLowerCase());

  let syllables = 0;
  let polysyllables = 0;
  let characters = 0;
  let longWords = 0;
  for (let i = 0; i < nWords; i++) {
    syllables += analysis.wordSyllables[i];
    if (analysis.wordSyllables[i] >= 3) polysyllables++;
    characters += words[i].length;
    if (words[i].length >= 7) longWords++;
  }
  const counts: ReadabilityCounts = {
    sentences: nSentences,
    words: nWords,
    syllables,
    polysyllables,
    characters,
  };
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

  const perSentence = sentenceTokens(analysis);
  let clauses = 0;
  let depthSum = 0;
  let passives = 0;
  let depSum = 0;
  let depCount = 0;
  for (const tokens of perSentence) {
    clauses += clauseCount(tokens);
    depthSum += treeDepthProxy(tokens);
    if (hasPassive(tokens)) passives++;
    const d = dependencyDistances(tokens);
    depSum += d.sum;
    depCount += d.count;
  }

  const connectives = connectiveMatcher.find(lowerWords);
  const paragraphs = analysis.paragraphs;
  const nParagraphs = paragraphs.length;
  const hasIntro = nParagraphs >= 2 &&
    introCueMatcher.find(lowerWordsOf(paragraphs[0])).length > 0;
  const hasConclusion = nParagraphs >= 2 &&
    conclusionCueMatcher.find(lowerWordsOf(paragraphs[nParagraphs - 1])).length > 0;

  let pronouns = 0;
  let nouns = 0;
  let lexicalTokens = 0;
  let zipfSum = 0;
  let rare = 0;
  for (const t of analysis.tokens) {
    if (t.pos === "PRON") pronouns++;
    else if (t.pos === "NOUN" || t.pos === "PROPN") nouns++;
    if (LEXICAL_POS.has(t.pos) && /^[a-z]+$/.test(t.lower)) {
      const rank = frequencyRank(t.lower);
      if (rank === Number.POSITIVE_INFINITY) continue; // unseen: mostly misspellings
      lexicalTokens++;
      zipfSum += zipfFrequency(t.lower);
      if (rank > RARE_WORD_RANK) rare++;
    }
  }

  const errors = deriveErrorCounts(input.errors);
  const errorTypes = deriveErrorTypeCounts(input.errors);
  const emb = embeddingFeatures(
    input.sentenceEmbeddings,
    input.paragraphEmbeddings,
    input.promptEmbedding,
  );

  return {
    grammar_errors_per_100_words: per100Words(errors.grammar, nWords),
    spelling_errors_per_100_words: per100Words(errors.spelling, nWords),
    punctuation_errors_per_100_words: per100Words(errors.punctuation, nWords),
    flesch_kincaid: fleschKincaidGrade(counts),
    smog: smogGrade(counts),
    coleman_liau: colemanLiauIndex(counts),
    ari: automatedReadabilityIndex(counts),
    avg_sentence_length: ratio(nWords, nSentences),
    ttr: typeTokenRatio(lowerWords),
    word_count: nWords,
    avg_word_length: ratio(characters, nWords),
    parse_tree_depth: ratio(depthSum, nSentences),
    clause_count: clauses,
    passive_ratio: ratio(passives, nSentences),
    dep_distance: ratio(depSum, depCount),
    connective_diversity: new Set(connectives).size,
    sent_similarity_variance: emb.sentSimilarityVariance,
    prompt_similarity: emb.promptSimilarity,
    intro_prompt_sim: emb.introPromptSim,
    min_para_relevance: emb.minParaRelevance,
    paragraph_count: nParagraphs,
    has_intro: hasIntro ? 1 : 0,
    has_conclusion: hasConclusion ? 1 : 0,
    lexical_overlap: adjacentLemmaOverlap(perSentence),
    pronoun_noun_ratio: ratio(pronouns, nouns),
    mtld: measureOfTextualLexicalDiversity(lowerWords),
    mean_word_zipf: ratio(zipfSum, lexicalTokens),
    rare_word_ratio: ratio(rare, lexicalTokens),
    mean_word_syllables: ratio(syllables, nWords),
    polysyllabic_word_ratio: ratio(polysyllables, nWords),
    long_word_ratio: ratio(longWords, nWords),
    connective_density: per100Words(connectives.length, nWords),
    clauses_per_sentence: ratio(clauses, nSentences),
    sentence_length_std: Math.sqrt(populationVariance(Array.from(analysis.sentenceWordCounts))),
    agreement_errors_per_100_words: per100Words(errorTypes.agreement, nWords),
    capitalization_errors_per_100_words: per100Words(errorTypes.capitalization, nWords),
  };
}

/** Compute the feature row in `HANDCRAFTED_FEATURE_SCHEMA` order. */
export function featuresFromAnalysis(
  analysis: TextAnalysis,
  input: EssayAnalysisInput,
): Float64Array {
  const named = namedFeatures(analysis, input);
  const row = new Float64Array(HANDCRAFTED_FEATURE_NAMES.length);
  HANDCRAFTED_FEATURE_NAMES.forEach((name, i) => {
    const v = named[name];
    if (v === undefined || !Number.isFinite(v)) {
      throw new Error(`handcrafted feature "${name}" is ${v} (must be a finite number)`);
    }
    row[i] = v;
  });
  return row;
}
