/**
 * `deno task bench quality-corpus --run <cv run dir> [--dataset <manifest>]`: a finished `cv`
 * run on any manifest corpus against a TF-IDF ridge reference (word 1–2-grams, sublinear tf,
 * min_df 2, alpha from {0.3, 1, 3, 10} by inner 5-fold CV; `quality_corpus_reference.ts`) on the
 * very same folds of the run's `splits.json`, QWK on the corpus's own scale by the project's
 * metric. Writes `quality_corpus_<dataset>_<scheme>.{json,md}` under `--out`: per-fold QWK of
 * both and their difference, mean ± std, the pooled out-of-fold QWK, and issue 18's target
 * (project CV QWK ≥ reference + 0.05).
 *
 * Per-prompt corpora (`quality_corpus_per_prompt.ts`): the reference is trained per prompt on
 * each prompt's own scale and both are compared on the mean per-prompt QWK (Fisher z).
 *
 * Before comparing it checks that the comparison is what it says: the run's out-of-fold rows
 * must reproduce its reported CV QWK, and every essay must sit in the same fold in the run and in
 * `splits.json` (which is bound to the corpus by id and text hash, as `cv` binds it).
 *
 * @module
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Essay } from "../dataset/essay.ts";
import { applyStandardFilters } from "../dataset/filters.ts";
import { loadDataset } from "../dataset/load_dataset.ts";
import { readDatasetManifest } from "../dataset/manifest.ts";
import { singleScale } from "../dataset/per_prompt_scale.ts";
import { describeScale, type ScoreScale } from "../dataset/score_scale.ts";
import { quadraticWeightedKappa } from "../model/evaluation/metrics.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import type { ExperimentConfig } from "../run/config.ts";
import { loadSplitsForDataset } from "../splits/apply_splits.ts";
import type { SplitsSchemeName } from "../splits/splits_file.ts";
import { type CvRunData, loadCvRun, type OofRow, readCvRunManifest } from "../steps/cv_run_dir.ts";
import { isPerPromptRunDir } from "../steps/per_prompt_compare.ts";
import {
  qualityCorpusPerPrompt,
  type QualityCorpusPerPromptReport,
} from "./quality_corpus_per_prompt.ts";
import { filterSettingsOf } from "../steps/prepare_dataset.ts";
import { foldStats } from "./quality_bench.ts";
import {
  type CorpusFold,
  qualityCorpusMarkdown,
  qualityCorpusPerPromptMarkdown,
  type QualityCorpusReport,
} from "./quality_corpus_report.ts";
import {
  type ReferenceFold,
  referenceFolds,
  runTfidfRidge,
  TFIDF_RIDGE_DEFAULTS,
  tfidfRidgeRequest,
  type TfidfRidgeResult,
  tfidfRidgeUnavailable,
} from "./quality_corpus_reference.ts";

/** Issue 18: the project's CV QWK must be at least the reference's plus this. */
export const CORPUS_TARGET_MARGIN = 0.05;

/** `bench quality-corpus` flags. */
export const QUALITY_CORPUS_OPTIONS = {
  run: { type: "string" },
  dataset: { type: "string" },
  python: { type: "string", default: "/usr/bin/python3" },
  out: { type: "string", default: "output/bench" },
} as const;

/** What each `bench quality-corpus` flag does. */
export const QUALITY_CORPUS_HELP: Readonly<Record<keyof typeof QUALITY_CORPUS_OPTIONS, string>> = {
  run: "a finished cv run directory (its splits.json, scheme, corpus and OOF predictions)",
  dataset: "dataset manifest to read the essays from (default: the one the run recorded; " +
    "must have the same name)",
  python: "Python interpreter with scikit-learn for the TF-IDF ridge reference",
  out: "output directory",
};

/**
 * Per-fold QWK of a cv run from its out-of-fold rows (rounded raw predictions, and the
 * cut-point column when every row has one).
 *
 * @example
 * ```ts
 * projectFoldQwks(run.rows, run.scale).get(0)?.rounded;
 * ```
 */
export function projectFoldQwks(
  rows: readonly OofRow[],
  scale: ScoreScale,
): Map<number, { n: number; rounded: number; cutpoints: number | null }> {
  const byFold = new Map<number, OofRow[]>();
  for (const r of rows) byFold.set(r.fold, [...(byFold.get(r.fold) ?? []), r]);
  const out = new Map<number, { n: number; rounded: number; cutpoints: number | null }>();
  for (const [fold, rs] of [...byFold].sort((a, b) => a[0] - b[0])) {
    const y = rs.map((r) => r.yTrue);
    const cut = rs.every((r) => r.cutpoints !== null) ? rs.map((r) => r.cutpoints!) : null;
    out.set(fold, {
      n: rs.length,
      rounded: quadraticWeightedKappa(y, rs.map((r) => r.raw), scale),
      cutpoints: cut ? quadraticWeightedKappa(y, cut, scale) : null,
    });
  }
  return out;
}

