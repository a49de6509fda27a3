/**
 * The layout of `score`'s predictions CSV (`<score run>/artifacts/predictions.csv` and `--output`):
 * building its rows and header, and reading it back.
 *
 * @module
 */
import { ELLIPSE_SCALE, scoreOutputValue, type ScoreScale } from "../dataset/score_scale.ts";
import { parse } from "csv-parse/sync";
import type { EssayToScore } from "../dataset/scoring_csv.ts";
import { countWords } from "../dataset/words.ts";
import type { PipelinePrediction } from "../model/pipeline/scoring_pipeline.ts";
import type { Contribution } from "../model/bundle/bundle_scoring.ts";

/**
 * One CSV row per essay: id, prompt, words (counted in the training dataset's `language`), raw / rounded / cut-point score (as the scale writes
 * them: numbers, or an ordinal scale's level names), flags, the human score when the input has one, and the SHAP base value and top contributions when explained.
 *
 * @example
 * ```ts
 * stringify(predictionRows(essays, p, flags, false, null), { header: true,
 *   columns: predictionColumns(false, null) });
 * ```
 */
export function predictionRows(
  essays: readonly EssayToScore[],
  p: PipelinePrediction,
  flags: readonly string[][],
  hasLabels: boolean,
  explained: { base: number; top: Contribution[][] } | null,
  scale: ScoreScale = ELLIPSE_SCALE,
  language?: string,
): (string | number)[][] {
  const out = (v: number) => scoreOutputValue(scale, v);
  return essays.map((e, i) => [
    e.id,
    e.prompt ?? "",
    countWords(e.text, language),
    p.raw[i],
    out(p.rounded[i]),
    p.cutpoints ? out(p.cutpoints[i]) : "",
    flags[i].join(";"),
    ...(hasLabels ? [e.label === null ? "" : out(e.label)] : []),
    ...(explained
      ? [
        p.learner[i],
        explained.base,
        ...explained.top[i].flatMap((c) => [c.feature, c.value]),
      ]
      : []),
  ]);
}

/** The header matching {@link predictionRows} (`topK` null = not explained). */
export function predictionColumns(hasLabels: boolean, topK: number | null): string[] {
  return [
    "id",
    "prompt",
    "words",
    "prediction_raw",
    "prediction_rounded",
    "prediction_cutpoints",
    "flags",
    ...(hasLabels ? ["overall_true"] : []),
    ...(topK === null ? [] : [
      // the learner's own prediction (= prediction_raw without a blend); the SHAP base value and
      // contributions explain prediction_raw, the final score (base + Σ all SHAP = raw)
      "prediction_learner",
      "shap_base",
      ...Array.from({ length: topK }, (_, k) => [`shap_${k + 1}_feature`, `shap_${k + 1}_value`])
        .flat(),
    ]),
  ];
}

/**
 * Rows of a `score` predictions CSV as records of strings (numbers keep their exact decimal).
 *
 * @example
 * ```ts
 * const rows = await readScoredPredictions(result.predictionsPath);
 * rows[0].prediction_rounded; // "3.5"
 * ```
 */
export async function readScoredPredictions(path: string): Promise<Record<string, string>[]> {
  return parse(await Deno.readTextFile(path), { columns: true }) as Record<string, string>[];
}
