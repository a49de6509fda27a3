/**
 * The report of `deno task bench quality-corpus` (its JSON shape) and its Markdown: what was
 * compared and how, one row per fold (project, reference, Δ, the reference's alpha), the summary
 * and issue 18's target; for per-prompt corpora the same on the mean per-prompt QWK (Fisher z),
 * with each prompt's QWK.
 *
 * @module
 */
import { markdownTable } from "../report/model_reports.ts";
import type { FoldStats } from "./quality_bench.ts";
import type { PromptPair, QualityCorpusPerPromptReport } from "./quality_corpus_per_prompt.ts";

/** One fold, both systems. */
export interface CorpusFold {
  readonly fold: number;
  readonly nVal: number;
  readonly project: number;
  readonly projectCutpoints: number | null;
  readonly reference: number;
  readonly referenceAlpha: number;
  /** project − reference. */
  readonly delta: number;
}

/** The report `bench quality-corpus` writes. */
export interface QualityCorpusReport {
  readonly command: string;
  readonly createdAt: string;
  readonly dataset: { name: string; language: string; scale: string; nEssays: number };
  readonly run: { dir: string; commandLine: string; featureSet: string; model: string };
  readonly checker: string;
  readonly scheme: string;
  readonly splitsPath: string;
  readonly folds: readonly CorpusFold[];
  readonly project: FoldStats;
  readonly projectCutpoints: FoldStats | null;
  readonly reference: FoldStats;
  readonly delta: FoldStats;
  readonly pooled: { project: number; reference: number };
  readonly referenceModel: { description: string; alphas: readonly number[]; innerFolds: number };
  readonly referenceVersions: Readonly<Record<string, string>>;
  readonly target: { margin: number; needed: number; met: boolean };
}

const f4 = (x: number) => x.toFixed(4);
const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(4)}`;
const pm = (s: FoldStats | null) => (s ? `${f4(s.mean)} ± ${f4(s.std)}` : "—");

/**
 * The report as Markdown.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("quality_corpus.md", qualityCorpusMarkdown(report));
 * ```
 */
export function qualityCorpusMarkdown(r: QualityCorpusReport): string {
  const rows = r.folds.map((f) => [
    String(f.fold),
    String(f.nVal),
    f4(f.project),
    f.projectCutpoints === null ? "—" : f4(f.projectCutpoints),
    f4(f.reference),
    String(f.referenceAlpha),
    signed(f.delta),
  ]);
  rows.push([
    "mean ± std",
    String(r.folds.reduce((a, f) => a + f.nVal, 0)),
    pm(r.project),
    pm(r.projectCutpoints),
    pm(r.reference),
    "",
    pm(r.delta),
  ]);
  rows.push(["pooled OOF", "", f4(r.pooled.project), "", f4(r.pooled.reference), "", ""]);
  return [
    `# Quality on ${r.dataset.name}: cv run vs TF-IDF ridge reference, same folds`,
    "",
    `- command: \`${r.command}\``,
    `- corpus: ${r.dataset.name} (${r.dataset.language}), ${r.dataset.nEssays} essays in the ` +
    `filtered train set; scale ${r.dataset.scale}`,
    `- folds: scheme \`${r.scheme}\` of \`${r.splitsPath}\` (the run's own; every essay checked ` +
    "to sit in the same fold)",
    `- project: cv run \`${r.run.dir}\` (feature set ${r.run.featureSet}, model ${r.run.model}, ` +
    `checker ${r.checker}): \`${r.run.commandLine}\``,
    `- reference: ${r.referenceModel.description}; alpha from ` +
    `{${r.referenceModel.alphas.join(", ")}} by inner ${r.referenceModel.innerFolds}-fold CV ` +
    `(MSE) of the training part; predictions rounded to the scale (` +
    `${Object.entries(r.referenceVersions).map(([k, v]) => `${k} ${v}`).join(", ")})`,
    "",
    "QWK by the project's metric over every level of the scale; mean ± population std over the " +
    "folds; Δ = project (rounded) − reference on the same fold.",
    "",
    markdownTable(
      ["fold", "essays", "project", "project cut-points", "reference", "ref. alpha", "Δ"],
      rows,
    ),
    "",
    `Target (issue 18): project CV QWK ≥ reference + ${r.target.margin} = ${
      f4(r.target.needed)
    }: ` +
    `${r.target.met ? "met" : "**not met**"} (project ${f4(r.project.mean)}, Δ ` +
    `${signed(r.delta.mean)}).`,
    "",
  ].join("\n");
}

