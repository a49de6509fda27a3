import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../lib/cli.ts";
import { BENCH_SPACE } from "../../lib/bench/evidence_bench.ts";
import { DEFAULT_GATE_PROFILE, parseGateProfile } from "../../lib/model/evaluation/gate.ts";
import { configFromInvocation } from "../../lib/steps/step_config.ts";
import { CV_FLAGS } from "../../lib/steps/model_inputs.ts";
import { runSweep } from "../../lib/steps/sweep_step.ts";
import { expandSpace, parseSearchSpace } from "../../lib/steps/sweep_space.ts";
import { evidenceFixture, SIGNAL_FEATURE } from "./evidence_fixture.ts";

const STEP = { textStacking: false, cutpointInnerFolds: 2, cvWorkers: 1 };

Deno.test("search space: grid, seeded random, unknown keys refused", () => {
  const grid = parseSearchSpace({
    parameters: { "treeParams.maxDepth": [2, 3, 4], sampleWeighting: ["none", "sqrt_inv_freq"] },
  });
  const all = expandSpace(grid);
  assert.equal(all.length, 6);
  assert.deepEqual(all[0], { "treeParams.maxDepth": 2, sampleWeighting: "none" });
  const random = parseSearchSpace({ ...grid, mode: "random", samples: 4, seed: 3 });
  const a = expandSpace(random);
  assert.equal(a.length, 4);
  assert.deepEqual(a, expandSpace(random));
  assert.equal(new Set(a.map((o) => JSON.stringify(o))).size, 4);
  assert.throws(() => parseSearchSpace({ parameters: { maxDepht: [1] } }), /unknown parameter/);
  assert.throws(
    () => parseSearchSpace({ mode: "random", parameters: { model: ["gbm"] } }),
    /samples/,
  );
});

