/**
 * The degenerate-feature audit against a fake of the original Hemma server (25 columns, with
 * `passive_ratio` and `pronoun_noun_ratio` constant 0, `parse_tree_depth` = token count + 1 and
 * `connective_diversity` = 1.0): `cv --backend hemma` must warn on all four in `run.log`, put them
 * in the report and the store's metadata, and `--drop-degenerate-features` must fit without them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { auditFeatures } from "../../lib/features/feature_audit.ts";
import { featureRange, namesWithoutRange } from "../../lib/features/handcrafted/feature_ranges.ts";
import { ORIGINAL_HANDCRAFTED_NAMES } from "../../lib/offload/hemma/meta.ts";
import { resolveExperimentConfig } from "../../lib/run/config.ts";
import { runCv } from "../../lib/steps/cv.ts";
import { embeddedSplitsAndEssays, testRunSettings } from "../steps/embedded_splits_fixture.ts";
import { DEGENERATE_HEMMA_COLUMNS, degenerateHemmaExtractor } from "./fixtures/degenerate_hemma.ts";
import { startTestServer } from "./helpers.ts";

const STEP = { textStacking: false, cutpointInnerFolds: 0, cvWorkers: 1 };

Deno.test("feature audit: a fake original Hemma server's degenerate columns are warned, reported and droppable", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "hemma_audit_test_" });
  const srv = startTestServer({ extractor: degenerateHemmaExtractor(), featureSchema: "original" });
  try {
    const splits = await embeddedSplitsAndEssays(root);
    const config = resolveExperimentConfig(undefined, {
      ...testRunSettings(root),
      splitsPath: splits.splitsPath,
      featureSet: "handcrafted",
      backend: "hemma",
      offloadServiceUrl: srv.url,
      optimiseCutpoints: false,
      treeParams: { nEstimators: 10, maxDepth: 2, earlyStoppingRounds: 0 },
    });
    let storeDir = "";

    await t.step(
      "cv: WARNING per column in run.log, table in the report, audit in metadata",
      async () => {
        const r = await runCv({ ...config, runName: "cv_hemma" }, { echo: false, step: STEP });
        assert.deepEqual(
          r.cv.featureNames.filter((n) => ORIGINAL_HANDCRAFTED_NAMES.includes(n)).length,
          25,
        );
        const runDir = join(r.reportPath, "..", "..");
        const log = await Deno.readTextFile(join(runDir, "run.log"));
        for (const col of DEGENERATE_HEMMA_COLUMNS) {
          assert.match(log, new RegExp(`WARN.*feature audit.*column ${col} is`), col);
        }
        assert.match(log, /parse_tree_depth is monotone copy: Spearman 0\.99\d+ with word_count/);
        const report = await Deno.readTextFile(r.reportPath);
        assert.match(report, /## Degenerate-feature audit/);
        for (const col of DEGENERATE_HEMMA_COLUMNS) {
          assert.match(report, new RegExp(`\\| ${col} \\|`));
        }
        storeDir = join(runDir, "cv_feature_store");
        const meta = JSON.parse(await Deno.readTextFile(join(storeDir, "metadata.json")));
        assert.deepEqual(
          [...meta.feature_audit.degenerate].sort(),
          [...DEGENERATE_HEMMA_COLUMNS].sort(),
        );
        const metrics = JSON.parse(await Deno.readTextFile(r.metricsPath));
        assert.equal(metrics.feature_audit.dropped, null);
      },
    );

    await t.step(
      "--drop-degenerate-features: the four columns are not fitted, and recorded",
      async () => {
        const r = await runCv(
          {
            ...config,
            runName: "cv_hemma_drop",
            dropDegenerateFeatures: true,
            reuseCvFeatureStoreDir: storeDir,
          },
          { echo: false, step: STEP },
        );
        for (const col of DEGENERATE_HEMMA_COLUMNS) {
          assert.ok(!r.cv.featureNames.includes(col), col);
        }
        assert.equal(r.cv.featureNames.length, 21);
        const metrics = JSON.parse(await Deno.readTextFile(r.metricsPath));
        assert.deepEqual(
          [...metrics.feature_audit.dropped].sort(),
          [...DEGENERATE_HEMMA_COLUMNS].sort(),
        );
        assert.equal(metrics.feature_audit.drop_degenerate_features, true);
        const report = await Deno.readTextFile(r.reportPath);
        assert.match(report, /Dropped before fitting \(`--drop-degenerate-features`\): /);
      },
    );
  } finally {
    await srv.shutdown();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("auditFeatures: constant, near-constant, copy, NaN/Infinity and range findings", () => {
  const n = 200;
  const names = ["ttr", "word_count", "a_copy", "flat", "almost", "holes", "noise"];
  const p = names.length;
  const values = new Float64Array(n * p);
  for (let r = 0; r < n; r++) {
    const row = [
      r === 7 ? 1.5 : (r % 10) / 10, // ttr: one value outside [0, 1]
      100 + r,
      Math.log(100 + r), // monotone copy of word_count
      3,
      r === 0 ? 1 : 0, // one value in 99.5 % of the rows
      r % 4 === 0 ? NaN : r % 9 === 0 ? Infinity : (r * 37) % 11,
      (r * 7919) % 101,
    ];
    values.set(row, r * p);
  }
  const audit = auditFeatures({ ids: [], handcrafted: { names, nRows: n, nCols: p, values } });
  const kinds = (c: string) => audit.findings.filter((f) => f.column === c).map((f) => f.kind);
  assert.deepEqual(kinds("ttr"), ["out_of_range"]);
  assert.deepEqual(kinds("word_count"), []);
  assert.deepEqual(kinds("a_copy"), ["monotone_copy"]);
  assert.deepEqual(kinds("flat"), ["constant"]);
  assert.deepEqual(kinds("almost"), ["near_constant"]);
  assert.deepEqual(kinds("holes"), ["non_finite"]);
  assert.deepEqual(kinds("noise"), []);
  assert.deepEqual(audit.degenerate, ["flat", "almost", "a_copy"]);
  const holes = audit.columns.find((c) => c.column === "holes")!;
  assert.equal(holes.nanRate, 50 / 200);
  assert.ok(holes.infRate > 0);
});

Deno.test("every handcrafted column (ours and the original 25) has a documented range", () => {
  assert.deepEqual(namesWithoutRange(), []);
  assert.deepEqual(ORIGINAL_HANDCRAFTED_NAMES.filter((n) => featureRange(n) === undefined), []);
});
