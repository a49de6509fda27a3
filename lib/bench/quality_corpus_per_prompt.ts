/**
 * `deno task bench quality-corpus` on a cv run of a per-prompt corpus (issue 18, ASAP-style
 * scales): the TF-IDF ridge reference (`quality_corpus_reference.ts`) trained **per prompt on
 * each prompt's own scale** — the classical prompt-specific baseline — on the very same folds of
 * the run's `splits.json`, and both systems evaluated per prompt with the run's headline, the
 * **mean per-prompt QWK (Fisher z)** (`meanPerPromptQwk`: prompts with at least 10 essays and
 * two true levels), per fold (paired: Δ = project − reference on the same essays) and out of
 * fold, plus each prompt's QWK. Issue 18's target: project CV ≥ reference + 0.05 (fold means).
 *
 * Before comparing it checks that the comparison is what it says: the run's grid out-of-fold rows
 * must reproduce its reported out-of-fold headline, and every essay must sit in the same fold in
 * the run and in `splits.json`.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import type { Essay } from "../dataset/essay.ts";
import { gridLabelOfIndex, gridToValue } from "../dataset/common_grid.ts";
import { type PerPromptScale, promptScale } from "../dataset/per_prompt_scale.ts";
import { describeScale, labelIndex } from "../dataset/score_scale.ts";
import { meanPerPromptQwk } from "../model/evaluation/per_prompt_evaluation.ts";
import { quadraticWeightedKappa } from "../model/evaluation/metrics.ts";
import { MIN_PROMPT_QWK_N } from "../model/evaluation/slice_metrics.ts";
import { loadPerPromptCvRun, type PerPromptCvRun } from "../steps/per_prompt_compare.ts";
import { type FoldStats, foldStats } from "./quality_bench.ts";
import {
  referenceFolds,
  runTfidfRidge,
  TFIDF_RIDGE_DEFAULTS,
  tfidfRidgeRequest,
  tfidfRidgeUnavailable,
} from "./quality_corpus_reference.ts";

/** Issue 18: the project's CV figure must be at least the reference's plus this. */
const TARGET_MARGIN = 0.05;

/** One essay of the comparison: its prompt, fold, grid label and both systems' grid predictions. */
export interface PairedGridRow {
  readonly id: string;
  readonly prompt: string;
  readonly fold: number;
  readonly yGrid: number;
  readonly project: number;
  readonly reference: number;
}

/** One prompt's QWK (on its own scale) of both systems over some essays; null when undefined. */
export interface PromptPair {
  readonly prompt: string;
  readonly n: number;
  readonly project: number | null;
  readonly reference: number | null;
  /** The reference's alpha in this fold (fold rows only). */
  readonly referenceAlpha?: number;
}

/** One fold: the headline of both systems and Δ, and each prompt's QWK. */
export interface PerPromptCorpusFold {
  readonly fold: number;
  readonly nVal: number;
  readonly project: number;
  readonly reference: number;
  readonly delta: number;
  readonly prompts: readonly PromptPair[];
}

/** The report `bench quality-corpus` writes for a per-prompt run. */
export interface QualityCorpusPerPromptReport {
  readonly kind: "per_prompt";
  readonly command: string;
  readonly createdAt: string;
  readonly headline: "mean per-prompt QWK (Fisher z)";
  readonly dataset: {
    name: string;
    language: string;
    scales: Readonly<Record<string, string>>;
    gridSize: number;
    nEssays: number;
  };
  readonly run: { dir: string; commandLine: string; featureSet: string; model: string };
  readonly checker: string;
  readonly scheme: string;
  readonly splitsPath: string;
  readonly folds: readonly PerPromptCorpusFold[];
  readonly project: FoldStats;
  readonly reference: FoldStats;
  readonly delta: FoldStats;
  readonly outOfFold: { project: number; reference: number; prompts: readonly PromptPair[] };
  readonly referenceModel: {
    description: string;
    alphas: readonly number[];
    innerFolds: number;
    trainedOn: "each prompt's own essays and scale";
  };
  readonly referenceVersions: Readonly<Record<string, string>>;
  readonly target: { margin: number; needed: number; met: boolean };
}

/**
 * Each prompt's QWK on its own scale over some rows, both systems (null below
 * `MIN_PROMPT_QWK_N` essays or with one true level, as in the headline).
 *
 * @example
 * ```ts
 * promptPairs(rows, pp).map((p) => p.project);
 * ```
 */
