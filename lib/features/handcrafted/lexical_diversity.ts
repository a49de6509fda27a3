/**
 * Lexical diversity over a word sequence: type–token ratio and MTLD.
 *
 * @module
 */

/**
 * Type–token ratio: distinct / total (words compared as given); 0 for no words.
 *
 * @example
 * ```ts
 * typeTokenRatio(["a", "b", "a"]); // 2/3
 * ```
 */
export function typeTokenRatio(words: readonly string[]): number {
  if (words.length === 0) return 0;
  return new Set(words).size / words.length;
}

/** MTLD factor count of one pass (McCarthy & Jarvis 2010), partial last factor included. */
function mtldFactors(words: readonly string[], threshold: number, reverse: boolean): number {
  let factors = 0;
  let types = new Set<string>();
  let tokens = 0;
  let ttr = 1;
  const n = words.length;
  for (let k = 0; k < n; k++) {
    const w = words[reverse ? n - 1 - k : k];
    tokens++;
    types.add(w);
    ttr = types.size / tokens;
    if (ttr <= threshold) {
      factors++;
      types = new Set<string>();
      tokens = 0;
      ttr = 1;
    }
  }
  return factors + (1 - ttr) / (1 - threshold);
}

/**
 * MTLD: mean of the forward and backward passes of words / factors, with a factor ending when
 * the running TTR falls to `threshold` (0.72). When a pass completes no factor at all (every
 * word distinct), the pass's value is the word count. 0 for no words.
 *
 * @example
 * ```ts
 * measureOfTextualLexicalDiversity(["a", "b", "a", "b"]); // 4 words, 1 + partial factors
 * ```
 */
export function measureOfTextualLexicalDiversity(
  words: readonly string[],
  threshold = 0.72,
): number {
  if (words.length === 0) return 0;
  const pass = (reverse: boolean) => {
    const f = mtldFactors(words, threshold, reverse);
    return f > 0 ? words.length / f : words.length;
  };
  return (pass(false) + pass(true)) / 2;
}
