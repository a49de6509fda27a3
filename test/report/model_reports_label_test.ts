/**
 * The cv report names its rounded-QWK row after the scale: ELLIPSE keeps "half-point rounding",
 * any other scale (ASAP's 2–12, letter grades) says it is rounded to the scale's levels.
 */
import assert from "node:assert/strict";
import { ELLIPSE_SCALE, scoreScale } from "../../lib/dataset/score_scale.ts";
import { qwkSummaryLabel } from "../../lib/report/model_reports.ts";

Deno.test("qwkSummaryLabel: half points for ELLIPSE only", () => {
  assert.equal(qwkSummaryLabel(ELLIPSE_SCALE), "QWK (half-point rounding)");
  assert.equal(qwkSummaryLabel(), "QWK (half-point rounding)");
  assert.equal(
    qwkSummaryLabel(scoreScale({ kind: "numeric", min: 2, max: 12, step: 1 })),
    "QWK (rounded to the scale)",
  );
  assert.equal(
    qwkSummaryLabel(scoreScale({ kind: "ordinal", levels: ["F", "E", "D", "C", "B", "A"] })),
    "QWK (rounded to the scale)",
  );
});
