/**
 * Markdown renderers for the model steps' reports: `cv_report.md`, `drop_column_importance.md`,
 * the full run's `run_report.md` (with the SHAP summary) and `grade_scale_report.md`. Pure: data
 * in, Markdown out; the steps write the files.
 *
 * @module
 */
import type { Interval } from "../model/evaluation/bootstrap.ts";
import type { CrossValidationResult, MeanStd } from "../model/validation/cross_validation.ts";
import type { DropColumnRow } from "../model/evaluation/drop_column.ts";
import type { GradeScaleReport } from "../model/evaluation/grade_scale.ts";
import type { ScoreMetrics } from "../model/evaluation/metrics.ts";
import { MIN_PROMPT_QWK_N } from "../model/evaluation/slice_metrics.ts";
import {
  describeScale,
  ELLIPSE_SCALE,
  isEllipseScale,
  roundingCutpointsText,
  scaleLabels,
  type ScoreScale,
} from "../dataset/score_scale.ts";
import { GENRE_MIX_WARNING } from "../run/experiment_log.ts";

/** Score labels of ELLIPSE's 9 classes (other scales: `scaleLabels(scale)`). */
export const SCORE_LABELS = scaleLabels(ELLIPSE_SCALE);

/**
 * A Markdown table.
 *
 * @example
 * ```ts
 * markdownTable(["a", "b"], [[1, 2]]); // "| a | b |\n|---|---|\n| 1 | 2 |"
 * ```
 */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  align: readonly ("l" | "r")[] = [],
): string {
  const sep = header.map((_, i) => (align[i] === "r" ? "---:" : "---"));
  const line = (cells: readonly (string | number)[]) =>
    `| ${cells.map((c) => String(c).replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(header), `|${sep.join("|")}|`, ...rows.map(line)].join("\n");
}

/** `0.6123 ± 0.0210`. */
export function fmtMeanStd(m: MeanStd, digits = 4): string {
  return `${m.mean.toFixed(digits)} ± ${m.std.toFixed(digits)}`;
}

/** Context shared by the model reports' headers. */
export interface ModelReportContext {
  readonly title: string;
  readonly runDir: string;
  readonly command: string;
  readonly datasetKind: string;
  readonly featureSet: string;
  /** The Tier 1 checker and the language it checks in (handcrafted features only). */
  readonly checker?: string;
  readonly scheme?: string;
  readonly splitsPath?: string;
  readonly model: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly textStacking: boolean;
  /** Embedding dimensions replaced by one out-of-fold ridge column. */
  readonly embeddingStacking?: boolean;
  readonly cutpointInnerFolds: number;
  /** `lofo`: the cut-points are leave-one-fold-out (cv) / on all out-of-fold predictions. */
  readonly cutpointMode?: string;
  /** Grade-band sample weighting (`none`, or e.g. `sqrt_inv_freq (cap 3)`). */
  readonly sampleWeighting?: string;
  readonly nFeatures: number;
  readonly nEssays: number;
  /** Pipeline levers (`ExperimentConfig.pipeline`). */
  readonly pipeline?: {
    readonly charTextStacking: boolean;
    readonly blendStacks: boolean;
    readonly blendMatchSpread: boolean;
  };
  /** The score scale (default ELLIPSE's). */
  readonly scale?: ScoreScale;
  /** Per-prompt scales: the scales in words and how QWK is computed (replace `scale`'s). */
  readonly perPrompt?: { readonly scaleText: string; readonly qwkText: string };
  /** Dataset manifest name (a `--dataset` run). */
  readonly datasetName?: string;
  /** The run mixed genres without a declared scope (`--allow-genre-mix`). */
  readonly allowGenreMix?: boolean;
}

/**
 * How QWK is computed on a scale (ELLIPSE: the SPEC §5 sentence).
 *
 * @example
 * ```ts
 * qwkDefinition(ELLIPSE_SCALE); // "QWK: predictions rounded to the nearest 0.5 …"
 * ```
 */
export function qwkDefinition(scale: ScoreScale = ELLIPSE_SCALE): string {
  if (isEllipseScale(scale)) {
    return "QWK: predictions rounded to the nearest 0.5 (halves up), clipped to [1, 5], labels " +
      "round(2y), quadratic weights over the fixed 9-class range 1.0…5.0. MAE on raw " +
      "predictions; adjacent accuracy = share within 0.5 after rounding.";
  }
  return `QWK: predictions rounded to the nearest level of the scale ${describeScale(scale)} ` +
    `(halves up, clipped), quadratic weights over all ${scale.nLevels} levels. MAE on raw ` +
    "predictions in model units" + (scale.levelNames
      ? " (levels numbered 0…" +
        `${scale.nLevels - 1})`
      : "") +
    "; adjacent accuracy = share within one level after rounding.";
}

/**
 * The header lines every model report starts with (run, command, dataset, learner, levers, how
 * QWK is computed).
 *
 * @example
 * ```ts
 * modelReportHeader(ctx).join("\n");
 * ```
 */
export function modelReportHeader(ctx: ModelReportContext): string[] {
  const lines = ctx.allowGenreMix ? [`> ${GENRE_MIX_WARNING}`, ""] : [];
  lines.push(`# ${ctx.title}`, "");
  if (ctx.datasetKind === "ielts") {
    lines.push(
      "> **IELTS smoke test — not a result.** The IELTS data set is blocked; this run only checks " +
        "that the pipeline runs. It is not recorded in the experiment log.",
      "",
    );
  }
  lines.push(
    `- run: \`${ctx.runDir}\``,
    `- command: \`${ctx.command}\``,
    `- dataset: ${ctx.datasetName ?? ctx.datasetKind}, ${ctx.nEssays} essays` +
      (ctx.perPrompt
        ? `; score scales ${ctx.perPrompt.scaleText}`
        : ctx.scale && !isEllipseScale(ctx.scale)
        ? `; score scale ${describeScale(ctx.scale)}`
        : ""),
    `- feature set: \`${ctx.featureSet}\` (${ctx.nFeatures} model inputs${
      ctx.textStacking ? ", incl. stacked out-of-fold columns" : ""
    })`,
  );
  if (ctx.checker) lines.push(`- Tier 1 error checker: ${ctx.checker}`);
  if (ctx.scheme) lines.push(`- split scheme: \`${ctx.scheme}\` from \`${ctx.splitsPath}\``);
  lines.push(
    `- learner: \`${ctx.model}\`, seed ${ctx.seed}, params \`${JSON.stringify(ctx.params)}\``,
    `- text stacking (out-of-fold TF-IDF 1–2-gram ridge inside each training part): ${
      ctx.textStacking ? "on" : "off"
    }`,
    "- embedding stacking (the embedding dimensions replaced by one out-of-fold ridge column " +
      `\`embedding_ridge_oof\`): ${ctx.embeddingStacking ? "on" : "off"}`,
    ...(ctx.pipeline
      ? [
        `- character n-gram stacking (\`char_tfidf_ridge_oof\`): ${
          ctx.pipeline.charTextStacking ? "on" : "off"
        }; blend of the learner with the stacked ridge columns (inner out-of-fold): ${
          ctx.pipeline.blendStacks
            ? `on${ctx.pipeline.blendMatchSpread ? ", with spread match" : ""}`
            : "off"
        }`,
      ]
      : []),
    `- QWK-optimised cut-points: ${
      ctx.cutpointMode === "lofo" && ctx.cutpointInnerFolds >= 2
        ? "on, leave-one-fold-out (cv: fold k scored with thresholds fitted on the other folds' " +
          "out-of-fold predictions; run: thresholds on all out-of-fold predictions of a " +
          `${ctx.cutpointInnerFolds}-fold over the training part)`
        : ctx.cutpointInnerFolds >= 2
        ? `on (fitted on ${ctx.cutpointInnerFolds}-fold out-of-fold predictions inside each ` +
          "training part)"
        : "off"
    }`,
    ...(ctx.sampleWeighting
      ? [`- sample weighting (∝ 1/√ score frequency in each training part): ${ctx.sampleWeighting}`]
      : []),
    "",
    ctx.perPrompt?.qwkText ?? qwkDefinition(ctx.scale),
    "",
  );
  return lines;
}

