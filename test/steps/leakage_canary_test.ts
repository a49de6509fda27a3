/**
 * Pipeline-level leakage canaries: through the real `cv` and `run` steps (embedded essays, a
 * small synthetic combined feature store, tiny learners), flipping the labels of one validation
 * fold (cv) or of the val and test rows (run) in the input CSVs must leave that fold's / those
 * rows' predictions — raw and through the cut-points — bit-identical, for every cut-point mode
 * (`inner_oof`, nested `lofo`, off), sample weighting (`none`, `sqrt_inv_freq`) and blend option
 * (off, blend, blend + spread match, with the character stack) the config offers.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { embeddedSplitsAndEssays, testRunSettings } from "./embedded_splits_fixture.ts";
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
import { runFullRun } from "../../lib/steps/full_run.ts";

const EMB = 6;

/** A combined store: two signal columns, the rest noise; 6 noisy embedding dimensions. */
async function writeStore(dir: string, essays: readonly Essay[]): Promise<void> {
  const random = seededRandom(11, "canary");
  const p = HANDCRAFTED_FEATURE_NAMES.length;
  const hand = new Float64Array(essays.length * p);
  const emb = new Float64Array(essays.length * EMB);
  essays.forEach((e, r) => {
    for (let c = 0; c < p; c++) hand[r * p + c] = random();
    hand[r * p] = e.overall + 0.8 * (random() - 0.5);
    hand[r * p + 1] = e.text.length / 1000 + random();
    for (let c = 0; c < EMB; c++) emb[r * EMB + c] = 0.3 * e.overall + random();
  });
  const n = essays.length;
  await writeFeatureStore({
    dir,
    kind: "store",
    schemaVersion: HANDCRAFTED_SCHEMA_VERSION,
    fingerprint: createLocalFeatureExtractor({ workers: 0 }).fingerprint,
    featureSet: "combined",
    rows: rowIdentities(essays.map((e) => ({ id: e.id, text: e.text, prompt: e.prompt }))),
    features: {
      ids: essays.map((e) => e.id),
      handcrafted: { names: HANDCRAFTED_FEATURE_NAMES, nRows: n, nCols: p, values: hand },
      embeddings: {
        names: Array.from({ length: EMB }, (_, i) => `emb_${String(i).padStart(3, "0")}`),
        nRows: n,
        nCols: EMB,
        values: emb,
      },
    },
  });
}

/** Copy an ELLIPSE CSV with Overall → 6 − Overall for the given ids (a valid half-point score). */
async function flipLabels(from: string, to: string, ids: ReadonlySet<string>): Promise<number> {
  const rows: string[][] = parse(await Deno.readTextFile(from), { bom: true });
  const id = rows[0].indexOf("text_id_kaggle");
  const overall = rows[0].indexOf("Overall");
  let changed = 0;
  for (const row of rows.slice(1)) {
    if (!ids.has(row[id])) continue;
    const flipped = String(6 - Number(row[overall]));
    if (flipped !== row[overall]) changed++;
    row[overall] = flipped;
  }
  await Deno.writeTextFile(to, stringify(rows));
  return changed;
}

interface Variant {
  readonly name: string;
  readonly settings: Partial<ExperimentConfig>;
}

const VARIANTS: readonly Variant[] = [
  {
    name: "inner_oof, no weights, no blend",
    settings: {
      cutpointMode: "inner_oof",
      sampleWeighting: "none",
      pipeline: { charTextStacking: false, blendStacks: false, blendMatchSpread: false },
    },
  },
  {
    name: "nested lofo, sqrt_inv_freq, blend + spread",
    settings: {
      cutpointMode: "lofo",
      sampleWeighting: "sqrt_inv_freq",
      pipeline: { charTextStacking: false, blendStacks: true, blendMatchSpread: true },
    },
  },
  {
    name: "no cut-points, sqrt_inv_freq, blend without spread, char stack",
    settings: {
      optimiseCutpoints: false,
      sampleWeighting: "sqrt_inv_freq",
      pipeline: { charTextStacking: true, blendStacks: true, blendMatchSpread: false },
    },
  },
];

const STEP = { textStacking: true, cutpointInnerFolds: 3, cvWorkers: 1 };

