import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../lib/cli.ts";

async function json(path: string) {
  return JSON.parse(await Deno.readTextFile(path));
}

async function runDirs(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of Deno.readDir(root)) {
    const m = /^\d{8}_\d{6}_e2e_(prep|splits|cv|drop_column|run)$/.exec(e.name);
    if (e.isDirectory && m) out.set(m[1], join(root, e.name));
  }
  return out;
}

// The whole runbook through the CLI on the embedded data, with the real local extractor
// (harper + nspell + wink-nlp + USE-lite) — the same path `deno task main` takes, with fewer
// boosting rounds to keep it short.
Deno.test({
  name: "runbook end to end via the CLI on the embedded data (real extraction)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir();
    const log = join(root, "LOG.md");
    const out: string[] = [];
    const { log: origLog } = console;
    console.log = (...a: unknown[]) => out.push(a.join(" "));
    let code: number;
    try {
      code = await main([
        "runbook",
        "--run-name",
        "e2e",
        "--output-root",
        root,
        "--experiment-log-path",
        log,
        "--n-estimators",
        "40",
      ]);
    } finally {
      console.log = origLog;
    }
    assert.equal(code, 0, out.join("\n"));
    const dirs = await runDirs(root);
    assert.deepEqual([...dirs.keys()].sort(), ["cv", "drop_column", "prep", "run", "splits"]);
    for (const dir of dirs.values()) {
      assert.equal((await json(join(dir, "status.json"))).state, "completed", dir);
    }
    // cv: five folds, a clearly non-trivial QWK on learnable embedded data, a reusable store.
    const cv = await json(join(dirs.get("cv")!, "artifacts/cv_metrics.json"));
    assert.equal(cv.folds.length, 5);
    assert.ok(cv.summary.qwk.mean > 0.4, `CV QWK ${cv.summary.qwk.mean}`);
    assert.ok(cv.feature_names.includes("grammar_errors_per_100_words"));
    const store = await json(join(dirs.get("cv")!, "cv_feature_store/metadata.json"));
    assert.ok(store.rows.length > 200);
    const metrics = await json(join(dirs.get("cv")!, "artifacts/offload_metrics.json"));
    assert.ok(metrics.benchmarks[0].essays_per_second > 0);
    // drop-column: every handcrafted feature judged, decision follows the runbook's rule.
    const drop = await json(
      join(dirs.get("drop_column")!, "artifacts/drop_column_importance.json"),
    );
    assert.ok(drop.features.length >= 25);
    for (const f of drop.features) {
      const keep = f.mean_delta_qwk > 0 && f.stability >= 0.8;
      assert.equal(f.decision, keep ? "keep" : "drop", JSON.stringify(f));
    }
    // run: train/val/test metrics, SHAP additivity, grade-scale report.
    const run = await json(join(dirs.get("run")!, "artifacts/run_metrics.json"));
    assert.deepEqual(run.metrics.map((m: { split: string }) => m.split), ["train", "val", "test"]);
    const shap = await json(join(dirs.get("run")!, "artifacts/shap_test.json"));
    assert.ok(shap.max_additivity_error < 1e-6);
    await Deno.stat(join(dirs.get("run")!, "reports/grade_scale_report.md"));
    // experiment log: one entry per step, appended in order.
    const entries = (await Deno.readTextFile(log)).match(/^\d{4}-\d{2}-\d{2}: `e2e_[a-z_]+`/gm);
    assert.deepEqual(entries?.map((e) => e.split("`")[1]), [
      "e2e_prep",
      "e2e_splits",
      "e2e_cv",
      "e2e_drop_column",
      "e2e_run",
    ]);
    assert.match(out.join("\n"), /Runbook finished/);
    await Deno.remove(root, { recursive: true });
  },
});