/**
 * The name of the rounded-QWK row: ELLIPSE's half points, else rounding to the scale's levels.
 *
 * @example
 * ```ts
 * qwkSummaryLabel(scoreScale({ kind: "numeric", min: 2, max: 12, step: 1 }));
 * // "QWK (rounded to the scale)"
 * ```
 */
export function qwkSummaryLabel(scale: ScoreScale = ELLIPSE_SCALE): string {
  return isEllipseScale(scale) ? "QWK (half-point rounding)" : "QWK (rounded to the scale)";
}

/**
 * How predictions are rounded, in words: ELLIPSE's half points, else the scale's levels.
 *
 * @example
 * ```ts
 * roundingName(ELLIPSE_SCALE); // "half-point rounding"
 * ```
 */
export function roundingName(scale: ScoreScale = ELLIPSE_SCALE): string {
  return isEllipseScale(scale) ? "half-point rounding" : "rounding to the scale";
}

/**
 * The `cv` report.
 *
 * @example
 * ```ts
 * const md = cvReportMarkdown(ctx, cvResult);
 * ```
 */
export function cvReportMarkdown(ctx: ModelReportContext, cv: CrossValidationResult): string {
  const s = cv.summary;
  const lines = modelReportHeader(ctx);
  lines.push("## Summary", "");
  const summaryRows: (string | number)[][] = [
    [qwkSummaryLabel(ctx.scale), fmtMeanStd(s.qwk)],
  ];
  if (s.qwkCutpoints) summaryRows.push(["QWK (optimised cut-points)", fmtMeanStd(s.qwkCutpoints)]);
  summaryRows.push(
    ["MAE", fmtMeanStd(s.mae)],
    ["adjacent accuracy", fmtMeanStd(s.adjacentAccuracy)],
    ["exact accuracy", fmtMeanStd(s.exactAccuracy)],
  );
  lines.push(markdownTable(["metric (mean ± std over folds)", "value"], summaryRows), "");
  lines.push("## Per fold", "");
  const hasCut = s.qwkCutpoints !== null;
  const head = ["fold", "n train", "n val", "QWK"];
  if (hasCut) head.push("QWK cut-points");
  head.push("MAE", "adjacent", "exact", "fit s");
  const gbm = cv.folds.some((f) => f.bestIteration !== undefined);
  if (gbm) head.push("rounds kept");
  const rows = cv.folds.map((f) => {
    const r: (string | number)[] = [f.fold, f.nTrain, f.nVal, f.metrics.qwk.toFixed(4)];
    if (hasCut) r.push(f.cutpointMetrics!.qwk.toFixed(4));
    r.push(
      f.metrics.mae.toFixed(4),
      f.metrics.adjacentAccuracy.toFixed(4),
      f.metrics.exactAccuracy.toFixed(4),
      f.fitSeconds.toFixed(1),
    );
    if (gbm) r.push(f.bestIteration ?? "");
    return r;
  });
  lines.push(markdownTable(head, rows), "");
  if (hasCut) {
    lines.push("## Cut-points per fold", "");
    lines.push(
      markdownTable(
        ["fold", ...scaleLabels(ctx.scale ?? ELLIPSE_SCALE).slice(1).map((l) => `→ ${l}`)],
        cv.folds.map((f) => [f.fold, ...(f.cutpoints ?? []).map((c) => c.toFixed(3))]),
      ),
      "",
      `Plain rounding uses ${roundingCutpointsText(ctx.scale ?? ELLIPSE_SCALE)}.`,
      "",
    );
  }
  return lines.join("\n");
}

