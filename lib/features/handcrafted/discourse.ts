/**
 * Discourse and cohesion measures: connectives (single- and multi-word), intro/conclusion
 * cues, and content-lemma overlap between consecutive sentences.
 *
 * @module
 */
import type { AnalysedToken } from "./text_analysis.ts";

/** Discourse connectives (lower case, words as runs of [a-z0-9]); "and"/"or" excluded. */
export const CONNECTIVES: readonly string[] = [
  "however",
  "therefore",
  "thus",
  "hence",
  "moreover",
  "furthermore",
  "additionally",
  "also",
  "besides",
  "because",
  "because of",
  "since",
  "although",
  "though",
  "even though",
  "even if",
  "whereas",
  "while",
  "but",
  "yet",
  "so",
  "so that",
  "consequently",
  "as a result",
  "as a consequence",
  "accordingly",
  "for example",
  "for instance",
  "such as",
  "in addition",
  "in conclusion",
  "to conclude",
  "in summary",
  "to summarize",
  "to sum up",
  "in short",
  "first",
  "firstly",
  "first of all",
  "second",
  "secondly",
  "third",
  "thirdly",
  "finally",
  "lastly",
  "then",
  "next",
  "after that",
  "meanwhile",
  "afterwards",
  "in fact",
  "indeed",
  "actually",
  "on the other hand",
  "in contrast",
  "on the contrary",
  "nevertheless",
  "nonetheless",
  "otherwise",
  "instead",
  "similarly",
  "likewise",
  "in other words",
  "specifically",
  "in particular",
  "especially",
  "overall",
  "in general",
  "generally",
  "as well as",
  "not only",
  "unless",
  "in order to",
  "due to",
  "despite",
  "in spite of",
  "unlike",
  "another reason",
  "for this reason",
  "that is why",
  "as long as",
  "all in all",
  "in the end",
  "of course",
  "obviously",
  "clearly",
  "above all",
  "similar to",
  "whether",
];

/** Cues of an opening paragraph that states a topic or stance. */
export const INTRO_CUES: readonly string[] = [
  "i think",
  "i believe",
  "in my opinion",
  "my opinion",
  "agree",
  "disagree",
  "i feel",
  "some people",
  "many people",
  "nowadays",
  "should",
  "in this essay",
  "point of view",
  "i strongly",
];

/** Cues of a concluding paragraph. */
export const CONCLUSION_CUES: readonly string[] = [
  "in conclusion",
  "to conclude",
  "conclusion",
  "in summary",
  "to summarize",
  "to sum up",
  "overall",
  "in the end",
  "all in all",
  "finally",
  "in short",
  "for these reasons",
  "that is why",
  "that s why",
  "in closing",
];

/** A phrase matcher over lower-cased word sequences, greedy longest match first. */
export class PhraseMatcher {
  readonly #byFirst = new Map<string, string[][]>();

  /** Build a matcher for phrases (space-separated words). */
  constructor(phrases: readonly string[]) {
    for (const p of phrases) {
      const words = p.split(" ");
      const list = this.#byFirst.get(words[0]) ?? [];
      list.push(words);
      this.#byFirst.set(words[0], list);
    }
    for (const list of this.#byFirst.values()) list.sort((a, b) => b.length - a.length);
  }

  /**
   * Non-overlapping phrase occurrences in `words` (lower case), scanning left to right.
   *
   * @example
   * ```ts
   * new PhraseMatcher(["for", "for example"]).find(["for", "example", "x"]); // ["for example"]
   * ```
   */
  find(words: readonly string[]): string[] {
    const found: string[] = [];
    for (let i = 0; i < words.length;) {
      const candidates = this.#byFirst.get(words[i]);
      let matched = 0;
      if (candidates !== undefined) {
        for (const c of candidates) {
          if (c.every((cw, k) => words[i + k] === cw)) {
            matched = c.length;
            found.push(c.join(" "));
            break;
          }
        }
      }
      i += matched > 0 ? matched : 1;
    }
    return found;
  }
}

/** Matcher over {@link CONNECTIVES}. */
export const connectiveMatcher: PhraseMatcher = new PhraseMatcher(CONNECTIVES);
/** Matcher over {@link INTRO_CUES}. */
export const introCueMatcher: PhraseMatcher = new PhraseMatcher(INTRO_CUES);
/** Matcher over {@link CONCLUSION_CUES}. */
export const conclusionCueMatcher: PhraseMatcher = new PhraseMatcher(CONCLUSION_CUES);

const CONTENT_POS: ReadonlySet<string> = new Set(["NOUN", "PROPN", "VERB", "ADJ", "ADV"]);

/** Content lemmas of a sentence's tokens (NOUN, PROPN, VERB, ADJ, ADV; no stop words). */
export function contentLemmas(tokens: readonly AnalysedToken[]): Set<string> {
  const out = new Set<string>();
  for (const t of tokens) if (CONTENT_POS.has(t.pos) && !t.stop) out.add(t.lemma);
  return out;
}

/** Jaccard overlap of two sets; 0 when both are empty. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Mean Jaccard overlap of content lemmas over consecutive sentences; 0 with < 2 sentences. */
export function adjacentLemmaOverlap(sentences: readonly (readonly AnalysedToken[])[]): number {
  if (sentences.length < 2) return 0;
  const sets = sentences.map(contentLemmas);
  let sum = 0;
  for (let i = 1; i < sets.length; i++) sum += jaccard(sets[i - 1], sets[i]);
  return sum / (sets.length - 1);
}
