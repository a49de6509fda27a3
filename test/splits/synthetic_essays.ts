/**
 * Seeded synthetic data sets for the splits property tests: uneven prompts, a skewed score
 * distribution with small tail classes, and planted duplicate texts (within a prompt, across
 * prompts, with equal or different scores).
 *
 * @module
 */
import seedrandom from "seedrandom";

/** One synthetic essay. */
export interface SyntheticEssay {
  readonly id: string;
  readonly text: string;
  readonly prompt: string;
  readonly overall: number;
}

/** Options of {@linkcode syntheticEssays}. */
export interface SyntheticOptions {
  /** Number of essays (default 120–600 from the seed). */
  readonly n?: number;
  /** Number of prompts (default 6–14 from the seed). */
  readonly nPrompts?: number;
  /**
   * Every class 1.0…5.0 gets this many planted members first (default 5); Overall 1.0 has no
   * other source, so it stays this small unless a copy of one of them keeps its score.
   */
  readonly rareClassCount?: number;
  /** Share of essays that copy an earlier essay's text (default 0.08). */
  readonly duplicateShare?: number;
}

/**
 * Generate a random ELLIPSE-like data set from a seed.
 *
 * @example
 * ```ts
 * const essays = syntheticEssays(7, { n: 200 });
 * ```
 */
export function syntheticEssays(seed: number, options: SyntheticOptions = {}): SyntheticEssay[] {
  const rng = seedrandom(`synthetic:${seed}`);
  const n = options.n ?? 120 + Math.floor(rng() * 480);
  const nPrompts = options.nPrompts ?? 6 + Math.floor(rng() * 9);
  const rare = options.rareClassCount ?? 5;
  const duplicateShare = options.duplicateShare ?? 0.08;
  // Uneven prompt weights (Zipf-like) so prompt sizes differ a lot.
  const weights = Array.from({ length: nPrompts }, (_, p) => 1 / (p + 1) + rng() * 0.2);
  const wSum = weights.reduce((a, b) => a + b, 0);
  const pickPrompt = () => {
    let r = rng() * wSum;
    for (let p = 0; p < nPrompts; p++) {
      r -= weights[p];
      if (r <= 0) return `Prompt ${String.fromCharCode(65 + p)}`;
    }
    return `Prompt ${String.fromCharCode(65 + nPrompts - 1)}`;
  };
  // Score distribution centred on 3.0; Overall 1.0 is planted separately to control its size.
  const scores = [1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0];
  const scoreWeights = [0.03, 0.08, 0.17, 0.3, 0.22, 0.13, 0.05, 0.02];
  const pickScore = () => {
    let r = rng();
    for (let k = 0; k < scores.length; k++) {
      r -= scoreWeights[k];
      if (r <= 0) return scores[k];
    }
    return 3.0;
  };
  const essays: SyntheticEssay[] = [];
  for (let i = 0; i < n; i++) {
    const id = `E${seed}_${String(i).padStart(4, "0")}`;
    const overall = i < 9 * rare ? 1 + 0.5 * Math.floor(i / rare) : pickScore();
    const prompt = pickPrompt();
    if (i >= 9 * rare && rng() < duplicateShare) {
      // Copy an earlier text with whitespace/Unicode noise that normalisation removes.
      const source = essays[Math.floor(rng() * essays.length)];
      const text = `  ${source.text.replace(/ /g, "  ")}\r\n`;
      const r = rng();
      essays.push({
        id,
        text,
        prompt: r < 0.95 ? source.prompt : prompt,
        overall: r < 0.5 ? source.overall : overall,
      });
      continue;
    }
    const words = Array.from(
      { length: 8 + Math.floor(rng() * 8) },
      () => Math.floor(rng() * 1e9).toString(36),
    );
    essays.push({ id, text: `Essay ${i}: ${words.join(" ")}.`, prompt, overall });
  }
  // Shuffle so rare-class essays are not all at the front.
  for (let i = essays.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [essays[i], essays[j]] = [essays[j], essays[i]];
  }
  return essays;
}
