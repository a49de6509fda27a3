/**
 * What `sweep` / `ablation` write on per-prompt score scales (`sweep_per_prompt.ts` computes
 * it): `sweep_summary.md` (ranked table on the mean per-prompt QWK (Fisher z) over folds, each
 * variant's per-prompt paired comparison with #0, the confirmation on the held-back fold),
 * `sweep_summary.json` (with `ranking_metric` and `comparison` naming the statistic and its
 * bootstrap), `selected_params.json`, and the experiment-log entry. Pure renderers plus one
 * writer.
 *
 * @module
 */
import { join } from "node:path";
import type { PerPromptComparison } from "../model/evaluation/per_prompt_comparison.ts";
import { markdownTable } from "../report/model_reports.ts";
import { PER_PROMPT_HEADLINE, POOLED_WITHHELD_REASON } from "../report/per_prompt_reports.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import type { PerPromptSweepConfirmation, PerPromptVariantOutcome } from "./sweep_per_prompt.ts";
import { bonferroniLevel, type PlannedVariant, selectedFlags, selectedParams } from "./sweep.ts";

/** How per-prompt variants are ranked (the summary's `ranking_metric`). */
export const PER_PROMPT_RANKING_METRIC =
  `${PER_PROMPT_HEADLINE}, mean over the selection folds (each fold's held-out essays, no ` +
  "bootstrap)";

/** How per-prompt variants are compared (the summary's `comparison`). */
export const PER_PROMPT_COMPARISON_TEXT =
  `paired Δ of the ${PER_PROMPT_HEADLINE} on the out-of-fold predictions, percentile bootstrap ` +
  "drawing essays with replacement within each prompt (compare-runs on per-prompt scales); no " +
  "gate profile, tails or seed replicates";

const f4 = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? "—" : x.toFixed(4);

function ciText(c: PerPromptComparison): string {
  const d = c.headline.delta;
  const b = c.bootstrap;
  return `${d === null ? "n/a" : `${d >= 0 ? "+" : ""}${d.toFixed(4)}`} ` +
    `[${b.lower.toFixed(4)}, ${b.upper.toFixed(4)}]`;
}

/**
 * The ranked table of a per-prompt sweep or ablation (Markdown), with its notes.
 *
 * @example
 * ```ts
 * perPromptRankedMarkdown("Sweep summary", ranked, ["sweep directory: …"]);
 * ```
 */
export function perPromptRankedMarkdown(
  title: string,
  ranked: readonly PerPromptVariantOutcome[],
  notes: readonly string[],
): string {
  const n = ranked.filter((r) => r.vsFirst).length;
  const pct = `${+(bonferroniLevel(n) * 100).toFixed(2)} %`;
  return [
    `# ${title}`,
    "",
    ...notes.map((x) => `- ${x}`),
    `- per-prompt score scales: variants ranked by the ${PER_PROMPT_RANKING_METRIC} (best ` +
    `first); ${POOLED_WITHHELD_REASON}`,
    `- variant #0 is the baseline every other variant is compared with: N = ${n} comparisons, ` +
    `each a ${PER_PROMPT_COMPARISON_TEXT}, at a Bonferroni-adjusted ${pct} CI (family-wise 95 %)`,
    "",
    markdownTable(
      [
        "rank",
        "#",
        "variant",
        `${PER_PROMPT_HEADLINE} (mean over folds)`,
        "per fold",
        `Δ vs #0 [${pct} CI]`,
        "folds won",
        "verdict",
      ],
      ranked.map((r, k) => [
        k + 1,
        r.index,
        r.label + (r.reused ? " (reused)" : ""),
        f4(r.meanQwk),
        r.foldQwks.map((q) => q.toFixed(3)).join(", "),
        r.vsFirst ? ciText(r.vsFirst) : "baseline",
        r.vsFirst ? `${r.vsFirst.foldWins.wins}/${r.vsFirst.foldWins.of}` : "",
        r.vsFirst ? r.vsFirst.difference : "",
      ]),
      ["r", "r", "l", "r", "l", "l", "r", "l"],
    ),
    "",
    "Run directories:",
    "",
    ...[...ranked].sort((a, b) => a.index - b.index).map((r) => `- #${r.index}: \`${r.runDir}\``),
    "",
  ].join("\n");
}

