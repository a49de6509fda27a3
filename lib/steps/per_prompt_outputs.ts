/**
 * What the model steps share on per-prompt score scales (`dataset/per_prompt_scale.ts`): the
 * model is trained on the common grid 0…L (`dataset/common_grid.ts`) like on any numeric scale,
 * and its predictions are mapped back per prompt here, where they are evaluated and written —
 * the per-prompt evaluation (QWK with a bootstrap CI, confusion, adjacent accuracy, residuals on
 * each prompt's own scale; the headline the mean per-prompt QWK (Fisher z)), the prediction CSV
 * columns on each prompt's scale, and the config with cut-points off (the report text is in
 * `report/per_prompt_reports.ts`).
 *
 * @module
 */
import { gridToRaw, gridToValue } from "../dataset/common_grid.ts";
import type { Essay } from "../dataset/essay.ts";
import { type PerPromptScale, promptScale } from "../dataset/per_prompt_scale.ts";
import { describeScale, scoreOutputValue } from "../dataset/score_scale.ts";
import {
  meanPerPromptQwk,
  perPromptEvaluation,
  type PerPromptScaleEvaluation,
} from "../model/evaluation/per_prompt_evaluation.ts";
import type { CrossValidationResult } from "../model/validation/cross_validation.ts";
import { MIN_PROMPT_QWK_N } from "../model/evaluation/slice_metrics.ts";
import { CUTPOINTS_DISABLED_REASON } from "../report/per_prompt_reports.ts";
import type { ExperimentConfig } from "../run/config.ts";
import type { RunContext } from "../run/run_context.ts";

/**
 * The config a per-prompt model is fitted with: cut-points off (a warning in `run.log` when they
 * were asked for, the default).
 *
 * @example
 * ```ts
 * config = perPromptFitConfig(run, config);
 * ```
 */
export function perPromptFitConfig(run: RunContext, config: ExperimentConfig): ExperimentConfig {
  if (!config.optimiseCutpoints) return config;
  run.log.warn(`WARNING ${CUTPOINTS_DISABLED_REASON}`);
  return { ...config, optimiseCutpoints: false };
}

/**
 * The per-prompt evaluation of predictions on the grid for these essays (grid labels).
 *
 * @example
 * ```ts
 * perPromptEvaluationOf(essays, oofPredictions, pp, config.seed).meanPerPromptQwkFisherZ;
 * ```
 */
export function perPromptEvaluationOf(
  essays: readonly Essay[],
  gridPredictions: ArrayLike<number>,
  pp: PerPromptScale,
  seed: number,
): PerPromptScaleEvaluation {
  return perPromptEvaluation(
    essays.map((e) => e.overall),
    gridPredictions,
    essays.map((e) => e.prompt),
    pp,
    { seed },
  );
}

/**
 * An evaluation as JSON: the headline under its name, and per prompt its scale, n, QWK and CI,
 * adjacent and exact accuracy, mean residual and confusion matrix (rows true, columns predicted).
 *
 * @example
 * ```ts
 * perPromptEvaluationJson(evaluation).mean_per_prompt_qwk_fisher_z;
 * ```
 */
export function perPromptEvaluationJson(e: PerPromptScaleEvaluation) {
  return {
    mean_per_prompt_qwk_fisher_z: e.meanPerPromptQwkFisherZ,
    n_prompts_in_mean: e.nPromptsInMean,
    prompts: e.rows.map((r) => ({
      prompt: r.prompt,
      scale: describeScale(r.scale),
      n: r.n,
      qwk: r.qwk,
      qwk_ci95: r.qwkInterval,
      adjacent_accuracy: r.adjacentAccuracy,
      exact_accuracy: r.exactAccuracy,
      mean_residual: r.meanResidual,
      confusion: Array.from(
        { length: r.scale.nLevels },
        (_, i) => Array.from(r.confusion.subarray(i * r.scale.nLevels, (i + 1) * r.scale.nLevels)),
      ),
    })),
  };
}

/** The headline as text: `0.712` or `n/a`. */
export function headlineText(e: PerPromptScaleEvaluation, digits = 4): string {
  return e.meanPerPromptQwkFisherZ === null ? "n/a" : e.meanPerPromptQwkFisherZ.toFixed(digits);
}

/**
 * An essay's true score and a grid prediction on the essay's prompt's scale, as the prediction
 * CSVs write them: `[overall_true, prediction_raw, prediction_rounded]` — the true value (or
 * level name), the continuous prediction in the prompt's units (an ordinal scale: level
 * numbers), and the prediction mapped back to the prompt's nearest level (value or name).
 *
 * @example
 * ```ts
 * promptScaleCells(pp, essay, 16.5); // [7, 7.5, 8] for an essay on 2–12 with L = 30
 * ```
 */
export function promptScaleCells(
  pp: PerPromptScale,
  essay: Pick<Essay, "prompt" | "overall">,
  gridPrediction: number,
): (string | number)[] {
  const s = promptScale(pp, essay.prompt);
  const L = pp.gridSize;
  const missing = Number.isNaN(gridPrediction);
  return [
    scoreOutputValue(s, gridToValue(s, L, essay.overall)),
    missing ? "" : gridToRaw(s, L, gridPrediction),
    missing ? "" : scoreOutputValue(s, gridToValue(s, L, gridPrediction)),
  ];
}

/**
 * The mean per-prompt QWK (Fisher z) of each fold's held-out essays (no bootstrap), the per-fold
 * figure drop-column decides on; throws naming the fold when one has no prompt with a defined QWK.
 *
 * @example
 * ```ts
 * perPromptFoldQwks(cv, data.train, pp); // [0.71, 0.69, …]
 * ```
 */
export function perPromptFoldQwks(
  cv: CrossValidationResult,
  essays: readonly Essay[],
  pp: PerPromptScale,
): number[] {
  return foldHeadlines(
    cv.folds.map((f) => f.fold),
    { folds: cv.oofFold, predictions: cv.oofPredictions, essays },
    pp,
  );
}

/** Out-of-fold grid predictions with each row's fold and essay (grid label and prompt). */
export interface GridOof {
  readonly folds: ArrayLike<number>;
  readonly predictions: ArrayLike<number>;
  readonly essays: readonly Pick<Essay, "overall" | "prompt">[];
}

/**
 * The mean per-prompt QWK (Fisher z) of each listed fold's rows (no bootstrap), in the order of
 * `folds` — the per-fold figure of drop-column, and of sweep / ablation rankings on per-prompt
 * scales; throws naming the fold when one has no prompt with a defined QWK.
 *
 * @example
 * ```ts
 * foldHeadlines([0, 1], { folds, predictions, essays }, pp); // [0.71, 0.69]
 * ```
 */
export function foldHeadlines(
  folds: readonly number[],
  oof: GridOof,
  pp: PerPromptScale,
): number[] {
  const { essays } = oof;
  return folds.map((fold) => {
    const rows = essays.flatMap((_, i) => (oof.folds[i] === fold ? [i] : []));
    const q = meanPerPromptQwk(
      rows.map((i) => essays[i].overall),
      rows.map((i) => oof.predictions[i]),
      rows.map((i) => essays[i].prompt),
      pp,
    );
    if (q === null) {
      throw new Error(
        `fold ${fold} (${rows.length} essays) has no prompt with at least ${MIN_PROMPT_QWK_N} ` +
          "held-out essays " +
          "and two true levels, so its mean per-prompt QWK (Fisher z) is undefined; use fewer " +
          "folds (make-splits --n-splits) or more essays per prompt",
      );
    }
    return q;
  });
}
