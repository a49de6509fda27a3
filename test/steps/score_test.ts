/**
 * End-to-end tests of `score` on the embedded data set: `run` (synthetic combined feature store,
 * so no encoder is loaded) writes the bundle; scoring the run's own test essays with it
 * reproduces the run's test predictions bit for bit — from the feature store and through a fresh
 * extraction; essays without a prompt or outside the word window are scored and flagged; an
 * extractor with another fingerprint is refused with the reason; and the CLI scores, explains,
 * and refuses a tampered bundle and bad CSVs with clear messages.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { embeddedSplitsAndEssays, testRunSettings } from "./embedded_splits_fixture.ts";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import type { Essay } from "../../lib/dataset/essay.ts";
import { createLocalFeatureExtractor } from "../../lib/features/extract.ts";
import { rowIdentities, writeFeatureStore } from "../../lib/features/feature_store.ts";
import {
  HANDCRAFTED_FEATURE_NAMES,
  HANDCRAFTED_SCHEMA_VERSION,
} from "../../lib/features/handcrafted/schema.ts";
import type { ExtractedFeatures, FeatureExtractor } from "../../lib/features/types.ts";
import { ExtractorMismatchError } from "../../lib/model/bundle/bundle.ts";
import { seededRandom } from "../../lib/model/learners/random.ts";
import { type ExperimentConfig, resolveExperimentConfig } from "../../lib/run/config.ts";
import { runFullRun } from "../../lib/steps/full_run.ts";
import { sameBits } from "../../lib/model/learners/matrix.ts";
import { runScore } from "../../lib/steps/score.ts";
import { startTestServer } from "../offload/helpers.ts";

const P = HANDCRAFTED_FEATURE_NAMES.length;
const EMB = 8;
const PROMPT_SIM = HANDCRAFTED_FEATURE_NAMES.indexOf("prompt_similarity");

/** Feature rows per essay id: column 0 and embedding 0 carry the score, the rest is noise. */
function syntheticRows(essays: readonly Essay[]): Map<string, { hand: number[]; emb: number[] }> {
  const random = seededRandom(11, "score-store");
  const rows = new Map<string, { hand: number[]; emb: number[] }>();
  for (const e of essays) {
    const hand = Array.from({ length: P }, () => random());
    hand[0] = e.overall + 0.3 * (random() - 0.5);
    const emb = Array.from({ length: EMB }, () => random() - 0.5);
    emb[0] = e.overall / 5 + 0.2 * (random() - 0.5);
    rows.set(e.id, { hand, emb });
  }
  return rows;
}

function featuresOf(
  ids: readonly string[],
  rows: Map<string, { hand: number[]; emb: number[] }>,
  promptMissing: (i: number) => boolean = () => false,
): ExtractedFeatures {
  const hand = new Float64Array(ids.length * P);
  const emb = new Float64Array(ids.length * EMB);
  ids.forEach((id, r) => {
    const row = rows.get(id) ?? { hand: new Array(P).fill(0.5), emb: new Array(EMB).fill(0) };
    hand.set(row.hand, r * P);
    emb.set(row.emb, r * EMB);
    // an essay without a prompt gets a nonsense similarity: score must not use it
    if (promptMissing(r)) hand[r * P + PROMPT_SIM] = 1e6;
  });
  const embNames = Array.from({ length: EMB }, (_, j) => `emb_${String(j).padStart(3, "0")}`);
  return {
    ids: [...ids],
    handcrafted: { names: HANDCRAFTED_FEATURE_NAMES, nRows: ids.length, nCols: P, values: hand },
    embeddings: { names: embNames, nRows: ids.length, nCols: EMB, values: emb },
  };
}

/** An extractor that serves the synthetic rows (as if it extracted them). */
function fakeExtractor(
  fingerprint: string,
  rows: Map<string, { hand: number[]; emb: number[] }>,
): FeatureExtractor {
  return {
    fingerprint,
    extract: (essays) =>
      Promise.resolve(featuresOf(essays.map((e) => e.id), rows, (i) => essays[i].prompt === "")),
  };
}

interface Setup {
  readonly config: ExperimentConfig;
  readonly store: string;
  readonly test: Essay[];
  readonly rows: Map<string, { hand: number[]; emb: number[] }>;
  readonly fingerprint: string;
}

async function setup(root: string): Promise<Setup> {
  const splits = await embeddedSplitsAndEssays(root);
  const { test } = splits;
  const essays = [...splits.train, ...test];
  const rows = syntheticRows(essays);
  const fingerprint = createLocalFeatureExtractor({ workers: 0 }).fingerprint;
  const store = join(root, "store");
  await writeFeatureStore({
    dir: store,
    kind: "store",
    schemaVersion: HANDCRAFTED_SCHEMA_VERSION,
    fingerprint,
    featureSet: "combined",
    rows: rowIdentities(essays.map((e) => ({ id: e.id, text: e.text, prompt: e.prompt }))),
    features: featuresOf(essays.map((e) => e.id), rows),
  });
  const config = resolveExperimentConfig(undefined, {
    ...testRunSettings(root),
    splitsPath: splits.splitsPath,
    featureSet: "combined",
    reuseCvFeatureStoreDir: store,
    runName: "full",
    treeParams: { nEstimators: 40, learningRate: 0.1, maxDepth: 3, earlyStoppingRounds: 0 },
  });
  return { config, store, test, rows, fingerprint };
}

