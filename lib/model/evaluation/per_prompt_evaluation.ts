/**
 * Evaluation on per-prompt score scales (ASAP-style; `dataset/per_prompt_scale.ts`): labels and
 * predictions are on the common training grid 0…L (`dataset/common_grid.ts`); each prompt is
 * scored on its own scale — predictions mapped back (`min + x/L·(max − min)`, rounded to the
 * prompt's nearest level, halves up, clipped), QWK and the confusion matrix over that prompt's
 * levels, adjacent accuracy within one of its levels, the mean residual in its units — and the
 * headline is the
 * **mean per-prompt QWK (Fisher z)**: `tanh(mean(atanh(κ_p)))` over the prompts whose QWK is
 * defined (`prompt_table.ts`), as the ASAP evaluations report it. No QWK is pooled over prompts
 * on different scales.
 *
 * @module
 */
import { type PerPromptScale, promptScale } from "../../dataset/per_prompt_scale.ts";
import { gridToRaw, gridToValue } from "../../dataset/common_grid.ts";
import { formatLevel, type ScoreScale } from "../../dataset/score_scale.ts";
import {
  adjacentAccuracy,
  exactAccuracy,
  quadraticWeightedKappa,
  scoreConfusionMatrix,
} from "./metrics.ts";
import { MIN_PROMPT_QWK_N } from "./slice_metrics.ts";
import { fisherZMean, type PromptRow, promptTable } from "./prompt_table.ts";

/** One prompt evaluated on its own scale. */
export interface PerPromptScaleRow extends PromptRow {
  /** The prompt's scale. */
  readonly scale: ScoreScale;
  readonly adjacentAccuracy: number;
  readonly exactAccuracy: number;
  /** levels × levels, row-major (row = true level, column = predicted level). */
  readonly confusion: Float64Array;
}

/** Per-prompt evaluation on per-prompt scales. */
export interface PerPromptScaleEvaluation {
  readonly rows: readonly PerPromptScaleRow[];
  /** The headline: mean per-prompt QWK (Fisher z); null when no prompt's QWK is defined. */
  readonly meanPerPromptQwkFisherZ: number | null;
  readonly nPromptsInMean: number;
}

/**
 * Evaluate common-grid predictions per prompt, each on its prompt's scale (labels: grid labels).
 *
 * @example
 * ```ts
 * const e = perPromptEvaluation(yGrid, predGrid, prompts, pp, { seed: 42 });
 * e.meanPerPromptQwkFisherZ;
 * ```
 */
export function perPromptEvaluation(
  yGrid: ArrayLike<number>,
  predGrid: ArrayLike<number>,
  prompts: readonly string[],
  pp: PerPromptScale,
  options: { readonly seed: number; readonly resamples?: number },
): PerPromptScaleEvaluation {
  if (yGrid.length !== predGrid.length || yGrid.length !== prompts.length) {
    throw new Error("perPromptEvaluation: labels, predictions and prompts differ in length");
  }
  const groups = new Map<string, number[]>();
  prompts.forEach((p, i) => groups.set(p, [...(groups.get(p) ?? []), i]));
  const rows = [...groups.keys()].sort((a, b) => a.localeCompare(b)).map((prompt) => {
    const idx = groups.get(prompt)!;
    const scale = promptScale(pp, prompt);
    const t = idx.map((i) => gridToValue(scale, pp.gridSize, yGrid[i]));
    const p = idx.map((i) => gridToRaw(scale, pp.gridSize, predGrid[i]));
    const row = promptTable(t, p, idx.map(() => prompt), { ...options, scale }).rows[0];
    return {
      ...row,
      scale,
      adjacentAccuracy: adjacentAccuracy(t, p, scale),
      exactAccuracy: exactAccuracy(t, p, scale),
      confusion: scoreConfusionMatrix(t, p, scale),
    };
  });
  const kappas = rows.flatMap((r) => (r.qwk === null ? [] : [r.qwk]));
  return {
    rows,
    meanPerPromptQwkFisherZ: kappas.length > 0 ? fisherZMean(kappas) : null,
    nPromptsInMean: kappas.length,
  };
}

