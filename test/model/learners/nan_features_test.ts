/**
 * NaN in handcrafted columns (the original server sends NaN for some readability values) must be
 * carried through the learners sanely: trees give missing values their own bin and can learn from
 * missingness; ridge (and its standardisation) imputes the training mean; predictions and
 * metrics stay finite.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { DenseMatrix } from "../../../lib/model/learners/matrix.ts";
import { scoreMetrics } from "../../../lib/model/evaluation/metrics.ts";
import { Ridge } from "../../../lib/model/learners/ridge.ts";
import { ScoringPipeline } from "../../../lib/model/pipeline/scoring_pipeline.ts";
import { resolveExperimentConfig } from "../../../lib/run/config.ts";
import { syntheticRegression } from "../synthetic.ts";

const P = 6;
const MISSING_COL = 4; // a noise column whose missingness carries signal
const SHIFT = 1;

/** Synthetic rows on the score scale; column 4 is NaN in every 6th row, whose label is SHIFT up. */
function data(n: number, seed: number): { X: DenseMatrix; y: Float64Array; missing: boolean[] } {
  const { X, y } = syntheticRegression(n, P, seed);
  const missing = Array.from({ length: n }, (_, r) => r % 6 === 0);
  missing.forEach((m, r) => {
    if (m) {
      X.values[r * P + MISSING_COL] = NaN;
      y[r] += SHIFT;
    }
    if (r % 17 === 0) X.values[r * P + 1] = NaN; // some NaN in a signal column too
    y[r] = Math.min(5, Math.max(1, Math.round(2 * y[r]) / 2)); // the 1–5 half-point scale
  });
  return { X, y, missing };
}

const config = resolveExperimentConfig(undefined, {
  treeParams: { nEstimators: 80, earlyStoppingRounds: 0 },
});
const names = Array.from({ length: P }, (_, i) => `f${i}`);

for (const kind of ["gbm", "rf", "ridge"] as const) {
  Deno.test(`${kind}: NaN in feature columns gives finite predictions and metrics`, async () => {
    const train = data(600, 1);
    const test = data(300, 2);
    const r = await ScoringPipeline.fit(
      { X: train.X, groups: Array.from(train.y, (_, i) => `row${i}`) },
      train.y,
      {
        kind,
        params: config,
        seed: 7,
        featureNames: names,
        textStacking: false,
        cutpointInnerFolds: 2,
      },
    );
    const p = r.pipeline.predict({ X: test.X });
    const pred = p.raw;
    assert.ok(pred.every(Number.isFinite), "every prediction finite");
    assert.ok(r.trainPredictions.every(Number.isFinite));
    assert.ok(p.cutpoints!.every(Number.isFinite));
    const m = scoreMetrics(test.y, pred);
    for (const [k, v] of Object.entries(m)) assert.ok(Number.isFinite(v), `${k} = ${v}`);
    if (kind !== "ridge") {
      // Trees learn from missingness: rows with the column missing are predicted higher.
      const mean = (rows: number[]) => rows.reduce((s, i) => s + pred[i], 0) / rows.length;
      const idx = [...pred.keys()];
      const gap = mean(idx.filter((i) => test.missing[i])) -
        mean(idx.filter((i) => !test.missing[i]));
      assert.ok(gap > 0.4 * SHIFT, `${kind}: missing rows predicted only ${gap} higher`);
    }
  });
}

Deno.test("ridge: a NaN is imputed with the training column mean, here and in predict", () => {
  const { X, y } = data(200, 3);
  const ridge = new Ridge({ alpha: 1 }).fit(X, y);
  let sum = 0;
  let count = 0;
  for (let r = 0; r < X.nRows; r++) {
    const v = X.values[r * P + MISSING_COL];
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  const row = X.values.slice(0, P); // row 0 has column 4 missing
  assert.ok(Number.isNaN(row[MISSING_COL]));
  const imputed = row.slice();
  imputed[MISSING_COL] = sum / count;
  const a = ridge.predict({ nRows: 1, nCols: P, values: row })[0];
  const b = ridge.predict({ nRows: 1, nCols: P, values: imputed })[0];
  assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
});
