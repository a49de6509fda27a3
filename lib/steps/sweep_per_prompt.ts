/**
 * `sweep` and `ablation` on per-prompt score scales (`dataset/per_prompt_scale.ts`): the variants
 * are the same cv runs on one store and one set of folds (`sweep.ts` runs them), but they are
 * scored and compared the way per-prompt runs are evaluated — nothing pooled on the common grid:
 *
 * - **ranking**: each variant's mean over folds of the fold's **mean per-prompt QWK (Fisher z)**
 *   (no bootstrap; the per-fold figure of drop-column, `per_prompt_outputs.ts` foldHeadlines),
 *   read back from the variant's grid out-of-fold predictions;
 * - **comparison with #0**: compare-runs' per-prompt paired comparison (Δ of the headline, a
 *   bootstrap resampling essays within each prompt; `model/evaluation/per_prompt_comparison.ts`)
 *   at the Bonferroni-adjusted level over the N − 1 comparisons;
 * - **confirmation**: the winner and #0 fitted without the held-back fold and scored on it by the
 *   headline, with the same per-prompt paired comparison (one comparison: 95 %).
 *
 * @module
 */
import type { PerPromptScale } from "../dataset/per_prompt_scale.ts";
import {
  comparePerPromptRuns,
  type PerPromptComparison,
} from "../model/evaluation/per_prompt_comparison.ts";
import { meanPerPromptQwk } from "../model/evaluation/per_prompt_evaluation.ts";
import type { RunContext } from "../run/run_context.ts";
import { foldHeadlines } from "./per_prompt_outputs.ts";
import {
  loadPerPromptCvRun,
  pairPerPromptRuns,
  type PerPromptCvRun,
} from "./per_prompt_compare.ts";
import {
  bonferroniLevel,
  type PlannedVariant,
  runVariantDirs,
  type SweepContext,
  type VariantOutcome,
} from "./sweep.ts";
import { predictHeldBack } from "./sweep_confirm.ts";

/** A finished per-prompt variant: its per-fold headlines and its comparison with #0. */
export interface PerPromptVariantOutcome extends Omit<VariantOutcome, "vsFirst"> {
  /** Each selection fold's mean per-prompt QWK (Fisher z), in fold order. */
  readonly foldQwks: readonly number[];
  /** Per-prompt paired comparison with the first variant (null for the first). */
  readonly vsFirst: PerPromptComparison | null;
}

/**
 * The per-fold headlines of a per-prompt cv run read back (folds in ascending order).
 *
 * @example
 * ```ts
 * perPromptRunFoldQwks(await loadPerPromptCvRun(dir)); // [{ fold: 0, qwk: 0.71 }, …]
 * ```
 */
export function perPromptRunFoldQwks(run: PerPromptCvRun): { fold: number; qwk: number }[] {
  const folds = [...new Set(run.rows.map((r) => r.fold))].sort((a, b) => a - b);
  const qwks = foldHeadlines(folds, {
    folds: run.rows.map((r) => r.fold),
    predictions: run.rows.map((r) => r.raw),
    essays: run.rows.map((r) => ({ overall: r.yGrid, prompt: r.prompt })),
  }, run.pp);
  return folds.map((fold, k) => ({ fold, qwk: qwks[k] }));
}

async function scorePerPromptVariant(dir: string) {
  const loaded = await loadPerPromptCvRun(dir);
  const foldQwks = perPromptRunFoldQwks(loaded).map((f) => f.qwk);
  return {
    loaded: { run: loaded, foldQwks },
    scores: {
      meanQwk: foldQwks.reduce((a, b) => a + b, 0) / foldQwks.length,
      meanQwkCutpoints: null,
      worstPromptQwk: NaN,
      highBandAdjacent: NaN,
    },
  };
}

/**
 * Run (or read back) every planned variant of a per-prompt sweep, score each on the mean of its
 * per-fold headlines and compare each with the first (Bonferroni-adjusted per-prompt bootstrap).
 *
 * @example
 * ```ts
 * const outcomes = await runPerPromptVariants(ctx, plan);
 * ```
 */
