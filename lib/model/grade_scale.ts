/**
 * Grade-scale report data (SPEC §5): how predictions sit on the 1–5 half-point scale —
 * Spearman(pred, true), length bias (Spearman of word count with the true and with the predicted
 * score: a model that leans on length more than the raters do shows a larger second number),
 * the 9×9 confusion matrix, and per-prompt score distributions (true vs predicted, after
 * rounding).
 *
 * @module
 */
import {
  kappaFromConfusion,
  labelClass,
  N_SCORE_CLASSES,
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
  /** Counts per class 1.0 … 5.0 (index 0 … 8). */
  readonly trueCounts: number[];
  readonly predictedCounts: number[];
  /** QWK within the prompt (on the fixed 9-class range). */
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
  /** Row = true class, column = predicted class (1.0 … 5.0). */
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
}): GradeScaleReport {
  const { yTrue, yPred, wordCounts, prompts } = input;
  const n = yTrue.length;
  if (yPred.length !== n || wordCounts.length !== n || prompts.length !== n) {
    throw new Error("gradeScaleReport: inputs must have the same length");
  }
  const cm = scoreConfusionMatrix(yTrue, yPred);
  const confusion: number[][] = [];
  for (let i = 0; i < N_SCORE_CLASSES; i++) {
    confusion.push(Array.from(cm.subarray(i * N_SCORE_CLASSES, (i + 1) * N_SCORE_CLASSES)));
  }
  const trueCounts = confusion.map((row) => row.reduce((s, v) => s + v, 0));
  const predictedCounts = Array.from(
    { length: N_SCORE_CLASSES },
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
      const t = new Array(N_SCORE_CLASSES).fill(0);
      const p = new Array(N_SCORE_CLASSES).fill(0);
      let st = 0;
      let sp = 0;
      for (const i of idx) {
        t[labelClass(yTrue[i])]++;
        p[predictionClass(yPred[i])]++;
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
          scoreConfusionMatrix(idx.map((i) => yTrue[i]), idx.map((i) => yPred[i])),
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