/**
 * Pair the project's folds with the reference's by fold number; throws when the fold numbers or
 * sizes differ (then they are not the same folds).
 *
 * @example
 * ```ts
 * const folds = pairCorpusFolds(projectFoldQwks(rows, scale), referenceFolds(result, scale));
 * ```
 */
export function pairCorpusFolds(
  project: ReadonlyMap<number, { n: number; rounded: number; cutpoints: number | null }>,
  reference: readonly ReferenceFold[],
): CorpusFold[] {
  const refByFold = new Map(reference.map((f) => [f.fold, f]));
  if (refByFold.size !== project.size) {
    throw new Error(`the run has ${project.size} folds, the reference ${refByFold.size}`);
  }
  return [...project].map(([fold, p]) => {
    const r = refByFold.get(fold);
    if (!r || r.nVal !== p.n) {
      throw new Error(`fold ${fold}: ${p.n} essays in the run, ${r?.nVal ?? 0} in the reference`);
    }
    return {
      fold,
      nVal: p.n,
      project: p.rounded,
      projectCutpoints: p.cutpoints,
      reference: r.qwk,
      referenceAlpha: r.alpha,
      delta: p.rounded - r.qwk,
    };
  });
}

/**
 * Issue 18's target on paired folds: project mean ≥ reference mean + {@link CORPUS_TARGET_MARGIN}.
 *
 * @example
 * ```ts
 * corpusTarget(folds).met;
 * ```
 */
export function corpusTarget(
  folds: readonly CorpusFold[],
): { margin: number; needed: number; met: boolean } {
  const ref = foldStats(folds.map((f) => f.reference)).mean;
  const project = foldStats(folds.map((f) => f.project)).mean;
  const needed = ref + CORPUS_TARGET_MARGIN;
  return { margin: CORPUS_TARGET_MARGIN, needed, met: project >= needed };
}

/** The run's config, with `--dataset` swapped in (same corpus name) when given. */
async function runConfig(
  run: { readonly dir: string; readonly config: ExperimentConfig },
  datasetPath: string | undefined,
) {
  const config = run.config;
  if (!config.dataset) {
    throw new Error(
      `${run.dir} is not a cv run on a dataset manifest (--dataset); use bench quality`,
    );
  }
  if (!datasetPath) return config;
  const m = await readDatasetManifest(datasetPath);
  if (m.name !== config.dataset.name) {
    throw new Error(
      `--dataset ${datasetPath} is "${m.name}", the run's corpus is "${config.dataset.name}"`,
    );
  }
  return { ...config, dataset: m };
}

/** The filtered train essays bound to the run's splits: essays and each one's fold. */
async function boundFolds(config: ExperimentConfig, scheme: SplitsSchemeName) {
  const d = await loadDataset(config);
  const train = applyStandardFilters(d.train, filterSettingsOf(config)).kept;
  const applied = await loadSplitsForDataset(config.splitsPath!, train, {
    filters: {
      min_words: config.minWords,
      max_words: config.maxWords,
      excluded_prompts: [...config.ellipseExcludedPrompts],
    },
  });
  const foldOf = new Map<string, number>();
  for (const f of applied.folds(scheme)) {
    for (const i of f.valIndices) foldOf.set(train[i].id, f.fold);
  }
  return { train: train as readonly Essay[], foldOf, scale: d.scale };
}

