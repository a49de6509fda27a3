import assert from "node:assert/strict";
import { bootstrapQwkInterval } from "../../../lib/model/evaluation/bootstrap.ts";
import { quadraticWeightedKappa } from "../../../lib/model/evaluation/metrics.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";

function noisy(n: number, noise: number, seed: number) {
  const r = seededRandom(seed);
  const y = Array.from({ length: n }, () => 1 + Math.floor(r() * 9) / 2);
  const p = y.map((v) => v + (r() - 0.5) * 2 * noise);
  return { y, p };
}

Deno.test("bootstrap QWK interval brackets the point estimate and narrows with n", () => {
  const small = noisy(60, 1.2, 1);
  const large = noisy(2000, 1.2, 1);
  const a = bootstrapQwkInterval(small.y, small.p, { seed: 7 });
  const b = bootstrapQwkInterval(large.y, large.p, { seed: 7 });
  for (const [d, ci] of [[small, a], [large, b]] as const) {
    const q = quadraticWeightedKappa(d.y, d.p);
    assert.ok(ci.lower <= q && q <= ci.upper, `${ci.lower} <= ${q} <= ${ci.upper}`);
  }
  assert.ok(b.upper - b.lower < (a.upper - a.lower) / 2, "wider on 60 essays than on 2000");
  assert.deepEqual(bootstrapQwkInterval(small.y, small.p, { seed: 7 }), a, "seeded");
  const perfect = bootstrapQwkInterval([1, 2, 3, 4], [1, 2, 3, 4], { seed: 1, resamples: 50 });
  assert.ok(perfect.upper === 1);
});
