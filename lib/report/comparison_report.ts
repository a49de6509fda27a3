/**
 * Markdown of a paired run comparison (`comparison.md`): the verdict first, then fold-paired
 * deltas, bootstrap intervals, the worst prompt and the score tails side by side.
 *
 * @module
 */
import { fmt } from "./evidence_reports.ts";
import type { GateVerdict } from "../model/evaluation/gate.ts";
import { markdownTable } from "./model_reports.ts";
import type {
  DeltaInterval,
  FoldPairedDelta,
  PairedComparison,
} from "../model/evaluation/paired_comparison.ts";
import { describeScale, scoreScale } from "../dataset/score_scale.ts";
import { GRADE_BANDS, gradeBandsText } from "../model/evaluation/slice_metrics.ts";

/** The two runs as the report names them. */
export interface ComparedRuns {
  readonly baseline: { readonly dir: string; readonly description: string };
  readonly candidate: { readonly dir: string; readonly description: string };
}

const signed = (x: number, digits = 4) => (x > 0 ? "+" : "") + fmt(x, digits);

function ciText(ci: DeltaInterval): string {
  return `${signed(ci.delta)} [${signed(ci.lower)}, ${signed(ci.upper)}]`;
}

function foldRow(name: string, d: FoldPairedDelta, nFolds: number): (string | number)[] {
  return [
    name,
    fmt(d.baseline),
    fmt(d.candidate),
    signed(d.mean),
    fmt(d.std),
    `${d.candidateWins}/${nFolds}`,
    d.perFold.map((x) => signed(x, 3)).join(", "),
  ];
}

/**
 * The comparison report.
 *
 * @example
 * ```ts
 * comparisonMarkdown(runs, comparison, verdict);
 * ```
 */
export function comparisonMarkdown(
  runs: ComparedRuns,
  c: PairedComparison,
  gate: GateVerdict,
): string {
  const b = c.bootstrap;
  const level = Math.round(b.qwk.level * 100);
  const lines = [
    "# Paired run comparison",
    "",
    `- baseline: \`${runs.baseline.dir}\` — ${runs.baseline.description}`,
    `- candidate: \`${runs.candidate.dir}\` — ${runs.candidate.description}`,
    `- ${c.nEssays} essays, the same ${c.folds.length} folds in both runs (checked essay by essay)`,
    `- score scale: ${describeScale(scoreScale(c.scale))} (the same in both runs; QWK over all ` +
    "its levels, adjacent = within one level)",
    "",
    "## Verdict",
    "",
    `**QWK difference: ${c.difference}** (candidate − baseline ${ciText(b.qwk)}, ${level} % ` +
    `paired bootstrap CI). **Gate \`${gate.profile.name}\`: ${gate.passed ? "PASS" : "FAIL"}.**`,
    "",
    markdownTable(
      ["check", "value", "threshold", "result"],
      gate.checks.map((k) => [k.check, signed(k.value), k.threshold, k.passed ? "pass" : "FAIL"]),
      ["l", "r", "l", "l"],
    ),
    "",
    "## Fold-paired deltas (candidate − baseline)",
    "",
    markdownTable(
      ["metric", "baseline", "candidate", "mean Δ", "std Δ", "candidate wins", "Δ per fold"],
      [
        foldRow("QWK (rounded)", c.fold.qwk, c.folds.length),
        ...(c.fold.qwkCutpoints
          ? [foldRow("QWK (cut-points)", c.fold.qwkCutpoints, c.folds.length)]
          : []),
        foldRow("MAE (lower is better)", c.fold.mae, c.folds.length),
        foldRow("adjacent accuracy", c.fold.adjacentAccuracy, c.folds.length),
      ],
      ["l", "r", "r", "r", "r", "r", "l"],
    ),
    "",
    `## Paired bootstrap (${b.qwk.resamples} resamples, seed ${b.seed})`,
    "",
    bootstrapProtocolText(c),
    "",
    markdownTable(
      ["difference", `Δ [${level} % CI]`, "share of resamples ≤ 0"],
      [
        ["QWK (rounded), mean over folds", ciText(b.qwk), fmt(b.qwk.shareAtOrBelowZero, 3)],
        ...(b.qwkCutpoints
          ? [[
            "QWK (cut-points), mean over folds",
            ciText(b.qwkCutpoints),
            fmt(b.qwkCutpoints.shareAtOrBelowZero, 3),
          ]]
          : []),
        [
          "high-band adjacent accuracy (pooled)",
          ciText(b.highBandAdjacent),
          fmt(b.highBandAdjacent.shareAtOrBelowZero, 3),
        ],
        [
          "worst-prompt QWK (pooled)",
          ciText(b.worstPromptQwk),
          fmt(b.worstPromptQwk.shareAtOrBelowZero, 3),
        ],
      ],
      ["l", "l", "r"],
    ),
    "",
    "## Worst prompt (pooled out-of-fold, rounded)",
    "",
    `- baseline: ${
      c.worstPrompt.baseline
        ? `${fmt(c.worstPrompt.baseline.qwk)} (${c.worstPrompt.baseline.prompt})`
        : "n/a"
    }`,
    `- candidate: ${
      c.worstPrompt.candidate
        ? `${fmt(c.worstPrompt.candidate.qwk)} (${c.worstPrompt.candidate.prompt})`
        : "n/a"
    }`,
    `- Δ ${signed(c.worstPrompt.delta)}`,
    "",
    "## Score tails (pooled out-of-fold)",
    "",
    markdownTable(
      [
        "band",
        "n",
        "MAE base",
        "MAE cand",
        "Δ MAE",
        "adjacent base",
        "adjacent cand",
        "Δ adjacent",
        "mean residual base",
        "mean residual cand",
      ],
      GRADE_BANDS.map((band) => {
        const x = c.tails.baseline[band];
        const y = c.tails.candidate[band];
        return [
          band,
          x.n,
          fmt(x.mae),
          fmt(y.mae),
          signed(y.mae - x.mae),
          fmt(x.adjacentAccuracy),
          fmt(y.adjacentAccuracy),
          signed(y.adjacentAccuracy - x.adjacentAccuracy),
          fmt(x.meanResidual),
          fmt(y.meanResidual),
        ];
      }),
      ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
    ),
    "",
    `Bands by true score: ${gradeBandsText(scoreScale(c.scale))}. A CI that contains 0 means ` +
    "the data cannot tell the runs apart; a gate adopts a candidate only on a CI above 0 without a damaged tail or prompt.",
    "",
  ];
  return lines.join("\n");
}

