/**
 * Syntactic complexity proxies from Universal POS tags (no dependency parser is available
 * here): verb-group clauses, a subordination/preposition depth proxy, passive constructions,
 * and a rule-based head attachment for dependency distance. Each function takes the tokens of
 * one sentence.
 *
 * @module
 */
import type { AnalysedToken } from "./text_analysis.ts";

/** A verb group `[start, end)` in sentence token indices; `head` is its main verb. */
export interface VerbGroup {
  readonly start: number;
  readonly end: number;
  readonly head: number;
}

const NEGATIONS: ReadonlySet<string> = new Set(["not", "n't", "nt"]);
const RELATIVES: ReadonlySet<string> = new Set([
  "who",
  "whom",
  "whose",
  "which",
  "where",
  "when",
  "that",
]);

function isNegation(t: AnalysedToken): boolean {
  return t.pos === "PART" && NEGATIONS.has(t.lower);
}

function isVerbal(t: AnalysedToken): boolean {
  return t.pos === "VERB" || t.pos === "AUX";
}

function isInfinitivalTo(tokens: readonly AnalysedToken[], i: number): boolean {
  if (tokens[i].lower !== "to" || tokens[i].pos !== "PART") return false;
  let j = i + 1;
  while (j < tokens.length && (tokens[j].pos === "ADV" || isNegation(tokens[j]))) j++;
  return j < tokens.length && isVerbal(tokens[j]);
}

/**
 * Verb groups of a sentence: a VERB/AUX token joins the open group when the previous token
 * (skipping adverbs and negation) is an AUX of that group; otherwise it opens a new group (so a
 * verb after infinitival "to" opens its own non-finite clause). Head = last VERB, else last AUX.
 *
 * @example
 * ```ts
 * // "She has been working and wants to rest" → groups "has been working", "wants", "rest"
 * ```
 */
export function verbGroups(tokens: readonly AnalysedToken[]): VerbGroup[] {
  const groups: { start: number; end: number; head: number }[] = [];
  let prevSignificant = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (isVerbal(t)) {
      const open = groups.length > 0 ? groups[groups.length - 1] : undefined;
      const extends_ = open !== undefined && prevSignificant >= open.start &&
        prevSignificant < open.end && tokens[prevSignificant].pos === "AUX";
      if (extends_ && open !== undefined) {
        open.end = i + 1;
        if (t.pos === "VERB" || tokens[open.head].pos === "AUX") open.head = i;
      } else {
        groups.push({ start: i, end: i + 1, head: i });
      }
    }
    if (t.pos !== "ADV" && !isNegation(t)) prevSignificant = i;
  }
  return groups;
}

/** Clauses of a sentence: its verb groups, at least 1. */
export function clauseCount(tokens: readonly AnalysedToken[]): number {
  return Math.max(1, verbGroups(tokens).length);
}

/**
 * Subordination markers: SCONJ tokens, wh-relatives (who/whom/whose/which/where/when/that)
 * right after a noun or pronoun, and infinitival "to" before a verb.
 */
export function subordinationMarkers(tokens: readonly AnalysedToken[]): number {
  let n = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.pos === "SCONJ") n++;
    else if (
      RELATIVES.has(t.lower) && i > 0 &&
      ["NOUN", "PROPN", "PRON"].includes(tokens[i - 1].pos)
    ) n++;
    else if (isInfinitivalTo(tokens, i)) n++;
  }
  return n;
}

/** Longest run of prepositions (ADP) inside one clause segment (split at verbs and , ; :). */
export function longestPrepositionChain(tokens: readonly AnalysedToken[]): number {
  let best = 0;
  let run = 0;
  for (const t of tokens) {
    if (isVerbal(t) || (t.pos === "PUNCT" && /^[,;:]$/.test(t.value))) run = 0;
    else if (t.pos === "ADP") best = Math.max(best, ++run);
  }
  return best;
}

/** Depth proxy of a sentence: 2 + subordination markers + longest preposition chain. */
export function treeDepthProxy(tokens: readonly AnalysedToken[]): number {
  return 2 + subordinationMarkers(tokens) + longestPrepositionChain(tokens);
}

/**
 * Whether a sentence contains a passive: a form of "be"/"get" followed (skipping adverbs and
 * negation) by a VERB whose form differs from its lemma and ends neither in -ing nor -s.
 */
export function hasPassive(tokens: readonly AnalysedToken[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].lemma !== "be" && tokens[i].lemma !== "get") continue;
    let j = i + 1;
    while (j < tokens.length && (tokens[j].pos === "ADV" || isNegation(tokens[j]))) j++;
    if (j >= tokens.length) continue;
    const v = tokens[j];
    if (
      v.pos === "VERB" && v.lower !== v.lemma && !v.lower.endsWith("ing") &&
      !v.lower.endsWith("s") && /^[a-z]+$/.test(v.lower)
    ) return true;
  }
  return false;
}

