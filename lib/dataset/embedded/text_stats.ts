/**
 * Descriptive text columns of the ELLIPSE layout, computed from an essay's text for the embedded
 * data set: `num_words`, `num_words2`, `num_words3`, `num_sent`, `num_para`, `num_word_div_para`,
 * `MTLD`, `TTR`, `Type`, `Token`.
 *
 * Definitions (the corpus does not document its own tokeniser; these match it closely on the real
 * slice): Token = `num_words2` = runs of `[A-Za-z0-9]+`; `num_words3` = whitespace-separated
 * tokens; `num_words` = whitespace tokens containing at least two letters; Type = distinct
 * lower-cased `[A-Za-z0-9]+` runs; TTR = 100·Type/Token; MTLD = McCarthy & Jarvis (2010),
 * mean of forward and backward passes, threshold 0.72; `num_sent` = runs of `.`, `!`, `?`;
 * `num_para` = non-empty lines; `num_word_div_para` = `num_words3` / `num_para`.
 *
 * @module
 */

/** The computed descriptive columns, already formatted as CSV strings. */
export interface TextStatColumns {
  readonly num_words: string;
  readonly num_words2: string;
  readonly num_words3: string;
  readonly num_sent: string;
  readonly num_para: string;
  readonly num_word_div_para: string;
  readonly MTLD: string;
  readonly TTR: string;
  readonly Type: string;
  readonly Token: string;
}

/** Format a number like the corpus does: at most 10 significant digits, no trailing zeros. */
export function formatCorpusNumber(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`formatCorpusNumber: non-finite value ${x}`);
  return String(Number(x.toPrecision(10)));
}

/** Count runs of `[A-Za-z0-9]+` (the project's definition of a word). */
export function countAlnumWords(text: string): number {
  return (text.match(/[A-Za-z0-9]+/g) ?? []).length;
}

/** MTLD one pass: number of factors (partial last factor included) over the token count. */
function mtldPass(tokens: readonly string[], threshold: number): number {
  let factors = 0;
  let types = new Set<string>();
  let count = 0;
  for (const t of tokens) {
    types.add(t);
    count++;
    if (types.size / count <= threshold) {
      factors++;
      types = new Set();
      count = 0;
    }
  }
  if (count > 0) {
    const ttr = types.size / count;
    factors += (1 - ttr) / (1 - threshold);
  }
  return factors === 0 ? tokens.length : tokens.length / factors;
}

/** MTLD (mean of forward and backward passes, threshold 0.72). */
export function mtld(tokens: readonly string[]): number {
  if (tokens.length === 0) return 0;
  const forward = mtldPass(tokens, 0.72);
  const backward = mtldPass(tokens.slice().reverse(), 0.72);
  return (forward + backward) / 2;
}

/** Compute the descriptive columns for one essay text. */
export function textStatColumns(text: string): TextStatColumns {
  const alnum = (text.match(/[A-Za-z0-9]+/g) ?? []).map((w) => w.toLowerCase());
  const whitespaceTokens = text.split(/\s+/).filter((t) => t.length > 0);
  const wordish = whitespaceTokens.filter((t) => (t.match(/[A-Za-z]/g) ?? []).length >= 2);
  const sentences = Math.max(1, (text.match(/[.!?]+/g) ?? []).length);
  const paragraphs = Math.max(1, text.split(/\n+/).filter((l) => l.trim().length > 0).length);
  const types = new Set(alnum).size;
  const tokens = alnum.length;
  return {
    num_words: String(wordish.length),
    num_words2: String(tokens),
    num_words3: String(whitespaceTokens.length),
    num_sent: String(sentences),
    num_para: String(paragraphs),
    num_word_div_para: formatCorpusNumber(whitespaceTokens.length / paragraphs),
    MTLD: formatCorpusNumber(mtld(alnum)),
    TTR: formatCorpusNumber(tokens === 0 ? 0 : (100 * types) / tokens),
    Type: String(types),
    Token: String(tokens),
  };
}