/**
 * The `drop-column` report.
 *
 * @example
 * ```ts
 * const md = dropColumnReportMarkdown(ctx, baselinePerFold, rows);
 * ```
 */
export function dropColumnReportMarkdown(
  ctx: ModelReportContext,
  baselinePerFold: readonly number[],
  rows: readonly DropColumnRow[],
): string {
  const lines = modelReportHeader(ctx);
  const mean = baselinePerFold.reduce((a, b) => a + b, 0) / baselinePerFold.length;
  lines.push(
    "## Rule",
    "",
    "For each handcrafted feature, every fold is retrained without it. ΔQWK = baseline QWK − " +
      "QWK without the feature (per fold); stability = share of folds with ΔQWK > 0. " +
      "**Keep** iff mean ΔQWK > 0 and stability ≥ 0.8, otherwise **drop**.",
    "",
    `Baseline QWK per fold: ${baselinePerFold.map((q) => q.toFixed(4)).join(", ")} ` +
      `(mean ${mean.toFixed(4)}).`,
    "",
    `Kept: ${rows.filter((r) => r.decision === "keep").length} of ${rows.length}.`,
    "",
    "## Features (sorted by mean ΔQWK)",
    "",
    markdownTable(
      ["feature", "mean ΔQWK", "std ΔQWK", "stability", "decision", "ΔQWK per fold"],
      rows.map((r) => [
        `\`${r.feature}\``,
        r.meanDeltaQwk.toFixed(4),
        r.stdDeltaQwk.toFixed(4),
        r.stability.toFixed(2),
        r.decision === "keep" ? "**keep**" : "drop",
        r.deltaQwkPerFold.map((d) => d.toFixed(3)).join(", "),
      ]),
      ["l", "r", "r", "r", "l", "l"],
    ),
    "",
  );
  return lines.join("\n");
}

