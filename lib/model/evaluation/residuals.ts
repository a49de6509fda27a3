/**
 * Residual diagnostics of one set of predictions: which essays, prompts and grade bands a model
 * gets wrong, and whether its errors follow a covariate (length, error densities).
 *
 * Residual = raw prediction − true score (positive = over-scored). Per prompt and per grade band:
 * n, mean residual, MAE (raw) and adjacent accuracy (after rounding to the scale); per covariate:
 * the Spearman correlation of the residual with it (a model that leans on length shows a
 * correlation with word count); and the essays with the largest |residual|.
 *
 * @module
 */
import { ELLIPSE_SCALE, type ScoreScale } from "../../dataset/score_scale.ts";
import { roundToHalfPoint, spearman } from "./metrics.ts";
import { GRADE_BANDS, type GradeBand, gradeBand, sliceMetrics } from "./slice_metrics.ts";

/** Tier 1 error densities used as residual covariates (when in the model matrix). */
export const ERROR_DENSITY_COVARIATES = [
  "grammar_errors_per_100_words",
  "spelling_errors_per_100_words",
  "punctuation_errors_per_100_words",
] as const;

/** Predictions with what residuals are explained by. */
export interface ResidualInput {
  readonly ids: readonly string[];
  readonly prompts: readonly string[];
  readonly yTrue: ArrayLike<number>;
  readonly yPred: ArrayLike<number>;
  /** Fold each row was predicted in (cv only). */
  readonly folds?: ArrayLike<number>;
  /** Covariates by name, aligned with the rows (e.g. word_count). */
  readonly covariates: Readonly<Record<string, ArrayLike<number>>>;
  /** The score scale (default ELLIPSE's half points). */
  readonly scale?: ScoreScale;
}

/** One essay's residual. */
export interface ResidualRow {
  readonly id: string;
  readonly prompt: string;
  readonly fold?: number;
  readonly yTrue: number;
  readonly raw: number;
  readonly rounded: number;
  readonly residual: number;
  readonly band: GradeBand;
  readonly covariates: Readonly<Record<string, number>>;
}

/** Residual summary of one group (a prompt or a band). */
export interface ResidualGroup {
  readonly group: string;
  readonly n: number;
  readonly meanResidual: number;
  readonly mae: number;
  readonly adjacentAccuracy: number;
}

/** Residual diagnostics of one split. */
export interface ResidualDiagnostics {
  readonly split: string;
  readonly n: number;
  readonly overall: ResidualGroup;
  readonly byBand: readonly ResidualGroup[];
  /** Ascending by mean residual (most under-scored prompt first). */
  readonly byPrompt: readonly ResidualGroup[];
  readonly covariateSpearman: readonly { covariate: string; spearman: number }[];
  /** Largest |residual| first. */
  readonly worst: readonly ResidualRow[];
}

/**
 * Per-essay residual rows.
 *
 * @example
 * ```ts
 * const rows = residualRows({ ids, prompts, yTrue, yPred, covariates: { word_count } });
 * ```
 */
export function residualRows(input: ResidualInput): ResidualRow[] {
  const n = input.ids.length;
  for (
    const [what, len] of [
      ["prompts", input.prompts.length],
      ["labels", input.yTrue.length],
      ["predictions", input.yPred.length],
      ...Object.entries(input.covariates).map(([k, v]) => [k, v.length] as const),
    ] as const
  ) {
    if (len !== n) throw new Error(`residualRows: ${n} ids but ${len} ${what}`);
  }
  const scale = input.scale ?? ELLIPSE_SCALE;
  return Array.from({ length: n }, (_, i) => ({
    id: input.ids[i],
    prompt: input.prompts[i],
    ...(input.folds ? { fold: input.folds[i] } : {}),
    yTrue: input.yTrue[i],
    raw: input.yPred[i],
    rounded: roundToHalfPoint(input.yPred[i], scale),
    residual: input.yPred[i] - input.yTrue[i],
    band: gradeBand(input.yTrue[i], scale),
    covariates: Object.fromEntries(
      Object.entries(input.covariates).map(([k, v]) => [k, v[i]]),
    ),
  }));
}

function group(name: string, rows: readonly ResidualRow[], scale: ScoreScale): ResidualGroup {
  const m = sliceMetrics(rows.map((r) => r.yTrue), rows.map((r) => r.raw), undefined, scale);
  return {
    group: name,
    n: m.n,
    meanResidual: m.meanResidual,
    mae: m.mae,
    adjacentAccuracy: m.adjacentAccuracy,
  };
}

/**
 * Diagnostics of residual rows: by band, by prompt, Spearman with each covariate, worst `top`.
 *
 * @example
 * ```ts
 * const d = residualDiagnostics("cv_oof", rows); // d.byBand, d.covariateSpearman, d.worst
 * ```
 */
export function residualDiagnostics(
  split: string,
  rows: readonly ResidualRow[],
  top = 20,
  scale: ScoreScale = ELLIPSE_SCALE,
): ResidualDiagnostics {
  if (rows.length === 0) throw new Error(`residualDiagnostics: no rows for ${split}`);
  const byPrompt = new Map<string, ResidualRow[]>();
  for (const r of rows) {
    const g = byPrompt.get(r.prompt);
    if (g) g.push(r);
    else byPrompt.set(r.prompt, [r]);
  }
  const covariates = Object.keys(rows[0].covariates);
  const residuals = rows.map((r) => r.residual);
  return {
    split,
    n: rows.length,
    overall: group("all", rows, scale),
    byBand: GRADE_BANDS.map((b) => group(b, rows.filter((r) => r.band === b), scale)),
    byPrompt: [...byPrompt].map(([p, rs]) => group(p, rs, scale))
      .sort((a, b) => a.meanResidual - b.meanResidual || a.group.localeCompare(b.group)),
    covariateSpearman: covariates.map((c) => ({
      covariate: c,
      spearman: spearman(residuals, rows.map((r) => r.covariates[c])),
    })),
    worst: [...rows].sort((a, b) =>
      Math.abs(b.residual) - Math.abs(a.residual) || a.id.localeCompare(b.id)
    ).slice(0, top),
  };
}

/**
 * The CSV table of residual rows (header + rows), covariates as trailing columns.
 *
 * @example
 * ```ts
 * const { columns, rows } = residualCsvTable(residualRows(input));
 * ```
 */
export function residualCsvTable(
  rows: readonly ResidualRow[],
): { columns: string[]; rows: (string | number)[][] } {
  const covariates = rows.length ? Object.keys(rows[0].covariates) : [];
  const withFold = rows.some((r) => r.fold !== undefined);
  return {
    columns: [
      "id",
      "prompt",
      ...(withFold ? ["fold"] : []),
      "overall_true",
      "prediction_raw",
      "prediction_rounded",
      "residual",
      "grade_band",
      ...covariates,
    ],
    rows: rows.map((r) => [
      r.id,
      r.prompt,
      ...(withFold ? [r.fold ?? ""] : []),
      r.yTrue,
      r.raw,
      r.rounded,
      r.residual,
      r.band,
      ...covariates.map((c) => r.covariates[c]),
    ]),
  };
}

/** Names of the residual covariates available in a model matrix's columns. */
export function availableCovariates(featureNames: readonly string[]): string[] {
  return ERROR_DENSITY_COVARIATES.filter((c) => featureNames.includes(c));
}
