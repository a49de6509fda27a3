/**
 * Drop-column importance decision rule (runbook step 4, SPEC §2.4), as a pure function.
 *
 * For each feature: ΔQWK per fold = baseline QWK − QWK retrained without the feature;
 * stability = share of folds with ΔQWK > 0; the feature is kept iff mean ΔQWK > 0 and
 * stability ≥ 0.8 (it helps in at least 80 % of folds). Rows are sorted by mean ΔQWK,
 * descending (ties by stability, then name), so the most useful features come first.
 *
 * @module
 */
import { meanStd } from "./metrics.ts";

/** Stability a feature needs to be kept (share of folds where removing it hurts). */
export const DROP_COLUMN_MIN_STABILITY = 0.8;

/** One feature's drop-column result. */
export interface DropColumnRow {
  readonly feature: string;
  /** ΔQWK per fold (baseline − without the feature). */
  readonly deltaQwkPerFold: readonly number[];
  readonly meanDeltaQwk: number;
  readonly stdDeltaQwk: number;
  /** Share of folds with ΔQWK > 0. */
  readonly stability: number;
  readonly decision: "keep" | "drop";
}

/**
 * Apply the runbook's definitions and decision rule.
 *
 * @example
 * ```ts
 * const rows = dropColumnImportance([0.6, 0.62], { word_count: [0.55, 0.58], noise: [0.61, 0.62] });
 * rows[0]; // { feature: "word_count", decision: "keep", meanDeltaQwk: 0.045, stability: 1, … }
 * ```
 */
export function dropColumnImportance(
  baselinePerFold: readonly number[],
  droppedPerFold: Readonly<Record<string, readonly number[]>>,
  minStability: number = DROP_COLUMN_MIN_STABILITY,
): DropColumnRow[] {
  const nFolds = baselinePerFold.length;
  if (nFolds === 0) throw new Error("dropColumnImportance: no folds");
  const rows: DropColumnRow[] = [];
  for (const [feature, dropped] of Object.entries(droppedPerFold)) {
    if (dropped.length !== nFolds) {
      throw new Error(
        `dropColumnImportance: feature ${feature} has ${dropped.length} folds, expected ${nFolds}`,
      );
    }
    const delta = dropped.map((q, f) => baselinePerFold[f] - q);
    const { mean, std } = meanStd(delta);
    const stability = delta.filter((d) => d > 0).length / nFolds;
    rows.push({
      feature,
      deltaQwkPerFold: delta,
      meanDeltaQwk: mean,
      stdDeltaQwk: std,
      stability,
      decision: mean > 0 && stability >= minStability ? "keep" : "drop",
    });
  }
  rows.sort((a, b) =>
    b.meanDeltaQwk - a.meanDeltaQwk || b.stability - a.stability ||
    (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0)
  );
  return rows;
}
