import assert from "node:assert/strict";
import { join } from "node:path";
import { runCliCaptured } from "./cli_capture.ts";

const MANIFEST = "data/embedded/swedish_embedded.json";

/** The run directory a CLI call printed. */
function runDir(out: string): string {
  const m = /run directory: (\S+)/.exec(out);
  assert.ok(m, out);
  return m[1];
}

async function find(root: string, name: RegExp): Promise<string> {
  for await (const e of Deno.readDir(root)) {
    const path = join(root, e.name);
    if (name.test(e.name)) return path;
    if (e.isDirectory) {
      const inner = await find(path, name).catch(() => "");
      if (inner) return inner;
    }
  }
  throw new Error(`${name} not under ${root}`);
}

// Paired comparison on a scale that is not ELLIPSE's: two cv variants of the Swedish embedded
// set (letter grades F–A), compared with compare-runs, and a two-variant sweep with its
// held-back-fold confirmation; runs on different scales are refused.
Deno.test({
  name: "compare-runs and sweep on the Swedish F–A scale; different scales are refused",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "swedish_compare_" });
    const common = ["--output-root", root, "--experiment-log-path", join(root, "LOG.md")];
    const prep = await runCliCaptured([
      "prepare-dataset",
      "--dataset",
      MANIFEST,
      "--run-name",
      "p",
      ...common,
    ]);
    assert.equal(prep.code, 0, prep.out);
    const manifest = await find(root, /_prepared_manifest\.json$/);
    const data = ["--dataset", manifest, ...common];
    const sp = await runCliCaptured(["make-splits", ...data, "--run-name", "s"]);
    assert.equal(sp.code, 0, sp.out);
    const splits = await find(root, /^splits\.json$/);
    const cvFlags = [...data, "--splits-path", splits, "--feature-set", "handcrafted"];
    const fast = ["--checker", "local", "--n-estimators", "20", "--cv-workers", "1"];
    const a = await runCliCaptured(["cv", ...cvFlags, ...fast, "--run-name", "a"]);
    assert.equal(a.code, 0, a.out);
    const aDir = await find(root, /_a$/);
    const store = join(aDir, "cv_feature_store");
    const reuse = ["--reuse-cv-feature-store-dir", store];
    const b = await runCliCaptured([
      "cv",
      ...cvFlags,
      ...fast,
      ...reuse,
      "--model",
      "ridge",
      "--run-name",
      "b",
    ]);
    assert.equal(b.code, 0, b.out);
    const bDir = await find(root, /_b$/);

    const cmp = await runCliCaptured([
      "compare-runs",
      "--baseline",
      aDir,
      "--candidate",
      bDir,
      "--resamples",
      "1000",
      "--run-name",
      "c",
      ...common,
    ]);
    assert.equal(cmp.code, 0, cmp.out);
    const cDir = runDir(cmp.out);
    const json = JSON.parse(await Deno.readTextFile(join(cDir, "artifacts", "comparison.json")));
    assert.deepEqual(json.comparison.scale.levels, ["F", "E", "D", "C", "B", "A"]);
    assert.equal(json.comparison.nEssays, 72);
    assert.ok(json.comparison.fold.qwk.baseline > 0.5, JSON.stringify(json.comparison.fold.qwk));
    assert.ok(json.comparison.tails.baseline.high.n > 0);
    const md = await Deno.readTextFile(join(cDir, "reports", "comparison.md"));
    assert.match(md, /score scale: F < E < D < C < B < A/);
    assert.match(md, /Bands by true score: low ≤ E, high ≥ B\./);

    // a sweep over the ridge penalty: variants, paired comparisons, held-back-fold confirmation
    const space = join(root, "space.json");
    await Deno.writeTextFile(
      space,
      JSON.stringify({ mode: "grid", parameters: { "ridgeParams.alpha": [1, 30] } }),
    );
    const sw = await runCliCaptured([
      "sweep",
      ...cvFlags,
      ...fast,
      ...reuse,
      "--model",
      "ridge",
      "--space",
      space,
      "--resamples",
      "1000",
      "--run-name",
      "sw",
    ]);
    assert.equal(sw.code, 0, sw.out);
    assert.match(sw.out, /confirmed on held-back fold \d: QWK 0\.\d+ \(baseline 0\.\d+\)/);

    // the candidate's run recorded another scale: refused, naming both scales
    const manifestPath = join(bDir, "manifest.json");
    const runManifest = JSON.parse(await Deno.readTextFile(manifestPath));
    runManifest.config.dataset.scale.levels = ["F", "E", "D", "C", "B", "A", "A+"];
    await Deno.writeTextFile(manifestPath, JSON.stringify(runManifest));
    const bad = await runCliCaptured([
      "compare-runs",
      "--baseline",
      aDir,
      "--candidate",
      bDir,
      ...common,
    ]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.out,
      /the score scales differ \(baseline: F < E < D < C < B < A; candidate: F < E < D < C < B < A < A\+\); runs are compared only on the same scale/,
    );
  },
});