async function setup(root: string) {
  const splits = await embeddedSplitsAndEssays(root);
  const store = join(root, "store");
  await writeStore(store, [...splits.train, ...splits.test]);
  const base = resolveExperimentConfig(undefined, {
    ...testRunSettings(root),
    splitsPath: splits.splitsPath,
    featureSet: "combined",
    // the flipped copies are not the embedded files: keep the embedded data's local checker
    checker: "local",
    reuseCvFeatureStoreDir: store,
    treeParams: { nEstimators: 15, learningRate: 0.2, maxDepth: 2, earlyStoppingRounds: 0 },
  });
  return { splits, base };
}

Deno.test("leakage canary (cv): flipping fold 0's labels leaves fold 0's predictions bit-identical", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "canary_cv_" });
  try {
    const { splits, base } = await setup(root);
    for (const [k, v] of VARIANTS.entries()) {
      await t.step(v.name, async () => {
        const config = { ...base, ...v.settings, runName: `cv_${k}` };
        const a = await runCv(config, { echo: false, step: STEP });
        const fold0 = splits.train.flatMap((_, i) => (a.cv.oofFold[i] === 0 ? [i] : []));
        assert.ok(fold0.length > 20);
        const flippedCsv = join(root, `train_flipped_${k}.csv`);
        const changed = await flipLabels(
          base.ellipseTrainPath,
          flippedCsv,
          new Set(fold0.map((i) => splits.train[i].id)),
        );
        assert.ok(changed > fold0.length / 2, `${changed} labels changed`);
        const b = await runCv({ ...config, ellipseTrainPath: flippedCsv, runName: `cv_${k}_f` }, {
          echo: false,
          step: STEP,
        });
        const pick = (x: ArrayLike<number> | null) => fold0.map((i) => x?.[i]);
        assert.deepEqual(pick(b.cv.oofPredictions), pick(a.cv.oofPredictions));
        assert.deepEqual(pick(b.cv.oofCutpointPredictions), pick(a.cv.oofCutpointPredictions));
        // the canary can fail: other folds trained on the flipped labels and moved
        const others = splits.train.flatMap((_, i) => (a.cv.oofFold[i] > 0 ? [i] : []));
        assert.ok(others.some((i) => a.cv.oofPredictions[i] !== b.cv.oofPredictions[i]));
      });
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** `split,id → prediction_raw|prediction_cutpoints` of a run's predictions.csv. */
async function runPredictions(runDir: string): Promise<Map<string, string>> {
  const rows: Record<string, string>[] = parse(
    await Deno.readTextFile(join(runDir, "artifacts", "predictions.csv")),
    { columns: true },
  );
  return new Map(
    rows.map((r) => [`${r.split},${r.id}`, `${r.prediction_raw}|${r.prediction_cutpoints}`]),
  );
}

Deno.test("leakage canary (run): flipping the val and test labels leaves their predictions bit-identical", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "canary_run_" });
  try {
    const { base } = await setup(root);
    for (const [k, v] of VARIANTS.entries()) {
      await t.step(v.name, async () => {
        const config = { ...base, ...v.settings, skipShap: true, skipGradeScaleReport: true };
        const a = await runFullRun({ ...config, runName: `run_${k}` }, { echo: false, step: STEP });
        const before = await runPredictions(a.runDir);
        const heldOut = [...before.keys()].filter((key) => !key.startsWith("train,"));
        const valIds = new Set(
          heldOut.filter((key) => key.startsWith("val,")).map((key) => key.slice(4)),
        );
        const testIds = new Set(
          heldOut.filter((key) => key.startsWith("test,")).map((key) => key.slice(5)),
        );
        const trainCsv = join(root, `train_flipped_run_${k}.csv`);
        const testCsv = join(root, `test_flipped_run_${k}.csv`);
        assert.ok((await flipLabels(base.ellipseTrainPath, trainCsv, valIds)) > 10);
        assert.ok((await flipLabels(base.ellipseTestPath, testCsv, testIds)) > 10);
        const b = await runFullRun(
          {
            ...config,
            ellipseTrainPath: trainCsv,
            ellipseTestPath: testCsv,
            runName: `run_${k}_f`,
          },
          { echo: false, step: STEP },
        );
        const after = await runPredictions(b.runDir);
        for (const key of heldOut) assert.equal(after.get(key), before.get(key), key);
      });
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
