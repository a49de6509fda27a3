import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { runCliCaptured } from "./cli_capture.ts";
import { ASAP_LIKE_SCALES as SCALES, runDir, writeAsapLikeFixture } from "./asap_like_fixture.ts";

/** The common grid of the fixture's scales: lcm(10, 3, 5). */
const L = 30;

const json = async (path: string) => JSON.parse(await Deno.readTextFile(path));
const csv = async (path: string) =>
  parse(await Deno.readTextFile(path), { columns: true }) as Record<string, string>[];

/** The prompt's values as the CSVs write them ("2" … "12"). */
const valuesOf = (prompt: string) => {
  const [lo, hi] = SCALES[prompt];
  return new Set(Array.from({ length: hi - lo + 1 }, (_, k) => String(lo + k)));
};

function assertPerPromptReport(report: string, what: string): void {
  assert.match(report, /mean per-prompt QWK \(Fisher z\)/, what);
  assert.match(report, /\| p1 \| 2–12 \| \d+ \| (\d\.\d{3}|n\/a) \|/, what);
  assert.match(report, /\| p2 \| 0–3 \| \d+ \|/, what);
  assert.match(
    report,
    /### Confusion, prompt p3[\s\S]*\| true \\ pred \| 1 \| 2 \| 3 \| 4 \| 5 \| 6 \|/,
  );
  // pooled common-grid figures are withheld, with the reason; cut-points disabled, with the reason
  assert.match(
    report,
    /Pooled QWK, MAE, confusion and tail figures on the common grid are withheld/,
  );
  assert.match(
    report,
    /cut-points: disabled for per-prompt scales — thresholds fitted on the pooled common grid do not respect each prompt's level boundaries/,
  );
  assert.doesNotMatch(report, /QWK \(rounded to the scale\)|## Tail|Cut-points per fold/, what);
  assert.doesNotMatch(
    report,
    /\| 0 \| 1 \| 2 \| 3 \| 4 \| 5 \| 6 \| 7 \| 8 \| 9 \| 10 \| 11 \| 12 \| 13/,
  );
}

// prepare → make-splits → cv → run (the runbook; drop-column is skipped on per-prompt scales) →
// score, on the common grid 0…30 with everything evaluated and written per prompt.
Deno.test({
  name: "per-prompt scales: runbook and score end to end, each essay on its own prompt's scale",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "per_prompt_steps_" });
    const { manifest, scores } = await writeAsapLikeFixture(root);
    const out = join(root, "out");
    const log = join(root, "LOG.md");
    const common = ["--output-root", out, "--experiment-log-path", log];
    const cheap = ["--feature-set", "handcrafted", "--checker", "local", "--n-estimators", "40"];
    const rb = await runCliCaptured([
      "runbook",
      "--dataset",
      manifest,
      "--run-name",
      "pp",
      "--skip-drop-column",
      ...cheap,
      ...common,
    ]);
    assert.equal(rb.code, 0, rb.out);
    assert.match(rb.out, /CV mean per-prompt QWK \(Fisher z\), out-of-fold: 0\.\d{4}/);
    assert.match(rb.out, /run test: mean per-prompt QWK \(Fisher z\) 0\.\d{4}/);
    assert.doesNotMatch(rb.out, /CV QWK \(mean±std\)|run test: QWK/);

    // labels on the grid are exact: level index × 30 / (levels − 1), a whole number
    const splits = await json(join(await runDir(out, "_splits"), "artifacts/splits.json"));
    assert.deepEqual(splits.score_scale, { kind: "numeric", min: 0, max: L, step: 1 });
    assert.match(
      await Deno.readTextFile(join(await runDir(out, "_splits"), "reports/splits_report.md")),
      /every score above is a level of the common training grid 0–30/,
    );
    for (const e of splits.essays) {
      const [lo, hi] = SCALES[e.prompt];
      assert.equal(e.overall, ((scores.get(e.id)! - lo) * L) / (hi - lo), e.id);
      assert.ok(Number.isInteger(e.overall));
    }

    const cvDir = await runDir(out, "_cv");
    const cvMetrics = await json(join(cvDir, "artifacts/cv_metrics.json"));
    assert.equal(cvMetrics.summary, undefined); // no pooled summary
    assert.equal(cvMetrics.headline, "mean per-prompt QWK (Fisher z)");
    assert.ok(cvMetrics.out_of_fold.mean_per_prompt_qwk_fisher_z > 0.5);
    assert.deepEqual(cvMetrics.out_of_fold.prompts.map((p: { prompt: string }) => p.prompt), [
      "p1",
      "p2",
      "p3",
    ]);
    for (const r of await csv(join(cvDir, "artifacts/cv_oof_predictions.csv"))) {
      assert.equal(r.overall_true, String(scores.get(r.id)), r.id);
      assert.ok(valuesOf(r.prompt).has(r.prediction_rounded), `${r.id}: ${r.prediction_rounded}`);
      assert.equal(r.prediction_cutpoints, "");
    }
    assertPerPromptReport(await Deno.readTextFile(join(cvDir, "reports/cv_report.md")), "cv");
    assert.match(
      await Deno.readTextFile(join(cvDir, "run.log")),
      /mean per-prompt QWK \(Fisher z\), out-of-fold: 0\.\d{4}/,
    );

    const runDirPath = await runDir(out, "_run");
    const runReport = await Deno.readTextFile(join(runDirPath, "reports/run_report.md"));
    assertPerPromptReport(runReport, "run");
    assert.match(runReport, /## Per prompt \(test, each on its own scale\)/);
    for (const f of ["grade_scale_report.md", "residual_diagnostics.md"]) {
      await assert.rejects(Deno.stat(join(runDirPath, "reports", f)), Deno.errors.NotFound, f);
    }
    const bundle = await json(join(runDirPath, "artifacts/model/bundle.json"));
    assert.equal(bundle.per_prompt_scale.grid_size, L);
    assert.deepEqual(Object.keys(bundle.per_prompt_scale.scale.prompts), ["p1", "p2", "p3"]);
    const pipeline = await json(join(runDirPath, "artifacts/model/pipeline.json"));
    assert.equal(pipeline.cutpoints ?? null, null);
    // prompt identity: one input column per prompt of the scale table (score rebuilds them)
    assert.deepEqual(
      pipeline.input_feature_names.filter((n: string) => n.startsWith("prompt_is_")),
      ["prompt_is_p1", "prompt_is_p2", "prompt_is_p3"],
    );
    // per-prompt standardisation of the handcrafted columns, saved for score
    assert.equal(pipeline.prompt_standardisation.prompt_columns.length, 3);
    assert.ok(pipeline.prompt_standardisation.columns.length > 0);
    const experimentLog = await Deno.readTextFile(log);
    assert.match(experimentLog, /mean per-prompt QWK \(Fisher z\) test/);

    // score: each essay's value on its own prompt's scale
    const prepDir = await runDir(out, "_prep");
    const testCsv = join(prepDir, "artifacts/datasets/asap_like_test_prepared.csv");
    const sc = await runCliCaptured([
      "score",
      "--model-dir",
      runDirPath,
      "--input",
      testCsv,
      "--run-name",
      "score",
      "--checker",
      "local",
      "--reuse-feature-store-dir",
      join(runDirPath, "feature_store_test"),
      ...common,
    ]);
    assert.equal(sc.code, 0, sc.out);
    assert.match(sc.out, /mean per-prompt QWK \(Fisher z\) vs labels/);
    const scoreDir = await runDir(out, "_score");
    const scored = await csv(join(scoreDir, "artifacts/predictions.csv"));
    assert.equal(scored.length, 48);
    for (const r of scored) {
      const [lo, hi] = SCALES[r.prompt];
      assert.ok(valuesOf(r.prompt).has(r.prediction_rounded), `${r.id}: ${r.prediction_rounded}`);
      assert.equal(r.overall_true, String(scores.get(r.id)));
      // the rounded value is the raw grid prediction mapped back (halves up, clipped)
      const k = Math.floor((Number(r.grid_prediction_raw) * (hi - lo)) / L + 0.5 + 1e-9);
      assert.equal(Number(r.prediction_rounded), lo + Math.min(hi - lo, Math.max(0, k)), r.id);
    }
    // the run's test predictions and the score of the same essays agree, on the prompt's scale
    const runTest = (await csv(join(runDirPath, "artifacts/predictions.csv")))
      .filter((r) => r.split === "test");
    const byId = new Map(scored.map((r) => [r.id, r.prediction_rounded]));
    for (const r of runTest) assert.equal(byId.get(r.id), r.prediction_rounded, r.id);

    // an essay whose prompt has no scale in the bundle: one error naming the row and prompt
    const bad = join(root, "bad.csv");
    await Deno.writeTextFile(
      bad,
      "essay_id,essay_set,essay,domain1_score\nn1,p1,The school students.,\nn2,p9,Phones and learning.,\n",
    );
    const refused = await runCliCaptured([
      "score",
      "--model-dir",
      runDirPath,
      "--input",
      bad,
      "--run-name",
      "bad",
      ...common,
    ]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.out,
      /row 2, column "essay_set": essay "n2": prompt "p9" has no scale in the model bundle \(scales are given for: p1, p2, p3\)/,
    );
    await assert.rejects(Deno.stat(join(await runDir(out, "_bad"), "artifacts/predictions.csv")));

    // drop-column decides on each fold's mean per-prompt QWK (Fisher z), nothing pooled
    const dc = await runCliCaptured([
      "drop-column",
      "--dataset",
      join(prepDir, "artifacts/datasets/asap_like_prepared_manifest.json"),
      "--splits-path",
      join(await runDir(out, "_splits"), "artifacts/splits.json"),
      "--features",
      "word_count|ttr",
      "--reuse-cv-feature-store-dir",
      join(cvDir, "cv_feature_store"),
      "--run-name",
      "dc",
      ...cheap,
      ...common,
    ]);
    assert.equal(dc.code, 0, dc.out);
    const dcDir = await runDir(out, "_dc");
    const dcJson = await json(join(dcDir, "artifacts/drop_column_importance.json"));
    assert.equal(dcJson.fold_metric, "mean per-prompt QWK (Fisher z)");
    assert.equal(dcJson.baseline_qwk_per_fold.length, 5);
    // the baseline folds are the cv run's: the same per-fold headlines
    assert.deepEqual(
      dcJson.baseline_qwk_per_fold.map((q: number) => q.toFixed(6)),
      cvMetrics.per_fold.map((f: { mean_per_prompt_qwk_fisher_z: number }) =>
        f.mean_per_prompt_qwk_fisher_z.toFixed(6)
      ),
    );
    assert.deepEqual(dcJson.features.map((f: { feature: string }) => f.feature).sort(), [
      "ttr",
      "word_count",
    ]);
    const dcReport = await Deno.readTextFile(join(dcDir, "reports/drop_column_importance.md"));
    assert.match(dcReport, /every QWK above is a fold's mean per-prompt QWK \(Fisher z\)/);
    // compare-runs pairs two per-prompt cv runs on the mean per-prompt QWK (Fisher z)
    const cv2 = await runCliCaptured([
      "cv",
      "--dataset",
      join(prepDir, "artifacts/datasets/asap_like_prepared_manifest.json"),
      "--splits-path",
      join(await runDir(out, "_splits"), "artifacts/splits.json"),
      "--reuse-cv-feature-store-dir",
      join(cvDir, "cv_feature_store"),
      "--model",
      "ridge",
      "--run-name",
      "cv_ridge",
      ...cheap,
      ...common,
    ]);
    assert.equal(cv2.code, 0, cv2.out);
    const cmpArgs = [
      "compare-runs",
      "--baseline",
      cvDir,
      "--candidate",
      await runDir(out, "_cv_ridge"),
      "--resamples",
      "1000",
      "--run-name",
      "cmp",
      ...common,
    ];
    const cmp = await runCliCaptured(cmpArgs);
    assert.equal(cmp.code, 0, cmp.out);
    assert.match(
      cmp.out,
      /mean per-prompt QWK \(Fisher z\) Δ -?\d\.\d{4} \[-?\d\.\d{4}, -?\d\.\d{4}\]: (candidate better|candidate worse|no difference)/,
    );
    const cmpDir = await runDir(out, "_cmp");
    const comparison = await json(join(cmpDir, "artifacts/comparison.json"));
    assert.equal(comparison.statistic, "mean per-prompt QWK (Fisher z)");
    assert.equal(
      comparison.comparison.headline.baseline.toFixed(6),
      cvMetrics.out_of_fold.mean_per_prompt_qwk_fisher_z.toFixed(6),
    );
    const cmpReport = await Deno.readTextFile(join(cmpDir, "reports/comparison.md"));
    assert.match(cmpReport, /## Per prompt \(QWK on the prompt's own scale, out of fold\)/);
    assert.match(
      cmpReport,
      /Pooled QWK, MAE, confusion and tail figures on the common grid are withheld/,
    );
    // the one-scale gate has no per-prompt meaning: refused, naming the flag
    const gated = await runCliCaptured([...cmpArgs.slice(0, 5), "--gate", "gate.json", ...common]);
    assert.equal(gated.code, 2);
    assert.match(gated.out, /--gate: not supported for runs on per-prompt scales/);
  },
});
