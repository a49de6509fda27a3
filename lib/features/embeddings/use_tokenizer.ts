/**
 * A faster tokenizer for USE-lite that returns exactly the token ids of the tokenizer shipped in
 * `@energetic-ai/embeddings` (a SentencePiece-style unigram Viterbi over the model's 8,000-piece
 * vocabulary), for every input.
 *
 * Why: the shipped tokenizer copies the rest of the text for every start position and builds a
 * lattice of objects (≈ 4.5 ms of CPU per essay of 19 sentences, measured); this one walks a trie
 * of code points in place and relaxes the lattice forward with the same arithmetic.
 *
 * The shipped algorithm, reproduced step for step (including its quirks, which the ids depend
 * on): the text is NFKC-normalised, prefixed with `▁` and its spaces replaced by `▁`; for every
 * start position the vocabulary pieces that match there are found (a lone unknown character
 * becomes piece 0 with score 0); for every end position the candidates are taken in increasing
 * start order and one replaces the current best when the best is still 0 or its score
 * (`piece score + best[start]`) is ≥ the best (later candidates win ties; 0 doubles as "unset");
 * the path is read backwards, stepping by the chosen piece's length in UTF-16 code units; runs of
 * unknown pieces collapse to one. Relaxing the candidates forward in start order updates every
 * end in the same order, so the result is identical (tested against the shipped tokenizer).
 *
 * @module
 */

/** `[piece, score]` entries of the model's vocabulary (index = token id). */
export type UseVocabulary = readonly (readonly [string, number])[];

const SEPARATOR = "\u2581";

/** Trie node: children by code point, and the piece ending here (−1 if none). */
interface TrieNode {
  readonly children: Map<number, TrieNode>;
  index: number;
  score: number;
}

function newNode(): TrieNode {
  return { children: new Map(), index: -1, score: 0 };
}

/** Token ids of texts, identical to `@energetic-ai/embeddings`' tokenizer (see the module docs). */
export class UseTokenizer {
  readonly #root: TrieNode = newNode();
  readonly #vocabulary: UseVocabulary;

  /** Build the trie of `vocabulary` entries from `reserved` on (the first ids are reserved). */
  constructor(vocabulary: UseVocabulary, reserved = 6) {
    this.#vocabulary = vocabulary;
    for (let i = reserved; i < vocabulary.length; i++) {
      const [piece, score] = vocabulary[i];
      let node = this.#root;
      let depth = 0;
      for (const symbol of piece) {
        const code = symbol.codePointAt(0)!;
        let child = node.children.get(code);
        if (!child) node.children.set(code, child = newNode());
        node = child;
        depth++;
      }
      if (depth > 0) {
        node.index = i;
        node.score = score;
      }
    }
  }

  /** Token ids of one text (no length limit; the caller clips). */
  encode(text: string): number[] {
    const normalised = text.normalize("NFKC");
    const input = normalised.length > 0
      ? SEPARATOR + normalised.replace(/ /g, SEPARATOR)
      : normalised;
    const codes: number[] = [];
    for (const symbol of input) codes.push(symbol.codePointAt(0)!);
    const n = codes.length;
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    for (let start = 0; start < n; start++) this.#relax(codes, start, best, words);
    const ids: number[] = [];
    for (let at = n; at > 0; at -= this.#vocabulary[words[at]][0].length) ids.push(words[at]);
    const merged: number[] = [];
    let previousUnknown = false;
    for (const id of ids) {
      if (!(previousUnknown && id === 0)) merged.push(id);
      previousUnknown = id === 0;
    }
    return merged.reverse();
  }

  /** Offer every piece matching at `start` to the lattice ends it reaches. */
  #relax(codes: readonly number[], start: number, best: Float64Array, words: Int32Array): void {
    const base = best[start];
    let node = this.#root.children.get(codes[start]);
    let matched = false;
    for (let end = start + 1; node; end++) {
      if (node.index >= 0) {
        matched = true;
        const score = node.score + base;
        if (best[end] === 0 || score >= best[end]) {
          best[end] = score;
          words[end] = node.index;
        }
      }
      node = end < codes.length ? node.children.get(codes[end]) : undefined;
    }
    if (!matched) {
      const score = 0 + base;
      if (best[start + 1] === 0 || score >= best[start + 1]) {
        best[start + 1] = score;
        words[start + 1] = 0;
      }
    }
  }
}
