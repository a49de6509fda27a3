/**
 * Paired comparison of two cross-validations of the *same* essays on the *same* folds: is the
 * candidate really better than the baseline, where, and by how much?
 *
 * - Fold-paired deltas (candidate − baseline) of QWK (rounded and cut-points), MAE and adjacent
 *   accuracy: per fold, mean, std and the number of folds the candidate wins.
 * - Pooled out-of-fold deltas of worst-prompt QWK and of the tail slices.
 * - A paired percentile bootstrap, by default a **cluster bootstrap**: each resample draws prompts
 *   with replacement, then essays with replacement within each drawn prompt
 *   (`cluster_bootstrap.ts`); every drawn essay keeps its fold, both runs are scored on the same
 *   draw, and the statistic is the one reported (mean over the folds present of per-fold QWK;
 *   pooled high-band adjacent accuracy; pooled worst-prompt QWK). `cluster: "essay"` gives the
 *   older fold-stratified essay bootstrap (fold sizes kept). Seeded; 5,000 resamples by default.
 * - **Seed replicates**: each side may be several runs of the same config with different seeds
 *   (same essays and folds); each resample then also draws one replicate per side, so refit and
 *   seed variance are in the interval, and the Δ is the mean over replicates.
 *
 * Every class, band and kappa is on the score scale the runs recorded (`PairedEssays.scale`,
 * ELLIPSE's 1.0–5.0 by 0.5 when absent): QWK over all its levels, adjacent = within one level,
 * grade bands from the scale (`slice_metrics.ts`).
 *
 * Pure: aligned arrays in, numbers out.
 *
 * @module
 */
import { ELLIPSE_SCALE, type ScoreScale, type ScoreScaleSpec } from "../../dataset/score_scale.ts";
import { kappaFromConfusion, labelClass, meanStd, predictionClass } from "./metrics.ts";
import { clusterBootstrapDraw, clusterRows } from "./cluster_bootstrap.ts";
import { seededRandom } from "../learners/random.ts";
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
  /** The score scale both runs recorded (default ELLIPSE's 1.0–5.0 by 0.5). */
  readonly scale?: ScoreScale;
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

/** What the bootstrap resamples. */
export type BootstrapUnit = "prompt" | "essay";

/** Everything compare-runs reports. */
export interface PairedComparison {
  readonly nEssays: number;
  /** The score scale every class, band and kappa is on. */
  readonly scale: ScoreScaleSpec;
  /** What the bootstrap resampled, and how many seed replicates each side had. */
  readonly protocol: {
    readonly cluster: BootstrapUnit;
    readonly nPrompts: number;
    readonly replicates: { readonly baseline: number; readonly candidate: number };
  };
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
  /**
   * `prompt` (default): cluster bootstrap, prompts then essays within prompts; `essay`: essays
   * within folds (ignores that essays cluster by prompt; optimistic).
   */
  readonly cluster?: BootstrapUnit;
  /** Bootstrap resamples (default 5,000). */
  readonly resamples?: number;
  /** Interval level (default 0.95). */
  readonly level?: number;
}

/** Per-essay class indices of labels and predictions (precomputed for the bootstrap). */
function classes(values: ArrayLike<number>, label: boolean, scale: ScoreScale): Int32Array {
  return Int32Array.from(
    { length: values.length },
    (_, i) => label ? labelClass(values[i], scale) : predictionClass(values[i], scale),
  );
}

