/**
 * `sweep --space <json>`: a grid or seeded random search over learner parameters and pipeline
 * levers. Every variant is a `cv` run on the same splits and the same feature store (the base
 * config's `--reuse-cv-feature-store-dir`, else the store the first variant extracted — no
 * re-extraction), with the folds spread over the cores by the cv workers and the stacked
 * out-of-fold columns shared between variants that stack alike. The first variant is the base
 * configuration; every other one is compared with it by `compare-runs`' paired statistics.
 *
 * Outputs in the sweep directory (`--sweep-dir`, default `<output-root>/sweeps/<run-name>`):
 * `variants/<time>_<hash>/` (one cv run each), `sweep_summary.md` + `.json` (ranked by
 * `--objective`), `selected_params.json` (a config file `--config` accepts). Resumable: a variant
 * whose run directory completed is read back, not rerun; its hash covers the base settings, so
 * a changed base never reuses it.
 *
 * @module
 */
import { join } from "node:path";
import {
  FEATURE_STORE_METADATA_FILE,
  featureSetCovers,
  readFeatureStoreMetadata,
} from "../features/feature_store.ts";
import type { GateProfile } from "../model/evaluation/gate.ts";
import type { StackedColumns } from "../model/pipeline/scoring_pipeline.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import type { ExperimentConfig } from "../run/config.ts";
import type { FeatureSet } from "../features/types.ts";
import type { RunContext } from "../run/run_context.ts";
import { compareLoadedRuns, type RunComparison } from "./compare_runs.ts";
import { runCv } from "./cv.ts";
import { type CvRunData, loadCvRun } from "./cv_run_dir.ts";
import { CV_FLAGS, type StepModelOptions, usesEmbeddingStacking } from "./model_inputs.ts";
import { equivalentCliArgs } from "../report/notebook.ts";
import {
  applyOverrides,
  describeOverrides,
  type Overrides,
  STEP_PARAMETERS,
  variantHash,
} from "./sweep_space.ts";

/** Ranking objectives of `--objective`. */
export const SWEEP_OBJECTIVES = ["mean_qwk", "worst_prompt_qwk", "high_band_adjacent"] as const;
/** A ranking objective. */
export type SweepObjective = (typeof SWEEP_OBJECTIVES)[number];

/** One variant to run. */
export interface PlannedVariant {
  readonly index: number;
  readonly hash: string;
  readonly overrides: Overrides;
  readonly label: string;
  readonly config: ExperimentConfig;
  readonly step: StepModelOptions;
}

/** A finished variant with its scores. */
export interface VariantOutcome {
  readonly index: number;
  readonly hash: string;
  readonly label: string;
  readonly overrides: Overrides;
  readonly runDir: string;
  /** Read back from an earlier sweep run instead of rerun. */
  readonly reused: boolean;
  readonly seconds: number;
  readonly meanQwk: number;
  readonly meanQwkCutpoints: number | null;
  readonly worstPromptQwk: number;
  readonly highBandAdjacent: number;
  readonly objective: number;
  /** Paired comparison with the first variant (null for the first). */
  readonly vsFirst: RunComparison | null;
}

/**
 * Plan the variants: the base first, then the space's, duplicates (same hash) dropped.
 *
 * @example
 * ```ts
 * const plan = planVariants(config, step, expandSpace(space));
 * ```
 */
export function planVariants(
  base: ExperimentConfig,
  baseStep: StepModelOptions,
  variants: readonly Overrides[],
): PlannedVariant[] {
  const out: PlannedVariant[] = [];
  const seen = new Set<string>();
  for (const overrides of [{}, ...variants]) {
    const { config, step } = applyOverrides(base, baseStep, overrides);
    const hash = variantHash(config, step);
    if (seen.has(hash)) continue;
    seen.add(hash);
    out.push({
      index: out.length,
      hash,
      overrides,
      label: describeOverrides(overrides),
      config,
      step,
    });
  }
  return out;
}