/** Throws unless the run's OOF rows reproduce its CV QWK and sit in the splits' folds. */
function checkRunMatchesSplits(
  run: CvRunData,
  project: ReturnType<typeof projectFoldQwks>,
  foldOf: ReadonlyMap<string, number>,
): void {
  const mean = foldStats([...project.values()].map((p) => p.rounded)).mean;
  if (Math.abs(mean - run.metrics.summary.qwk.mean) > 1e-9) {
    throw new Error(
      `${run.dir}: its out-of-fold predictions give CV QWK ${mean}, it reports ` +
        `${run.metrics.summary.qwk.mean}`,
    );
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

/** Pooled out-of-fold QWK of both systems over every validated essay. */
function pooledQwks(run: CvRunData, result: TfidfRidgeResult, scale: ScoreScale) {
  const p = result.predictions;
  return {
    project: quadraticWeightedKappa(
      run.rows.map((r) => r.yTrue),
      run.rows.map((r) => r.raw),
      scale,
    ),
    reference: quadraticWeightedKappa(
      p.map((r) => scale.min + r.score * scale.step),
      p.map((r) => scale.min + r.prediction_raw * scale.step),
      scale,
    ),
  };
}

/** Inputs of {@link qualityCorpusReport}. */
export interface QualityCorpusInputs {
  readonly runDir: string;
  readonly datasetPath?: string;
  readonly python: string;
  readonly workDir: string;
  readonly command: string;
  readonly onLog: (line: string) => void;
}

/**
 * Compare a finished cv run with the TF-IDF ridge reference on its own folds.
 *
 * @example
 * ```ts
 * const r = await qualityCorpusReport({ runDir, python: "/usr/bin/python3", workDir: "/tmp/q",
 *   command: "bench quality-corpus", onLog: console.error });
 * r.target.met;
 * ```
 */
export async function qualityCorpusReport(i: QualityCorpusInputs): Promise<QualityCorpusReport> {
  const run = await loadCvRun(i.runDir);
  const config = await runConfig(run, i.datasetPath);
  const scheme = config.scheme as SplitsSchemeName;
  const bound = await boundFolds(config, scheme);
  const { train, foldOf } = bound;
  const scale = singleScale(bound.scale, "bench quality-corpus");
  const project = projectFoldQwks(run.rows, scale);
  checkRunMatchesSplits(run, project, foldOf);
  const missing = await tfidfRidgeUnavailable(i.python);
  if (missing) throw new Error(missing);
  const request = tfidfRidgeRequest(train, foldOf, scale, config.seed);
  const result = await runTfidfRidge(i.python, request, i.workDir, i.onLog);
  const folds = pairCorpusFolds(project, referenceFolds(result, scale));
  const cut = folds.every((f) => f.projectCutpoints !== null)
    ? foldStats(folds.map((f) => f.projectCutpoints!))
    : null;
  return {
    command: i.command,
    createdAt: new Date().toISOString(),
    dataset: {
      name: config.dataset!.name,
      language: config.dataset!.language,
      scale: describeScale(scale),
      nEssays: train.length,
    },
    run: {
      dir: i.runDir,
      commandLine: run.commandLine,
      featureSet: config.featureSet,
      model: config.model,
    },
    checker: config.checker ?? "auto",
    scheme,
    splitsPath: config.splitsPath!,
    folds,
    project: foldStats(folds.map((f) => f.project)),
    projectCutpoints: cut,
    reference: foldStats(folds.map((f) => f.reference)),
    delta: foldStats(folds.map((f) => f.delta)),
    pooled: pooledQwks(run, result, scale),
    referenceModel: {
      description: result.model,
      alphas: TFIDF_RIDGE_DEFAULTS.alphas,
      innerFolds: TFIDF_RIDGE_DEFAULTS.innerFolds,
    },
    referenceVersions: result.versions,
    target: corpusTarget(folds),
  };
}

/**
 * The per-prompt comparison of a cv run on a per-prompt corpus (`quality_corpus_per_prompt.ts`):
 * the same run, splits and essays, the reference trained per prompt on its own scale.
 *
 * @example
 * ```ts
 * const r = await qualityCorpusPerPromptReport({ runDir, python: "/usr/bin/python3",
 *   workDir: "/tmp/q", command: "bench quality-corpus", onLog: console.error });
 * ```
 */
export async function qualityCorpusPerPromptReport(
  i: QualityCorpusInputs,
): Promise<QualityCorpusPerPromptReport> {
  const manifest = await readCvRunManifest(i.runDir);
  const config = await runConfig({ dir: i.runDir, config: manifest.config }, i.datasetPath);
  const scheme = config.scheme as SplitsSchemeName;
  const { train, foldOf } = await boundFolds(config, scheme);
  return await qualityCorpusPerPrompt(
    { ...i, train, foldOf, seed: config.seed },
    {
      command: i.command,
      name: config.dataset!.name,
      language: config.dataset!.language,
      run: {
        dir: i.runDir,
        commandLine: manifest.command_line,
        featureSet: config.featureSet,
        model: config.model,
      },
      checker: config.checker ?? "auto",
      scheme,
      splitsPath: config.splitsPath!,
    },
  );
}

/**
 * `deno task bench quality-corpus`: compare, print the Markdown, write JSON + Markdown.
 *
 * @example
 * ```ts
 * await runQualityCorpusBench(["--run", "output/essay_scoring/<UTC>_asap_cv"]);
 * ```
 */
export async function runQualityCorpusBench(
  args: readonly string[],
): Promise<QualityCorpusReport | QualityCorpusPerPromptReport> {
  const { values } = parseArgs({ args: [...args], options: QUALITY_CORPUS_OPTIONS, strict: true });
  if (!values.run) throw new Error("--run <cv run directory> is required (see --help)");
  const out = resolve(values.out);
  const inputs = {
    runDir: resolve(values.run),
    datasetPath: values.dataset ? resolve(values.dataset) : undefined,
    python: values.python,
    workDir: join(out, "quality_corpus_work"),
    command: ["deno task bench quality-corpus", ...args].join(" "),
    onLog: (line: string) => console.error(line),
  };
  // per-prompt corpora: the reference per prompt, the mean per-prompt QWK (Fisher z)
  const perPrompt = await isPerPromptRunDir(inputs.runDir);
  const report = perPrompt
    ? await qualityCorpusPerPromptReport(inputs)
    : await qualityCorpusReport(inputs);
  const base = join(out, `quality_corpus_${report.dataset.name}_${report.scheme}`);
  const md = "kind" in report
    ? qualityCorpusPerPromptMarkdown(report)
    : qualityCorpusMarkdown(report);
  await writeJsonAtomic(`${base}.json`, report);
  await writeFileAtomic(`${base}.md`, md);
  console.log(md);
  console.error(`wrote ${base}.json and ${base}.md`);
  return report;
}
