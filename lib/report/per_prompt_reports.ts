/**
 * Markdown for the model reports on per-prompt score scales (`steps/per_prompt_outputs.ts`): the
 * header context with the per-prompt scales, the notes on what is withheld (pooled common-grid
 * figures) and disabled (cut-points), and the cv and run reports around the per-prompt
 * evaluation (`model/evaluation/per_prompt_evaluation.ts`). Pure: data in, Markdown out.
 *
 * @module
 */
import { describeDatasetScale, type PerPromptScale } from "../dataset/per_prompt_scale.ts";
import {
  perPromptEvaluationMarkdown,
  type PerPromptScaleEvaluation,
} from "../model/evaluation/per_prompt_evaluation.ts";
import type { MeanStd } from "../model/validation/cross_validation.ts";
import type {
  PairedFigure,
  PerPromptComparison,
} from "../model/evaluation/per_prompt_comparison.ts";
import {
  fmtMeanStd,
  markdownTable,
  type ModelReportContext,
  modelReportHeader,
} from "./model_reports.ts";

/** The headline's name, as every report, log and JSON key spells it. */
export const PER_PROMPT_HEADLINE = "mean per-prompt QWK (Fisher z)";

/** Why pooled figures on the common grid are not reported (one line). */
export const POOLED_WITHHELD_REASON =
  "Pooled QWK, MAE, confusion and tail figures on the common grid are withheld: a QWK pooled " +
  "over prompts on different scales mixes their level boundaries and is not the field's measure.";

/** What drop-column's QWK is on per-prompt scales (one line under its report). */
export const PER_PROMPT_DROP_COLUMN_NOTE =
  "Per-prompt scales: every QWK above is a fold's mean per-prompt QWK (Fisher z) of its held-out " +
  "essays, each prompt on its own scale (no bootstrap); nothing is pooled on the common grid.";

/** Why cut-points are off on per-prompt scales (one line). */
export const CUTPOINTS_DISABLED_REASON =
  "QWK-optimised cut-points: disabled for per-prompt scales — thresholds fitted on the pooled " +
  "common grid do not respect each prompt's level boundaries; predictions are rounded to each " +
  "prompt's nearest level.";

/**
 * The report header context with the per-prompt scales and the QWK definition in place of the
 * common grid's.
 *
 * @example
 * ```ts
 * cvReportHeader(perPromptContext(reportContext(...), pp));
 * ```
 */
export function perPromptContext(ctx: ModelReportContext, pp: PerPromptScale): ModelReportContext {
  return {
    ...ctx,
    perPrompt: {
      scaleText: describeDatasetScale(pp),
      qwkText: `Training: every prompt's levels on one integer grid 0–${pp.gridSize} (L = lcm ` +
        "over prompts of levels − 1; an essay's label = its level index × L / (levels − 1), " +
        "exact). Evaluation per prompt on its own scale: a grid prediction x → level " +
        "round(x·(levels − 1)/L) (halves up, clipped); QWK with quadratic weights over the " +
        "prompt's levels, adjacent accuracy = within one of its levels, residuals in its units. " +
        `Headline: the ${PER_PROMPT_HEADLINE} = tanh(mean atanh κ_p) over the prompts with a ` +
        "defined QWK, unweighted, as in the ASAP evaluations.",
    },
  };
}

/**
 * The Markdown notes every per-prompt model report carries: what is withheld and why, and that
 * cut-points are disabled and why.
 *
 * @example
 * ```ts
 * perPromptNotesMarkdown().join("\n");
 * ```
 */
export function perPromptNotesMarkdown(): string[] {
  return [`- ${POOLED_WITHHELD_REASON}`, `- ${CUTPOINTS_DISABLED_REASON}`, ""];
}

/** One fold of a per-prompt cross-validation. */
export interface PerPromptFoldRow {
  readonly fold: number;
  readonly nTrain: number;
  readonly nVal: number;
  /** The fold's mean per-prompt QWK (Fisher z); null when no prompt's QWK is defined in it. */
  readonly headline: number | null;
  readonly fitSeconds: number;
}

/**
 * The `cv` report on per-prompt scales: header, notes, the out-of-fold headline and per-fold
 * figures, then the per-prompt table and each prompt's confusion matrix.
 *
 * @example
 * ```ts
 * perPromptCvReportMarkdown(ctx, pp, oofEvaluation, folds, meanStd);
 * ```
 */
