/**
 * Per-prompt score scales (ASAP-style, issue 18): a corpus whose prompts are scored on different
 * ranges (prompt 1 on 2–12, prompt 3 on 0–3, …), written in a manifest as
 *
 * ```json
 * "scale": {
 *   "kind": "per_prompt",
 *   "prompts": {
 *     "1": { "kind": "numeric", "min": 2, "max": 12, "step": 1 },
 *     "3": { "kind": "numeric", "min": 0, "max": 3, "step": 1 }
 *   },
 *   "training": "normalise"
 * }
 * ```
 *
 * The training rule `normalise`: an essay's label for fitting is its level on its prompt's scale
 * divided by that scale's levels − 1, so every prompt spans [0, 1]; a prediction `x` is mapped
 * back to the prompt's scale as `min + x·(max − min)`, rounded to the nearest level (halves up)
 * and clipped ({@link denormalisedScore}). Evaluation is per prompt on the prompt's own scale, and
 * the headline is the mean per-prompt QWK (Fisher z) ({@link perPromptEvaluation}); a QWK pooled
 * over prompts on different scales is not computed.
 *
 * Stratification bins (for splits): the normalised label in `bins` equal steps, `bins` = the
 * fewest levels of any prompt − 1, so each level of the coarsest prompt is its own bin
 * ({@link normalisedBin}).
 *
 * @module
 */
import { z } from "zod";
import {
  describeScale,
  labelIndex,
  predictionIndex,
  scaleValue,
  type ScoreScale,
  scoreScale,
  ScoreScaleSpecSchema,
} from "./score_scale.ts";

/** The manifest form of per-prompt scales: one scale per prompt, and the rule for training. */
export const PerPromptScaleSpecSchema = z.object({
  kind: z.literal("per_prompt"),
  /** Prompt name (as in the prompt column) → that prompt's numeric or ordinal scale. */
  prompts: z.record(z.string().trim().min(1), ScoreScaleSpecSchema).refine(
    (p) => Object.keys(p).length >= 1,
    { message: "at least one prompt with its scale" },
  ),
  /** How labels on different scales are trained together: `normalise` (to [0, 1] per prompt). */
  training: z.literal("normalise"),
}).strict();

/** Per-prompt scales as written in a manifest. */
export type PerPromptScaleSpec = z.infer<typeof PerPromptScaleSpecSchema>;

/** A validated per-prompt scale table. */
export interface PerPromptScale {
  readonly spec: PerPromptScaleSpec;
  /** Each prompt's scale. */
  readonly byPrompt: ReadonlyMap<string, ScoreScale>;
  /** Stratification bins of the normalised label (the fewest levels of any prompt − 1). */
  readonly bins: number;
}

/** What a manifest's `scale` may be: one scale for the corpus, or one per prompt. */
export type DatasetScaleSpec = z.infer<typeof ScoreScaleSpecSchema> | PerPromptScaleSpec;

/** A dataset's validated scale: one {@link ScoreScale}, or a {@link PerPromptScale}. */
export type DatasetScale = ScoreScale | PerPromptScale;

/**
 * Whether a dataset's scale is per prompt.
 *
 * @example
 * ```ts
 * isPerPromptScale(datasetScale(manifest.scale)); // true for kind "per_prompt"
 * ```
 */
export function isPerPromptScale(s: DatasetScale): s is PerPromptScale {
  return "byPrompt" in s;
}

/**
 * Validate a per-prompt scale table and build each prompt's grid.
 *
 * @example
 * ```ts
 * perPromptScale(spec).byPrompt.get("1")!.nLevels; // 11 for 2–12
 * ```
 */
export function perPromptScale(spec: PerPromptScaleSpec): PerPromptScale {
  const s = PerPromptScaleSpecSchema.parse(spec);
  const byPrompt = new Map(Object.entries(s.prompts).map(([p, sp]) => [p, scoreScale(sp)]));
  const bins = Math.min(...[...byPrompt.values()].map((x) => x.nLevels)) - 1;
  return { spec: s, byPrompt, bins };
}

/**
 * The scale of a manifest's `scale` field, whichever kind it is.
 *
 * @example
 * ```ts
 * datasetScale({ kind: "numeric", min: 2, max: 12, step: 1 }).nLevels; // 11
 * ```
 */
