import assert from "node:assert/strict";
import {
  comparePairedRuns,
  type PairedEssays,
} from "../../../lib/model/evaluation/paired_comparison.ts";
import {
  DEFAULT_GATE_PROFILE,
  gateVerdict,
  parseGateProfile,
} from "../../../lib/model/evaluation/gate.ts";
import { quadraticWeightedKappa } from "../../../lib/model/evaluation/metrics.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";
import { scoreScale } from "../../../lib/dataset/score_scale.ts";

const SCORES = [1.5, 2, 2.5, 3, 3, 3, 3.5, 3.5, 4, 4.5];

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** n essays over 5 folds and 6 prompts; predictions = true + N(0, sd). */
function synthetic(n: number, seed: number, sdBase: number, sdCand: number) {
  const random = seededRandom(seed, "synthetic");
  const yTrue = Float64Array.from({ length: n }, () => SCORES[Math.floor(random() * 10)]);
  const essays: PairedEssays = {
    ids: Array.from({ length: n }, (_, i) => `e${i}`),
    prompts: Array.from({ length: n }, (_, i) => `p${i % 6}`),
    yTrue,
    folds: Int32Array.from({ length: n }, (_, i) => i % 5),
  };
  const base = Float64Array.from(yTrue, (y) => y + sdBase * gaussian(random));
  const cand = Float64Array.from(yTrue, (y) => y + sdCand * gaussian(random));
  return { essays, base, cand };
}

Deno.test("paired bootstrap CI covers the known QWK difference on synthetic predictions", () => {
  // the population difference, from a very large sample of the same process
  const pop = synthetic(200_000, 1, 0.75, 0.55);
  const trueDelta = quadraticWeightedKappa(pop.essays.yTrue, pop.cand) -
    quadraticWeightedKappa(pop.essays.yTrue, pop.base);
  assert.ok(trueDelta > 0.02, `the process has a real difference (${trueDelta})`);
  let covered = 0;
  const reps = 20;
  for (let r = 0; r < reps; r++) {
    const s = synthetic(700, 100 + r, 0.75, 0.55);
    const c = comparePairedRuns(
      s.essays,
      { raw: s.base, cutpoints: null },
      { raw: s.cand, cutpoints: null },
      { seed: r, resamples: 1000 },
    );
    if (c.bootstrap.qwk.lower <= trueDelta && trueDelta <= c.bootstrap.qwk.upper) covered++;
  }
  // nominal 95 %: P(≤ 15 of 20 covered) < 0.3 % if the interval is right
  assert.ok(covered >= 16, `covered ${covered} of ${reps}`);
});

Deno.test("identical candidate: every Δ is 0, 'no difference', the gate fails", () => {
  const s = synthetic(400, 7, 0.6, 0.6);
  const run = { raw: s.base, cutpoints: s.base.map((v) => Math.round(v * 2) / 2) };
  const c = comparePairedRuns(s.essays, run, run, { seed: 42 });
  assert.equal(c.bootstrap.qwk.resamples, 5000);
  for (const d of [c.fold.qwk, c.fold.qwkCutpoints!, c.fold.mae, c.fold.adjacentAccuracy]) {
    assert.equal(d.mean, 0);
    assert.ok(d.perFold.every((x) => x === 0));
    assert.equal(d.candidateWins, 0);
  }
  assert.equal(c.bootstrap.qwk.lower, 0);
  assert.equal(c.bootstrap.qwk.upper, 0);
  assert.equal(c.worstPrompt.delta, 0);
  assert.equal(c.difference, "no difference");
  const v = gateVerdict(c, DEFAULT_GATE_PROFILE);
  assert.equal(v.passed, false);
  assert.deepEqual(v.checks.map((k) => k.passed), [false, true, true, true]);
});