export function promptPairs(rows: readonly PairedGridRow[], pp: PerPromptScale): PromptPair[] {
  const prompts = [...new Set(rows.map((r) => r.prompt))].sort((a, b) => a.localeCompare(b));
  return prompts.map((prompt) => {
    const scale = promptScale(pp, prompt);
    const rs = rows.filter((r) => r.prompt === prompt);
    const t = rs.map((r) => gridToValue(scale, pp.gridSize, r.yGrid));
    const defined = rs.length >= MIN_PROMPT_QWK_N && new Set(t).size >= 2;
    const qwk = (pick: (r: PairedGridRow) => number) =>
      defined
        ? quadraticWeightedKappa(t, rs.map((r) => gridToValue(scale, pp.gridSize, pick(r))), scale)
        : null;
    return {
      prompt,
      n: rs.length,
      project: qwk((r) => r.project),
      reference: qwk((r) => r.reference),
    };
  });
}

/** The headline of both systems over some rows (throws when no prompt's QWK is defined). */
function headlines(rows: readonly PairedGridRow[], pp: PerPromptScale, what: string) {
  const y = rows.map((r) => r.yGrid);
  const prompts = rows.map((r) => r.prompt);
  const project = meanPerPromptQwk(y, rows.map((r) => r.project), prompts, pp);
  const reference = meanPerPromptQwk(y, rows.map((r) => r.reference), prompts, pp);
  if (project === null || reference === null) {
    throw new Error(`${what}: no prompt has ${MIN_PROMPT_QWK_N} essays and two true levels`);
  }
  return { project, reference };
}

/**
 * Per-fold paired figures and the out-of-fold headline of both systems on the same essays.
 *
 * @example
 * ```ts
 * const { folds, outOfFold } = pairPerPromptFolds(rows, pp, alphas);
 * ```
 */
export function pairPerPromptFolds(
  rows: readonly PairedGridRow[],
  pp: PerPromptScale,
  alphaOf: (fold: number, prompt: string) => number | undefined,
): { folds: PerPromptCorpusFold[]; outOfFold: QualityCorpusPerPromptReport["outOfFold"] } {
  const foldIds = [...new Set(rows.map((r) => r.fold))].sort((a, b) => a - b);
  const folds = foldIds.map((fold) => {
    const rs = rows.filter((r) => r.fold === fold);
    const h = headlines(rs, pp, `fold ${fold}`);
    const prompts = promptPairs(rs, pp).map((p) => ({
      ...p,
      referenceAlpha: alphaOf(fold, p.prompt),
    }));
    return { fold, nVal: rs.length, ...h, delta: h.project - h.reference, prompts };
  });
  return {
    folds,
    outOfFold: { ...headlines(rows, pp, "out of fold"), prompts: promptPairs(rows, pp) },
  };
}

/** Throws unless the run's rows reproduce its out-of-fold headline and sit in the splits' folds. */
async function checkRun(
  run: PerPromptCvRun,
  foldOf: ReadonlyMap<string, number>,
): Promise<void> {
  const metricsPath = join(run.dir, "artifacts", "cv_metrics.json");
  const metrics = z.object({
    out_of_fold: z.object({ mean_per_prompt_qwk_fisher_z: z.number() }),
  }).parse(JSON.parse(await Deno.readTextFile(metricsPath)));
  const mine = meanPerPromptQwk(
    run.rows.map((r) => r.yGrid),
    run.rows.map((r) => r.raw),
    run.rows.map((r) => r.prompt),
    run.pp,
  );
  const reported = metrics.out_of_fold.mean_per_prompt_qwk_fisher_z;
  if (mine === null || Math.abs(mine - reported) > 1e-9) {
    throw new Error(`${run.dir}: its out-of-fold rows give ${mine}, it reports ${reported}`);
  }
  if (run.rows.length !== foldOf.size) {
    throw new Error(`${run.dir}: ${run.rows.length} OOF rows, ${foldOf.size} essays in the splits`);
  }
  for (const r of run.rows) {
    if (foldOf.get(r.id) !== r.fold) {
      throw new Error(
        `${run.dir}: essay ${r.id} is in fold ${r.fold} of the run, ` +
          `${foldOf.get(r.id) ?? "no fold"} of the splits`,
      );
    }
  }
}

