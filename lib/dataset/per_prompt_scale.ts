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
 * The training rule `normalise`: every prompt's levels are placed on one common integer grid
 * 0…L, L = lcm over prompts of (levels − 1) (`common_grid.ts`): an essay's label is its level
 * index × L / (levels − 1), exact, so every prompt spans [0, L] — the normalised label k/(levels −
 * 1) scaled by L. Splits, sample weights and the learner run on that grid as on any numeric scale;
 * predictions are mapped back per prompt (`round(x·(levels − 1)/L)`, halves up, clipped) where
 * they are evaluated and written, and the headline is the mean per-prompt QWK (Fisher z)
 * (`model/evaluation/per_prompt_evaluation.ts`); a QWK pooled over prompts on the common grid is
 * not reported. A grid above `MAX_GRID_SIZE` (600) steps is refused as a manifest error.
 *
 * Stratification bins of the official random test split: the grid label in `bins` equal steps,
 * `bins` = the fewest levels of any prompt − 1, so each level of the coarsest prompt is its own
 * bin ({@link gridBin}).
 *
 * @module
 */
import { z } from "zod";
import {
  describeScale,
  formatLevel,
  labelIndex,
  type ScoreScale,
  scoreScale,
  ScoreScaleSpecSchema,
} from "./score_scale.ts";
import { gridLabelOfIndex, gridScale, gridSize, gridSizeProblem } from "./common_grid.ts";

/** The manifest form of per-prompt scales: one scale per prompt, and the rule for training. */
export const PerPromptScaleSpecSchema = z.object({
  kind: z.literal("per_prompt"),
  /** Prompt name (as in the prompt column) → that prompt's numeric or ordinal scale. */
  prompts: z.record(z.string().trim().min(1), ScoreScaleSpecSchema).refine(
    (p) => Object.keys(p).length >= 1,
    { message: "at least one prompt with its scale" },
  ),
  /** How labels on different scales are trained together: `normalise` (on the common grid 0…L). */
  training: z.literal("normalise"),
}).strict().superRefine((s, ctx) => {
  const levels = new Map<string, number>();
  for (const [p, sp] of Object.entries(s.prompts)) {
    const parsed = ScoreScaleSpecSchema.safeParse(sp);
    if (!parsed.success) return; // reported by the prompt's own schema
    levels.set(p, scoreScale(parsed.data).nLevels);
  }
  const problem = gridSizeProblem(levels);
  if (problem) ctx.addIssue({ code: "custom", path: ["prompts"], message: problem });
});

/** Per-prompt scales as written in a manifest. */
export type PerPromptScaleSpec = z.infer<typeof PerPromptScaleSpecSchema>;

/** A validated per-prompt scale table. */
export interface PerPromptScale {
  readonly spec: PerPromptScaleSpec;
  /** Each prompt's scale. */
  readonly byPrompt: ReadonlyMap<string, ScoreScale>;
  /** Stratification bins of the grid label (the fewest levels of any prompt − 1). */
  readonly bins: number;
  /** L: the common training grid is 0…L (lcm over prompts of levels − 1). */
  readonly gridSize: number;
  /** The numeric scale 0…L in steps of 1 the model is trained on. */
  readonly grid: ScoreScale;
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
  const counts = [...byPrompt.values()].map((x) => x.nLevels);
  const L = gridSize(counts);
  return { spec: s, byPrompt, bins: Math.min(...counts) - 1, gridSize: L, grid: gridScale(L) };
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
 * The training label of a value on a prompt's scale: its level index × L / (levels − 1), a whole
 * number on the common grid 0…L.
 *
 * @example
 * ```ts
 * gridLabel(pp, scoreScale({ kind: "numeric", min: 2, max: 12, step: 1 }), 7); // 15 when L = 30
 * ```
 */
export function gridLabel(pp: PerPromptScale, scale: ScoreScale, value: number): number {
  return gridLabelOfIndex(scale, pp.gridSize, labelIndex(scale, value));
}

/**
 * The stratification bin of a grid label: `round(x / L · bins)` (halves up), 0 … bins.
 *
 * @example
 * ```ts
 * gridBin(pp, 15); // 2 when L = 30 and the coarsest prompt has 5 levels
 * ```
 */
export function gridBin(pp: PerPromptScale, x: number): number {
  return Math.min(pp.bins, Math.max(0, Math.floor((x / pp.gridSize) * pp.bins + 0.5 + 1e-9)));
}

/**
 * Per-prompt scales in words: `1: 2–12 in steps of 1; 3: 0–3 in steps of 1 (per prompt,
 * trained on the common grid 0–30)`.
 *
 * @example
 * ```ts
 * describeDatasetScale(datasetScale(manifest.scale));
 * ```
 */
export function describeDatasetScale(s: DatasetScale): string {
  if (!isPerPromptScale(s)) return describeScale(s);
  return [...s.byPrompt].map(([p, sc]) => `${p}: ${describeScale(sc)}`).join("; ") +
    ` (per prompt, trained on the common grid 0–${s.gridSize})`;
}

/** A step that needs one scale for the whole corpus and does not handle per-prompt scales. */
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
      `"per_prompt": ${describeDatasetScale(s)}). Supported: prepare-dataset, make-splits, cv, ` +
      'drop-column, run, score, compare-runs, sweep and ablation; see docs/dataset_manifest.md "Not done". To run a single prompt here, ' +
      "give it its own manifest with that prompt's scale.",
  );
}

/**
 * A stratification level of per-prompt scales as written in warnings: the common-grid level and
 * the prompt levels that sit on it ("common-grid level 18 (1: 5)"), so that a merge of grid levels
 * is not read as a score of some prompt.
 *
 * @example
 * ```ts
 * gridLevelName(pp, 0); // "common-grid level 0 (1: 2, 3: 0, 5: 0)"
 * ```
 */
export function gridLevelName(pp: PerPromptScale, y: number): string {
  const at: string[] = [];
  for (const [prompt, scale] of pp.byPrompt) {
    for (let k = 0; k < scale.nLevels; k++) {
      if (gridLabelOfIndex(scale, pp.gridSize, k) === y) {
        at.push(`${prompt}: ${formatLevel(scale, k)}`);
      }
    }
  }
  return `common-grid level ${y}` + (at.length > 0 ? ` (${at.join(", ")})` : "");
}
