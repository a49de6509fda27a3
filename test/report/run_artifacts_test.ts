import assert from "node:assert/strict";
import { join } from "node:path";
import { FeatureStoreMismatchError, writeFeatureStore } from "../../lib/features/feature_store.ts";
import {
  featureValuesForShap,
  latestCompletedRun,
  listRuns,
  readOofPredictions,
  readRunPredictions,
  readShapFile,
  runComparisonMarkdown,
  withReusableCvStore,
} from "../../lib/report/run_artifacts.ts";

async function withTempDir(body: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readOofPredictions parses numbers and blanks, names bad cells", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "oof.csv");
    await Deno.writeTextFile(
      path,
      "id,prompt,fold,overall_true,prediction_raw,prediction_rounded,prediction_cutpoints\n" +
        "a,P,0,3.5,3.7,3.5,4\nb,P,1,2,2.2,2,\n",
    );
    const rows = await readOofPredictions(path);
    assert.deepEqual(rows[0], {
      id: "a",
      prompt: "P",
      fold: 0,
      overall_true: 3.5,
      prediction_raw: 3.7,
      prediction_rounded: 3.5,
      prediction_cutpoints: 4,
    });
    assert.equal(rows[1].prediction_cutpoints, null);
    await Deno.writeTextFile(
      path,
      "id,prompt,fold,overall_true,prediction_raw,prediction_rounded,prediction_cutpoints\n" +
        "a,P,zero,3.5,3.7,3.5,4\n",
    );
    await assert.rejects(() => readOofPredictions(path), /oof\.csv: row 1, column fold/);
  });
});

Deno.test("readRunPredictions requires a known split", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "p.csv");
    const header = "split,id,prompt,overall_true,prediction_raw,prediction_rounded," +
      "prediction_cutpoints\n";
    await Deno.writeTextFile(path, header + "test,a,P,3,3.1,3,3\n");
    assert.equal((await readRunPredictions(path))[0].split, "test");
    await Deno.writeTextFile(path, header + "dev,a,P,3,3.1,3,3\n");
    await assert.rejects(() => readRunPredictions(path), /column split/);
  });
});

Deno.test("readShapFile returns row-major values and checks the shape", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "shap_test.json");
    const base = {
      schema_version: 1,
      method: "exact path-dependent TreeSHAP",
      split: "test",
      base_value: 3,
      max_additivity_error: 1e-12,
      feature_names: ["a", "b"],
      ids: ["x", "y"],
      predictions: [3.5, 2.5],
    };
    await Deno.writeTextFile(path, JSON.stringify({ ...base, values: [[0.25, 0.25], [-1, 0.5]] }));
    const shap = await readShapFile(path);
    assert.deepEqual(Array.from(shap.values), [0.25, 0.25, -1, 0.5]);
    assert.equal(shap.baseValue, 3);
    await Deno.writeTextFile(path, JSON.stringify({ ...base, values: [[0.25], [-1, 0.5]] }));
    await assert.rejects(() => readShapFile(path), /2 rows of 2 features/);
  });
});

Deno.test("listRuns summarises run directories and latestCompletedRun filters them", async () => {
  await withTempDir(async (root) => {
    const mk = async (name: string, command: string, state: string, qwk?: number) => {
      const dir = join(root, name);
      await Deno.mkdir(join(dir, "artifacts"), { recursive: true });
      await Deno.writeTextFile(
        join(dir, "manifest.json"),
        JSON.stringify({
          command,
          command_line: `x ${command}`,
          created_at: "2026-01-01T00:00:00Z",
          git: { commit: null },
          config: {
            runName: name,
            datasetKind: "ellipse",
            featureSet: "combined",
            scheme: "stratified_text",
            model: "gbm",
            backend: "local",
            ellipseTrainPath: "data/t.csv",
            splitsPath: "s.json",
          },
        }),
      );
      await Deno.writeTextFile(
        join(dir, "status.json"),
        JSON.stringify({
          state,
          started_at: "2026-01-01T00:00:00Z",
          updated_at: "2026-01-01T00:00:10Z",
        }),
      );
      if (qwk !== undefined) {
        await Deno.writeTextFile(
          join(dir, "artifacts", "cv_metrics.json"),
          JSON.stringify({
            summary: {
              qwk: { mean: qwk, std: 0.01 },
              mae: { mean: 0.5, std: 0.1 },
              qwkCutpoints: null,
            },
            folds: [{ fold: 0, metrics: { qwk } }],
          }),
        );
      }
    };
    await mk("20260101_000000_a", "cv", "completed", 0.6);
    await mk("20260101_000001_b", "cv", "completed", 0.7);
    await mk("20260101_000002_c", "cv", "failed");
    await mk("20260101_000003_d", "make-splits", "completed");
    await Deno.mkdir(join(root, "not_a_run"));
    const runs = await listRuns(root);
    assert.deepEqual(runs.map((r) => r.runName), [
      "20260101_000000_a",
      "20260101_000001_b",
      "20260101_000002_c",
      "20260101_000003_d",
    ]);
    assert.equal(runs[0].seconds, 10);
    assert.equal(runs[1].cv?.qwkMean, 0.7);
    assert.equal(runs[0].splitsPath, "s.json");
    const latest = await latestCompletedRun(root, "cv");
    assert.equal(latest?.runName, "20260101_000001_b");
    assert.equal(await latestCompletedRun(root, "cv", (r) => r.trainPath === "other"), undefined);
    const md = runComparisonMarkdown(runs);
    assert.match(md, /\| 20260101_000001_b \| cv \| completed .* \| 0\.7000 ± 0\.0100 \|/);
    assert.doesNotMatch(md, /make-splits/);
    assert.deepEqual(await listRuns(join(root, "missing")), []);
  });
});