export function perPromptCvReportMarkdown(
  ctx: ModelReportContext,
  pp: PerPromptScale,
  oof: PerPromptScaleEvaluation,
  folds: readonly PerPromptFoldRow[],
  foldMeanStd: MeanStd | null,
): string {
  const f = (x: number | null) => (x === null ? "n/a" : x.toFixed(4));
  return [
    ...modelReportHeader(perPromptContext(ctx, pp)),
    ...perPromptNotesMarkdown(),
    "## Summary",
    "",
    markdownTable(["metric", "value"], [
      [
        `${PER_PROMPT_HEADLINE}, out-of-fold (each prompt over all its folds)`,
        f(oof.meanPerPromptQwkFisherZ),
      ],
      [
        `${PER_PROMPT_HEADLINE}, mean ± std over folds (${
          folds.filter((r) => r.headline !== null).length
        } of ${folds.length} folds with a defined value)`,
        foldMeanStd ? fmtMeanStd(foldMeanStd) : "n/a",
      ],
    ]),
    "",
    "## Per fold",
    "",
    markdownTable(
      ["fold", "n train", "n val", PER_PROMPT_HEADLINE, "fit s"],
      folds.map((r) => [r.fold, r.nTrain, r.nVal, f(r.headline), r.fitSeconds.toFixed(1)]),
    ),
    "",
    perPromptEvaluationMarkdown("Per prompt (out-of-fold, each on its own scale)", oof),
  ].join("\n");
}

/**
 * The `run` report on per-prompt scales: header, notes, the headline per split, then the
 * per-prompt evaluation of val and test.
 *
 * @example
 * ```ts
 * perPromptRunReportMarkdown(ctx, pp, { train, val, test }, extra);
 * ```
 */
export function perPromptRunReportMarkdown(
  ctx: ModelReportContext,
  pp: PerPromptScale,
  parts: Readonly<Record<"train" | "val" | "test", PerPromptScaleEvaluation>>,
  extra: readonly string[],
): string {
  const f = (x: number | null) => (x === null ? "n/a" : x.toFixed(4));
  return [
    ...modelReportHeader(perPromptContext(ctx, pp)),
    ...perPromptNotesMarkdown(),
    "## Summary",
    "",
    markdownTable(
      ["split", "n", PER_PROMPT_HEADLINE, "prompts in the mean"],
      (["train", "val", "test"] as const).map((s) => [
        s === "train" ? "train (in-sample)" : s,
        parts[s].rows.reduce((a, r) => a + r.n, 0),
        f(parts[s].meanPerPromptQwkFisherZ),
        parts[s].nPromptsInMean,
      ]),
    ),
    "",
    perPromptEvaluationMarkdown("Per prompt (val, each on its own scale)", parts.val),
    perPromptEvaluationMarkdown("Per prompt (test, each on its own scale)", parts.test),
    ...extra,
  ].join("\n");
}

/**
 * The `compare-runs` report on per-prompt scales: the runs, the headline Δ with its
 * prompt-stratified bootstrap CI and verdict, then per prompt and per fold.
 *
 * @example
 * ```ts
 * perPromptComparisonMarkdown({ baseline: cmdA, candidate: cmdB }, pp, comparison);
 * ```
 */
export function perPromptComparisonMarkdown(
  runs: Readonly<Record<"baseline" | "candidate", string>>,
  pp: PerPromptScale,
  c: PerPromptComparison,
): string {
  const f = (x: number | null) => (x === null ? "n/a" : x.toFixed(4));
  const d = (x: number | null) => (x === null ? "n/a" : `${x >= 0 ? "+" : ""}${x.toFixed(4)}`);
  const row = (
    label: string | number,
    p: PairedFigure,
  ) => [label, f(p.baseline), f(p.candidate), d(p.delta)];
  const b = c.bootstrap;
  return [
    "# Run comparison (per-prompt scales)",
    "",
    `- baseline: \`${runs.baseline}\``,
    `- candidate: \`${runs.candidate}\``,
    `- ${c.nEssays} essays validated out of fold in both; score scales ${describeDatasetScale(pp)}`,
    `- statistic: the ${PER_PROMPT_HEADLINE}, each prompt's QWK on its own scale; ` +
    `${POOLED_WITHHELD_REASON}`,
    "- the gate profile, tails and seed replicates of the one-scale comparison are not applied " +
    "on per-prompt scales",
    "",
    "## Verdict",
    "",
    `Δ (candidate − baseline) ${d(c.headline.delta)}, ${Math.round(100 * b.level)} % paired ` +
    `bootstrap CI [${b.lower.toFixed(4)}, ${b.upper.toFixed(4)}] (${b.resamples} resamples, ` +
    `essays drawn with replacement within each prompt, seed ${b.seed}; share of resamples with ` +
    `Δ ≤ 0: ${b.shareAtOrBelowZero.toFixed(3)}): **${c.difference}**.`,
    "",
    markdownTable(["", "baseline", "candidate", "Δ"], [row(PER_PROMPT_HEADLINE, c.headline)]),
    "",
    "## Per prompt (QWK on the prompt's own scale, out of fold)",
    "",
    markdownTable(
      ["prompt", "n", "baseline", "candidate", "Δ"],
      c.prompts.map((p) => [p.prompt, p.n, ...row("", p).slice(1)]),
    ),
    "",
    `## Per fold (${PER_PROMPT_HEADLINE}; candidate wins ${c.foldWins.wins} of ` +
    `${c.foldWins.of} folds with a defined value)`,
    "",
    markdownTable(["fold", "baseline", "candidate", "Δ"], c.folds.map((x) => row(x.fold, x))),
    "",
  ].join("\n");
}
