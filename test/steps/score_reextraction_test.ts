/**
 * `score` through real re-extraction: `run` on a small slice of the embedded data with the real
 * local extractor (handcrafted features, checker and sentence encoder), then `score` on a
 * shuffled copy of the run's test essays, extracted anew in the calling thread (the run used
 * extraction workers, in chunks of the run's essay order; here the chunks hold other essays).
 * Every prediction must be bit-identical to the run's.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { seededRandom } from "../../lib/model/learners/random.ts";
import { resolveExperimentConfig } from "../../lib/run/config.ts";
import { runFullRun } from "../../lib/steps/full_run.ts";
import { runScore } from "../../lib/steps/score.ts";
import { testRunSettings } from "./embedded_splits_fixture.ts";

/** The header and the first `n` rows of a CSV (after shuffling when a seed is given). */
async function subsetCsv(from: string, to: string, n: number, shuffleSeed?: number) {
  const [head, ...rows]: string[][] = parse(await Deno.readTextFile(from), { bom: true });
  let kept = rows.slice(0, n);
  if (shuffleSeed !== undefined) {
    const random = seededRandom(shuffleSeed, "shuffle");
    kept = kept.map((r) => [random(), r] as const).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
  }
  await Deno.writeTextFile(to, stringify([head, ...kept]));
  return kept.map((r) => r[head.indexOf("text_id_kaggle")]);
}

Deno.test({
  name:
    "score re-extracts a shuffled, differently chunked copy with the real extractor: bit-identical",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "score_reextract_" });
    try {
      const base = resolveExperimentConfig(undefined, {});
      const train = join(root, "train.csv");
      const test = join(root, "test.csv");
      await subsetCsv(base.ellipseTrainPath, train, 40);
      const testIds = await subsetCsv(base.ellipseTestPath, test, 70);
      const config = resolveExperimentConfig(undefined, {
        ...testRunSettings(root),
        ellipseTrainPath: train,
        ellipseTestPath: test,
        featureSet: "combined",
        // The local checker (a copy of the embedded data is not "real data" for --checker auto).
        checker: "local",
        skipShap: true,
        skipGradeScaleReport: true,
        runName: "run",
        treeParams: { nEstimators: 30, maxDepth: 2, earlyStoppingRounds: 0 },
      });
      const run = await runFullRun(config, {
        echo: false,
        step: { textStacking: true, cutpointInnerFolds: 3, extractionWorkers: 2 },
      });
      const rows: Record<string, string>[] = parse(
        await Deno.readTextFile(join(run.runDir, "artifacts", "predictions.csv")),
        { columns: true },
      );
      const runRaw = new Map(
        rows.filter((r) => r.split === "test").map((r) => [r.id, r.prediction_raw]),
      );
      assert.ok(runRaw.size > 30, `${runRaw.size} test essays scored by the run`);
      // a shuffled copy: 70 essays (chunks of 64 + 6) in the calling thread, in another order than the run's
      const shuffled = join(root, "shuffled.csv");
      const order = await subsetCsv(test, shuffled, 70, 7);
      assert.notDeepEqual(order, testIds);
      const r = await runScore({
        modelDir: run.runDir,
        input: shuffled,
        extractionWorkers: 0,
        overrides: { ...testRunSettings(root), runName: "score" },
        echo: false,
      });
      let same = 0;
      r.ids.forEach((id, i) => {
        const want = runRaw.get(id);
        if (want === undefined) return; // outside the run's filters: scored and flagged
        assert.equal(String(r.predictions.raw[i]), want, `essay ${id}`);
        same++;
      });
      assert.equal(same, runRaw.size);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