export async function runPerPromptVariants(
  ctx: SweepContext,
  plan: readonly PlannedVariant[],
): Promise<PerPromptVariantOutcome[]> {
  const done = await runVariantDirs(ctx, plan, scorePerPromptVariant, "mean per-prompt QWK");
  const level = bonferroniLevel(done.length - 1);
  const first = done[0]?.loaded.run;
  return done.map(({ partial, loaded }, k) => {
    const p = k === 0 ? null : pairPerPromptRuns(first, loaded.run);
    return {
      ...partial,
      objective: partial.meanQwk,
      foldQwks: loaded.foldQwks,
      vsFirst: p
        ? comparePerPromptRuns(p.essays, p.baseline, p.candidate, first.pp, {
          seed: ctx.run.config.seed,
          resamples: ctx.resamples ?? 5000,
          level,
        })
        : null,
    };
  });
}

/** One confirmed per-prompt variant: its selection score and its headline on the held-back fold. */
export interface PerPromptConfirmedVariant {
  readonly index: number;
  readonly label: string;
  /** Mean over the selection folds of the fold's headline (what the ranking saw). */
  readonly selectionQwk: number;
  /** Mean per-prompt QWK (Fisher z) on the held-back fold (null when no prompt has one). */
  readonly confirmedQwk: number | null;
}

/** The confirmation of a per-prompt sweep's winner. */
export interface PerPromptSweepConfirmation {
  readonly fold: number;
  readonly nEssays: number;
  readonly winner: PerPromptConfirmedVariant;
  readonly baseline: PerPromptConfirmedVariant;
  /** Winner − baseline on the held-back fold (null when the winner is the baseline). */
  readonly comparison: PerPromptComparison | null;
}

/** A variant's held-back-fold grid predictions (cut-points off, as every per-prompt fit). */
function heldBack(run: RunContext, v: PlannedVariant, store: string, fold: number) {
  return predictHeldBack(
    run,
    { ...v, config: { ...v.config, optimiseCutpoints: false } },
    store,
    fold,
  );
}

/**
 * Fit the winner and the baseline without the held-back fold and score them on it by the mean
 * per-prompt QWK (Fisher z), with the per-prompt paired comparison (95 %, one comparison).
 *
 * @example
 * ```ts
 * const c = await confirmPerPromptWinner(run, plan, ranked, store, 4, pp, { seed, resamples });
 * c.winner.confirmedQwk;
 * ```
 */
export async function confirmPerPromptWinner(
  run: RunContext,
  plan: readonly PlannedVariant[],
  ranked: readonly PerPromptVariantOutcome[],
  store: string,
  fold: number,
  pp: PerPromptScale,
  options: { readonly seed: number; readonly resamples: number },
): Promise<PerPromptSweepConfirmation> {
  const best = ranked[0];
  const first = ranked.find((o) => o.index === 0)!;
  const base = await heldBack(run, plan[0], store, fold);
  const win = best.index === 0 ? base : await heldBack(run, plan[best.index], store, fold);
  const yGrid = Float64Array.from(base.essays, (e) => e.overall);
  const prompts = base.essays.map((e) => e.prompt);
  const confirmed = (o: PerPromptVariantOutcome, raw: Float64Array): PerPromptConfirmedVariant => ({
    index: o.index,
    label: o.label,
    selectionQwk: o.meanQwk,
    confirmedQwk: meanPerPromptQwk(yGrid, raw, prompts, pp),
  });
  const comparison = best.index === 0 ? null : comparePerPromptRuns(
    {
      ids: base.essays.map((e) => e.id),
      prompts,
      yGrid,
      folds: new Int32Array(yGrid.length).fill(fold),
    },
    base.raw,
    win.raw,
    pp,
    options,
  );
  return {
    fold,
    nEssays: yGrid.length,
    winner: confirmed(best, win.raw),
    baseline: confirmed(first, base.raw),
    comparison,
  };
}
