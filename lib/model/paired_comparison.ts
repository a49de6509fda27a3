/**
 * Paired comparison of two cross-validations of the *same* essays on the *same* folds: is the
 * candidate really better than the baseline, where, and by how much?
 *
 * - Fold-paired deltas (candidate − baseline) of QWK (rounded and cut-points), MAE and adjacent
 *   accuracy: per fold, mean, std and the number of folds the candidate wins.
 * - Pooled out-of-fold deltas of worst-prompt QWK and of the tail slices.
 * - A paired, fold-stratified percentile bootstrap: each resample draws essays with replacement
 *   *within each fold* (fold sizes kept), both runs are scored on the same draw, and the
 *   statistic is the one reported (mean over folds of per-fold QWK; pooled high-band adjacent
 *   accuracy; pooled worst-prompt QWK). Seeded; 5,000 resamples by default.
 *
 * Pure: aligned arrays in, numbers out.
 *
 * @module
 */
import {
  kappaFromConfusion,
  labelClass,
  meanStd,
  N_SCORE_CLASSES,
  predictionClass,
} from "./metrics.ts";
import { seededRandom } from "./random.ts";
import {
  gradeBand,
  MIN_PROMPT_QWK_N,
  type TailMetrics,
  tailSliceMetrics,
  worstPromptQwk,
} from "./slice_metrics.ts";

/** Out-of-fold predictions of one run, aligned with the other run's (same essays, same order). */
export interface OofPredictions {
  /** Raw predictions. */
  readonly raw: Float64Array;
  /** Predictions through the cut-points (null when the run had none). */
  readonly cutpoints: Float64Array | null;
}

/** The shared essays: true scores, prompts and folds. */
export interface PairedEssays {
  readonly ids: readonly string[];
  readonly prompts: readonly string[];
  readonly yTrue: Float64Array;
  readonly folds: Int32Array;
}

/** A fold-paired delta. */
export interface FoldPairedDelta {
  readonly baseline: number;
  readonly candidate: number;
  /** Candidate − baseline per fold, in fold order. */
  readonly perFold: readonly number[];
  readonly mean: number;
  readonly std: number;
  /** Folds where the candidate is better (higher, or lower for MAE). */
  readonly candidateWins: number;
}

/** A bootstrap interval of a difference. */
export interface DeltaInterval {
  readonly delta: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly resamples: number;
  /** Share of resamples with a difference ≤ 0. */
  readonly shareAtOrBelowZero: number;
}

/** What a difference interval says. */
export type DifferenceVerdict = "candidate better" | "candidate worse" | "no difference";

/** Everything compare-runs reports. */
export interface PairedComparison {
  readonly nEssays: number;
  readonly folds: readonly number[];
  readonly fold: {
    readonly qwk: FoldPairedDelta;
    readonly qwkCutpoints: FoldPairedDelta | null;
    readonly mae: FoldPairedDelta;
    readonly adjacentAccuracy: FoldPairedDelta;
  };
  readonly worstPrompt: {
    readonly baseline: { prompt: string; qwk: number } | null;
    readonly candidate: { prompt: string; qwk: number } | null;
    readonly delta: number;
  };
  readonly tails: { readonly baseline: TailMetrics; readonly candidate: TailMetrics };
  readonly bootstrap: {
    readonly seed: number;
    readonly qwk: DeltaInterval;
    readonly qwkCutpoints: DeltaInterval | null;
    readonly highBandAdjacent: DeltaInterval;
    readonly worstPromptQwk: DeltaInterval;
  };
  /** From the rounded-QWK interval. */
  readonly difference: DifferenceVerdict;
}

/** Options of {@link comparePairedRuns}. */
export interface PairedComparisonOptions {
  readonly seed: number;
  /** Bootstrap resamples (default 5,000). */
  readonly resamples?: number;
  /** Interval level (default 0.95). */
  readonly level?: number;
}

