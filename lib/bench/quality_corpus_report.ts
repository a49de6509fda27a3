/**
 * The report of `deno task bench quality-corpus` (its JSON shape) and its Markdown: what was compared and how, one row per fold
 * (project, reference, Δ, the reference's alpha), the summary and issue 18's target.
 *
 * @module
 */
import { markdownTable } from "../report/model_reports.ts";
import type { FoldStats } from "./quality_bench.ts";

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