/** One row of a ranked variant table (sweep, ablation). */
export interface RankedVariantRow {
  readonly rank: number;
  readonly index: number;
  readonly label: string;
  readonly meanQwk: number;
  readonly meanQwkCutpoints: number | null;
  readonly worstPromptQwk: number;
  readonly highBandAdjacent: number;
  readonly objective: number;
  readonly reused: boolean;
  readonly runDir: string;
  /** Paired comparison with the first variant (null for the first). */
  readonly vsFirst: {
    readonly qwk: DeltaInterval;
    readonly highBandAdjacent: DeltaInterval;
    readonly worstPromptQwk: DeltaInterval;
    readonly difference: string;
    readonly gatePassed: boolean;
  } | null;
}

/**
 * The ranked table of a sweep or an ablation, with each variant's paired comparison against the
 * first (the baseline).
 *
 * @example
 * ```ts
 * rankedVariantsMarkdown("Sweep", "mean_qwk", rows, ["space: …"]);
 * ```
 */
export function rankedVariantsMarkdown(
  title: string,
  objective: string,
  rows: readonly RankedVariantRow[],
  notes: readonly string[],
): string {
  const first = rows.find((r) => r.index === 0);
  const compared = rows.filter((r) => r.vsFirst);
  const n = compared.length;
  const level = compared[0]?.vsFirst?.qwk.level ?? 0.95;
  const pct = `${+(level * 100).toFixed(2)} %`;
  return [
    `# ${title}`,
    "",
    ...notes.map((n) => `- ${n}`),
    `- ranked by \`${objective}\` (best first); variant #0 is the baseline every other variant ` +
    `is compared with: N = ${n} comparisons, so every interval, verdict and gate uses a ` +
    `Bonferroni-adjusted ${pct} paired cluster-bootstrap CI (family-wise 95 %)`,
    "",
    markdownTable(
      [
        "rank",
        "#",
        "variant",
        "QWK",
        "QWK cut-points",
        "worst-prompt QWK",
        "high-band adjacent",
        `ΔQWK vs #0 [${pct} CI]`,
        "Δhigh adjacent [CI]",
        "verdict",
        "gate",
      ],
      rows.map((r) => [
        r.rank,
        r.index,
        r.label + (r.reused ? " (reused)" : ""),
        fmt(r.meanQwk),
        fmt(r.meanQwkCutpoints),
        fmt(r.worstPromptQwk),
        fmt(r.highBandAdjacent),
        r.vsFirst ? ciText(r.vsFirst.qwk) : "baseline",
        r.vsFirst ? ciText(r.vsFirst.highBandAdjacent) : "",
        r.vsFirst ? r.vsFirst.difference : "",
        r.vsFirst ? (r.vsFirst.gatePassed ? "PASS" : "fail") : "",
      ]),
      ["r", "r", "l", "r", "r", "r", "r", "l", "l", "l", "l"],
    ),
    "",
    first ? `Baseline run: \`${first.runDir}\`.` : "",
    "",
    "Run directories:",
    "",
    ...[...rows].sort((a, b) => a.index - b.index).map((r) => `- #${r.index}: \`${r.runDir}\``),
    "",
  ].join("\n");
}

/**
 * One sentence saying what the bootstrap resampled (prompts then essays, or essays within folds)
 * and how many seed replicates each side had.
 *
 * @example
 * ```ts
 * bootstrapProtocolText(comparison); // "Cluster bootstrap: 12 prompts drawn with replacement, …"
 * ```
 */
export function bootstrapProtocolText(c: PairedComparison): string {
  const p = c.protocol;
  const draw = p.cluster === "prompt"
    ? `Cluster bootstrap: the ${p.nPrompts} prompts drawn with replacement, then essays with ` +
      "replacement within each drawn prompt (each essay keeps its fold)"
    : "Essay bootstrap: essays drawn with replacement within each fold (ignores that essays " +
      "cluster by prompt: optimistic)";
  const reps = p.replicates;
  const seeds = reps.baseline > 1 || reps.candidate > 1
    ? `; seed replicates: ${reps.baseline} baseline, ${reps.candidate} candidate run(s), one ` +
      "drawn per side per resample, so refit/seed variance is in the interval"
    : "; one run per side (seed variance not in the interval: pass " +
      "`--baseline-replicates` / `--candidate-replicates`)";
  return `${draw}${seeds}.`;
}
