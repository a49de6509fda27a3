/**
 * Word 1–2-gram TF-IDF vectoriser producing sparse CSR matrices in typed arrays (the input of
 * the stacked text model, SPEC §5).
 *
 * Tokens are lower-cased runs of `[a-z0-9]+` (the project's word definition); bigrams join
 * adjacent tokens with a space. `fit` keeps terms whose document frequency is ≥ `minDf` (and, if
 * set, the `maxFeatures` most frequent); idf is smoothed, `ln((1 + n) / (1 + df)) + 1`; term
 * frequency is sublinear, `1 + ln(tf)`; rows are L2-normalised — scikit-learn's
 * `TfidfVectorizer(ngram_range=(1, 2), min_df, sublinear_tf=True)`. With `analyzer: "char_wb"` the
 * terms are character n-grams inside word boundaries instead (scikit-learn's `char_wb`: each
 * whitespace-separated, lower-cased word padded with one space on each side, n = `minNgram` …
 * `maxNgram`, default 2 … 5), which see misspellings and morphology that word n-grams miss.
 *
 * @module
 */
import type { CsrMatrix } from "../learners/csr_matrix.ts";

/** Vectoriser options. */
export interface TfidfOptions {
  /** Minimum number of documents a term must occur in (default 2). */
  readonly minDf?: number;
  /** Keep at most this many terms, the most frequent by document frequency (default all). */
  readonly maxFeatures?: number;
  /** Largest n-gram length (default 2 for words, 5 for `char_wb`). */
  readonly maxNgram?: number;
  /** Smallest n-gram length (`char_wb` only; default 2). */
  readonly minNgram?: number;
  /** `word` (default): word n-grams; `char_wb`: character n-grams within word boundaries. */
  readonly analyzer?: TfidfAnalyzer;
}

/** What a TF-IDF term is made of. */
export type TfidfAnalyzer = "word" | "char_wb";

/**
 * Character n-grams within word boundaries, as scikit-learn's `char_wb` analyzer: each
 * whitespace-separated lower-cased word is padded with one space on each side; a padded word
 * shorter than n gives itself once.
 *
 * @example
 * ```ts
 * charWbNgrams("Hi", 2, 3); // [" h", "hi", "i ", " hi", "hi "]
 * ```
 */
export function charWbNgrams(text: string, minN = 2, maxN = 5): string[] {
  const out: string[] = [];
  for (const word of text.toLowerCase().split(/\s+/)) {
    if (word === "") continue;
    const w = ` ${word} `;
    for (let n = minN; n <= maxN; n++) {
      if (w.length <= n) {
        out.push(w);
        break;
      }
      for (let i = 0; i + n <= w.length; i++) out.push(w.slice(i, i + n));
    }
  }
  return out;
}

/**
 * Word n-grams (1 … maxNgram) of a text.
 *
 * @example
 * ```ts
 * wordNgrams("The cat sat", 2); // ["the", "cat", "sat", "the cat", "cat sat"]
 * ```
 */
export function wordNgrams(text: string, maxNgram = 2): string[] {
  const tokens = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const out: string[] = [...tokens];
  for (let n = 2; n <= maxNgram; n++) {
    for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(" "));
  }
  return out;
}

/** JSON form of a fitted {@link TfidfVectorizer}: terms in column order and their idf. */
export interface TfidfJSON {
  readonly minDf: number;
  /** `null` = no cap (JSON has no Infinity). */
  readonly maxFeatures: number | null;
  readonly maxNgram: number;
  /** Absent in files written before character stacking existed: `word`. */
  readonly analyzer?: TfidfAnalyzer;
  /** Smallest n-gram length (`char_wb` only). */
  readonly minNgram?: number;
  readonly terms: readonly string[];
  readonly idf: readonly number[];
}

/** A fitted TF-IDF vocabulary. */
export class TfidfVectorizer {
  /** Term → column. */
  readonly vocabulary = new Map<string, number>();
  /** Smoothed idf per column. */
  idf = new Float64Array(0);
  private readonly minDf: number;
  private readonly maxFeatures: number;
  private readonly maxNgram: number;
  private readonly minNgram: number;
  private readonly analyzer: TfidfAnalyzer;

