/**
 * Grade-scale report data (SPEC §5): how predictions sit on the score scale (ELLIPSE: 1–5 by 0.5) —
 * Spearman(pred, true), length bias (Spearman of word count with the true and with the predicted
 * score: a model that leans on length more than the raters do shows a larger second number),
 * the levels × levels confusion matrix, and per-prompt score distributions (true vs predicted, after
 * rounding).
 *
 * @module
 */
import { ELLIPSE_SCALE, type ScoreScale } from "../../dataset/score_scale.ts";
import {
  kappaFromConfusion,
  labelClass,
  predictionClass,
  scoreConfusionMatrix,
  spearman,
} from "./metrics.ts";

/** One prompt's distributions. */
export interface PromptDistribution {
  readonly prompt: string;
  readonly n: number;
  readonly meanTrue: number;
  readonly meanPredicted: number;
  /** Counts per level, lowest first (ELLIPSE: 1.0 … 5.0, index 0 … 8). */
  readonly trueCounts: number[];
  readonly predictedCounts: number[];
  /** QWK within the prompt (on the scale's full range of levels). */
  readonly qwk: number;
}

/** The grade-scale report of one set of predictions. */
export interface GradeScaleReport {
  readonly n: number;
  readonly spearmanPredTrue: number;
  readonly lengthBias: {
    readonly spearmanWordsTrue: number;
    readonly spearmanWordsPredicted: number;
  };
  /** Row = true class, column = predicted class (levels lowest first). */
  readonly confusion: number[][];
  readonly trueCounts: number[];
  readonly predictedCounts: number[];
  readonly prompts: readonly PromptDistribution[];
}

/**
 * Build the report.
 *
 * @example
 * ```ts
 * const report = gradeScaleReport({ yTrue, yPred, wordCounts, prompts });
 * report.lengthBias.spearmanWordsPredicted;
 * ```
 */
export function gradeScaleReport(input: {
  readonly yTrue: ArrayLike<number>;
  readonly yPred: ArrayLike<number>;
  readonly wordCounts: ArrayLike<number>;
  readonly prompts: readonly string[];
  /** The score scale (default ELLIPSE's half points). */
  readonly scale?: ScoreScale;
}): GradeScaleReport {
  const { yTrue, yPred, wordCounts, prompts } = input;
  const scale = input.scale ?? ELLIPSE_SCALE;
  const K = scale.nLevels;
  const n = yTrue.length;
  if (yPred.length !== n || wordCounts.length !== n || prompts.length !== n) {
    throw new Error("gradeScaleReport: inputs must have the same length");
  }
  const cm = scoreConfusionMatrix(yTrue, yPred, scale);
  const confusion: number[][] = [];
  for (let i = 0; i < K; i++) confusion.push(Array.from(cm.subarray(i * K, (i + 1) * K)));
  const trueCounts = confusion.map((row) => row.reduce((s, v) => s + v, 0));
  const predictedCounts = Array.from(
    { length: K },
    (_, j) => confusion.reduce((s, row) => s + row[j], 0),
  );
  const byPrompt = new Map<string, number[]>();
  prompts.forEach((p, i) => {
    const list = byPrompt.get(p) ?? [];
    list.push(i);
    byPrompt.set(p, list);
  });
  const promptRows: PromptDistribution[] = [...byPrompt.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([prompt, idx]) => {
      const t = new Array(K).fill(0);
      const p = new Array(K).fill(0);
      let st = 0;
      let sp = 0;
      for (const i of idx) {
        t[labelClass(yTrue[i], scale)]++;
        p[predictionClass(yPred[i], scale)]++;
        st += yTrue[i];
        sp += yPred[i];
      }
      return {
        prompt,
        n: idx.length,
        meanTrue: st / idx.length,
        meanPredicted: sp / idx.length,
        trueCounts: t,
        predictedCounts: p,
        qwk: kappaFromConfusion(
          scoreConfusionMatrix(idx.map((i) => yTrue[i]), idx.map((i) => yPred[i]), scale),
        ),
      };
    });
  return {
    n,
    spearmanPredTrue: spearman(yPred, yTrue),
    lengthBias: {
      spearmanWordsTrue: spearman(wordCounts, yTrue),
      spearmanWordsPredicted: spearman(wordCounts, yPred),
    },
    confusion,
    trueCounts,
    predictedCounts,
    prompts: promptRows,
  };
}
