import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../lib/cli.ts";
import { runCompareRuns } from "../../lib/steps/compare_runs.ts";
import { runCv } from "../../lib/steps/cv.ts";
import { runFullRun } from "../../lib/steps/full_run.ts";
import { evidenceFixture, SIGNAL_FEATURE } from "./evidence_fixture.ts";

const STEP = { textStacking: false, cutpointInnerFolds: 3, cvWorkers: 1 };

Deno.test("compare-runs: an --exclude-features run against its full run", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "compare_runs_test_" });
  try {
    const config = await evidenceFixture(root);
    const full = await runCv({ ...config, runName: "full" }, { echo: false, step: STEP });
    const ablated = await runCv(
      { ...config, runName: "no_signal", excludedFeatures: [SIGNAL_FEATURE] },
      { echo: false, step: STEP },
    );

    await t.step("cv writes tails, worst prompt and residual diagnostics", async () => {
      const metrics = JSON.parse(await Deno.readTextFile(full.metricsPath));
      assert.equal(metrics.evidence.split, "cv_oof");
      assert.ok(metrics.evidence.rounded.tails.high.n > 0);
      const report = await Deno.readTextFile(full.reportPath);
      assert.match(report, /## Score tails and worst prompt/);
      const csv = await Deno.readTextFile(join(full.runDir, "artifacts", "residuals_cv_oof.csv"));
      const [head, ...rows] = csv.trim().split("\n");
      assert.match(
        head,
        /^id,prompt,fold,overall_true,prediction_raw,prediction_rounded,residual,grade_band,word_count,grammar_errors_per_100_words/,
      );
      assert.equal(rows.length, full.cv.oofPredictions.length);
      const md = await Deno.readTextFile(join(full.runDir, "reports", "residual_diagnostics.md"));
      assert.match(md, /### Worst 20 essays/);
    });

    await t.step("run (lofo cut-points): tails per split and val/test residuals", async () => {
      const r = await runFullRun(
        { ...config, runName: "full_run", skipShap: true, cutpointMode: "lofo" },
        { echo: false, step: STEP },
      );
      const metrics = JSON.parse(
        await Deno.readTextFile(join(r.runDir, "artifacts", "run_metrics.json")),
      );
      assert.deepEqual(metrics.evidence.map((e: { split: string }) => e.split), ["val", "test"]);
      assert.ok(metrics.evidence[1].cutpoints !== null);
      const report = await Deno.readTextFile(r.reportPath);
      assert.match(report, /test, cut-points/);
      assert.match(report, /leave-one-fold-out/);
      for (const split of ["val", "test"]) {
        const csv = await Deno.readTextFile(join(r.runDir, "artifacts", `residuals_${split}.csv`));
        assert.match(csv.split("\n")[0], /^id,prompt,overall_true,/);
      }
      const diag = JSON.parse(
        await Deno.readTextFile(join(r.runDir, "reports", "residual_diagnostics.json")),
      );
      assert.deepEqual(diag.splits.map((d: { split: string }) => d.split), ["val", "test"]);
      assert.equal(diag.splits[1].worst.length, 20);
    });

    await t.step("the full run beats the ablated one; the gate passes it", async () => {
      const r = await runCompareRuns(ablated.runDir, full.runDir, { runName: "cmp" }, {
        echo: false,
        resamples: 1000,
      });
      assert.ok(r.comparison.fold.qwk.mean > 0.3);
      assert.equal(r.comparison.fold.qwk.candidateWins, config.nSplits);
      assert.equal(r.comparison.difference, "candidate better");
      assert.equal(r.gate.passed, true, JSON.stringify(r.gate.checks));
      const md = await Deno.readTextFile(r.reportPath);
      assert.match(md, /QWK difference: candidate better/);
      const json = JSON.parse(await Deno.readTextFile(r.jsonPath));
      assert.equal(json.difference, "candidate better");
      const log = await Deno.readTextFile(config.experimentLogPath);
      assert.match(log, /verdict: candidate better/);
      assert.match(md, /Cluster bootstrap: the \d+ prompts drawn with replacement/);
    });

    await t.step(
      "seed replicates: another --seed of each side folds model variance in",
      async () => {
        const full7 = await runCv({ ...config, runName: "full_s7", seed: 7 }, {
          echo: false,
          step: STEP,
        });
        const ablated7 = await runCv(
          { ...config, runName: "no_signal_s7", seed: 7, excludedFeatures: [SIGNAL_FEATURE] },
          { echo: false, step: STEP },
        );
        const r = await runCompareRuns(ablated.runDir, full.runDir, { runName: "cmp_seeds" }, {
          echo: false,
          resamples: 1000,
          baselineReplicateDirs: [ablated7.runDir],
          candidateReplicateDirs: [full7.runDir],
        });
        assert.deepEqual(r.comparison.protocol.replicates, { baseline: 2, candidate: 2 });
        const md = await Deno.readTextFile(r.reportPath);
        assert.match(md, /seed replicates: 2 baseline, 2 candidate run\(s\)/);
        assert.equal(r.comparison.difference, "candidate better");
      },
    );

    await t.step("a run against itself: Δ = 0, no difference, gate FAIL (CLI)", async () => {
      const code = await main([
        "compare-runs",
        "--baseline",
        full.runDir,
        "--candidate",
        full.runDir,
        "--output-root",
        config.outputRoot,
        "--experiment-log-path",
        config.experimentLogPath,
        "--resamples",
        "1000",
      ]);
      assert.equal(code, 0);
      const log = await Deno.readTextFile(config.experimentLogPath);
      assert.match(
        log,
        /QWK Δ candidate − baseline \(95 % paired cluster bootstrap CI, replicates 1\/1\): 0\.0000 \[0\.0000, 0\.0000\]/,
      );
      assert.match(log, /verdict: no difference/);
    });

    await t.step("runs whose essays or folds differ are refused, saying which", async () => {
      const copy = join(root, "tampered");
      await Deno.mkdir(join(copy, "artifacts"), { recursive: true });
      await Deno.copyFile(join(full.runDir, "manifest.json"), join(copy, "manifest.json"));
      await Deno.copyFile(full.metricsPath, join(copy, "artifacts", "cv_metrics.json"));
      const lines = (await Deno.readTextFile(full.oofPath)).trim().split("\n");
      await Deno.writeTextFile(
        join(copy, "artifacts", "cv_oof_predictions.csv"),
        lines.slice(0, -1).join("\n") + "\n",
      );
      await assert.rejects(
        () => runCompareRuns(full.runDir, copy, {}, { echo: false }),
        /the essays differ; only in the baseline/,
      );
      const swapped = lines.map((l, i) =>
        i === 1 ? l.replace(/^([^,]*,[^,]*,)(\d+)/, (_, a, f) => `${a}${(Number(f) + 1) % 5}`) : l
      );
      await Deno.writeTextFile(
        join(copy, "artifacts", "cv_oof_predictions.csv"),
        swapped.join("\n") + "\n",
      );
      await assert.rejects(
        () => runCompareRuns(full.runDir, copy, {}, { echo: false }),
        /the folds of some essays differ/,
      );
      const code = await main(["compare-runs", "--baseline", full.runDir, "--candidate", copy]);
      assert.equal(code, 1);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