Deno.test("sweep: ranked variants on one store, paired with #0, selected_params.json, resume", async () => {
  const root = await Deno.makeTempDir({ prefix: "sweep_test_" });
  try {
    const config = await evidenceFixture(root);
    const space = parseSearchSpace({
      parameters: { "treeParams.maxDepth": [2, 3], sampleWeighting: ["none", "sqrt_inv_freq"] },
    });
    const sweepDir = join(root, "sweep");
    const first = await runSweep({ ...config, runName: "sw" }, expandSpace(space), {
      step: STEP,
      sweepDir,
      resamples: 1000,
      echo: false,
    });
    // the base (maxDepth 3, none) is one of the grid's four: four variants, #0 = base
    assert.equal(first.ranked.length, 4);
    assert.ok(first.ranked.every((o) => !o.reused));
    const base = first.ranked.find((o) => o.index === 0)!;
    assert.equal(base.label, "base");
    assert.equal(base.vsFirst, null);
    assert.ok(first.ranked.filter((o) => o.index > 0).every((o) => o.vsFirst !== null));
    for (let k = 1; k < first.ranked.length; k++) {
      assert.ok(first.ranked[k - 1].objective >= first.ranked[k].objective);
    }
    const summary = await Deno.readTextFile(first.summaryPath);
    assert.match(summary, /ΔQWK vs #0/);
    // every variant read the one feature store (no re-extraction)
    for (const o of first.ranked) {
      const m = JSON.parse(await Deno.readTextFile(join(o.runDir, "manifest.json")));
      assert.equal(m.config.reuseCvFeatureStoreDir, config.reuseCvFeatureStoreDir);
      // the manifest records the cv command that reproduces the variant
      assert.match(m.command_line, /cv .*--text-stacking=false/);
      if (o.overrides["treeParams.maxDepth"] === 2) assert.match(m.command_line, /--max-depth=2/);
    }
    const config0 = await configFromInvocation(
      { values: { config: first.selectedPath }, argv: [] },
      CV_FLAGS,
    );
    const best = first.ranked[0];
    assert.equal(config0.treeParams.maxDepth, best.overrides["treeParams.maxDepth"] ?? 3);
    const log = await Deno.readTextFile(config.experimentLogPath);
    assert.match(log, /selected by mean_qwk/);
    // confirmation: the last fold never reached the ranking, the winner is scored on it
    const held = config.nSplits - 1;
    const c = first.confirmation!;
    assert.equal(c.fold, held);
    assert.equal(c.winner.index, best.index);
    assert.equal(c.winner.selectionQwk, best.meanQwk);
    assert.ok(c.nEssays > 10 && c.winner.confirmed.n === c.nEssays);
    for (const o of first.ranked) {
      const m = JSON.parse(await Deno.readTextFile(join(o.runDir, "artifacts", "cv_metrics.json")));
      assert.deepEqual(
        m.folds.map((f: { fold: number }) => f.fold),
        [0, 1, 2, 3, 4].slice(0, held),
      );
    }
    assert.match(summary, /## Confirmation on the held-back fold 4/);
    assert.match(
      summary,
      /N = 3 comparisons, so every interval, verdict and gate uses a Bonferroni-adjusted 98\.33 %/,
    );
    assert.match(log, /selection QWK → confirmed QWK on held-back fold 4/);
    const json = JSON.parse(await Deno.readTextFile(join(sweepDir, "sweep_summary.json")));
    assert.equal(json.comparisons, 3);
    assert.equal(json.confirmation.fold, held);
    const other = json.variants.find((v: { index: number }) => v.index !== 0);
    assert.ok(Math.abs(other.vs_first.qwk.level - (1 - 0.05 / 3)) < 1e-12);

    // resume: everything read back
    const again = await runSweep({ ...config, runName: "sw" }, expandSpace(space), {
      step: STEP,
      sweepDir,
      resamples: 1000,
      echo: false,
    });
    assert.ok(again.ranked.every((o) => o.reused));
    assert.deepEqual(again.ranked.map((o) => o.meanQwk), first.ranked.map((o) => o.meanQwk));
    // an unfinished variant is rerun, the others are not
    const victim = first.ranked.find((o) => o.index === 2)!;
    const status = JSON.parse(await Deno.readTextFile(join(victim.runDir, "status.json")));
    await Deno.writeTextFile(
      join(victim.runDir, "status.json"),
      JSON.stringify({ ...status, state: "failed" }),
    );
    const third = await runSweep({ ...config, runName: "sw" }, expandSpace(space), {
      step: STEP,
      sweepDir,
      resamples: 1000,
      echo: false,
    });
    const reran = third.ranked.filter((o) => !o.reused).map((o) => o.index);
    assert.deepEqual(reran, [2]);
    const dirs = [...Deno.readDirSync(join(sweepDir, "variants"))].filter((e) => e.isDirectory);
    assert.equal(dirs.length, 5);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("sweep CLI: --space is required and a bad objective is a usage error", async () => {
  assert.equal(await main(["sweep", "--splits-path", "x.json"]), 2);
  assert.equal(await main(["ablation", "--objective", "nope", "--splits-path", "x.json"]), 2);
});

Deno.test("ablation: the three feature sets and an exclusion group on one store and one set of folds", async () => {
  const root = await Deno.makeTempDir({ prefix: "ablation_test_" });
  try {
    const config = await evidenceFixture(root, { embeddings: true });
    const code = await main([
      "ablation",
      "--splits-path",
      config.splitsPath!,
      "--reuse-cv-feature-store-dir",
      config.reuseCvFeatureStoreDir!,
      "--exclude-groups",
      `${SIGNAL_FEATURE}`,
      "--text-stacking",
      "false",
      "--cv-workers",
      "1",
      "--n-estimators",
      "30",
      "--resamples",
      "1000",
      "--output-root",
      config.outputRoot,
      "--experiment-log-path",
      config.experimentLogPath,
      "--run-name",
      "abl",
    ]);
    assert.equal(code, 0);
    const summary = JSON.parse(
      await Deno.readTextFile(join(config.outputRoot, "ablations", "abl", "sweep_summary.json")),
    );
    const labels = summary.variants.map((v: { index: number; label: string }) =>
      `${v.index}:${v.label}`
    ).sort();
    assert.deepEqual(labels, [
      "0:base",
      "1:featureSet=handcrafted",
      "2:featureSet=embeddings, excludedFeatures=none",
      `3:excludedFeatures=${SIGNAL_FEATURE}`,
    ]);
    const by = (i: number) => summary.variants.find((v: { index: number }) => v.index === i);
    // leaving the signal column out of the combined set is detectably worse than the combined set
    assert.equal(by(3).vs_first.difference, "candidate worse");
    assert.equal(by(0).vs_first, null);
    // one store for all: every variant's manifest points at the fixture's store
    for (const v of summary.variants) {
      const m = JSON.parse(await Deno.readTextFile(join(v.run_dir, "manifest.json")));
      assert.equal(m.config.reuseCvFeatureStoreDir, config.reuseCvFeatureStoreDir);
      assert.equal(m.config.splitsPath, config.splitsPath);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the example search spaces and gate profile in docs/examples are valid", async () => {
  const gridJson = JSON.parse(await Deno.readTextFile("docs/examples/sweep_space_24.json"));
  assert.deepEqual(gridJson, BENCH_SPACE, "the benchmark's space is the documented one");
  const grid = parseSearchSpace(gridJson);
  assert.equal(expandSpace(grid).length, 24);
  const random = parseSearchSpace(
    JSON.parse(await Deno.readTextFile("docs/examples/sweep_space_random.json")),
  );
  assert.equal(expandSpace(random).length, 24);
  const gate = parseGateProfile(
    JSON.parse(await Deno.readTextFile("docs/examples/gate_profile.json")),
  );
  assert.deepEqual({ ...gate, name: "default" }, DEFAULT_GATE_PROFILE);
});