/** Metrics of one split of the full run. */
export interface RunSplitMetrics {
  readonly split: string;
  readonly rounded: ScoreMetrics;
  /** Bootstrap 95 % interval of the rounded QWK (held-out splits only). */
  readonly qwkInterval?: Interval | null;
  readonly cutpoints: ScoreMetrics | null;
}

/** SHAP summary for the run report. */
export interface ShapSummary {
  readonly split: string;
  readonly nRows: number;
  readonly expectedValue: number;
  readonly maxAdditivityError: number;
  /** How the values were computed (and what they explain). */
  readonly method?: string;
  /** Features by mean |SHAP|, descending. */
  readonly topFeatures: readonly { feature: string; meanAbs: number; meanSigned: number }[];
  /** Why SHAP was skipped, if it was. */
  readonly skipped?: string;
}

/**
 * The full run's report.
 *
 * @example
 * ```ts
 * const md = runReportMarkdown(ctx, splits, shapSummary, cutpoints);
 * ```
 */
export function runReportMarkdown(
  ctx: ModelReportContext,
  splits: readonly RunSplitMetrics[],
  shap: ShapSummary | null,
  cutpoints: readonly number[] | null,
  notes: readonly string[] = [],
): string {
  const lines = modelReportHeader(ctx);
  lines.push("## QWK by split", "");
  const hasCut = splits.some((s) => s.cutpoints);
  const head = ["split", "n", "QWK"];
  if (hasCut) head.push("QWK cut-points");
  head.push("MAE", "adjacent", "exact");
  lines.push(
    markdownTable(
      head,
      splits.map((s) => {
        const r: (string | number)[] = [
          s.split,
          s.rounded.n,
          s.rounded.qwk.toFixed(4) +
          (s.qwkInterval
            ? ` (${Math.round(s.qwkInterval.level * 100)} % CI ${s.qwkInterval.lower.toFixed(3)}–` +
              `${s.qwkInterval.upper.toFixed(3)})`
            : ""),
        ];
        if (hasCut) r.push(s.cutpoints ? s.cutpoints.qwk.toFixed(4) : "");
        r.push(
          s.rounded.mae.toFixed(4),
          s.rounded.adjacentAccuracy.toFixed(4),
          s.rounded.exactAccuracy.toFixed(4),
        );
        return r;
      }),
    ),
    "",
    "`train` is in-sample (fitted rows); `val` is the held-out 17.65 % of the official train " +
      "split; `test` is the official test set, touched only here. CI = percentile bootstrap " +
      "over essays (1,000 seeded resamples): how far QWK could move on another sample this size.",
    "",
  );
  if (cutpoints) {
    lines.push(
      `Cut-points (fitted inside the training part): ${
        cutpoints.map((c) => c.toFixed(3)).join(", ")
      }`,
      "",
    );
  }
  lines.push("## SHAP", "");
  if (!shap) lines.push("Skipped (`--skip-shap`).", "");
  else if (shap.skipped) lines.push(shap.skipped, "");
  else {
    lines.push(
      `${shap.method ?? "Exact path-dependent TreeSHAP"} on the ${shap.split} set ` +
        `(${shap.nRows} essays). Base value ` +
        `(expected prediction) ${shap.expectedValue.toFixed(4)}. Additivity check: max |base + ` +
        `Σ SHAP − prediction| = ${shap.maxAdditivityError.toExponential(2)} ` +
        `(${shap.maxAdditivityError < 1e-6 ? "passes" : "FAILS"} at 1e-6).`,
      "",
      markdownTable(
        ["rank", "feature", "mean |SHAP|", "mean SHAP"],
        shap.topFeatures.map((f, i) => [
          i + 1,
          `\`${f.feature}\``,
          f.meanAbs.toFixed(4),
          f.meanSigned.toFixed(4),
        ]),
        ["r", "l", "r", "r"],
      ),
      "",
    );
  }
  if (notes.length) lines.push("## Notes", "", ...notes.map((n) => `- ${n}`), "");
  return lines.join("\n");
}