Deno.test("the gate fails a candidate that raises mean QWK while wrecking the high band", () => {
  const s = synthetic(800, 3, 0.8, 0.25);
  // the candidate is sharp everywhere except the high band, which it pulls down a full point
  const cand = Float64Array.from(s.cand, (p, i) => (s.essays.yTrue[i] >= 4 ? p - 1.0 : p));
  const c = comparePairedRuns(
    s.essays,
    { raw: s.base, cutpoints: null },
    { raw: cand, cutpoints: null },
    { seed: 1 },
  );
  assert.ok(c.fold.qwk.mean > 0, `mean QWK up (${c.fold.qwk.mean})`);
  assert.ok(c.bootstrap.qwk.lower > 0);
  assert.equal(c.difference, "candidate better");
  assert.ok(c.tails.candidate.high.adjacentAccuracy < c.tails.baseline.high.adjacentAccuracy - 0.1);
  const v = gateVerdict(c, DEFAULT_GATE_PROFILE);
  assert.equal(v.passed, false);
  const failed = v.checks.filter((k) => !k.passed).map((k) => k.check);
  assert.ok(failed.includes("high-band adjacent accuracy Δ"), failed.join(", "));
  // a profile that does not look at the high band lets it through
  const lax = parseGateProfile({ maxHighBandAdjacentDrop: 1, maxWorstPromptQwkDrop: 1 });
  assert.equal(gateVerdict(c, lax).passed, true);
  // the same sharpening without the wrecked tail passes the default gate
  const fair = comparePairedRuns(
    s.essays,
    { raw: s.base, cutpoints: null },
    { raw: s.cand, cutpoints: null },
    { seed: 1 },
  );
  assert.equal(gateVerdict(fair, DEFAULT_GATE_PROFILE).passed, true);
});

Deno.test("bootstrap is seeded and resamples within folds", () => {
  const s = synthetic(300, 9, 0.7, 0.6);
  const a = comparePairedRuns(s.essays, { raw: s.base, cutpoints: null }, {
    raw: s.cand,
    cutpoints: null,
  }, { seed: 5, resamples: 500 });
  const b = comparePairedRuns(s.essays, { raw: s.base, cutpoints: null }, {
    raw: s.cand,
    cutpoints: null,
  }, { seed: 5, resamples: 500 });
  assert.deepEqual(a.bootstrap, b.bootstrap);
  assert.deepEqual(a.folds, [0, 1, 2, 3, 4]);
  assert.throws(() => parseGateProfile({ maxHighBandAdjacentDrop: -1 }), /maxHighBandAdjacentDrop/);
  assert.throws(() => parseGateProfile({ typo: 1 }), /invalid gate profile/);
});

Deno.test("paired comparison on another scale (2–12 by 1): kappas, bands and tails on that scale", () => {
  const scale = scoreScale({ kind: "numeric", min: 2, max: 12, step: 1 });
  const random = seededRandom(3, "asap");
  const n = 600;
  const yTrue = Float64Array.from({ length: n }, () => 2 + Math.floor(random() * 11));
  const essays: PairedEssays = {
    ids: Array.from({ length: n }, (_, i) => `e${i}`),
    prompts: Array.from({ length: n }, (_, i) => `p${i % 4}`),
    yTrue,
    folds: Int32Array.from({ length: n }, (_, i) => i % 5),
    scale,
  };
  const base = Float64Array.from(yTrue, (y) => y + 2 * gaussian(random));
  const cand = Float64Array.from(yTrue, (y) => y + 0.7 * gaussian(random));
  const c = comparePairedRuns(
    essays,
    { raw: base, cutpoints: null },
    { raw: cand, cutpoints: null },
    { seed: 1, resamples: 1000 },
  );
  assert.deepEqual(c.scale, scale.spec);
  const foldQwk = (pred: Float64Array) =>
    [0, 1, 2, 3, 4].map((f) => {
      const rows = [...essays.folds.keys()].filter((i) => essays.folds[i] === f);
      return quadraticWeightedKappa(rows.map((i) => yTrue[i]), rows.map((i) => pred[i]), scale);
    }).reduce((s, q) => s + q, 0) / 5;
  assert.ok(Math.abs(c.fold.qwk.candidate - foldQwk(cand)) < 1e-12);
  assert.equal(c.difference, "candidate better");
  // bands from the scale: the lowest / highest 3 of 11 levels
  assert.equal(c.tails.baseline.high.n, yTrue.filter((y) => y >= 10).length);
  assert.equal(c.tails.baseline.low.n, yTrue.filter((y) => y <= 4).length);
  // without the scale the labels are off ELLIPSE's 1.0–5.0 grid
  assert.throws(
    () =>
      comparePairedRuns({ ...essays, scale: undefined }, { raw: base, cutpoints: null }, {
        raw: cand,
        cutpoints: null,
      }, { seed: 1, resamples: 1000 }),
    /outside the 1\.0–5\.0/,
  );
});