export function datasetScale(spec: DatasetScaleSpec): DatasetScale {
  return spec.kind === "per_prompt" ? perPromptScale(spec) : scoreScale(spec);
}

/**
 * The scale of one prompt; throws naming the prompts that have one when it has none.
 *
 * @example
 * ```ts
 * promptScale(pp, "1").nLevels; // 11
 * ```
 */
export function promptScale(pp: PerPromptScale, prompt: string): ScoreScale {
  const s = pp.byPrompt.get(prompt);
  if (s === undefined) {
    throw new Error(
      `prompt "${prompt}" has no scale in scale.prompts (scales are given for: ` +
        `${[...pp.byPrompt.keys()].join(", ")})`,
    );
  }
  return s;
}

/**
 * The training label of a value on a prompt's scale: its level / (levels − 1), in [0, 1].
 *
 * @example
 * ```ts
 * normalisedLabel(scoreScale({ kind: "numeric", min: 2, max: 12, step: 1 }), 7); // 0.5
 * ```
 */
export function normalisedLabel(scale: ScoreScale, value: number): number {
  return labelIndex(scale, value) / (scale.nLevels - 1);
}

/**
 * A normalised prediction mapped back to a prompt's scale: `min + x·(max − min)`, rounded to the
 * nearest level (halves up) and clipped; the model value (an ordinal scale's level index).
 *
 * @example
 * ```ts
 * denormalisedScore(scoreScale({ kind: "numeric", min: 0, max: 3, step: 1 }), 0.6); // 2
 * ```
 */
export function denormalisedScore(scale: ScoreScale, x: number): number {
  return scaleValue(scale, predictionIndex(scale, scale.min + x * (scale.max - scale.min)));
}

/**
 * The continuous (unrounded) value of a normalised prediction on a prompt's scale.
 *
 * @example
 * ```ts
 * denormalisedRaw(scoreScale({ kind: "numeric", min: 0, max: 3, step: 1 }), 0.6); // 1.8
 * ```
 */
export function denormalisedRaw(scale: ScoreScale, x: number): number {
  return scale.min + x * (scale.max - scale.min);
}

/**
 * The stratification bin of a normalised label: `round(x · bins)` (halves up), 0 … bins.
 *
 * @example
 * ```ts
 * normalisedBin(pp, 0.5); // 2 when the coarsest prompt has 5 levels
 * ```
 */
export function normalisedBin(pp: PerPromptScale, x: number): number {
  return Math.min(pp.bins, Math.max(0, Math.floor(x * pp.bins + 0.5 + 1e-9)));
}

/**
 * Per-prompt scales in words: `1: 2–12 in steps of 1; 3: 0–3 in steps of 1 (per prompt,
 * trained normalised to [0, 1])`.
 *
 * @example
 * ```ts
 * describeDatasetScale(datasetScale(manifest.scale));
 * ```
 */
export function describeDatasetScale(s: DatasetScale): string {
  if (!isPerPromptScale(s)) return describeScale(s);
  return [...s.byPrompt].map(([p, sc]) => `${p}: ${describeScale(sc)}`).join("; ") +
    " (per prompt, trained normalised to [0, 1])";
}

/** A step that needs one scale for the whole corpus and does not handle per-prompt scales yet. */
export class PerPromptScaleUnsupportedError extends Error {
  override name = "PerPromptScaleUnsupportedError";
}

/**
 * The dataset's one scale, or a clear error when it is per prompt and `what` does not support
 * that yet (never a silent fall-back to some other grid).
 *
 * @example
 * ```ts
 * singleScale(data.scale, "cv"); // throws for a per-prompt manifest
 * ```
 */
export function singleScale(s: DatasetScale, what: string): ScoreScale {
  if (!isPerPromptScale(s)) return s;
  throw new PerPromptScaleUnsupportedError(
    `${what} does not support per-prompt score scales yet (the manifest's scale.kind is ` +
      `"per_prompt": ${describeDatasetScale(s)}). Supported so far: loading and validation, ` +
      "prepare-dataset and the per-prompt evaluation functions (lib/dataset/per_prompt_scale.ts, " +
      'lib/model/evaluation/per_prompt_evaluation.ts); see docs/dataset_manifest.md "Not done". ' +
      "To run a single prompt now, give it its own manifest with that prompt's scale.",
  );
}