/**
 * The grade-scale report.
 *
 * @example
 * ```ts
 * const md = gradeScaleReportMarkdown("test", report);
 * ```
 */
export function gradeScaleReportMarkdown(
  split: string,
  r: GradeScaleReport,
  datasetKind = "ellipse",
  scale: ScoreScale = ELLIPSE_SCALE,
): string {
  const LABELS = scaleLabels(scale);
  const range = `${LABELS[0]}…${LABELS[LABELS.length - 1]}`;
  const lines = [`# Grade-scale report (${split}, ${r.n} essays)`, ""];
  if (datasetKind === "ielts") {
    lines.push("> **IELTS smoke test — not a result.**", "");
  }
  lines.push(
    markdownTable(["measure", "value"], [
      ["Spearman(predicted, true)", r.spearmanPredTrue.toFixed(4)],
      ["length bias: Spearman(word count, true)", r.lengthBias.spearmanWordsTrue.toFixed(4)],
      [
        "length bias: Spearman(word count, predicted)",
        r.lengthBias.spearmanWordsPredicted.toFixed(4),
      ],
    ]),
    "",
    "A model that leans on length more than the raters shows a predicted-score correlation with " +
      "word count above the true-score one.",
    "",
    "## Confusion matrix (rows = true, columns = predicted, after rounding)",
    "",
    markdownTable(
      ["true \\ pred", ...LABELS, "n"],
      r.confusion.map((row, i) => [LABELS[i], ...row, r.trueCounts[i]]),
      ["l", ...LABELS.map(() => "r" as const), "r"],
    ),
    "",
    `Predicted totals: ${r.predictedCounts.map((c, i) => `${LABELS[i]}: ${c}`).join(", ")}.`,
    "",
    "## Per-prompt score distributions",
    "",
    `QWK per prompt is shown only for prompts with at least ${MIN_PROMPT_QWK_N} essays and more ` +
      "than one true score (n/a otherwise): on a handful of essays it is noise.",
    "",
    markdownTable(
      [
        "prompt",
        "n",
        "mean true",
        "mean pred",
        "QWK",
        `true counts ${range}`,
        `pred counts ${range}`,
      ],
      r.prompts.map((p) => [
        p.prompt,
        p.n,
        p.meanTrue.toFixed(2),
        p.meanPredicted.toFixed(2),
        perPromptQwkCell(p.n, p.trueCounts, p.qwk),
        p.trueCounts.join(" "),
        p.predictedCounts.join(" "),
      ]),
      ["l", "r", "r", "r", "r", "l", "l"],
    ),
    "",
  );
  return lines.join("\n");
}

/** Smallest prompt sample whose per-prompt QWK a report shows. */
export { MIN_PROMPT_QWK_N };

/**
 * The per-prompt QWK cell: `n/a` for small prompts or a single true score (where kappa is
 * undefined or noise), otherwise three decimals without a negative zero.
 *
 * @example
 * ```ts
 * perPromptQwkCell(4, [0, 0, 2, 2, 0, 0, 0, 0, 0], -1); // "n/a (n < 10)"
 * ```
 */
export function perPromptQwkCell(n: number, trueCounts: readonly number[], qwk: number): string {
  if (n < MIN_PROMPT_QWK_N) return `n/a (n < ${MIN_PROMPT_QWK_N})`;
  if (trueCounts.filter((c) => c > 0).length < 2) return "n/a (one true score)";
  const text = qwk.toFixed(3);
  return text === "-0.000" ? "0.000" : text;
}