async function writeCsv(path: string, header: string[], rows: unknown[][]): Promise<void> {
  await Deno.writeTextFile(path, stringify(rows, { header: true, columns: header }));
}

async function readCsv(path: string): Promise<Record<string, string>[]> {
  return parse(await Deno.readTextFile(path), { columns: true }) as Record<string, string>[];
}

const rawOf = (rows: Record<string, string>[]) =>
  Float64Array.from(rows, (r) => Number(r.prediction_raw));

Deno.test("score reproduces run's test predictions, flags, refuses a foreign extractor; CLI", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "score_test_" });
  try {
    const s = await setup(root);
    const run = await runFullRun(s.config, { echo: false });
    const bundleDir = join(run.runDir, "artifacts", "model");
    for (const f of ["bundle.json", "pipeline.json"]) {
      await Deno.stat(join(bundleDir, f));
    }
    const runPredictions = (await readCsv(join(run.runDir, "artifacts", "predictions.csv")))
      .filter((r) => r.split === "test");
    const testCsv = join(root, "test_essays.csv");
    await writeCsv(
      testCsv,
      ["text_id_kaggle", "full_text", "prompt", "Overall"],
      s.test.map((e) => [e.id, e.text, e.prompt, e.overall]),
    );
    const scoreOverrides = {
      outputRoot: join(root, "out"),
      experimentLogPath: join(root, "EXPERIMENT_LOG.md"),
      heartbeatMinutes: 60,
    };

    await t.step("from the feature store: test predictions bit for bit", async () => {
      const r = await runScore({
        modelDir: run.runDir,
        input: testCsv,
        reuseFeatureStoreDir: s.store,
        overrides: scoreOverrides,
        echo: false,
      });
      assert.deepEqual(r.ids, runPredictions.map((p) => p.id));
      assert.ok(sameBits(r.predictions.raw, rawOf(runPredictions)), "raw predictions differ");
      const out = await readCsv(r.predictionsPath);
      assert.ok(sameBits(rawOf(out), rawOf(runPredictions)), "CSV round trip differs");
      assert.deepEqual(
        out.map((o) => o.prediction_cutpoints),
        runPredictions.map((p) => p.prediction_cutpoints),
      );
      assert.deepEqual(
        out.map((o) => o.prediction_rounded),
        runPredictions.map((p) => p.prediction_rounded),
      );
      assert.ok(out.every((o) => o.flags === ""), "filtered test essays are inside the window");
      const status = JSON.parse(await Deno.readTextFile(join(r.runDir, "status.json")));
      assert.equal(status.state, "completed");
      const manifest = JSON.parse(await Deno.readTextFile(join(r.runDir, "manifest.json")));
      assert.equal(manifest.command, "score");
      assert.ok(manifest.inputs.some((i: { path: string }) => i.path === testCsv));
      const report = await Deno.readTextFile(r.reportPath);
      assert.match(report, /Against the input's human scores/);
      assert.ok(r.summary.labelled && r.summary.labelled.metrics.qwk > 0.5);
      assert.match(await Deno.readTextFile(scoreOverrides.experimentLogPath), /essays scored/);
    });

    await t.step("through extraction: same bits; no prompt and short essays flagged", async () => {
      const r = await runScore({
        modelDir: run.runDir,
        input: testCsv,
        extractor: fakeExtractor(s.fingerprint, s.rows),
        overrides: scoreOverrides,
        echo: false,
      });
      assert.ok(sameBits(r.predictions.raw, rawOf(runPredictions)));
      const picked = s.test.slice(0, 3);
      const noPrompt = join(root, "no_prompt.csv");
      await writeCsv(noPrompt, ["essay_id", "essay"], [
        ...picked.map((e) => [e.id, e.text]),
        ["short", "Too short to be in the window."],
      ]);
      const q = await runScore({
        modelDir: run.runDir,
        input: noPrompt,
        columns: { idColumn: "essay_id", textColumn: "essay" },
        extractor: fakeExtractor(s.fingerprint, s.rows),
        explain: true,
        explainTop: 3,
        overrides: scoreOverrides,
        echo: false,
      });
      const out = await readCsv(q.predictionsPath);
      assert.deepEqual(out.map((o) => o.flags), [
        "prompt_missing",
        "prompt_missing",
        "prompt_missing",
        "below_word_window;prompt_missing",
      ]);
      assert.ok(q.predictions.raw.every(Number.isFinite), "the nonsense similarity was replaced");
      const bundle = JSON.parse(await Deno.readTextFile(join(bundleDir, "bundle.json")));
      const pipelineJson = JSON.parse(await Deno.readTextFile(join(bundleDir, "pipeline.json")));
      const col = pipelineJson.model_feature_names.indexOf("prompt_similarity");
      assert.equal(q.predictions.modelX.values[col], bundle.prompt_feature_fill.prompt_similarity);
      assert.ok(out[0].shap_3_feature !== "" && Number.isFinite(Number(out[0].shap_1_value)));
      const shap = JSON.parse(
        await Deno.readTextFile(join(q.runDir, "artifacts", "shap_scored.json")),
      );
      const sum = shap.values[0].reduce((a: number, b: number) => a + b, shap.base_value);
      assert.ok(
        Math.abs(sum - q.predictions.raw[0]) < 1e-9,
        "SHAP adds up to the final score",
      );
    });

    await t.step("an extractor with another fingerprint is refused with the reason", async () => {
      await assert.rejects(
        () =>
          runScore({
            modelDir: run.runDir,
            input: testCsv,
            extractor: fakeExtractor("fx1-other", s.rows),
            overrides: { ...scoreOverrides, runName: "foreign" },
            echo: false,
          }),
        (e: Error) =>
          e instanceof ExtractorMismatchError &&
          e.message.includes(
            `extractor fingerprint: bundle ${s.fingerprint}, extractor now in use`,
          ),
      );
      const dirs = [...Deno.readDirSync(scoreOverrides.outputRoot)].filter((d) =>
        d.name.endsWith("_foreign")
      );
      const status = JSON.parse(
        await Deno.readTextFile(join(scoreOverrides.outputRoot, dirs[0].name, "status.json")),
      );
      assert.equal(status.state, "failed");
      assert.match(status.error.message, /fingerprint/);
      assert.equal(status.error.stage, "check_extractor");
    });

    await t.step("--backend hemma: a server with another extractor is refused", async () => {
      const server = startTestServer();
      try {
        await assert.rejects(
          () =>
            runScore({
              modelDir: run.runDir,
              input: testCsv,
              overrides: {
                ...scoreOverrides,
                runName: "hemma",
                backend: "hemma",
                offloadServiceUrl: server.url,
              },
              echo: false,
            }),
          (e: Error) =>
            e instanceof ExtractorMismatchError &&
            e.message.includes(`extractor now in use (hemma ${server.url}`),
        );
      } finally {
        await server.shutdown();
      }
    });

    await t.step("CLI: score --explain --output; tampered bundle and bad CSV refused", async () => {
      const cli = async (...args: string[]) => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "lib/cli.ts",
            "score",
            ...args,
            "--output-root",
            scoreOverrides.outputRoot,
            "--experiment-log-path",
            scoreOverrides.experimentLogPath,
            "--heartbeat-minutes",
            "60",
          ],
          stdout: "piped",
          stderr: "piped",
        }).output();
        return {
          code: out.code,
          stdout: new TextDecoder().decode(out.stdout),
          stderr: new TextDecoder().decode(out.stderr),
        };
      };
      const outCsv = join(root, "scored.csv");
      const ok = await cli(
        "--model-dir",
        run.runDir,
        "--input",
        testCsv,
        "--reuse-feature-store-dir",
        s.store,
        "--output",
        outCsv,
        "--explain",
      );
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, new RegExp(`${s.test.length} essays scored`));
      const scored = await readCsv(outCsv);
      assert.ok(sameBits(rawOf(scored), rawOf(runPredictions)));
      assert.ok("shap_5_feature" in scored[0] && "shap_base" in scored[0]);

      const dup = join(root, "dup.csv");
      await writeCsv(dup, ["text_id_kaggle", "full_text"], [["a", "x y"], ["b", "z"], ["a", "w"]]);
      const bad = await cli("--model-dir", run.runDir, "--input", dup);
      assert.equal(bad.code, 1);
      assert.match(
        bad.stderr,
        /input error: .*dup\.csv, row 3 \(line 4\), column "text_id_kaggle": duplicate essay id "a"/,
      );

      const gone = await cli("--model-dir", run.runDir, "--input", join(root, "nope.csv"));
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /input error: .*nope\.csv: file not found/);

      const copy = join(root, "tampered");
      await Deno.mkdir(copy);
      for (const f of Deno.readDirSync(bundleDir)) {
        await Deno.copyFile(join(bundleDir, f.name), join(copy, f.name));
      }
      const state = JSON.parse(await Deno.readTextFile(join(copy, "pipeline.json")));
      state.text_stack.ridge.intercept += 1e-9;
      await Deno.writeTextFile(join(copy, "pipeline.json"), JSON.stringify(state) + "\n");
      const tampered = await cli("--model-dir", copy, "--input", testCsv);
      assert.equal(tampered.code, 1);
      assert.match(
        tampered.stderr,
        /error: model bundle .*pipeline\.json: sha256 [0-9a-f]+ does not match the bundle index/,
      );
      const missing = await cli("--model-dir", root, "--input", testCsv);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /no model bundle/);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