/** QWK of the rows over a levels × levels matrix `cm` (its size gives the number of levels). */
function qwkOf(t: Int32Array, p: Int32Array, rows: ArrayLike<number>, cm: Float64Array): number {
  const k = Math.round(Math.sqrt(cm.length));
  cm.fill(0);
  for (let r = 0; r < rows.length; r++) cm[t[rows[r]] * k + p[rows[r]]] += 1;
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
  readonly #cm: Float64Array;
  readonly t: Int32Array;
  readonly #high: Uint8Array;
  readonly #promptIndex: Int32Array;
  readonly #nPrompts: number;

  constructor(essays: PairedEssays, scale: ScoreScale) {
    this.#cm = new Float64Array(scale.nLevels * scale.nLevels);
    this.t = classes(essays.yTrue, true, scale);
    this.#high = Uint8Array.from(essays.yTrue, (y) => (gradeBand(y, scale) === "high" ? 1 : 0));
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

  meanFoldQwk(p: Int32Array, foldDraws: readonly Int32Array[]): number {
    let s = 0;
    for (const rows of foldDraws) s += qwkOf(this.t, p, rows, this.#cm);
    return s / foldDraws.length;
  }

  highAdjacent(p: Int32Array, rows: Int32Array): number {
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
  worstPrompt(p: Int32Array, byPrompt: readonly number[][]): number {
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

/** Predicted classes of both runs per seed replicate (rounded; cut-points when all have them). */
interface PredictedClasses {
  readonly pb: readonly Int32Array[];
  readonly pc: readonly Int32Array[];
  readonly cb: readonly Int32Array[] | null;
  readonly cc: readonly Int32Array[] | null;
}

/** Draws of one resample: rows per fold present, and all rows pooled. */
interface ResampleRows {
  readonly foldDraws: Int32Array[];
  readonly pooled: Int32Array;
}

/** The essay-level draw: essays with replacement within each fold (fold sizes kept). */
function essayDraw(folds: readonly { rows: Int32Array }[], random: () => number): ResampleRows {
  const foldDraws = folds.map(({ rows }) => {
    const d = new Int32Array(rows.length);
    for (let j = 0; j < rows.length; j++) d[j] = rows[Math.floor(random() * rows.length)];
    return d;
  });
  const pooled = new Int32Array(foldDraws.reduce((t, d) => t + d.length, 0));
  let at = 0;
  for (const d of foldDraws) (pooled.set(d, at), (at += d.length));
  return { foldDraws, pooled };
}

/** The cluster draw: prompts, then essays within prompts; each drawn essay keeps its fold. */
function clusterDraw(
  prompts: readonly Int32Array[],
  foldIndex: Int32Array,
  nFolds: number,
  random: () => number,
): ResampleRows {
  const pooled = clusterBootstrapDraw(prompts, random);
  const by: number[][] = Array.from({ length: nFolds }, () => []);
  for (const i of pooled) by[foldIndex[i]].push(i);
  return { foldDraws: by.filter((g) => g.length > 0).map((g) => Int32Array.from(g)), pooled };
}

/**
 * The paired bootstrap: per resample, essays drawn (cluster or essay draw), one seed replicate
 * drawn per side when there are several; both runs scored on the same draw; candidate −
 * baseline recorded.
 */
function pairedBootstrapDraws(
  scorer: ResampleScorer,
  draw: (random: () => number) => ResampleRows,
  p: PredictedClasses,
  options: { seed: number; resamples: number },
): { qwk: Float64Array; cut: Float64Array; high: Float64Array; worst: Float64Array } {
  const { resamples } = options;
  const withCut = p.cb !== null && p.cc !== null;
  const random = seededRandom(options.seed, "paired-bootstrap");
  const pick = (n: number) => (n === 1 ? 0 : Math.floor(random() * n));
  const draws = {
    qwk: new Float64Array(resamples),
    cut: new Float64Array(withCut ? resamples : 0),
    high: new Float64Array(resamples),
    worst: new Float64Array(resamples),
  };
  for (let b = 0; b < resamples; b++) {
    const { foldDraws, pooled } = draw(random);
    const rb = pick(p.pb.length);
    const rc = pick(p.pc.length);
    const [pb, pc] = [p.pb[rb], p.pc[rc]];
    draws.qwk[b] = scorer.meanFoldQwk(pc, foldDraws) - scorer.meanFoldQwk(pb, foldDraws);
    if (withCut) {
      draws.cut[b] = scorer.meanFoldQwk(p.cc![rc], foldDraws) -
        scorer.meanFoldQwk(p.cb![rb], foldDraws);
    }
    draws.high[b] = scorer.highAdjacent(pc, pooled) - scorer.highAdjacent(pb, pooled);
    const byPrompt = scorer.byPrompt(pooled);
    draws.worst[b] = scorer.worstPrompt(pc, byPrompt) - scorer.worstPrompt(pb, byPrompt);
  }
  return draws;
}

/**
 * Compare a candidate's out-of-fold predictions with a baseline's on the same essays and folds.
 * Either side may be a list of seed replicates (same essays and folds, other seeds): the fold
 * figures are then means over the replicates, the bootstrap draws a replicate per side per
 * resample, and the tails and worst prompt are those of the first (named) replicate.
 *
 * @example
 * ```ts
 * const c = comparePairedRuns(essays, baseline, candidate, { seed: 42 });
 * c.bootstrap.qwk; // { delta, lower, upper, … }
 * ```
 */
export function comparePairedRuns(
  essays: PairedEssays,
  baselineRuns: OofPredictions | readonly OofPredictions[],
  candidateRuns: OofPredictions | readonly OofPredictions[],
  options: PairedComparisonOptions,
): PairedComparison {
  const bases = Array.isArray(baselineRuns) ? baselineRuns : [baselineRuns as OofPredictions];
  const cands = Array.isArray(candidateRuns) ? candidateRuns : [candidateRuns as OofPredictions];
  if (bases.length === 0 || cands.length === 0) throw new Error("comparePairedRuns: no runs");
  const n = essays.ids.length;
  const lengths: [string, number][] = [
    ["prompts", essays.prompts.length],
    ["labels", essays.yTrue.length],
    ["folds", essays.folds.length],
    ...bases.map((b, k): [string, number] => [`baseline predictions (${k})`, b.raw.length]),
    ...cands.map((c, k): [string, number] => [`candidate predictions (${k})`, c.raw.length]),
  ];
  for (const [what, len] of lengths) {
    if (len !== n) throw new Error(`comparePairedRuns: ${n} essays but ${len} ${what}`);
  }
  if (n === 0) throw new Error("comparePairedRuns: no essays");
  const [baseline, candidate] = [bases[0], cands[0]];
  const resamples = options.resamples ?? 5000;
  const level = options.level ?? 0.95;
  const cluster = options.cluster ?? "prompt";
  const scale = essays.scale ?? ELLIPSE_SCALE;
  const scorer = new ResampleScorer(essays, scale);
  const t = scorer.t;
  const withCut = [...bases, ...cands].every((r) => r.cutpoints !== null);
  const cls = (runs: readonly OofPredictions[], cut: boolean) =>
    runs.map((r) => classes(cut ? r.cutpoints! : r.raw, false, scale));
  const p: PredictedClasses = {
    pb: cls(bases, false),
    pc: cls(cands, false),
    cb: withCut ? cls(bases, true) : null,
    cc: withCut ? cls(cands, true) : null,
  };
  const folds = foldRows(essays.folds);
  const cm = new Float64Array(scale.nLevels * scale.nLevels);

  // per fold, averaged over the replicates of a side
  const perFold = <R>(reps: readonly R[], f: (r: R) => (rows: Int32Array) => number) =>
    folds.map(({ rows }) => reps.reduce((s, r) => s + f(r)(rows), 0) / reps.length);
  const mae = (run: OofPredictions) => (rows: Int32Array) => {
    let s = 0;
    for (const i of rows) s += Math.abs(run.raw[i] - essays.yTrue[i]);
    return s / rows.length;
  };
  const adj = (pr: Int32Array) => (rows: Int32Array) => {
    let h = 0;
    for (const i of rows) if (Math.abs(t[i] - pr[i]) <= 1) h++;
    return h / rows.length;
  };
  const qwk = (pr: Int32Array) => (rows: Int32Array) => qwkOf(t, pr, rows, cm);

  const all = Int32Array.from({ length: n }, (_, i) => i);
  const pointWorst = (pr: Int32Array) => scorer.worstPrompt(pr, scorer.byPrompt(all));
  const prompts = clusterRows(essays.prompts);
  const foldIndex = new Int32Array(n);
  folds.forEach(({ rows }, k) => rows.forEach((i) => (foldIndex[i] = k)));
  const draw = cluster === "prompt"
    ? (random: () => number) => clusterDraw(prompts, foldIndex, folds.length, random)
    : (random: () => number) => essayDraw(folds, random);
  const draws = pairedBootstrapDraws(scorer, draw, p, { seed: options.seed, resamples });

  const fold = {
    qwk: foldDelta(perFold(p.pb, qwk), perFold(p.pc, qwk), true),
    qwkCutpoints: withCut ? foldDelta(perFold(p.cb!, qwk), perFold(p.cc!, qwk), true) : null,
    mae: foldDelta(perFold(bases, mae), perFold(cands, mae), false),
    adjacentAccuracy: foldDelta(perFold(p.pb, adj), perFold(p.pc, adj), true),
  };
  const wb = worstPromptQwk(essays.yTrue, baseline.raw, essays.prompts, MIN_PROMPT_QWK_N, scale);
  const wc = worstPromptQwk(essays.yTrue, candidate.raw, essays.prompts, MIN_PROMPT_QWK_N, scale);
  const tails = {
    baseline: tailSliceMetrics(essays.yTrue, baseline.raw, scale),
    candidate: tailSliceMetrics(essays.yTrue, candidate.raw, scale),
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
    worstPromptQwk: interval(pointWorst(p.pc[0]) - pointWorst(p.pb[0]), draws.worst, level),
  };
  return {
    nEssays: n,
    scale: scale.spec,
    protocol: {
      cluster,
      nPrompts: prompts.length,
      replicates: { baseline: bases.length, candidate: cands.length },
    },
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