/**
 * The completed cv run directory of a variant under `variantsDir` (latest first), if any.
 *
 * @example
 * ```ts
 * const dir = await finishedVariantDir(join(sweepDir, "variants"), hash);
 * ```
 */
export async function finishedVariantDir(
  variantsDir: string,
  hash: string,
): Promise<string | null> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(variantsDir)) {
      if (e.isDirectory && e.name.endsWith(`_${hash}`)) names.push(e.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  for (const name of names.sort().reverse()) {
    const dir = join(variantsDir, name);
    try {
      const status = JSON.parse(await Deno.readTextFile(join(dir, "status.json")));
      await Deno.stat(join(dir, "artifacts", "cv_oof_predictions.csv"));
      if (status.state === "completed") return dir;
    } catch { /* unfinished or foreign: ignored, the variant is rerun */ }
  }
  return null;
}

/** The non-config flags of a variant's step options (those that differ from the defaults). */
function stepFlags(step: StepModelOptions): Record<string, string | number | boolean | undefined> {
  return {
    "text-stacking": step.textStacking ? undefined : false,
    "embedding-stacking": step.embeddingStacking === false ? false : undefined,
    "embedding-stacking-alpha": step.embeddingStackingAlpha,
    "cutpoint-inner-folds": step.cutpointInnerFolds === 3 ? undefined : step.cutpointInnerFolds,
    "cv-workers": step.cvWorkers,
  };
}

/** The feature set a store holds (from its metadata). */
async function storedFeatureSet(storeDir: string): Promise<FeatureSet> {
  return (await readFeatureStoreMetadata(join(storeDir, FEATURE_STORE_METADATA_FILE))).feature_set;
}

async function hasOwnStore(runDir: string): Promise<boolean> {
  try {
    return (await Deno.stat(join(runDir, "cv_feature_store", FEATURE_STORE_METADATA_FILE))).isFile;
  } catch {
    return false;
  }
}

function objectiveOf(o: Omit<VariantOutcome, "objective" | "vsFirst">, k: SweepObjective): number {
  return k === "mean_qwk"
    ? o.meanQwk
    : k === "worst_prompt_qwk"
    ? o.worstPromptQwk
    : o.highBandAdjacent;
}

function scoresOf(run: CvRunData) {
  const m = run.metrics;
  return {
    meanQwk: m.summary.qwk.mean,
    meanQwkCutpoints: m.summary.qwkCutpoints?.mean ?? null,
    worstPromptQwk: m.evidence?.rounded.worstPrompt?.qwk ?? NaN,
    highBandAdjacent: m.evidence?.rounded.tails.high.adjacentAccuracy ?? NaN,
  };
}

/** Where the variants of a sweep keep things. */
export interface SweepContext {
  readonly run: RunContext;
  readonly sweepDir: string;
  readonly objective: SweepObjective;
  readonly gate?: GateProfile;
  readonly resamples?: number;
}

/** A variant's scores as the ranked table shows them. */
export type VariantScores = Pick<
  VariantOutcome,
  "meanQwk" | "meanQwkCutpoints" | "worstPromptQwk" | "highBandAdjacent"
>;

/** A finished variant before it is compared: where it ran, its scores, its run read back. */
export interface ScoredVariant<L> {
  readonly partial: Omit<VariantOutcome, "objective" | "vsFirst">;
  readonly loaded: L;
}

/**
 * Run (or read back) every planned variant in order, each a cv run on the shared store, then
 * compare each with the first.
 *
 * @example
 * ```ts
 * const outcomes = await runVariants(ctx, plan);
 * ```
 */
export async function runVariants(
  ctx: SweepContext,
  plan: readonly PlannedVariant[],
): Promise<VariantOutcome[]> {
  const done = await runVariantDirs(ctx, plan, async (dir) => {
    const data = await loadCvRun(dir);
    return { loaded: data, scores: scoresOf(data) };
  });
  // N − 1 comparisons with #0: Bonferroni-adjusted intervals, so "B beats A" and the gate keep a
  // family-wise 5 % error over the whole sweep
  const level = bonferroniLevel(done.length - 1);
  return done.map(({ partial: p, loaded }, k) => ({
    ...p,
    objective: objectiveOf(p, ctx.objective),
    vsFirst: k === 0 ? null : compareLoadedRuns(done[0].loaded, loaded, {
      gate: ctx.gate,
      seed: ctx.run.config.seed,
      resamples: ctx.resamples,
      level,
    }),
  }));
}

/**
 * Run (or read back) every planned variant in order, each a cv run on the shared store (the
 * first variant's store when the base config names none), and score each run directory with
 * `evaluate`; `metric` names the score in `run.log`.
 *
 * @example
 * ```ts
 * const done = await runVariantDirs(ctx, plan, async (dir) => ({ loaded: dir, scores }));
 * ```
 */
export async function runVariantDirs<L>(
  ctx: SweepContext,
  plan: readonly PlannedVariant[],
  evaluate: (dir: string) => Promise<{ loaded: L; scores: VariantScores }>,
  metric = "QWK",
): Promise<ScoredVariant<L>[]> {
  const variantsDir = join(ctx.sweepDir, "variants");
  let store = plan[0]?.config.reuseCvFeatureStoreDir;
  let storeSet = store ? await storedFeatureSet(store) : undefined;
  const caches = new Map<string, Map<number, StackedColumns>>();
  const out: ScoredVariant<L>[] = [];
  for (const v of plan) {
    const t0 = performance.now();
    let dir = await finishedVariantDir(variantsDir, v.hash);
    const reused = dir !== null;
    if (!dir) {
      const covered = store && storeSet && featureSetCovers(storeSet, v.config.featureSet);
      const cacheKey = [
        v.config.seed,
        v.step.textStacking,
        usesEmbeddingStacking(v.config, v.step),
        v.step.embeddingStackingAlpha ?? "",
      ].join("|");
      if (!caches.has(cacheKey)) caches.set(cacheKey, new Map());
      ctx.run.log.info(`variant ${v.index + 1}/${plan.length} (${v.hash}): ${v.label}`);
      dir = await runVariantCv(v, variantsDir, covered ? store : undefined, caches.get(cacheKey)!);
    } else ctx.run.log.info(`variant ${v.index + 1}/${plan.length} (${v.hash}): done, ${dir}`);
    if (!store && await hasOwnStore(dir)) {
      // the first variant extracted (now or in an earlier, resumed run): everyone else reuses it
      store = join(dir, "cv_feature_store");
      storeSet = await storedFeatureSet(store);
    }
    const { loaded, scores } = await evaluate(dir);
    const partial = {
      index: v.index,
      hash: v.hash,
      label: v.label,
      overrides: v.overrides,
      runDir: dir,
      reused,
      seconds: (performance.now() - t0) / 1000,
      ...scores,
    };
    out.push({ partial, loaded });
    ctx.run.log.info(
      `variant ${v.index + 1}: ${metric} ${partial.meanQwk.toFixed(4)}` +
        (reused ? " (reused)" : ` in ${partial.seconds.toFixed(1)} s`),
    );
  }
  return out;
}

/** One variant's cv run (on `store` when it covers the variant's feature set); its directory. */
async function runVariantCv(
  v: PlannedVariant,
  variantsDir: string,
  store: string | undefined,
  stackingCache: Map<number, StackedColumns>,
): Promise<string> {
  const variantConfig = {
    ...v.config,
    outputRoot: variantsDir,
    runName: v.hash,
    experimentLogPath: join(variantsDir, "EXPERIMENT_LOG.md"),
    // a store that does not cover this feature set would be refused: extract anew then
    reuseCvFeatureStoreDir: store,
  };
  const r = await runCv(variantConfig, {
    echo: false,
    step: v.step,
    stackingCache,
    // the manifest records the cv command that reproduces this variant on its own
    argv: equivalentCliArgs(variantConfig, CV_FLAGS, stepFlags(v.step)),
  });
  return r.runDir;
}

/**
 * The interval level that keeps a family-wise error of `alpha` over `comparisons` comparisons
 * (Bonferroni): 1 − alpha / comparisons (0.95 for one or none).
 *
 * @example
 * ```ts
 * bonferroniLevel(23); // 0.99782…
 * ```
 */
export function bonferroniLevel(comparisons: number, alpha = 0.05): number {
  return 1 - alpha / Math.max(1, comparisons);
}

/**
 * Variants ranked by objective, best first (NaN last; ties by index).
 *
 * @example
 * ```ts
 * rankVariants(outcomes)[0]; // the selected variant
 * ```
 */
export function rankVariants<T extends Pick<VariantOutcome, "objective" | "index">>(
  outcomes: readonly T[],
): T[] {
  const key = (o: T) => (Number.isNaN(o.objective) ? -Infinity : o.objective);
  return [...outcomes].sort((a, b) => key(b) - key(a) || a.index - b.index);
}

/**
 * The config file of a variant (`selected_params.json`): every config key a sweep may vary, as
 * resolved for it — loadable with `--config`.
 */
export function selectedParams(config: ExperimentConfig): Record<string, unknown> {
  return {
    model: config.model,
    featureSet: config.featureSet,
    excludedFeatures: config.excludedFeatures,
    treeParams: config.treeParams,
    ridgeParams: config.ridgeParams,
    optimiseCutpoints: config.optimiseCutpoints,
    cutpointMode: config.cutpointMode,
    sampleWeighting: config.sampleWeighting,
    sampleWeightCap: config.sampleWeightCap,
  };
}

/** The step-level flags of a variant (not config keys), e.g. `--text-stacking false`. */
export function selectedFlags(overrides: Overrides): string[] {
  return Object.entries(overrides).flatMap(([k, v]) =>
    (STEP_PARAMETERS as readonly string[]).includes(k)
      ? [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)]
      : []
  );
}

