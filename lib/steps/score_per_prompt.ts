/**
 * `score` with a bundle trained on per-prompt score scales (`bundle.json`'s `per_prompt_scale`):
 * the pipeline predicts on the common grid 0…L, and each essay's prediction is mapped back to its
 * own prompt's scale (`dataset/common_grid.ts`) — written as that prompt's value or level name,
 * with the continuous value in the prompt's units and the grid value beside it. Every essay must
 * have a prompt with a scale in the bundle (else an error naming the file, row and prompt). The
 * summary counts essays per prompt and level, and against human scores gives the per-prompt
 * evaluation with the headline mean per-prompt QWK (Fisher z).
 *
 * @module
 */
import { gridToRaw, gridToValue } from "../dataset/common_grid.ts";
import { DatasetError } from "../dataset/csv_table.ts";
import {
  describeDatasetScale,
  type PerPromptScale,
  perPromptScale,
  promptScale,
} from "../dataset/per_prompt_scale.ts";
import { scaleLabels, scoreOutputValue } from "../dataset/score_scale.ts";
import type { EssayToScore, ScoringInput } from "../dataset/scoring_csv.ts";
import { countWords } from "../dataset/words.ts";
import type { Contribution } from "../model/bundle/bundle_scoring.ts";
import type { ModelBundle } from "../model/bundle/bundle.ts";
import { perPromptEvaluation } from "../model/evaluation/per_prompt_evaluation.ts";
import type { PipelinePrediction } from "../model/pipeline/scoring_pipeline.ts";
import { perPromptEvaluationJson } from "./per_prompt_outputs.ts";
import { predictionColumns } from "./score_output.ts";
import { type ScoreSummary, scoreSummaryOf } from "./score_report.ts";

/**
 * The bundle's per-prompt scales, or null for a one-scale bundle; throws when the recorded grid
 * does not match the scales or the pipeline's scale.
 *
 * @example
 * ```ts
 * bundlePerPromptScale(bundle)?.gridSize; // 30
 * ```
 */
export function bundlePerPromptScale(bundle: ModelBundle): PerPromptScale | null {
  const rec = bundle.meta.per_prompt_scale;
  if (!rec) return null;
  const pp = perPromptScale(rec.scale);
  const grid = bundle.pipeline.scale;
  if (pp.gridSize !== rec.grid_size || grid.min !== 0 || grid.max !== rec.grid_size) {
    throw new Error(
      `model bundle: per_prompt_scale.grid_size ${rec.grid_size} does not match its scales ` +
        `(L = ${pp.gridSize}) or the pipeline's scale ${grid.min}–${grid.max}`,
    );
  }
  return pp;
}

/**
 * Refuse essays without a prompt, or with a prompt that has no scale in the bundle: a
 * `DatasetError` naming the file, row and prompt column (a per-prompt model has no scale to write
 * such an essay's score on).
 *
 * @example
 * ```ts
 * checkScoredPrompts(input, essays, pp);
 * ```
 */
export function checkScoredPrompts(
  input: ScoringInput,
  essays: readonly EssayToScore[],
  pp: PerPromptScale,
): void {
  const known = [...pp.byPrompt.keys()].join(", ");
  const column = input.columns.prompt ?? undefined;
  for (const e of essays) {
    if (e.prompt === null) {
      throw new DatasetError(
        input.file,
        `essay "${e.id}" has no prompt; the model was trained on per-prompt scales and writes ` +
          `each score on its prompt's scale (scales are given for: ${known}); give a prompt ` +
          "column (--prompt-column) or --prompt",
        e.sourceRow,
        column,
      );
    }
    if (!pp.byPrompt.has(e.prompt)) {
      throw new DatasetError(
        input.file,
        `essay "${e.id}": prompt "${e.prompt}" has no scale in the model bundle (scales are ` +
          `given for: ${known})`,
        e.sourceRow,
        column,
      );
    }
  }
}

/**
 * The predictions CSV rows on per-prompt scales: the columns of `score_output.ts`, with
 * `prediction_raw` in the prompt's units, `prediction_rounded` (and `overall_true`) on the
 * prompt's scale, no cut-point score, and `grid_prediction_raw` before the SHAP columns.
 *
 * @example
 * ```ts
 * perPromptPredictionRows(essays, p, flags, false, null, pp);
 * ```
 */
export function perPromptPredictionRows(
  essays: readonly EssayToScore[],
  p: PipelinePrediction,
  flags: readonly string[][],
  hasLabels: boolean,
  explained: { base: number; top: Contribution[][] } | null,
  pp: PerPromptScale,
  language?: string,
): (string | number)[][] {
  const L = pp.gridSize;
  return essays.map((e, i) => {
    const s = promptScale(pp, e.prompt!);
    return [
      e.id,
      e.prompt!,
      countWords(e.text, language),
      gridToRaw(s, L, p.raw[i]),
      scoreOutputValue(s, gridToValue(s, L, p.raw[i])),
      "",
      flags[i].join(";"),
      ...(hasLabels
        ? [e.label === null ? "" : scoreOutputValue(s, gridToValue(s, L, e.label))]
        : []),
      p.raw[i],
      ...(explained
        ? [p.learner[i], explained.base, ...explained.top[i].flatMap((c) => [c.feature, c.value])]
        : []),
    ];
  });
}

/** The header matching {@link perPromptPredictionRows}. */
export function perPromptPredictionColumns(hasLabels: boolean, topK: number | null): string[] {
  const base = predictionColumns(hasLabels, null);
  return [...base, "grid_prediction_raw", ...predictionColumns(hasLabels, topK).slice(base.length)];
}

function promptLevelCounts(
  essays: readonly EssayToScore[],
  values: ArrayLike<number>,
  pp: PerPromptScale,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [p, s] of pp.byPrompt) for (const l of scaleLabels(s)) out[`${p}: ${l}`] = 0;
  essays.forEach((e, i) => {
    const s = promptScale(pp, e.prompt!);
    const k = gridToValue(s, pp.gridSize, values[i]);
    out[`${e.prompt}: ${scoreOutputValue(s, k)}`]++;
  });
  return out;
}

/**
 * The score summary on per-prompt scales: counts per `prompt: level`, no cut-points, and against
 * human scores the per-prompt evaluation (`perPromptLabelled`) instead of pooled metrics.
 *
 * @example
 * ```ts
 * perPromptScoreSummary(bundle, essays, p, flags, pp).perPromptLabelled;
 * ```
 */
export function perPromptScoreSummary(
  bundle: ModelBundle,
  essays: readonly EssayToScore[],
  p: PipelinePrediction,
  flags: readonly string[][],
  pp: PerPromptScale,
): ScoreSummary {
  // the one-scale summary without labels (nothing pooled), then the per-prompt parts over it
  const base = scoreSummaryOf(bundle, essays.map((e) => ({ ...e, label: null })), p, flags);
  const rows = essays.flatMap((e, i) => (e.label === null ? [] : [i]));
  const counts = promptLevelCounts(essays, p.raw, pp);
  return {
    ...base,
    scale: describeDatasetScale(pp),
    levels: Object.keys(counts),
    roundedCounts: counts,
    cutpointCounts: null,
    labelled: null,
    perPromptLabelled: rows.length === 0 ? null : {
      n: rows.length,
      evaluation: perPromptEvaluationJson(perPromptEvaluation(
        rows.map((i) => essays[i].label!),
        rows.map((i) => p.raw[i]),
        rows.map((i) => essays[i].prompt!),
        pp,
        { seed: Number(bundle.meta.training.config.seed ?? 42) },
      )),
    },
  };
}
