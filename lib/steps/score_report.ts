/**
 * What a `score` run reports: counts, flags, the distribution of half-point scores and — when
 * the input has human scores — QWK and friends against them (`score_summary.json` and
 * `reports/score_report.md`).
 *
 * @module
 */
import { GENRE_MIX_WARNING } from "../run/experiment_log.ts";
import type { perPromptEvaluationJson } from "./per_prompt_outputs.ts";
import {
  type PromptTable,
  promptTable,
  promptTableMarkdown,
} from "../model/evaluation/prompt_table.ts";
import type { EssayToScore } from "../dataset/scoring_csv.ts";
import type { ModelBundle } from "../model/bundle/bundle.ts";
import type { PipelinePrediction } from "../model/pipeline/scoring_pipeline.ts";
import { type ScoreMetrics, scoreMetrics } from "../model/evaluation/metrics.ts";
import { markdownTable } from "../report/model_reports.ts";
import {
  describeScale,
  formatLevel,
  labelIndex,
  scaleLabels,
  type ScoreScale,
} from "../dataset/score_scale.ts";

/** Summary of one scoring run. */
export interface ScoreSummary {
  readonly schema_version: 1;
  readonly n: number;
  readonly learner: string;
  readonly featureSet: string;
  readonly extractorFingerprint: string;
  readonly trainingRunDir: string;
  readonly wordWindow: { readonly min: number; readonly max: number };
  /** Essays per flag (only flags that occurred). */
  readonly flagCounts: Readonly<Record<string, number>>;
  /** The model was trained on a genre mix without a declared scope (`--allow-genre-mix`). */
  readonly allowGenreMix: boolean;
  /** The bundle's score scale in words. */
  readonly scale: string;
  /** The scale's level names, lowest first (keys of the counts). */
  readonly levels: readonly string[];
  /** Essays per level ("1.0" … "5.0" for ELLIPSE), plain rounding. */
  readonly roundedCounts: Readonly<Record<string, number>>;
  /** The same with the cut-points (null when the bundle has none). */
  readonly cutpointCounts: Readonly<Record<string, number>> | null;
  /** Against the input's human scores, over the essays that have one. */
  readonly labelled: {
    readonly n: number;
    readonly metrics: ScoreMetrics;
    readonly cutpointMetrics: ScoreMetrics | null;
    /** Per prompt (essays without a prompt as "(no prompt)"), rounded predictions. */
    readonly perPrompt: PromptTable;
  } | null;
  /**
   * Per-prompt scales (`score_per_prompt.ts`): against the human scores, each prompt on its own
   * scale and the mean per-prompt QWK (Fisher z); `labelled` is then null (nothing is pooled).
   */
  readonly perPromptLabelled?: {
    readonly n: number;
    readonly evaluation: ReturnType<typeof perPromptEvaluationJson>;
  } | null;
}

function countsOf(values: ArrayLike<number>, scale: ScoreScale): Record<string, number> {
  const out = Object.fromEntries(scaleLabels(scale).map((l) => [l, 0]));
  for (let i = 0; i < values.length; i++) out[formatLevel(scale, labelIndex(scale, values[i]))]++;
  return out;
}

/**
 * Summarise a scoring run.
 *
 * @example
 * ```ts
 * const summary = scoreSummaryOf(bundle, essays, predictions, flags);
 * ```
 */
export function scoreSummaryOf(
  bundle: ModelBundle,
  essays: readonly EssayToScore[],
  p: PipelinePrediction,
  flags: readonly string[][],
): ScoreSummary {
  const flagCounts: Record<string, number> = {};
  for (const f of flags.flat()) flagCounts[f] = (flagCounts[f] ?? 0) + 1;
  const rows = essays.flatMap((e, i) => e.label === null ? [] : [i]);
  const yTrue = rows.map((i) => essays[i].label!);
  const scale = bundle.pipeline.scale;
  const labelled = rows.length > 0
    ? {
      n: rows.length,
      metrics: scoreMetrics(yTrue, rows.map((i) => p.raw[i]), scale),
      cutpointMetrics: p.cutpoints
        ? scoreMetrics(yTrue, rows.map((i) => p.cutpoints![i]), scale)
        : null,
      perPrompt: promptTable(
        yTrue,
        rows.map((i) => p.raw[i]),
        rows.map((i) => essays[i].prompt ?? "(no prompt)"),
        { seed: Number(bundle.meta.training.config.seed ?? 42), scale },
      ),
    }
    : null;
  const meta = bundle.meta;
  return {
    schema_version: 1,
    n: essays.length,
    learner: bundle.pipeline.learner.name,
    featureSet: meta.feature_set,
    extractorFingerprint: meta.extractor.fingerprint,
    trainingRunDir: meta.training.run_dir,
    wordWindow: { min: meta.word_window.min_words, max: meta.word_window.max_words },
    allowGenreMix: meta.training.config.allowGenreMix === true,
    scale: describeScale(scale),
    levels: scaleLabels(scale),
    flagCounts,
    roundedCounts: countsOf(p.rounded, scale),
    cutpointCounts: p.cutpoints ? countsOf(p.cutpoints, scale) : null,
    labelled,
  };
}