/** What the per-prompt comparison needs of the bound corpus and the reference's environment. */
export interface PerPromptCorpusInputs {
  readonly runDir: string;
  readonly train: readonly Essay[];
  readonly foldOf: ReadonlyMap<string, number>;
  readonly seed: number;
  readonly python: string;
  readonly workDir: string;
  readonly onLog: (line: string) => void;
}

/**
 * The reference per prompt on its own scale: grid predictions of every essay (its level-index
 * prediction placed on the common grid) and each fold's alpha per prompt.
 */
async function referencePerPrompt(i: PerPromptCorpusInputs, pp: PerPromptScale) {
  const grid = new Map<string, number>();
  const alphas = new Map<string, number>();
  let versions: Record<string, string> = {};
  let description = "";
  for (const [prompt, scale] of pp.byPrompt) {
    const essays = i.train.filter((e) => e.prompt === prompt)
      .map((e) => ({ ...e, overall: gridToValue(scale, pp.gridSize, e.overall) }));
    if (essays.length === 0) continue;
    i.onLog(`reference: prompt ${prompt} (${essays.length} essays, ${describeScale(scale)})`);
    const request = tfidfRidgeRequest(essays, i.foldOf, scale, i.seed);
    const result = await runTfidfRidge(i.python, request, join(i.workDir, prompt), i.onLog);
    for (const f of referenceFolds(result, scale)) alphas.set(`${f.fold}\u0000${prompt}`, f.alpha);
    for (const p of result.predictions) {
      grid.set(p.id, gridLabelOfIndex(scale, pp.gridSize, p.prediction_raw));
    }
    // the labels went over as level indices: check they come back as the essays' own
    for (const e of essays) {
      const back = result.predictions.find((p) => p.id === e.id)?.score;
      if (back !== labelIndex(scale, e.overall)) throw new Error(`reference: essay ${e.id} lost`);
    }
    versions = result.versions;
    description = result.model;
  }
  return { grid, alphas, versions, description };
}

/**
 * Compare a per-prompt cv run with the per-prompt TF-IDF ridge reference on its own folds.
 *
 * @example
 * ```ts
 * const r = await qualityCorpusPerPrompt(inputs, meta);
 * r.target.met;
 * ```
 */
export async function qualityCorpusPerPrompt(
  i: PerPromptCorpusInputs,
  meta:
    & Pick<
      QualityCorpusPerPromptReport,
      "command" | "run" | "checker" | "scheme" | "splitsPath"
    >
    & { readonly name: string; readonly language: string },
): Promise<QualityCorpusPerPromptReport> {
  const run = await loadPerPromptCvRun(i.runDir);
  await checkRun(run, i.foldOf);
  const missing = await tfidfRidgeUnavailable(i.python);
  if (missing) throw new Error(missing);
  const ref = await referencePerPrompt(i, run.pp);
  const rows = run.rows.map((r) => {
    const reference = ref.grid.get(r.id);
    if (reference === undefined) throw new Error(`reference: no prediction for essay ${r.id}`);
    return { id: r.id, prompt: r.prompt, fold: r.fold, yGrid: r.yGrid, project: r.raw, reference };
  });
  const { folds, outOfFold } = pairPerPromptFolds(
    rows,
    run.pp,
    (fold, prompt) => ref.alphas.get(`${fold}\u0000${prompt}`),
  );
  const project = foldStats(folds.map((f) => f.project));
  const reference = foldStats(folds.map((f) => f.reference));
  const needed = reference.mean + TARGET_MARGIN;
  return {
    kind: "per_prompt",
    command: meta.command,
    createdAt: new Date().toISOString(),
    headline: "mean per-prompt QWK (Fisher z)",
    dataset: {
      name: meta.name,
      language: meta.language,
      scales: Object.fromEntries([...run.pp.byPrompt].map(([p, s]) => [p, describeScale(s)])),
      gridSize: run.pp.gridSize,
      nEssays: i.train.length,
    },
    run: meta.run,
    checker: meta.checker,
    scheme: meta.scheme,
    splitsPath: meta.splitsPath,
    folds,
    project,
    reference,
    delta: foldStats(folds.map((f) => f.delta)),
    outOfFold,
    referenceModel: {
      description: ref.description,
      alphas: TFIDF_RIDGE_DEFAULTS.alphas,
      innerFolds: TFIDF_RIDGE_DEFAULTS.innerFolds,
      trainedOn: "each prompt's own essays and scale",
    },
    referenceVersions: ref.versions,
    target: { margin: TARGET_MARGIN, needed, met: project.mean >= needed },
  };
}
