/**
 * End-to-end tests of `cv`, `drop-column` and `run` on the embedded data set, with a synthetic
 * feature store reused through `--reuse-cv-feature-store-dir` (no model loading: fast), built so
 * that one handcrafted column is the signal and one is pure noise.
 */
import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { join } from "node:path";
import { embeddedSplitsAndEssays, testRunSettings } from "./embedded_splits_fixture.ts";
import { loadDataset } from "../../lib/dataset/load_dataset.ts";
import { applyStandardFilters } from "../../lib/dataset/filters.ts";
import type { Essay } from "../../lib/dataset/essay.ts";
import { createLocalFeatureExtractor } from "../../lib/features/extract.ts";
import { rowIdentities, writeFeatureStore } from "../../lib/features/feature_store.ts";
import {
  HANDCRAFTED_FEATURE_NAMES,
  HANDCRAFTED_SCHEMA_VERSION,
} from "../../lib/features/handcrafted/schema.ts";
import { seededRandom } from "../../lib/model/learners/random.ts";
import { type ExperimentConfig, resolveExperimentConfig } from "../../lib/run/config.ts";
import { runCv } from "../../lib/steps/cv.ts";
import { runDropColumn } from "../../lib/steps/drop_column.ts";
import { runFullRun } from "../../lib/steps/full_run.ts";
import { filterSettingsOf } from "../../lib/steps/prepare_dataset.ts";

const SIGNAL = HANDCRAFTED_FEATURE_NAMES[0];
const NOISE = HANDCRAFTED_FEATURE_NAMES[1];

/** A store over train + test essays: SIGNAL = score + small noise, every other column noise. */
async function writeSyntheticStore(dir: string, essays: readonly Essay[]): Promise<void> {
  const random = seededRandom(5, "store");
  const p = HANDCRAFTED_FEATURE_NAMES.length;
  const values = new Float64Array(essays.length * p);
  essays.forEach((e, r) => {
    for (let c = 0; c < p; c++) values[r * p + c] = random();
    values[r * p] = e.overall + 0.3 * (random() - 0.5);
  });
  const inputs = essays.map((e) => ({ id: e.id, text: e.text, prompt: e.prompt }));
  const extractor = createLocalFeatureExtractor({ workers: 0 });
  await writeFeatureStore({
    dir,
    kind: "store",
    schemaVersion: HANDCRAFTED_SCHEMA_VERSION,
    fingerprint: extractor.fingerprint,
    featureSet: "handcrafted",
    rows: rowIdentities(inputs),
    features: {
      ids: essays.map((e) => e.id),
      handcrafted: {
        names: HANDCRAFTED_FEATURE_NAMES,
        nRows: essays.length,
        nCols: p,
        values,
      },
    },
  });
}

async function setup(root: string): Promise<ExperimentConfig> {
  const splits = await embeddedSplitsAndEssays(root);
  const store = join(root, "store");
  await writeSyntheticStore(store, [...splits.train, ...splits.test]);
  return resolveExperimentConfig(undefined, {
    ...testRunSettings(root),
    splitsPath: splits.splitsPath,
    featureSet: "handcrafted",
    reuseCvFeatureStoreDir: store,
    treeParams: { nEstimators: 60, learningRate: 0.1, maxDepth: 3, earlyStoppingRounds: 0 },
  });
}