const NOMINAL: ReadonlySet<string> = new Set(["NOUN", "PROPN", "PRON"]);
const PREMODIFIER: ReadonlySet<string> = new Set(["DET", "ADJ", "NUM"]);
const NP_BOUNDARY: ReadonlySet<string> = new Set(["VERB", "AUX", "ADP", "CCONJ", "SCONJ"]);
const CONTENT: ReadonlySet<string> = new Set([
  "NOUN",
  "PROPN",
  "PRON",
  "VERB",
  "AUX",
  "ADJ",
  "ADV",
  "NUM",
]);

/**
 * Sum and number of head–dependent distances of one sentence under POS attachment rules
 * (punctuation and symbols excluded from positions): determiners, adjectives, numerals and
 * noun modifiers → next noun of their phrase; auxiliaries, negation, "to" → their verb-group
 * head or the next verb; adverbs → nearest verb-group head or adjective; prepositions →
 * preceding noun/verb; nouns/pronouns → preceding preposition of their phrase, else nearest
 * verb-group head; conjunctions → next content word; verb-group heads → previous group head;
 * the first group head is the root (no head).
 */
export function dependencyDistances(
  sentenceTokens: readonly AnalysedToken[],
): { sum: number; count: number } {
  const w = sentenceTokens.filter((t) => t.pos !== "PUNCT" && t.pos !== "SYM");
  const n = w.length;
  if (n < 2) return { sum: 0, count: 0 };
  const groups = verbGroups(w);
  const groupOf = new Int32Array(n).fill(-1);
  groups.forEach((g, k) => {
    for (let i = g.start; i < g.end; i++) groupOf[i] = k;
  });
  const heads = groups.map((g) => g.head);
  let root = heads.length > 0 ? heads[0] : w.findIndex((t) => NOMINAL.has(t.pos));
  if (root < 0) root = 0;
  const nearest = (i: number, candidates: readonly number[]): number => {
    let best = -1;
    for (const c of candidates) {
      if (c === i) continue;
      if (best < 0 || Math.abs(c - i) < Math.abs(best - i)) best = c;
    }
    return best >= 0 ? best : root;
  };
  const headCandidates = heads.length > 0 ? heads : [root];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (i === root) continue;
    const t = w[i];
    let h = -1;
    const g = groupOf[i];
    if (g >= 0 && heads[g] === i) {
      h = g > 0 ? heads[g - 1] : root;
    } else if (g >= 0) {
      h = heads[g];
    } else if (
      PREMODIFIER.has(t.pos) ||
      ((t.pos === "NOUN" || t.pos === "PROPN") && i + 1 < n &&
        (w[i + 1].pos === "NOUN" || w[i + 1].pos === "PROPN"))
    ) {
      for (let j = i + 1; j < n && !NP_BOUNDARY.has(w[j].pos); j++) {
        if (NOMINAL.has(w[j].pos)) {
          h = j;
          break;
        }
      }
      if (h < 0) h = t.pos === "DET" && i + 1 < n ? i + 1 : nearest(i, headCandidates);
    } else if (t.pos === "PART" || t.pos === "AUX") {
      for (let j = i + 1; j < n; j++) {
        if (groupOf[j] >= 0) {
          h = heads[groupOf[j]];
          break;
        }
      }
      if (h < 0) h = nearest(i, headCandidates);
    } else if (t.pos === "ADV") {
      const adjs: number[] = [];
      for (let j = 0; j < n; j++) if (w[j].pos === "ADJ") adjs.push(j);
      h = nearest(i, [...headCandidates, ...adjs]);
    } else if (t.pos === "ADP") {
      for (let j = i - 1; j >= 0; j--) {
        if (NOMINAL.has(w[j].pos) || w[j].pos === "VERB" || groupOf[j] >= 0) {
          h = j;
          break;
        }
      }
      if (h < 0) h = nearest(i, headCandidates);
    } else if (NOMINAL.has(t.pos)) {
      let j = i - 1;
      while (j >= 0 && (PREMODIFIER.has(w[j].pos) || w[j].pos === "NOUN" || w[j].pos === "PROPN")) {
        j--;
      }
      h = j >= 0 && w[j].pos === "ADP" ? j : nearest(i, headCandidates);
    } else if (t.pos === "CCONJ" || t.pos === "SCONJ") {
      for (let j = i + 1; j < n; j++) {
        if (CONTENT.has(w[j].pos)) {
          h = j;
          break;
        }
      }
      if (h < 0) h = i - 1;
    } else {
      h = nearest(i, headCandidates);
    }
    if (h === i || h < 0) continue;
    sum += Math.abs(h - i);
    count++;
  }
  return { sum, count };
}
