/**
 * `bench quality`: folds are paired by number with the reference's, std is the population std,
 * the targets follow issue 14, and a cached reference JSON is found by content hash (no Python).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  compareScheme,
  foldStats,
  qualityMarkdown,
  targetChecks,
} from "../../lib/bench/quality_bench.ts";
import {
  referenceCacheKey,
  type ReferenceJson,
  type ReferenceRequest,
  referenceResult,
} from "../../lib/bench/quality_reference.ts";
import type { FoldOutcome } from "../../lib/model/validation/cross_validation.ts";
import type { ScoreMetrics } from "../../lib/model/evaluation/metrics.ts";
import type { TestEvaluation } from "../../lib/steps/cv_test_evaluation.ts";

const metrics = (qwk: number): ScoreMetrics => ({
  qwk,
  mae: 0.4,
  adjacentAccuracy: 0.9,
  exactAccuracy: 0.4,
  n: 100,
});

function fold(n: number, qwk: number, cut: number): FoldOutcome {
  return {
    fold: n,
    nTrain: 400,
    nVal: 100,
    metrics: metrics(qwk),
    cutpointMetrics: metrics(cut),
    cutpoints: null,
    fitSeconds: 1,
  };
}

function reference(scheme: string, rounded: number[], cut: number[]): ReferenceJson {
  return {
    seed: 42,
    cutpoints: true,
    dataset: { train: { sha256: "a", used: 500 }, test: { sha256: "b", used: 300 } },
    versions: { "scikit-learn": "1.2.1", xgboost: "1.7.4" },
    folds: { scheme, fold_numbers: [2, 0, 1], val_sizes: [100, 100, 100] },
    models: {
      stack: {
        name: "stack",
        fit_seconds: 1,
        total_seconds: 2,
        test_qwk: 0.6,
        test_qwk_cutpoints: 0.61,
        cv_qwk: { mean: 0, std: 0, folds: rounded },
        cv_qwk_cutpoints: { mean: 0, std: 0, folds: cut },
      },
    },
  };
}

Deno.test("foldStats: mean and population std (ddof 0)", () => {
  const s = foldStats([0.5, 0.7]);
  assert.ok(Math.abs(s.mean - 0.6) < 1e-12 && Math.abs(s.std - 0.1) < 1e-12);
});

Deno.test("compareScheme pairs folds by number; targets per issue 14", () => {
  // project folds out of order; the reference lists folds 2, 0, 1
  const folds = [fold(1, 0.62, 0.63), fold(0, 0.60, 0.61), fold(2, 0.64, 0.65)];
  const ref = reference("stratified_text", [0.50, 0.55, 0.58], [0.58, 0.59, 0.60]);
  const c = compareScheme("stratified_text", folds, 3.5, ref);
  assert.deepEqual(c.foldNumbers, [0, 1, 2]);
  assert.deepEqual(c.reference!.rounded.folds, [0.55, 0.58, 0.50]);
  const d = c.pairedDelta!.rounded.folds;
  [0.05, 0.04, 0.14].forEach((x, i) => assert.ok(Math.abs(d[i] - x) < 1e-12));
  assert.throws(() => compareScheme("prompt_holdout", folds, 1, ref), /is for stratified_text/);

  const test = {
    nTrain: 500,
    nTest: 300,
    rounded: metrics(0.62),
    cutpointMetrics: metrics(0.605),
    cutpoints: null,
    qwkInterval: { lower: 0.5, upper: 0.7, level: 0.95, resamples: 1000 },
    fitSeconds: 1,
    predictionsPath: "x.csv",
  } satisfies TestEvaluation;
  const t = targetChecks([c], test, ref);
  assert.deepEqual(t.map((x) => [x.what, x.met]), [
    ["CV stratified_text rounded", true], // 0.62 ≥ 0.543 + 0.03
    ["CV stratified_text cut-points", true], // 0.63 ≥ 0.59 + 0.02
    ["full train → test rounded", true], // 0.62 ≥ 0.60
    ["full train → test cut-points", false], // 0.605 < 0.61
  ]);
  const md = qualityMarkdown({
    command: "deno task bench quality",
    trainPath: "train.csv",
    testPath: "test.csv",
    splitsPath: "splits.json",
    pipeline: {},
    schemes: [c],
    test,
    reference: ref,
    referenceNote: "cached",
    targets: t,
    runDirs: [],
  });
  assert.match(md, /\| CV stratified_text \| 0\.620 ± 0\.016 \| 0\.543 ± 0\.033 \|/);
  assert.match(md, /\| Δ rounded \| \+0\.050 \| \+0\.040 \| \+0\.140 \| 3\/3 \|/);
  assert.match(md, /\| full train → test cut-points \| 0\.605 \| 0\.610 \| \*\*no\*\* \|/);

  const alone = compareScheme("stratified_text", folds, 3.5, null);
  assert.equal(alone.pairedDelta, null);
  assert.deepEqual(targetChecks([alone], test, null), []);
});

Deno.test("referenceResult reads the cache by content hash and never runs Python then", async () => {
  const dir = await Deno.makeTempDir({ prefix: "quality_ref_" });
  try {
    for (const f of ["script.py", "train.csv", "test.csv", "splits.json"]) {
      await Deno.writeTextFile(join(dir, f), f);
    }
    const req: ReferenceRequest = {
      python: "/nonexistent/python",
      script: join(dir, "script.py"),
      trainPath: join(dir, "train.csv"),
      testPath: join(dir, "test.csv"),
      splitsPath: join(dir, "splits.json"),
      scheme: "prompt_holdout",
      seed: 42,
      cutpoints: true,
      cacheDir: join(dir, "cache"),
    };
    const miss = await referenceResult({ ...req, cacheOnly: true }, () => {});
    assert.equal(miss.ok, false);
    const none = await referenceResult(req, () => {});
    assert.ok(!none.ok && /not runnable|lacks|missing|not found/.test(none.reason));

    const key = await referenceCacheKey(req);
    await Deno.mkdir(req.cacheDir, { recursive: true });
    const json = reference("prompt_holdout", [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]);
    await Deno.writeTextFile(
      join(req.cacheDir, `prompt_holdout_${key.slice(0, 16)}.json`),
      JSON.stringify(json),
    );
    const hit = await referenceResult(req, () => {});
    assert.ok(hit.ok && hit.cached && hit.json.models.stack.test_qwk === 0.6);
    // other splits content → other key → miss
    await Deno.writeTextFile(req.splitsPath, "changed");
    assert.notEqual(await referenceCacheKey(req), key);
    assert.equal((await referenceResult({ ...req, cacheOnly: true }, () => {})).ok, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