  /**
   * @example
   * ```ts
   * const vec = new TfidfVectorizer({ minDf: 2 }).fit(trainTexts);
   * const Xtrain = vec.transform(trainTexts);
   * ```
   */
  constructor(options: TfidfOptions = {}) {
    this.minDf = options.minDf ?? 2;
    this.maxFeatures = options.maxFeatures ?? Infinity;
    this.analyzer = options.analyzer ?? "word";
    this.maxNgram = options.maxNgram ?? (this.analyzer === "word" ? 2 : 5);
    this.minNgram = options.minNgram ?? 2;
  }

  /** The terms of one document under this vectoriser's analyzer. */
  terms(text: string): string[] {
    return this.analyzer === "word"
      ? wordNgrams(text, this.maxNgram)
      : charWbNgrams(text, this.minNgram, this.maxNgram);
  }

  /** Learn vocabulary and idf from documents. */
  fit(texts: readonly string[]): this {
    const df = new Map<string, number>();
    for (const t of texts) {
      for (const term of new Set(this.terms(t))) {
        df.set(term, (df.get(term) ?? 0) + 1);
      }
    }
    let terms = [...df.entries()].filter(([, d]) => d >= this.minDf);
    if (terms.length > this.maxFeatures) {
      terms.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      terms = terms.slice(0, this.maxFeatures);
    }
    terms.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.vocabulary.clear();
    const n = texts.length;
    this.idf = new Float64Array(terms.length);
    terms.forEach(([term, d], j) => {
      this.vocabulary.set(term, j);
      this.idf[j] = Math.log((1 + n) / (1 + d)) + 1;
    });
    return this;
  }

  /** Serialise options, vocabulary (terms in column order) and idf. */
  toJSON(): TfidfJSON {
    const terms = new Array<string>(this.vocabulary.size);
    for (const [term, j] of this.vocabulary) terms[j] = term;
    return {
      minDf: this.minDf,
      maxFeatures: Number.isFinite(this.maxFeatures) ? this.maxFeatures : null,
      maxNgram: this.maxNgram,
      analyzer: this.analyzer,
      minNgram: this.minNgram,
      terms,
      idf: Array.from(this.idf),
    };
  }

  /**
   * Rebuild a fitted vectoriser from {@link TfidfVectorizer.toJSON} output.
   *
   * @example
   * ```ts
   * const same = TfidfVectorizer.fromJSON(vec.toJSON());
   * ```
   */
  static fromJSON(json: TfidfJSON): TfidfVectorizer {
    if (json.terms.length !== json.idf.length) {
      throw new Error(`tfidf JSON: ${json.terms.length} terms but ${json.idf.length} idf values`);
    }
    const v = new TfidfVectorizer({
      minDf: json.minDf,
      maxFeatures: json.maxFeatures ?? undefined,
      maxNgram: json.maxNgram,
      analyzer: json.analyzer,
      minNgram: json.minNgram,
    });
    json.terms.forEach((term, j) => v.vocabulary.set(term, j));
    if (v.vocabulary.size !== json.terms.length) throw new Error("tfidf JSON: duplicate terms");
    v.idf = Float64Array.from(json.idf);
    return v;
  }

  /** Sparse TF-IDF rows for documents (unknown terms ignored). */
  transform(texts: readonly string[]): CsrMatrix {
    const indptr = new Int32Array(texts.length + 1);
    const idx: number[] = [];
    const dat: number[] = [];
    texts.forEach((t, r) => {
      const tf = new Map<number, number>();
      for (const term of this.terms(t)) {
        const j = this.vocabulary.get(term);
        if (j !== undefined) tf.set(j, (tf.get(j) ?? 0) + 1);
      }
      const cols = [...tf.keys()].sort((a, b) => a - b);
      let norm = 0;
      const vals = cols.map((j) => {
        const v = (1 + Math.log(tf.get(j)!)) * this.idf[j];
        norm += v * v;
        return v;
      });
      norm = Math.sqrt(norm) || 1;
      cols.forEach((j, k) => {
        idx.push(j);
        dat.push(vals[k] / norm);
      });
      indptr[r + 1] = idx.length;
    });
    return {
      nRows: texts.length,
      nCols: this.idf.length,
      indptr,
      indices: Int32Array.from(idx),
      data: Float64Array.from(dat),
    };
  }
}