/**
 * The headline alone, without bootstrap intervals (cheap enough for every fold of every
 * drop-column retraining): the mean per-prompt QWK (Fisher z) of grid predictions, over the
 * prompts with at least `MIN_PROMPT_QWK_N` essays and two true levels; null when none has.
 *
 * @example
 * ```ts
 * meanPerPromptQwk(yGrid, predGrid, prompts, pp); // 0.71
 * ```
 */
export function meanPerPromptQwk(
  yGrid: ArrayLike<number>,
  predGrid: ArrayLike<number>,
  prompts: readonly string[],
  pp: PerPromptScale,
): number | null {
  const groups = new Map<string, number[]>();
  prompts.forEach((p, i) => {
    const g = groups.get(p);
    if (g) g.push(i);
    else groups.set(p, [i]);
  });
  const kappas: number[] = [];
  for (const [prompt, idx] of groups) {
    const scale = promptScale(pp, prompt);
    const t = idx.map((i) => gridToValue(scale, pp.gridSize, yGrid[i]));
    if (idx.length < MIN_PROMPT_QWK_N || new Set(t).size < 2) continue;
    const p = idx.map((i) => gridToRaw(scale, pp.gridSize, predGrid[i]));
    kappas.push(quadraticWeightedKappa(t, p, scale));
  }
  return kappas.length > 0 ? fisherZMean(kappas) : null;
}

/**
 * The evaluation as Markdown: the headline named as such, the per-prompt table, and each
 * prompt's confusion matrix on its own levels.
 *
 * @example
 * ```ts
 * perPromptEvaluationMarkdown("Per prompt (out-of-fold)", evaluation);
 * ```
 */
export function perPromptEvaluationMarkdown(title: string, e: PerPromptScaleEvaluation): string {
  const f = (x: number) => (x.toFixed(3) === "-0.000" ? "0.000" : x.toFixed(3));
  const lines = [
    `## ${title}`,
    "",
    e.meanPerPromptQwkFisherZ === null
      ? "Mean per-prompt QWK (Fisher z): n/a (no prompt with enough essays and two true scores)."
      : `**Mean per-prompt QWK (Fisher z): ${f(e.meanPerPromptQwkFisherZ)}** (unweighted over ` +
        `${e.nPromptsInMean} prompts, each QWK on its prompt's own scale; no QWK is pooled over ` +
        "prompts on different scales).",
    "",
    "| prompt | scale | n | QWK | 95 % bootstrap CI | adjacent | exact | mean residual |",
    "|---|---|---:|---:|---|---:|---:|---:|",
    ...e.rows.map((r) =>
      `| ${r.prompt} | ${formatLevel(r.scale, 0)}–${formatLevel(r.scale, r.scale.nLevels - 1)} | ` +
      `${r.n} | ${r.qwk === null ? "n/a" : f(r.qwk)} | ${
        r.qwkInterval ? `${f(r.qwkInterval.lower)}–${f(r.qwkInterval.upper)}` : ""
      } | ${f(r.adjacentAccuracy)} | ${f(r.exactAccuracy)} | ${r.meanResidual >= 0 ? "+" : ""}${
        r.meanResidual.toFixed(3)
      } |`
    ),
    "",
  ];
  for (const r of e.rows) {
    const k = r.scale.nLevels;
    const labels = Array.from({ length: k }, (_, j) => formatLevel(r.scale, j));
    lines.push(
      `### Confusion, prompt ${r.prompt} (rows true, columns predicted)`,
      "",
      `| true \\ pred | ${labels.join(" | ")} |`,
      `|---|${labels.map(() => "---:").join("|")}|`,
      ...labels.map((l, i) =>
        `| ${l} | ${Array.from({ length: k }, (_, j) => r.confusion[i * k + j]).join(" | ")} |`
      ),
      "",
    );
  }
  return lines.join("\n");
}