const opt4 = (x: number | null) => (x === null ? "—" : f4(x));
const pair = (p: PromptPair | undefined) =>
  p === undefined ? "—" : `${opt4(p.project)} / ${opt4(p.reference)}`;

/**
 * The per-prompt report as Markdown: per fold the headline of both systems and Δ, and each
 * prompt's QWK (project / reference); out of fold the same; the target.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("quality_corpus.md", qualityCorpusPerPromptMarkdown(report));
 * ```
 */
export function qualityCorpusPerPromptMarkdown(r: QualityCorpusPerPromptReport): string {
  const prompts = Object.keys(r.dataset.scales);
  const foldRows = r.folds.map((f) => [
    String(f.fold),
    String(f.nVal),
    f4(f.project),
    f4(f.reference),
    signed(f.delta),
    ...prompts.map((p) => pair(f.prompts.find((x) => x.prompt === p))),
  ]);
  foldRows.push([
    "mean ± std",
    String(r.folds.reduce((a, f) => a + f.nVal, 0)),
    pm(r.project),
    pm(r.reference),
    pm(r.delta),
    ...prompts.map(() => ""),
  ]);
  const o = r.outOfFold;
  foldRows.push([
    "out of fold",
    "",
    f4(o.project),
    f4(o.reference),
    signed(o.project - o.reference),
    ...prompts.map((p) => pair(o.prompts.find((x) => x.prompt === p))),
  ]);
  const scales = prompts.map((p) => `${p}: ${r.dataset.scales[p]}`).join("; ");
  return [
    `# Quality on ${r.dataset.name}: cv run vs per-prompt TF-IDF ridge reference, same folds`,
    "",
    `- command: \`${r.command}\``,
    `- corpus: ${r.dataset.name} (${r.dataset.language}), ${r.dataset.nEssays} essays in the ` +
    `filtered train set; per-prompt scales (${scales}); the run trains on the common grid ` +
    `0–${r.dataset.gridSize}`,
    `- folds: scheme \`${r.scheme}\` of \`${r.splitsPath}\` (the run's own; every essay checked ` +
    "to sit in the same fold)",
    `- project: cv run \`${r.run.dir}\` (feature set ${r.run.featureSet}, model ${r.run.model}, ` +
    `checker ${r.checker}): \`${r.run.commandLine}\``,
    `- reference: ${r.referenceModel.description}, trained on ${r.referenceModel.trainedOn}; ` +
    `alpha from {${r.referenceModel.alphas.join(", ")}} by inner ` +
    `${r.referenceModel.innerFolds}-fold CV (MSE) of each prompt's training part (` +
    `${Object.entries(r.referenceVersions).map(([k, v]) => `${k} ${v}`).join(", ")})`,
    "",
    `Headline: ${r.headline} over the prompts with at least 10 essays and two true levels in ` +
    "the fold; each prompt's QWK on its own scale (project / reference); mean ± population " +
    "std over the folds; Δ = project − reference on the same fold.",
    "",
    markdownTable(
      ["fold", "essays", "project", "reference", "Δ", ...prompts.map((p) => `prompt ${p}`)],
      foldRows,
    ),
    "",
    `Target (issue 18): project CV ≥ reference + ${r.target.margin} = ${f4(r.target.needed)}: ` +
    `${r.target.met ? "met" : "**not met**"} (project ${f4(r.project.mean)}, Δ ` +
    `${signed(r.delta.mean)}).`,
    "",
  ].join("\n");
}