/** Per-essay class indices of labels and predictions (precomputed for the bootstrap). */
function classes(values: ArrayLike<number>, label: boolean): Int8Array {
  return Int8Array.from(
    { length: values.length },
    (_, i) => label ? labelClass(values[i]) : predictionClass(values[i]),
  );
}

function qwkOf(t: Int8Array, p: Int8Array, rows: ArrayLike<number>, cm: Float64Array): number {
  cm.fill(0);
  for (let k = 0; k < rows.length; k++) cm[t[rows[k]] * N_SCORE_CLASSES + p[rows[k]]] += 1;
  return kappaFromConfusion(cm);
}

function foldRows(folds: Int32Array): { fold: number; rows: Int32Array }[] {
  const by = new Map<number, number[]>();
  folds.forEach((f, i) => {
    const g = by.get(f);
    if (g) g.push(i);
    else by.set(f, [i]);
  });
  return [...by].sort((a, b) => a[0] - b[0]).map(([fold, rows]) => ({
    fold,
    rows: Int32Array.from(rows),
  }));
}

function foldDelta(
  base: readonly number[],
  cand: readonly number[],
  higherIsBetter: boolean,
): FoldPairedDelta {
  const perFold = cand.map((c, k) => c - base[k]);
  const s = meanStd(perFold);
  return {
    baseline: meanStd([...base]).mean,
    candidate: meanStd([...cand]).mean,
    perFold,
    mean: s.mean,
    std: s.std,
    candidateWins: perFold.filter((d) => higherIsBetter ? d > 0 : d < 0).length,
  };
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

function interval(delta: number, draws: Float64Array, level: number): DeltaInterval {
  const finite = draws.filter((d) => !Number.isNaN(d)).sort();
  if (finite.length === 0) {
    return {
      delta,
      lower: NaN,
      upper: NaN,
      level,
      resamples: draws.length,
      shareAtOrBelowZero: NaN,
    };
  }
  return {
    delta,
    lower: percentile(finite, (1 - level) / 2),
    upper: percentile(finite, 1 - (1 - level) / 2),
    level,
    resamples: finite.length,
    shareAtOrBelowZero: finite.filter((d) => d <= 0).length / finite.length,
  };
}

/**
 * Verdict of a difference interval: better when its lower bound is above 0, worse when its upper
 * bound is below 0, otherwise no difference.
 *
 * @example
 * ```ts
 * differenceVerdict({ lower: -0.01, upper: 0.02 } as DeltaInterval); // "no difference"
 * ```
 */
export function differenceVerdict(ci: Pick<DeltaInterval, "lower" | "upper">): DifferenceVerdict {
  if (ci.lower > 0) return "candidate better";
  if (ci.upper < 0) return "candidate worse";
  return "no difference";
}

/**
 * Pooled statistics the bootstrap recomputes per resample: mean over folds of per-fold QWK (for
 * a set of predicted classes), pooled high-band adjacent accuracy and worst-prompt QWK.
 */
class ResampleScorer {
  readonly #cm = new Float64Array(N_SCORE_CLASSES * N_SCORE_CLASSES);
  readonly t: Int8Array;
  readonly #high: Uint8Array;
  readonly #promptIndex: Int32Array;
  readonly #nPrompts: number;

  constructor(essays: PairedEssays) {
    this.t = classes(essays.yTrue, true);
    this.#high = Uint8Array.from(essays.yTrue, (y) => (gradeBand(y) === "high" ? 1 : 0));
    const ids = [...new Set(essays.prompts)];
    const index = new Map(ids.map((p, k) => [p, k]));
    this.#promptIndex = Int32Array.from(essays.prompts, (p) => index.get(p)!);
    this.#nPrompts = ids.length;
  }

  /** Rows grouped by prompt (a row drawn twice appears twice). */
  byPrompt(rows: ArrayLike<number>): number[][] {
    const by: number[][] = Array.from({ length: this.#nPrompts }, () => []);
    for (let k = 0; k < rows.length; k++) by[this.#promptIndex[rows[k]]].push(rows[k]);
    return by;
  }

  meanFoldQwk(p: Int8Array, foldDraws: readonly Int32Array[]): number {
    let s = 0;
    for (const rows of foldDraws) s += qwkOf(this.t, p, rows, this.#cm);
    return s / foldDraws.length;
  }

  highAdjacent(p: Int8Array, rows: Int32Array): number {
    let n = 0;
    let hit = 0;
    for (const i of rows) {
      if (!this.#high[i]) continue;
      n++;
      if (Math.abs(this.t[i] - p[i]) <= 1) hit++;
    }
    return n ? hit / n : NaN;
  }

  /** Worst per-prompt QWK over prompts with ≥ MIN_PROMPT_QWK_N draws and ≥ 2 true classes. */
  worstPrompt(p: Int8Array, byPrompt: readonly number[][]): number {
    let worst = Infinity;
    for (const rows of byPrompt) {
      if (rows.length < MIN_PROMPT_QWK_N) continue;
      const first = this.t[rows[0]];
      if (rows.every((i) => this.t[i] === first)) continue;
      worst = Math.min(worst, qwkOf(this.t, p, rows, this.#cm));
    }
    return worst === Infinity ? NaN : worst;
  }
}

/** Predicted classes of both runs (rounded; cut-points when both have them). */
interface PredictedClasses {
  readonly pb: Int8Array;
  readonly pc: Int8Array;
  readonly cb: Int8Array | null;
  readonly cc: Int8Array | null;
}

/**
 * The paired, fold-stratified bootstrap: per resample, essays drawn with replacement within each
 * fold (fold sizes kept); both runs scored on the same draw; candidate − baseline recorded.
 */
function pairedBootstrapDraws(
  scorer: ResampleScorer,
  folds: readonly { fold: number; rows: Int32Array }[],
  p: PredictedClasses,
  options: { seed: number; resamples: number },
): { qwk: Float64Array; cut: Float64Array; high: Float64Array; worst: Float64Array } {
  const { resamples } = options;
  const withCut = p.cb !== null && p.cc !== null;
  const random = seededRandom(options.seed, "paired-bootstrap");
  const draws = {
    qwk: new Float64Array(resamples),
    cut: new Float64Array(withCut ? resamples : 0),
    high: new Float64Array(resamples),
    worst: new Float64Array(resamples),
  };
  const foldDraws = folds.map(({ rows }) => new Int32Array(rows.length));
  const pooled = new Int32Array(folds.reduce((s, f) => s + f.rows.length, 0));
  for (let b = 0; b < resamples; b++) {
    let at = 0;
    folds.forEach(({ rows }, k) => {
      const d = foldDraws[k];
      for (let j = 0; j < rows.length; j++) {
        d[j] = rows[Math.floor(random() * rows.length)];
        pooled[at++] = d[j];
      }
    });
    draws.qwk[b] = scorer.meanFoldQwk(p.pc, foldDraws) - scorer.meanFoldQwk(p.pb, foldDraws);
    if (withCut) {
      draws.cut[b] = scorer.meanFoldQwk(p.cc!, foldDraws) - scorer.meanFoldQwk(p.cb!, foldDraws);
    }
    draws.high[b] = scorer.highAdjacent(p.pc, pooled) - scorer.highAdjacent(p.pb, pooled);
    const byPrompt = scorer.byPrompt(pooled);
    draws.worst[b] = scorer.worstPrompt(p.pc, byPrompt) - scorer.worstPrompt(p.pb, byPrompt);
  }
  return draws;
}

/**
 * Compare a candidate's out-of-fold predictions with a baseline's on the same essays and folds.
 *
 * @example
 * ```ts
 * const c = comparePairedRuns(essays, baseline, candidate, { seed: 42 });
 * c.bootstrap.qwk; // { delta, lower, upper, … }
 * ```
 */
export function comparePairedRuns(
  essays: PairedEssays,
  baseline: OofPredictions,
  candidate: OofPredictions,
  options: PairedComparisonOptions,
): PairedComparison {
  const n = essays.ids.length;
  for (
    const [what, len] of [
      ["prompts", essays.prompts.length],
      ["labels", essays.yTrue.length],
      ["folds", essays.folds.length],
      ["baseline predictions", baseline.raw.length],
      ["candidate predictions", candidate.raw.length],
    ] as const
  ) {
    if (len !== n) throw new Error(`comparePairedRuns: ${n} essays but ${len} ${what}`);
  }
  if (n === 0) throw new Error("comparePairedRuns: no essays");
  const resamples = options.resamples ?? 5000;
  const level = options.level ?? 0.95;
  const scorer = new ResampleScorer(essays);
  const t = scorer.t;
  const pb = classes(baseline.raw, false);
  const pc = classes(candidate.raw, false);
  const withCut = baseline.cutpoints !== null && candidate.cutpoints !== null;
  const cb = withCut ? classes(baseline.cutpoints!, false) : null;
  const cc = withCut ? classes(candidate.cutpoints!, false) : null;
  const folds = foldRows(essays.folds);
  const cm = new Float64Array(N_SCORE_CLASSES * N_SCORE_CLASSES);

  const perFold = (f: (rows: Int32Array) => number) => folds.map(({ rows }) => f(rows));
  const mae = (p: Float64Array) => (rows: Int32Array) => {
    let s = 0;
    for (const i of rows) s += Math.abs(p[i] - essays.yTrue[i]);
    return s / rows.length;
  };
  const adj = (p: Int8Array) => (rows: Int32Array) => {
    let h = 0;
    for (const i of rows) if (Math.abs(t[i] - p[i]) <= 1) h++;
    return h / rows.length;
  };
  const qwk = (p: Int8Array) => (rows: Int32Array) => qwkOf(t, p, rows, cm);

  const all = Int32Array.from({ length: n }, (_, i) => i);
  const pointWorst = (p: Int8Array) => scorer.worstPrompt(p, scorer.byPrompt(all));
  const draws = pairedBootstrapDraws(scorer, folds, { pb, pc, cb, cc }, {
    seed: options.seed,
    resamples,
  });

  const fold = {
    qwk: foldDelta(perFold(qwk(pb)), perFold(qwk(pc)), true),
    qwkCutpoints: withCut ? foldDelta(perFold(qwk(cb!)), perFold(qwk(cc!)), true) : null,
    mae: foldDelta(perFold(mae(baseline.raw)), perFold(mae(candidate.raw)), false),
    adjacentAccuracy: foldDelta(perFold(adj(pb)), perFold(adj(pc)), true),
  };
  const wb = worstPromptQwk(essays.yTrue, baseline.raw, essays.prompts);
  const wc = worstPromptQwk(essays.yTrue, candidate.raw, essays.prompts);
  const tails = {
    baseline: tailSliceMetrics(essays.yTrue, baseline.raw),
    candidate: tailSliceMetrics(essays.yTrue, candidate.raw),
  };
  const bootstrap = {
    seed: options.seed,
    qwk: interval(fold.qwk.mean, draws.qwk, level),
    qwkCutpoints: withCut ? interval(fold.qwkCutpoints!.mean, draws.cut, level) : null,
    highBandAdjacent: interval(
      tails.candidate.high.adjacentAccuracy - tails.baseline.high.adjacentAccuracy,
      draws.high,
      level,
    ),
    worstPromptQwk: interval(pointWorst(pc) - pointWorst(pb), draws.worst, level),
  };
  return {
    nEssays: n,
    folds: folds.map((f) => f.fold),
    fold,
    worstPrompt: {
      baseline: wb ? { prompt: wb.prompt, qwk: wb.qwk } : null,
      candidate: wc ? { prompt: wc.prompt, qwk: wc.qwk } : null,
      delta: wb && wc ? wc.qwk - wb.qwk : NaN,
    },
    tails,
    bootstrap,
    difference: differenceVerdict(bootstrap.qwk),
  };
}
