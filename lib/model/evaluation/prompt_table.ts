/**
 * Prompt-specific evaluation (issue 18): per prompt, n, QWK with a percentile bootstrap CI and
 * the mean residual (prediction − true, raw), plus the per-prompt QWKs averaged the way the ASAP
 * evaluations report them — the Fisher-z mean (`tanh(mean(atanh(κ_p)))`, unweighted over
 * prompts, each κ clipped to ±0.999 before the transform).
 *
 * A prompt's QWK is shown only with at least {@link MIN_PROMPT_QWK_N} essays and two distinct true
 * scores (else kappa is noise or undefined); such prompts still get n and the mean residual, and
 * stay out of the Fisher-z mean.
 *
 * @module
 */
import { ELLIPSE_SCALE, labelIndex, type ScoreScale } from "../../dataset/score_scale.ts";
import { bootstrapQwkInterval, type Interval } from "./bootstrap.ts";
import { quadraticWeightedKappa } from "./metrics.ts";
import { MIN_PROMPT_QWK_N } from "./slice_metrics.ts";

/** One prompt's row. */
export interface PromptRow {
  readonly prompt: string;
  readonly n: number;
  /** Null when the prompt has too few essays or one true score. */
  readonly qwk: number | null;
  readonly qwkInterval: Interval | null;
  readonly meanResidual: number;
}

/** The per-prompt table of one set of predictions. */
export interface PromptTable {
  readonly rows: readonly PromptRow[];
  /** Fisher-z mean of the per-prompt QWKs shown (null when none qualifies). */
  readonly fisherZMeanQwk: number | null;
  /** Prompts in the Fisher-z mean. */
  readonly nPromptsInMean: number;
}

/**
 * Fisher-z mean of kappas: `tanh(mean(atanh(clip(κ, ±0.999))))`.
 *
 * @example
 * ```ts
 * fisherZMean([0.6, 0.8]); // ≈ 0.7125
 * ```
 */
export function fisherZMean(kappas: readonly number[]): number {
  if (kappas.length === 0) return NaN;
  const clip = (k: number) => Math.max(-0.999, Math.min(0.999, k));
  return Math.tanh(kappas.reduce((s, k) => s + Math.atanh(clip(k)), 0) / kappas.length);
}

/**
 * Build the per-prompt table (rows by prompt name).
 *
 * @example
 * ```ts
 * const t = promptTable(yTrue, yPred, prompts, { seed: 42, scale });
 * t.fisherZMeanQwk;
 * ```
 */
export function promptTable(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  prompts: readonly string[],
  options: { readonly seed: number; readonly scale?: ScoreScale; readonly resamples?: number },
): PromptTable {
  if (yTrue.length !== yPred.length || yTrue.length !== prompts.length) {
    throw new Error("promptTable: labels, predictions and prompts differ in length");
  }
  const scale = options.scale ?? ELLIPSE_SCALE;
  const groups = new Map<string, number[]>();
  prompts.forEach((p, i) => groups.set(p, [...(groups.get(p) ?? []), i]));
  const rows = [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(
    ([prompt, idx]): PromptRow => {
      const t = idx.map((i) => yTrue[i]);
      const p = idx.map((i) => yPred[i]);
      const meanResidual = p.reduce((s, v, k) => s + v - t[k], 0) / idx.length;
      const qualifies = idx.length >= MIN_PROMPT_QWK_N &&
        new Set(t.map((y) => labelIndex(scale, y))).size >= 2;
      return {
        prompt,
        n: idx.length,
        qwk: qualifies ? quadraticWeightedKappa(t, p, scale) : null,
        qwkInterval: qualifies
          ? bootstrapQwkInterval(t, p, { seed: options.seed, scale, resamples: options.resamples })
          : null,
        meanResidual,
      };
    },
  );
  const shown = rows.flatMap((r) => (r.qwk === null ? [] : [r.qwk]));
  return {
    rows,
    fisherZMeanQwk: shown.length > 0 ? fisherZMean(shown) : null,
    nPromptsInMean: shown.length,
  };
}

/**
 * The per-prompt table as Markdown (a heading, the Fisher-z mean line, the table).
 *
 * @example
 * ```ts
 * promptTableMarkdown("Per prompt (out-of-fold)", table);
 * ```
 */
export function promptTableMarkdown(title: string, t: PromptTable): string {
  const f = (x: number) => (x.toFixed(3) === "-0.000" ? "0.000" : x.toFixed(3));
  const lines = [
    `## ${title}`,
    "",
    t.fisherZMeanQwk === null
      ? `Fisher-z mean of per-prompt QWK: n/a (no prompt with >= ${MIN_PROMPT_QWK_N} essays and ` +
        "two true scores)."
      : `Fisher-z mean of per-prompt QWK (unweighted over ${t.nPromptsInMean} prompts, as the ASAP ` +
        `evaluations average kappas): **${f(t.fisherZMeanQwk)}**.`,
    "",
    "| prompt | n | QWK | 95 % bootstrap CI | mean residual |",
    "|---|---:|---:|---|---:|",
    ...t.rows.map((r) =>
      `| ${r.prompt} | ${r.n} | ${r.qwk === null ? "n/a" : f(r.qwk)} | ${
        r.qwkInterval ? `${f(r.qwkInterval.lower)}–${f(r.qwkInterval.upper)}` : ""
      } | ${r.meanResidual >= 0 ? "+" : ""}${r.meanResidual.toFixed(3)} |`
    ),
    "",
  ];
  return lines.join("\n");
}
