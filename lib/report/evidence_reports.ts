/**
 * Markdown for the evidence layer: the tail-slice / worst-prompt section of the cv and run
 * reports and `residual_diagnostics.md`. Pure: data in, Markdown out.
 *
 * @module
 */
import type { CrossValidationResult } from "../model/validation/cross_validation.ts";
import { markdownTable, roundingName } from "./model_reports.ts";
import type { ResidualDiagnostics, ResidualGroup } from "../model/evaluation/residuals.ts";
import type { ScoreScale } from "../dataset/score_scale.ts";
import {
  type EvidenceMetrics,
  GRADE_BANDS,
  gradeBandsText,
  MIN_PROMPT_QWK_N,
} from "../model/evaluation/slice_metrics.ts";

/** Fixed-digit number, `n/a` for NaN / null, no negative zero. */
export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "n/a";
  const s = x.toFixed(digits);
  return /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

/**
 * The "Score tails and worst prompt" section: one row per labelled set of predictions and band
 * (bands named from the scale; default ELLIPSE's).
 *
 * @example
 * ```ts
 * tailSectionMarkdown([{ label: "val", evidence }], scale);
 * ```
 */
export function tailSectionMarkdown(
  rows: readonly { label: string; evidence: EvidenceMetrics }[],
  scale?: ScoreScale,
): string {
  const lines = ["## Score tails and worst prompt", ""];
  lines.push(
    `Bands by true score: ${gradeBandsText(scale)}, ` +
      "middle between. Residual = prediction − true (positive = over-scored); MAE on raw " +
      "predictions, adjacent accuracy after rounding.",
    "",
    markdownTable(
      ["predictions", "band", "n", "MAE", "adjacent", "mean residual"],
      rows.flatMap(({ label, evidence }) =>
        GRADE_BANDS.map((b) => {
          const s = evidence.tails[b];
          return [label, b, s.n, fmt(s.mae), fmt(s.adjacentAccuracy), fmt(s.meanResidual)];
        })
      ),
      ["l", "l", "r", "r", "r", "r"],
    ),
    "",
    `Worst-prompt QWK (lowest per-prompt QWK among prompts with ≥ ${MIN_PROMPT_QWK_N} essays ` +
      "and more than one true score):",
    "",
    ...rows.map(({ label, evidence }) => {
      const w = evidence.worstPrompt;
      return `- ${label}: ${
        w ? `${fmt(w.qwk)} (${w.prompt}, n = ${w.n})` : "n/a (no prompt qualifies)"
      }`;
    }),
    "",
  );
  return lines.join("\n");
}

function groupTable(groups: readonly ResidualGroup[], head: string): string {
  return markdownTable(
    [head, "n", "mean residual", "MAE", "adjacent"],
    groups.map((g) => [g.group, g.n, fmt(g.meanResidual), fmt(g.mae), fmt(g.adjacentAccuracy)]),
    ["l", "r", "r", "r", "r"],
  );
}

/**
 * `residual_diagnostics.md`: per split, residuals by band and prompt, Spearman with each
 * covariate, the worst essays.
 *
 * @example
 * ```ts
 * residualDiagnosticsMarkdown("Residual diagnostics", [diagnostics], "artifacts/residuals_cv.csv");
 * ```
 */
export function residualDiagnosticsMarkdown(
  title: string,
  splits: readonly { diagnostics: ResidualDiagnostics; csvPath: string }[],
  scale?: ScoreScale,
): string {
  const lines = [
    `# ${title}`,
    "",
    "Residual = raw prediction − true score (positive = over-scored). Adjacent accuracy after " +
    `${
      roundingName(scale)
    }. Spearman ρ of the residual with a covariate: a model whose errors grow ` +
    "with length or error density shows |ρ| well above 0.",
    "",
  ];
  for (const { diagnostics: d, csvPath } of splits) {
    lines.push(
      `## ${d.split} (${d.n} essays)`,
      "",
      `Per-essay rows: \`${csvPath}\`. Overall: mean residual ${fmt(d.overall.meanResidual)}, ` +
        `MAE ${fmt(d.overall.mae)}, adjacent ${fmt(d.overall.adjacentAccuracy)}.`,
      "",
      "### By grade band",
      "",
      groupTable(d.byBand, "band"),
      "",
      "### By prompt (most under-scored first)",
      "",
      groupTable(d.byPrompt, "prompt"),
      "",
      "### Residual vs covariates (Spearman ρ)",
      "",
      d.covariateSpearman.length
        ? markdownTable(
          ["covariate", "ρ"],
          d.covariateSpearman.map((c) => [`\`${c.covariate}\``, fmt(c.spearman)]),
          ["l", "r"],
        )
        : "No covariates.",
      "",
      `### Worst ${d.worst.length} essays (largest |residual|)`,
      "",
      markdownTable(
        ["id", "prompt", "true", "raw", "rounded", "residual", "band"],
        d.worst.map((r) => [
          r.id,
          r.prompt,
          r.yTrue.toFixed(1),
          fmt(r.raw, 3),
          r.rounded.toFixed(1),
          fmt(r.residual, 3),
          r.band,
        ]),
        ["l", "l", "r", "r", "r", "r", "l"],
      ),
      "",
    );
  }
  return lines.join("\n");
}

/**
 * The cv report's "Cut-point modes" section under `--cutpoint-mode lofo`: QWK with nested
 * leave-one-fold-out thresholds per fold (empty in `inner_oof` mode).
 *
 * @example
 * ```ts
 * lofoSectionMarkdown(cv);
 * ```
 */
export function lofoSectionMarkdown(cv: CrossValidationResult): string {
  if (!cv.lofo) return "";
  const lofo = cv.lofo;
  const rows: (string | number)[][] = cv.folds.map((f, k) => [f.fold, fmt(lofo.perFoldQwk[k])]);
  rows.push(["mean ± std", `${fmt(lofo.qwk.mean)} ± ${fmt(lofo.qwk.std)}`]);
  return [
    "## Cut-point modes",
    "",
    "Mode used for the cut-point figures above: `lofo` (nested). Fold k is scored with " +
    "thresholds fitted on the other folds' rows, predicted by models fitted without fold k " +
    "(K(K−1)/2 extra fits), so no label of fold k reaches its thresholds.",
    "",
    markdownTable(["fold", "QWK nested LOFO cut-points"], rows),
    "",
  ].join("\n");
}