/**
 * The "Confirmation on the held-back fold" section on per-prompt scales.
 *
 * @example
 * ```ts
 * perPromptConfirmationMarkdown(confirmation);
 * ```
 */
export function perPromptConfirmationMarkdown(c: PerPromptSweepConfirmation): string {
  const row = (what: string, v: PerPromptSweepConfirmation["winner"]) => [
    what,
    `#${v.index} ${v.label}`,
    f4(v.selectionQwk),
    f4(v.confirmedQwk),
  ];
  return [
    `## Confirmation on the held-back fold ${c.fold} (${c.nEssays} essays)`,
    "",
    `The ranking above used the other folds only; fold ${c.fold} was removed from every ` +
    "variant's cv before fitting. The winner and the baseline were then fitted on all the other " +
    `folds and scored on it once by the ${PER_PROMPT_HEADLINE}. The selection score is ` +
    "optimistic by construction (best of N); the confirmed score is not.",
    "",
    markdownTable(
      ["", "variant", "selection (mean over folds)", `confirmed ${PER_PROMPT_HEADLINE}`],
      [row("winner", c.winner), row("baseline", c.baseline)],
      ["l", "l", "r", "r"],
    ),
    "",
    c.comparison
      ? `Confirmed Δ winner − baseline: ${ciText(c.comparison)} (` +
        `${Math.round(c.comparison.bootstrap.level * 100)} % paired CI, one comparison; essays ` +
        `drawn with replacement within each prompt, ${c.comparison.bootstrap.resamples} ` +
        `resamples): **${c.comparison.difference}**.`
      : "The baseline won the selection: nothing to confirm against.",
    "",
  ].join("\n");
}

function comparisonJson(c: PerPromptComparison | null) {
  return c
    ? {
      statistic: PER_PROMPT_HEADLINE,
      delta: c.headline.delta,
      lower: c.bootstrap.lower,
      upper: c.bootstrap.upper,
      level: c.bootstrap.level,
      resamples: c.bootstrap.resamples,
      difference: c.difference,
      fold_wins: c.foldWins,
      prompts: c.prompts,
    }
    : null;
}

/**
 * Write `sweep_summary.json`, `sweep_summary.md` and `selected_params.json` of a per-prompt sweep.
 *
 * @example
 * ```ts
 * await writePerPromptSweepOutputs(sweepDir, plan, ranked, markdown, confirmation);
 * ```
 */
export async function writePerPromptSweepOutputs(
  sweepDir: string,
  plan: readonly PlannedVariant[],
  ranked: readonly PerPromptVariantOutcome[],
  markdown: string,
  confirmation: PerPromptSweepConfirmation | null,
): Promise<{ summaryPath: string; selectedPath: string }> {
  const best = ranked[0];
  const summaryPath = join(sweepDir, "sweep_summary.md");
  const selectedPath = join(sweepDir, "selected_params.json");
  await writeJsonAtomic(selectedPath, selectedParams(plan[best.index].config));
  await writeJsonAtomic(join(sweepDir, "sweep_summary.json"), {
    schema_version: 1,
    objective: "mean_qwk",
    ranking_metric: PER_PROMPT_RANKING_METRIC,
    comparison: PER_PROMPT_COMPARISON_TEXT,
    comparisons: ranked.length - 1,
    ci_level: bonferroniLevel(ranked.length - 1),
    confirmation: confirmation
      ? { ...confirmation, comparison: comparisonJson(confirmation.comparison) }
      : null,
    selected: {
      index: best.index,
      hash: best.hash,
      label: best.label,
      run_dir: best.runDir,
      config_file: selectedPath,
      flags: selectedFlags(best.overrides),
    },
    variants: ranked.map((o, k) => ({
      rank: k + 1,
      index: o.index,
      hash: o.hash,
      label: o.label,
      overrides: o.overrides,
      run_dir: o.runDir,
      reused: o.reused,
      seconds: o.seconds,
      mean_per_prompt_qwk_fisher_z: o.meanQwk,
      fold_mean_per_prompt_qwk_fisher_z: o.foldQwks,
      objective: o.objective,
      vs_first: comparisonJson(o.vsFirst),
    })),
  });
  await writeFileAtomic(summaryPath, markdown);
  return { summaryPath, selectedPath };
}