/** Write `sweep_summary.json`, `sweep_summary.md` and `selected_params.json`. */
export async function writeSweepOutputs(
  sweepDir: string,
  plan: readonly PlannedVariant[],
  ranked: readonly VariantOutcome[],
  objective: SweepObjective,
  markdown: string,
  confirmation: unknown = null,
): Promise<{ summaryPath: string; selectedPath: string }> {
  const best = ranked[0];
  const bestPlan = plan[best.index];
  const summaryPath = join(sweepDir, "sweep_summary.md");
  const selectedPath = join(sweepDir, "selected_params.json");
  await writeJsonAtomic(selectedPath, selectedParams(bestPlan.config));
  await writeJsonAtomic(join(sweepDir, "sweep_summary.json"), {
    schema_version: 1,
    objective,
    comparisons: ranked.length - 1,
    ci_level: bonferroniLevel(ranked.length - 1),
    confirmation,
    selected: {
      index: best.index,
      hash: best.hash,
      label: best.label,
      run_dir: best.runDir,
      config_file: selectedPath,
      flags: selectedFlags(best.overrides),
    },
    variants: ranked.map((o) => ({
      rank: ranked.indexOf(o) + 1,
      index: o.index,
      hash: o.hash,
      label: o.label,
      overrides: o.overrides,
      run_dir: o.runDir,
      reused: o.reused,
      seconds: o.seconds,
      mean_qwk: o.meanQwk,
      mean_qwk_cutpoints: o.meanQwkCutpoints,
      worst_prompt_qwk: o.worstPromptQwk,
      high_band_adjacent: o.highBandAdjacent,
      objective: o.objective,
      vs_first: o.vsFirst
        ? {
          qwk: o.vsFirst.comparison.bootstrap.qwk,
          difference: o.vsFirst.comparison.difference,
          gate_passed: o.vsFirst.gate.passed,
          failed_checks: o.vsFirst.gate.checks.filter((k) => !k.passed).map((k) => k.check),
        }
        : null,
    })),
  });
  await writeFileAtomic(summaryPath, markdown);
  return { summaryPath, selectedPath };
}
