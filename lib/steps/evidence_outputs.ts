/**
 * The evidence outputs `cv` and `run` add to their run directory: tail-slice and worst-prompt
 * metrics (for the report and the metrics JSON) and the residual diagnostics
 * (`artifacts/residuals_<split>.csv`, `reports/residual_diagnostics.md` + `.json`).
 *
 * @module
 */
import { promptTable, promptTableMarkdown } from "../model/evaluation/prompt_table.ts";
import type { ScoreScale } from "../dataset/score_scale.ts";
import { stringify } from "csv-stringify/sync";
import type { Essay } from "../dataset/essay.ts";
import { residualDiagnosticsMarkdown } from "../report/evidence_reports.ts";
import type { CrossValidationResult } from "../model/validation/cross_validation.ts";
import { type DenseMatrix, selectRows } from "../model/learners/matrix.ts";
import {
  availableCovariates,
  residualCsvTable,
  type ResidualDiagnostics,
  residualDiagnostics,
  residualRows,
} from "../model/evaluation/residuals.ts";
import { type EvidenceMetrics, evidenceMetrics } from "../model/evaluation/slice_metrics.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import type { RunContext } from "../run/run_context.ts";
import { wordCounts } from "./model_inputs.ts";

/** One set of predictions to diagnose. */
export interface PredictedPart {
  /** Split name used in file names (`cv_oof`, `val`, `test`). */
  readonly split: string;
  readonly essays: readonly Essay[];
  /** Raw predictions aligned with `essays`. */
  readonly predictions: ArrayLike<number>;
  /** Cut-point predictions aligned with `essays` (null when off). */
  readonly cutpointPredictions?: ArrayLike<number> | null;
  /** Fold of each essay (cv). */
  readonly folds?: ArrayLike<number>;
  /** The input matrix rows of these essays and its column names (for the covariates). */
  readonly X: DenseMatrix;
  readonly featureNames: readonly string[];
  /** The score scale (default ELLIPSE's). */
  readonly scale?: ScoreScale;
  /** The dataset's language (BCP 47; default English): how words are counted. */
  readonly language?: string;
}

/** Tail slices and worst prompt of a part, rounded and (when present) through the cut-points. */
export interface PartEvidence {
  readonly split: string;
  readonly rounded: EvidenceMetrics;
  readonly cutpoints: EvidenceMetrics | null;
}

/**
 * Evidence metrics of a part.
 *
 * @example
 * ```ts
 * const e = partEvidence(part); // e.rounded.tails.high
 * ```
 */
export function partEvidence(part: PredictedPart): PartEvidence {
  const y = part.essays.map((e) => e.overall);
  const prompts = part.essays.map((e) => e.prompt);
  return {
    split: part.split,
    rounded: evidenceMetrics(y, part.predictions, prompts, part.scale),
    cutpoints: part.cutpointPredictions
      ? evidenceMetrics(y, part.cutpointPredictions, prompts, part.scale)
      : null,
  };
}

/**
 * Residual covariates of a part: word count, and the Tier 1 error densities that are columns of
 * the model matrix (absent for `embeddings` or when excluded).
 */
export function residualCovariates(part: PredictedPart): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {
    word_count: wordCounts(part.essays, part.language),
  };
  for (const name of availableCovariates(part.featureNames)) {
    const c = part.featureNames.indexOf(name);
    out[name] = Float64Array.from(
      { length: part.X.nRows },
      (_, r) => part.X.values[r * part.X.nCols + c],
    );
  }
  return out;
}

/**
 * Write `artifacts/residuals_<split>.csv` per part and `reports/residual_diagnostics.md` +
 * `.json` over all parts.
 *
 * @example
 * ```ts
 * await writeResidualOutputs(run, [part], "Residual diagnostics (cv out-of-fold)");
 * ```
 */
export async function writeResidualOutputs(
  run: RunContext,
  parts: readonly PredictedPart[],
  title: string,
): Promise<ResidualDiagnostics[]> {
  const done: { diagnostics: ResidualDiagnostics; csvPath: string }[] = [];
  for (const part of parts) {
    const rows = residualRows({
      ids: part.essays.map((e) => e.id),
      prompts: part.essays.map((e) => e.prompt),
      yTrue: part.essays.map((e) => e.overall),
      yPred: part.predictions,
      folds: part.folds,
      covariates: residualCovariates(part),
      scale: part.scale,
    });
    const csvPath = run.artifactPath(`residuals_${part.split}.csv`);
    const table = residualCsvTable(rows);
    await writeFileAtomic(csvPath, stringify(table.rows, { header: true, columns: table.columns }));
    done.push({ diagnostics: residualDiagnostics(part.split, rows, 20, part.scale), csvPath });
  }
  await writeJsonAtomic(run.reportPath("residual_diagnostics.json"), {
    schema_version: 1,
    splits: done.map((d) => ({ ...d.diagnostics, csv_path: d.csvPath })),
  });
  await writeFileAtomic(
    run.reportPath("residual_diagnostics.md"),
    residualDiagnosticsMarkdown(title, done, parts[0]?.scale),
  );
  return done.map((d) => d.diagnostics);
}

/**
 * The out-of-fold part of a cross-validation: the essays validated in some fold, with their
 * raw and cut-point predictions and fold ids.
 *
 * @example
 * ```ts
 * const part = oofPart(data.train, X, names, cv);
 * ```
 */
export function oofPart(
  essays: readonly Essay[],
  X: DenseMatrix,
  names: readonly string[],
  cv: CrossValidationResult,
  scale?: ScoreScale,
): PredictedPart {
  const rows = essays.flatMap((_, i) => (cv.oofFold[i] >= 0 ? [i] : []));
  const pick = (a: ArrayLike<number>) => Float64Array.from(rows, (i) => a[i]);
  return {
    split: "cv_oof",
    essays: rows.map((i) => essays[i]),
    predictions: pick(cv.oofPredictions),
    cutpointPredictions: cv.oofCutpointPredictions ? pick(cv.oofCutpointPredictions) : null,
    folds: Int32Array.from(rows, (i) => cv.oofFold[i]),
    X: rows.length === X.nRows ? X : selectRows(X, rows),
    featureNames: names,
    scale,
  };
}

/**
 * The per-prompt table of a part as Markdown (n, QWK with a bootstrap CI, mean residual, and the
 * Fisher-z mean of the per-prompt QWKs; `model/evaluation/prompt_table.ts`).
 *
 * @example
 * ```ts
 * partPromptTableMarkdown(oof, "Per prompt (out-of-fold)", config.seed);
 * ```
 */
export function partPromptTableMarkdown(part: PredictedPart, title: string, seed: number): string {
  const table = promptTable(
    part.essays.map((e) => e.overall),
    part.predictions,
    part.essays.map((e) => e.prompt),
    { seed, scale: part.scale },
  );
  return promptTableMarkdown(title, table);
}
