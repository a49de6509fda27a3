import assert from "node:assert/strict";
import {
  clusterBootstrapDraw,
  clusterRows,
} from "../../../lib/model/evaluation/cluster_bootstrap.ts";
import {
  comparePairedRuns,
  type PairedEssays,
} from "../../../lib/model/evaluation/paired_comparison.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";

Deno.test("clusterRows groups rows by label in order of first appearance", () => {
  assert.deepEqual(clusterRows(["a", "b", "a", "c", "b"]).map((g) => [...g]), [[0, 2], [1, 4], [
    3,
  ]]);
});

Deno.test("a cluster draw takes whole prompts, then essays within them, seeded", () => {
  const labels = Array.from({ length: 60 }, (_, i) => `p${Math.floor(i / 10)}`);
  const clusters = clusterRows(labels);
  const a = clusterBootstrapDraw(clusters, seededRandom(3, "t"));
  const b = clusterBootstrapDraw(clusters, seededRandom(3, "t"));
  assert.deepEqual(a, b);
  assert.equal(a.length, 60); // equal cluster sizes: 6 draws of 10
  // every drawn row's prompt was drawn, and most draws miss at least one prompt
  let missed = 0;
  for (let s = 0; s < 50; s++) {
    const d = clusterBootstrapDraw(clusters, seededRandom(s, "t"));
    if (new Set([...d].map((i) => labels[i])).size < 6) missed++;
  }
  assert.ok(missed > 40, `${missed}/50 draws miss a prompt (P = 1 − 6!/6^6 ≈ 0.985)`);
});

/** 12 prompts × 60 essays; the candidate is better on half the prompts and worse on the rest. */
function promptEffects(seed: number) {
  const random = seededRandom(seed, "prompt-effects");
  const n = 720;
  const yTrue = Float64Array.from({ length: n }, () => 1 + Math.floor(random() * 9) / 2);
  const prompt = (i: number) => Math.floor(i / 60);
  const essays: PairedEssays = {
    ids: Array.from({ length: n }, (_, i) => `e${i}`),
    prompts: Array.from({ length: n }, (_, i) => `p${prompt(i)}`),
    yTrue,
    folds: Int32Array.from({ length: n }, (_, i) => i % 5),
  };
  const noise = () => (random() - 0.5) * 1.2;
  const base = Float64Array.from(yTrue, (y) => y + noise());
  const cand = Float64Array.from(yTrue, (y, i) => y + noise() * (prompt(i) % 2 ? 0.4 : 1.8));
  return { essays, base, cand };
}

Deno.test("the cluster bootstrap is wider than the essay bootstrap when gains vary by prompt", () => {
  const s = promptEffects(1);
  const run = (cluster: "prompt" | "essay") =>
    comparePairedRuns(s.essays, { raw: s.base, cutpoints: null }, {
      raw: s.cand,
      cutpoints: null,
    }, { seed: 2, resamples: 1000, cluster });
  const byPrompt = run("prompt");
  const byEssay = run("essay");
  const width = (c: typeof byPrompt) => c.bootstrap.qwk.upper - c.bootstrap.qwk.lower;
  assert.equal(byPrompt.protocol.cluster, "prompt");
  assert.equal(byPrompt.protocol.nPrompts, 12);
  assert.equal(byPrompt.bootstrap.qwk.delta, byEssay.bootstrap.qwk.delta);
  assert.ok(
    width(byPrompt) > 1.3 * width(byEssay),
    `cluster ${width(byPrompt)} vs essay ${width(byEssay)}`,
  );
});

Deno.test("seed replicates put seed variance into the interval and average the fold deltas", () => {
  const s = promptEffects(4);
  // replicates of another seed: each shifted as a whole (a refit lands a bit higher or lower)
  const shift = (p: Float64Array, d: number) => Float64Array.from(p, (v) => v + d);
  const cands = [0, 0.4, -0.4, 0.25].map((d) => shift(s.cand, d)).map((raw) => ({
    raw,
    cutpoints: null,
  }));
  const one = comparePairedRuns(s.essays, { raw: s.base, cutpoints: null }, cands[0], {
    seed: 3,
    resamples: 1000,
  });
  const four = comparePairedRuns(s.essays, [{ raw: s.base, cutpoints: null }], cands, {
    seed: 3,
    resamples: 1000,
  });
  assert.deepEqual(four.protocol.replicates, { baseline: 1, candidate: 4 });
  const each = cands.map((c) =>
    comparePairedRuns(s.essays, { raw: s.base, cutpoints: null }, c, { seed: 3, resamples: 1000 })
      .fold.qwk.mean
  );
  assert.ok(Math.abs(four.fold.qwk.mean - each.reduce((a, b) => a + b) / 4) < 1e-12);
  const width = (c: typeof one) => c.bootstrap.qwk.upper - c.bootstrap.qwk.lower;
  assert.ok(width(four) > width(one), `${width(four)} vs ${width(one)}`);
  assert.throws(
    () => comparePairedRuns(s.essays, [], cands, { seed: 1 }),
    /no runs/,
  );
});
