import assert from "node:assert/strict";
import {
  applyCutpoints,
  fitCutpoints,
  HALF_POINT_CUTPOINTS,
} from "../../../lib/model/pipeline/cutpoints.ts";
import { quadraticWeightedKappa, roundToHalfPoint } from "../../../lib/model/evaluation/metrics.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";

Deno.test("half-point cut-points reproduce plain rounding with clipping", () => {
  const xs = [0.1, 1.24, 1.25, 2.74, 2.75, 3.3, 4.749, 4.75, 9];
  assert.deepEqual(
    Array.from(applyCutpoints(xs, HALF_POINT_CUTPOINTS)),
    xs.map((x) => roundToHalfPoint(x)),
  );
});

Deno.test("fitted cut-points are monotone and never worse than rounding on training data", () => {
  for (let seed = 1; seed <= 5; seed++) {
    const random = seededRandom(seed);
    const y: number[] = [];
    const pred: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = 1 + Math.floor(random() * 9) / 2;
      y.push(t);
      // shrunk towards the mean, the usual regression-to-the-mean pattern
      pred.push(3 + 0.5 * (t - 3) + (random() - 0.5) * 0.8);
    }
    const cuts = fitCutpoints(y, pred);
    assert.equal(cuts.length, 8);
    for (let k = 1; k < 8; k++) assert.ok(cuts[k] >= cuts[k - 1], `not monotone: ${cuts}`);
    const fitted = quadraticWeightedKappa(y, applyCutpoints(pred, cuts));
    const plain = quadraticWeightedKappa(y, pred);
    assert.ok(fitted >= plain - 1e-12, `fitted ${fitted} < plain ${plain}`);
    // shrunk predictions leave a lot on the table: the search must find a real gain
    assert.ok(fitted > plain + 0.02, `expected a clear gain, got ${plain} → ${fitted}`);
  }
});

Deno.test("cut-points keep perfect predictions perfect", () => {
  const y = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];
  const cuts = fitCutpoints(y, y);
  assert.equal(quadraticWeightedKappa(y, applyCutpoints(y, cuts)), 1);
});