/** Where the outputs went (for the report). */
export interface ScoreReportPaths {
  readonly bundleDir: string;
  readonly input: string;
  readonly predictionsPath: string;
  readonly outputPath: string | null;
}

/**
 * The Markdown report of a scoring run.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("score_report.md", scoreReportMarkdown(summary, paths));
 * ```
 */
export function scoreReportMarkdown(s: ScoreSummary, paths: ScoreReportPaths): string {
  const flags = Object.entries(s.flagCounts);
  const lines = [
    ...(s.allowGenreMix ? [`> ${GENRE_MIX_WARNING}`, ""] : []),
    "# Score report",
    "",
    `- essays: ${s.n} from \`${paths.input}\``,
    `- model bundle: \`${paths.bundleDir}\` (${s.learner}, feature set ${s.featureSet}), ` +
    `trained in \`${s.trainingRunDir}\``,
    `- extractor fingerprint: \`${s.extractorFingerprint}\` (matches the bundle)`,
    `- predictions: \`${paths.predictionsPath}\`` +
    (paths.outputPath ? ` (copied to \`${paths.outputPath}\`)` : ""),
    "",
    "## Flags",
    "",
    flags.length === 0 ? "No essay flagged." : markdownTable(["flag", "essays"], flags, ["l", "r"]),
    "",
    `Flagged essays are scored all the same. \`below_word_window\` / \`above_word_window\`: ` +
    `outside the ${s.wordWindow.min}–${s.wordWindow.max} words the model was trained on, so the ` +
    "score is an extrapolation. `prompt_missing`: no prompt, the prompt-similarity features were " +
    "set to their training means. `prompt_unseen`: a prompt no training essay had. " +
    "`prompt_excluded`: a prompt the run's filters left out of training (e.g. letter-dominated).",
    "",
    "## Predicted scores",
    "",
    `Score scale: ${s.scale}.`,
    "",
    markdownTable(
      ["score", "rounded", ...(s.cutpointCounts ? ["cut-points"] : [])],
      s.levels.map((l) => [
        l,
        s.roundedCounts[l],
        ...(s.cutpointCounts ? [s.cutpointCounts[l]] : []),
      ]),
      ["l", "r", "r"],
    ),
  ];
  if (s.labelled) {
    const m = s.labelled.metrics;
    const c = s.labelled.cutpointMetrics;
    lines.push(
      "",
      `## Against the input's human scores (${s.labelled.n} essays)`,
      "",
      markdownTable(
        ["scoring", "QWK", "MAE", "exact", "adjacent"],
        [
          ["rounding to the scale", m.qwk, m.mae, m.exactAccuracy, m.adjacentAccuracy],
          ...(c ? [["cut-points", c.qwk, c.mae, c.exactAccuracy, c.adjacentAccuracy]] : []),
        ].map((r) => r.map((x) => typeof x === "number" ? x.toFixed(4) : x)),
        ["l", "r", "r", "r", "r"],
      ),
      "",
      promptTableMarkdown("Per prompt (against the human scores, rounded)", s.labelled.perPrompt),
    );
  }
  if (s.perPromptLabelled) lines.push("", ...perPromptLabelledMarkdown(s.perPromptLabelled));
  return lines.join("\n") + "\n";
}

function perPromptLabelledMarkdown(l: NonNullable<ScoreSummary["perPromptLabelled"]>): string[] {
  const e = l.evaluation;
  const f = (x: number | null) => (x === null ? "n/a" : x.toFixed(4));
  return [
    `## Against the input's human scores (${l.n} essays, each on its prompt's scale)`,
    "",
    `**Mean per-prompt QWK (Fisher z): ${f(e.mean_per_prompt_qwk_fisher_z)}** (unweighted over ` +
    `${e.n_prompts_in_mean} prompts with a defined QWK; no QWK is pooled over prompts on ` +
    "different scales).",
    "",
    markdownTable(
      ["prompt", "scale", "n", "QWK", "95 % bootstrap CI", "adjacent", "exact", "mean residual"],
      e.prompts.map((r) => [
        r.prompt,
        r.scale,
        r.n,
        f(r.qwk),
        r.qwk_ci95 ? `${r.qwk_ci95.lower.toFixed(3)}–${r.qwk_ci95.upper.toFixed(3)}` : "",
        r.adjacent_accuracy.toFixed(3),
        r.exact_accuracy.toFixed(3),
        r.mean_residual.toFixed(3),
      ]),
      ["l", "l", "r", "r", "l", "r", "r", "r"],
    ),
  ];
}
