/**
 * Paired comparison of two cross-validations on per-prompt score scales (same essays, same folds;
 * predictions on the common grid 0…L, `dataset/common_grid.ts`): the statistic is the headline,
 * the **mean per-prompt QWK (Fisher z)**, each prompt's QWK on its own scale
 * (`per_prompt_evaluation.ts`, {@link meanPerPromptQwk}); nothing is pooled over prompts.
 *
 * - Out of fold: each run's headline and Δ = candidate − baseline, and per prompt both QWKs and Δ.
 * - Per fold: the fold's headline in each run and Δ (null where a fold has no prompt with a
 *   defined QWK), and the folds the candidate wins.
 * - A paired, prompt-stratified percentile bootstrap of Δ: each resample draws, within every
 *   prompt, as many essays as it has, with replacement (the prompts are the fixed units the
 *   headline averages over); both runs are scored on the same draw. Seeded.
 *
 * Pure: aligned arrays in, numbers out.
 *
 * @module
 */
import type { PerPromptScale } from "../../dataset/per_prompt_scale.ts";
import { seededRandom } from "../learners/random.ts";
import { meanPerPromptQwk } from "./per_prompt_evaluation.ts";
import { MIN_PROMPT_QWK_N } from "./slice_metrics.ts";

/** The shared essays of two per-prompt runs (grid labels). */
export interface PerPromptPairedEssays {
  readonly ids: readonly string[];
  readonly prompts: readonly string[];
  readonly yGrid: Float64Array;
  readonly folds: Int32Array;
}

/** Baseline, candidate and candidate − baseline (null where a side is undefined). */
export interface PairedFigure {
  readonly baseline: number | null;
  readonly candidate: number | null;
  readonly delta: number | null;
}

/** What compare-runs reports on per-prompt scales. */
export interface PerPromptComparison {
  readonly nEssays: number;
  readonly headline: PairedFigure;
  readonly prompts: readonly (PairedFigure & { readonly prompt: string; readonly n: number })[];
  readonly folds: readonly (PairedFigure & { readonly fold: number })[];
  /** Folds with a defined Δ > 0, and folds with a defined Δ. */
  readonly foldWins: { readonly wins: number; readonly of: number };
  readonly bootstrap: {
    readonly seed: number;
    readonly resamples: number;
    readonly level: number;
    readonly lower: number;
    readonly upper: number;
    /** Share of resamples with Δ ≤ 0. */
    readonly shareAtOrBelowZero: number;
  };
  readonly difference: "candidate better" | "candidate worse" | "no difference";
}

function paired(base: number | null, cand: number | null): PairedFigure {
  return {
    baseline: base,
    candidate: cand,
    delta: base === null || cand === null ? null : cand - base,
  };
}

function headlineOf(
  rows: readonly number[],
  e: PerPromptPairedEssays,
  pred: Float64Array,
  pp: PerPromptScale,
): number | null {
  return meanPerPromptQwk(
    rows.map((i) => e.yGrid[i]),
    rows.map((i) => pred[i]),
    rows.map((i) => e.prompts[i]),
    pp,
  );
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.ceil(pos)] - sorted[lo]) * (pos - lo);
}

function bootstrapDeltas(
  e: PerPromptPairedEssays,
  base: Float64Array,
  cand: Float64Array,
  pp: PerPromptScale,
  options: { readonly seed: number; readonly resamples: number },
): number[] {
  const byPrompt = new Map<string, number[]>();
  e.prompts.forEach((p, i) => {
    const g = byPrompt.get(p);
    if (g) g.push(i);
    else byPrompt.set(p, [i]);
  });
  const groups = [...byPrompt.values()];
  const random = seededRandom(options.seed, "per_prompt_compare");
  const deltas: number[] = [];
  for (let b = 0; b < options.resamples; b++) {
    const draw = groups.flatMap((g) => g.map(() => g[Math.floor(random() * g.length)]));
    const qb = headlineOf(draw, e, base, pp);
    const qc = headlineOf(draw, e, cand, pp);
    if (qb !== null && qc !== null) deltas.push(qc - qb);
  }
  return deltas.sort((a, b) => a - b);
}

/**
 * Compare two runs' grid predictions of the same essays on per-prompt scales.
 *
 * @example
 * ```ts
 * const c = comparePerPromptRuns(essays, baseRaw, candRaw, pp, { seed: 42, resamples: 5000 });
 * c.headline.delta; c.difference;
 * ```
 */
export function comparePerPromptRuns(
  e: PerPromptPairedEssays,
  base: Float64Array,
  cand: Float64Array,
  pp: PerPromptScale,
  options: { readonly seed: number; readonly resamples: number; readonly level?: number },
): PerPromptComparison {
  const n = e.ids.length;
  if (base.length !== n || cand.length !== n || e.yGrid.length !== n || e.folds.length !== n) {
    throw new Error("comparePerPromptRuns: essays and predictions differ in length");
  }
  const all = Array.from({ length: n }, (_, i) => i);
  const rowsWhere = (keep: (i: number) => boolean) => all.filter(keep);
  const figure = (rows: readonly number[]) =>
    paired(headlineOf(rows, e, base, pp), headlineOf(rows, e, cand, pp));
  const prompts = [...new Set(e.prompts)].sort((a, b) => a.localeCompare(b)).map((prompt) => {
    const rows = rowsWhere((i) => e.prompts[i] === prompt);
    return { prompt, n: rows.length, ...figure(rows) };
  });
  const folds = [...new Set(e.folds)].sort((a, b) => a - b).map((fold) => ({
    fold,
    ...figure(rowsWhere((i) => e.folds[i] === fold)),
  }));
  const defined = folds.flatMap((f) => (f.delta === null ? [] : [f.delta]));
  const level = options.level ?? 0.95;
  const deltas = bootstrapDeltas(e, base, cand, pp, options);
  if (deltas.length === 0) {
    throw new Error(
      `no prompt has at least ${MIN_PROMPT_QWK_N} essays and two true levels: nothing to compare`,
    );
  }
  const lower = quantile(deltas, (1 - level) / 2);
  const upper = quantile(deltas, 1 - (1 - level) / 2);
  return {
    nEssays: n,
    headline: figure(all),
    prompts,
    folds,
    foldWins: { wins: defined.filter((d) => d > 0).length, of: defined.length },
    bootstrap: {
      seed: options.seed,
      resamples: deltas.length,
      level,
      lower,
      upper,
      shareAtOrBelowZero: deltas.filter((d) => d <= 0).length / deltas.length,
    },
    difference: lower > 0 ? "candidate better" : upper < 0 ? "candidate worse" : "no difference",
  };
}