Deno.test("featureValuesForShap aligns stored feature values with SHAP rows and columns", async () => {
  await withTempDir(async (dir) => {
    const hash = (c: string) => c.repeat(64);
    await writeFeatureStore({
      dir,
      kind: "store",
      schemaVersion: "handcrafted-v1",
      fingerprint: "fp",
      featureSet: "handcrafted",
      rows: [{ id: "x", text_hash: hash("a") }, { id: "y", text_hash: hash("b") }],
      features: {
        ids: ["x", "y"],
        handcrafted: {
          names: ["word_count", "ttr"],
          nRows: 2,
          nCols: 2,
          values: Float64Array.from([300, 0.5, 450, 0.6]),
        },
      },
    });
    const shap = {
      method: "m",
      split: "test",
      baseValue: 3,
      featureNames: ["ttr", "stacked_text", "word_count"],
      ids: ["y", "x"],
      predictions: new Float64Array(2),
      values: new Float64Array(6),
    };
    const values = await featureValuesForShap(dir, shap);
    // The store holds what the wire carries: values rounded to float32 at the store boundary.
    assert.deepEqual(Array.from(values), [Math.fround(0.6), NaN, 450, 0.5, NaN, 300]);
  });
});

Deno.test("withReusableCvStore: explicit, none, latest, and fallback on a refused store", async () => {
  await withTempDir(async (root) => {
    const calls: (string | undefined)[] = [];
    const ok = (store: string | undefined) => {
      calls.push(store);
      return Promise.resolve("done");
    };
    assert.equal((await withReusableCvStore("", root, "t.csv", ok)).storeDir, undefined);
    assert.equal((await withReusableCvStore("/s", root, "t.csv", ok)).storeDir, "/s");
    const none = await withReusableCvStore("latest", root, "t.csv", ok);
    assert.match(none.note, /no completed cv run/);
    const dir = join(root, "20260101_000000_cv");
    await Deno.mkdir(dir);
    await Deno.writeTextFile(
      join(dir, "manifest.json"),
      JSON.stringify({
        command: "cv",
        command_line: "x",
        created_at: "2026-01-01T00:00:00Z",
        git: { commit: null },
        config: {
          runName: "cv",
          datasetKind: "ellipse",
          featureSet: "combined",
          scheme: "stratified_text",
          model: "gbm",
          backend: "local",
          ellipseTrainPath: "t.csv",
        },
      }),
    );
    await Deno.writeTextFile(
      join(dir, "status.json"),
      JSON.stringify({ state: "completed", started_at: "x", updated_at: "x" }),
    );
    // A cv run without a store of its own (it reused one) is not a candidate.
    assert.match((await withReusableCvStore("latest", root, "t.csv", ok)).note, /no completed/);
    await Deno.mkdir(join(dir, "cv_feature_store"));
    await Deno.writeTextFile(join(dir, "cv_feature_store", "metadata.json"), "{}");
    const reused = await withReusableCvStore("latest", root, "t.csv", ok);
    assert.equal(reused.storeDir, join(dir, "cv_feature_store"));
    calls.length = 0;
    const refused = await withReusableCvStore("latest", root, "t.csv", (store) => {
      calls.push(store);
      if (store) return Promise.reject(new FeatureStoreMismatchError("fingerprint differs"));
      return Promise.resolve("fresh");
    });
    assert.deepEqual(calls, [join(dir, "cv_feature_store"), undefined]);
    assert.equal(refused.result, "fresh");
    assert.match(refused.note, /refused \(fingerprint differs\)/);
    await assert.rejects(
      () => withReusableCvStore("latest", root, "t.csv", () => Promise.reject(new Error("boom"))),
      /boom/,
    );
  });
});