Deno.test("cv, drop-column and run on embedded data with a synthetic store", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "model_steps_test_" });
  try {
    const config = await setup(root);

    await t.step("cv: per-fold QWK, reports, OOF predictions, experiment log", async () => {
      const r = await runCv({ ...config, runName: "cv" }, {
        echo: false,
        step: { textStacking: true, cutpointInnerFolds: 3, cvWorkers: 1 },
      });
      assert.equal(r.cv.folds.length, config.nSplits);
      assert.ok(r.cv.summary.qwk.mean > 0.6, `signal feature should give QWK > 0.6`);
      assert.ok(r.cv.summary.qwkCutpoints !== null);
      const report = await Deno.readTextFile(r.reportPath);
      assert.match(report, /QWK \(half-point rounding\)/);
      assert.match(report, /text stacking .*: on/);
      const metrics = JSON.parse(await Deno.readTextFile(r.metricsPath));
      assert.equal(metrics.folds.length, config.nSplits);
      assert.equal(metrics.feature_names.at(-1), "tfidf_ridge_oof");
      const oof = (await Deno.readTextFile(r.oofPath)).trim().split("\n");
      assert.equal(oof.length, r.cv.oofPredictions.length + 1);
      assert.ok(r.cv.oofFold.every((f) => f >= 0), "every essay validated once");
      const log = await Deno.readTextFile(config.experimentLogPath);
      assert.match(log, /QWK \(CV mean±std\)/);
    });

    await t.step("cv --evaluate-test: full train → test figures in report and JSON", async () => {
      const r = await runCv({ ...config, runName: "cv_test" }, {
        echo: false,
        step: { textStacking: true, cutpointInnerFolds: 3, cvWorkers: 1 },
        evaluateTest: true,
      });
      const t = r.test!;
      const data = await loadDataset(config);
      const settings = filterSettingsOf(config);
      assert.equal(t.nTrain, applyStandardFilters(data.train, settings).kept.length);
      assert.equal(t.nTest, applyStandardFilters(data.test, settings).kept.length);
      assert.ok(t.rounded.qwk > 0.6, `signal feature should give test QWK > 0.6`);
      assert.ok(t.cutpointMetrics !== null && t.cutpoints?.length === 8);
      const metrics = JSON.parse(await Deno.readTextFile(r.metricsPath));
      assert.equal(metrics.test.n_test, t.nTest);
      assert.equal(metrics.test.qwk, t.rounded.qwk);
      assert.equal(metrics.test.qwk_cutpoints, t.cutpointMetrics!.qwk);
      // the CV part is the same as without --evaluate-test
      assert.ok(metrics.summary.qwk.mean > 0.6);
      const report = await Deno.readTextFile(r.reportPath);
      assert.match(report, /## Full train → official test/);
      assert.match(report, new RegExp(`\\| QWK \\| ${t.rounded.qwk.toFixed(4)} \\|`));
      const preds = (await Deno.readTextFile(t.predictionsPath)).trim().split("\n");
      assert.equal(preds.length, t.nTest + 1);
      const log = await Deno.readTextFile(config.experimentLogPath);
      assert.match(log, /QWK full train → test/);
    });

    await t.step("drop-column: signal kept, noise dropped", async () => {
      const r = await runDropColumn(
        { ...config, runName: "drop", treeParams: { ...config.treeParams, colsampleByTree: 1 } },
        {
          echo: false,
          step: { textStacking: false, cutpointInnerFolds: 3, cvWorkers: 1 },
          features: [SIGNAL, NOISE],
        },
      );
      const by = Object.fromEntries(r.rows.map((x) => [x.feature, x]));
      assert.equal(by[SIGNAL].decision, "keep");
      assert.equal(by[NOISE].decision, "drop");
      assert.equal(r.rows[0].feature, SIGNAL);
      const json = JSON.parse(await Deno.readTextFile(r.jsonPath));
      assert.equal(json.features.length, 2);
      assert.match(await Deno.readTextFile(r.reportPath), /\*\*keep\*\*/);
    });

    await t.step(
      "run: train/val/test QWK, model + predictions, SHAP additivity, grade scale",
      async () => {
        const r = await runFullRun({ ...config, runName: "full" }, { echo: false });
        const test = r.metrics.find((m) => m.split === "test")!;
        assert.ok(test.rounded.qwk > 0.5);
        assert.ok(r.shap && !r.shap.skipped && r.shap.maxAdditivityError < 1e-6);
        // default pipeline: the blend is reported and saved; SHAP explains the final score (and
        // the learner alone in learner_shap_*.json)
        assert.match(await Deno.readTextFile(r.reportPath), /SHAP explains this final score/);
        const saved = JSON.parse(
          await Deno.readTextFile(join(r.runDir, "artifacts", "model.json")),
        );
        assert.equal(saved.blend.members[0], "gbm");
        for (
          const f of [
            "model.json",
            "predictions.csv",
            "shap_test.json",
            "learner_shap_test.json",
            "run_metrics.json",
          ]
        ) {
          await Deno.stat(join(r.runDir, "artifacts", f));
        }
        const grade = await Deno.readTextFile(join(r.runDir, "reports", "grade_scale_report.md"));
        assert.match(grade, /Spearman\(predicted, true\)/);
        assert.match(grade, /Confusion matrix/);
        const shap = JSON.parse(
          await Deno.readTextFile(join(r.runDir, "artifacts", "shap_test.json")),
        );
        assert.equal(shap.values.length, shap.ids.length);
        assert.equal(shap.values[0].length, shap.feature_names.length);
        // the final-score SHAP adds up to the test predictions in predictions.csv
        const rows = parse(
          await Deno.readTextFile(join(r.runDir, "artifacts", "predictions.csv")),
          { columns: true },
        ) as Record<string, string>[];
        const raw = rows.filter((c) => c.split === "test").map((c) => Number(c.prediction_raw));
        shap.values.forEach((row: number[], i: number) => {
          const sum = row.reduce((a, b) => a + b, shap.base_value);
          assert.ok(Math.abs(sum - raw[i]) < 1e-9, `row ${i}: ${sum} vs ${raw[i]}`);
        });
      },
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("featureSetMatrix leaves excluded handcrafted features out and rejects unknown ones", async () => {
  const { featureSetMatrix } = await import("../../lib/steps/model_inputs.ts");
  const hand = {
    names: ["a", "b", "c"],
    nRows: 2,
    nCols: 3,
    values: new Float64Array([1, 2, 3, 4, 5, 6]),
  };
  const emb = { names: ["emb_000"], nRows: 2, nCols: 1, values: new Float64Array([7, 8]) };
  const m = featureSetMatrix({ ids: ["x", "y"], handcrafted: hand, embeddings: emb }, "combined", [
    "b",
  ]);
  assert.deepEqual(m.names, ["a", "c", "emb_000"]);
  assert.deepEqual([...m.X.values], [1, 3, 7, 4, 6, 8]);
  assert.deepEqual(m.embeddingColumns, [2]);
  assert.throws(
    () => featureSetMatrix({ ids: ["x", "y"], handcrafted: hand }, "handcrafted", ["zzz"]),
    /unknown handcrafted feature\(s\) zzz/,
  );
});
