import assert from "node:assert/strict";
import {
  describeScale,
  describeScore,
  describeStratum,
  ELLIPSE_SCALE,
  formatLevel,
  labelIndex,
  parseScoreCell,
  predictionIndex,
  roundToScale,
  scaleLabels,
  scoreOutputValue,
  scoreScale,
  stratumOf,
} from "../../lib/dataset/score_scale.ts";
import {
  adjacentAccuracy,
  quadraticWeightedKappa,
  scoreConfusionMatrix,
} from "../../lib/model/evaluation/metrics.ts";
import {
  applyCutpoints,
  fitCutpoints,
  roundingCutpoints,
} from "../../lib/model/pipeline/cutpoints.ts";
import { gradeBand } from "../../lib/model/evaluation/slice_metrics.ts";

const GRADES = scoreScale({ kind: "ordinal", levels: ["F", "E", "D", "C", "B", "A"] });
const ASAP = scoreScale({ kind: "numeric", min: 2, max: 12, step: 1 });

Deno.test("ELLIPSE scale: index arithmetic equals the old round(2y) − 2 and floor(2x + 0.5)", () => {
  assert.deepEqual(ELLIPSE_SCALE.nLevels, 9);
  assert.deepEqual(ELLIPSE_SCALE.offset, 2);
  for (let i = 0; i < 2000; i++) {
    const x = -1 + i * 0.00371;
    const old = Math.min(5, Math.max(1, Math.floor(2 * x + 0.5) / 2));
    assert.deepEqual(roundToScale(ELLIPSE_SCALE, x), old, `x = ${x}`);
    assert.deepEqual(predictionIndex(ELLIPSE_SCALE, x), Math.round(2 * old) - 2);
  }
  for (let v = 1; v <= 5; v += 0.5) {
    assert.deepEqual(labelIndex(ELLIPSE_SCALE, v), Math.round(2 * v) - 2);
    assert.deepEqual(stratumOf(ELLIPSE_SCALE, v), Math.round(2 * v));
  }
  assert.deepEqual(describeStratum(ELLIPSE_SCALE, 2), "Overall 1.0");
  assert.deepEqual(scaleLabels(ELLIPSE_SCALE)[8], "5.0");
  assert.deepEqual(roundingCutpoints(ELLIPSE_SCALE), [
    1.25,
    1.75,
    2.25,
    2.75,
    3.25,
    3.75,
    4.25,
    4.75,
  ]);
  assert.deepEqual(describeScale(ELLIPSE_SCALE), "1.0–5.0 in steps of 0.5");
});

Deno.test("parseScoreCell keeps ELLIPSE's messages and checks other scales", () => {
  assert.deepEqual(parseScoreCell(ELLIPSE_SCALE, "3.5"), { value: 3.5 });
  assert.deepEqual(
    parseScoreCell(ELLIPSE_SCALE, "3.2").error,
    "off-step score 3.2; expected a multiple of 0.5",
  );
  assert.deepEqual(
    parseScoreCell(ELLIPSE_SCALE, "5.5").error,
    "off-scale score 5.5; expected 1.0–5.0",
  );
  assert.deepEqual(parseScoreCell(ASAP, "12"), { value: 12 });
  assert.deepEqual(parseScoreCell(ASAP, "1").error, "off-scale score 1; expected 2–12");
  assert.deepEqual(
    parseScoreCell(ASAP, "2.5").error,
    "off-step score 2.5; expected a multiple of 1",
  );
  assert.deepEqual(parseScoreCell(GRADES, " C "), { value: 3 });
  assert.deepEqual(
    parseScoreCell(GRADES, "G").error,
    'level "G" is not in the scale; expected one of F, E, D, C, B, A',
  );
});

Deno.test("scale specs: a step that does not divide the range is refused, naming the field", () => {
  assert.throws(
    () => scoreScale({ kind: "numeric", min: 1, max: 5, step: 0.3 }),
    /step: step 0\.3 does not divide the range 1–5/,
  );
  assert.throws(() => scoreScale({ kind: "numeric", min: 5, max: 1, step: 1 }), /max/);
  assert.throws(() => scoreScale({ kind: "ordinal", levels: ["A", "A"] }), /twice/);
  assert.throws(() => scoreScale({ kind: "ordinal", levels: ["A"] }), /levels/);
});

Deno.test("ordinal scale: levels are indices, written as names; QWK over six levels", () => {
  assert.deepEqual(GRADES.nLevels, 6);
  assert.deepEqual(formatLevel(GRADES, 0), "F");
  assert.deepEqual(scoreOutputValue(GRADES, 5), "A");
  assert.deepEqual(describeStratum(GRADES, 3), "score C");
  assert.deepEqual(roundToScale(GRADES, 7.2), 5);
  assert.deepEqual(scoreConfusionMatrix([0, 5], [0.2, 4.6], GRADES).length, 36);
  assert.deepEqual(quadraticWeightedKappa([0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5], GRADES), 1);
  assert.deepEqual(adjacentAccuracy([0, 5], [1.2, 3.4], GRADES), 0.5);
  assert.deepEqual(gradeBand(1, GRADES), "low");
  assert.deepEqual(gradeBand(2, GRADES), "middle");
  assert.deepEqual(gradeBand(4, GRADES), "high");
  assert.throws(() => labelIndex(GRADES, 6), /outside\ the\ F\ <\ E\ <\ D\ <\ C\ <\ B\ <\ A/);
});

Deno.test("cut-points: levels − 1 thresholds on any scale, fitted never worse than rounding", () => {
  const y = [2, 3, 5, 7, 8, 9, 12, 11, 4, 6];
  const pred = [2.9, 3.1, 5.6, 6.4, 8.8, 8.2, 10.9, 10.4, 4.4, 6.6];
  const cuts = fitCutpoints(y, pred, { scale: ASAP });
  assert.deepEqual(cuts.length, 10);
  const fitted = quadraticWeightedKappa(y, applyCutpoints(pred, cuts, ASAP), ASAP);
  assert.ok(fitted >= quadraticWeightedKappa(y, pred, ASAP) - 1e-12);
  assert.deepEqual([...applyCutpoints([1, 6.49, 6.5, 40], roundingCutpoints(ASAP), ASAP)], [
    2,
    6,
    7,
    12,
  ]);
});

Deno.test("a score is called Overall on ELLIPSE's scale and score on any other", () => {
  assert.equal(describeScore(ELLIPSE_SCALE, 3.5), "Overall 3.5");
  const asap = scoreScale({ kind: "numeric", min: 2, max: 12, step: 1 });
  assert.equal(describeScore(asap, 9), "score 9");
  assert.equal(describeStratum(asap, stratumOf(asap, 9)), "score 9");
  const grades = scoreScale({ kind: "ordinal", levels: ["F", "E", "D", "C", "B", "A"] });
  assert.equal(describeScore(grades, 3), "score C");
});
