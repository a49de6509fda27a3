import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { runCliCaptured } from "./cli_capture.ts";
import { configFromInvocation } from "../../lib/steps/step_config.ts";
import { CV_FLAGS } from "../../lib/steps/model_inputs.ts";
import { createExtractorForConfig } from "../../lib/offload/backend.ts";
import { systemCheckerProbes } from "../../lib/offload/checker_choice.ts";
import { loadDataset } from "../../lib/dataset/load_dataset.ts";

const MANIFEST = "data/embedded/swedish_embedded.json";

async function json(path: string) {
  return JSON.parse(await Deno.readTextFile(path));
}

async function runDirs(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of Deno.readDir(root)) {
    const m = /^\d{8}_\d{6}_sv_(prep|splits|cv|run|score)$/.exec(e.name);
    if (e.isDirectory && m) out.set(m[1], join(root, e.name));
  }
  return out;
}

// The non-ELLIPSE manifest end to end through the CLI: a Windows-1252 TSV with a split column,
// letter grades F–A, a narrative prompt out of scope — prepare → splits → cv → run (runbook)
// → score, with the real local extractor on the handcrafted features.
Deno.test({
  name: "Swedish embedded corpus: runbook and score end to end via --dataset",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir();
    const common = ["--output-root", root, "--experiment-log-path", join(root, "LOG.md")];
    const rb = await runCliCaptured([
      "runbook",
      "--dataset",
      MANIFEST,
      "--run-name",
      "sv",
      "--feature-set",
      "handcrafted",
      // the local checker (English-only: not run on Swedish, its counts left out) keeps this
      // fast; LanguageTool in sv has its own test below
      "--checker",
      "local",
      "--skip-drop-column",
      "--n-estimators",
      "40",
      ...common,
    ]);
    assert.equal(rb.code, 0, rb.out);
    const dirs = await runDirs(root);
    const prep = await json(join(dirs.get("prep")!, "reports/dataset_integrity_report.json"));
    assert.equal(prep.dataset.name, "swedish_embedded");
    assert.equal(prep.filters.word_language, "sv");
    assert.equal(prep.dataset.genre_counts["berättande"], 52);
    assert.deepEqual(prep.counts.train.stages[0].removedBy, {
      "genre:berättande": 37,
      untagged: 2,
    });
    const splits = await json(join(dirs.get("splits")!, "artifacts/splits.json"));
    assert.deepEqual(splits.score_scale.levels, ["F", "E", "D", "C", "B", "A"]);
    assert.equal(splits.schemes.prompt_holdout.folds.length, 2);
    assert.match(splits.schemes.prompt_holdout.method, /2 folds \(leave-one-prompt-out\)/);
    const cv = await json(join(dirs.get("cv")!, "artifacts/cv_metrics.json"));
    assert.equal(cv.folds.length, 5);
    assert.ok(cv.summary.qwk.mean > 0.5, `CV QWK ${cv.summary.qwk.mean}`);
    // language-aware features: English-only ones left out with a WARNING, Swedish ones in
    assert.ok(cv.feature_names.includes("sv_lix"));
    assert.ok(cv.feature_names.includes("sv_spelling_errors_per_100_words"));
    assert.ok(cv.feature_names.includes("mtld"));
    assert.ok(!cv.feature_names.includes("flesch_kincaid"));
    assert.ok(!cv.feature_names.includes("spelling_errors_per_100_words"));
    assert.match(rb.out, /WARNING: dataset language "sv": 30 handcrafted features .* left out/);
    const cvReport = await Deno.readTextFile(join(dirs.get("cv")!, "reports/cv_report.md"));
    assert.match(cvReport, /score scale F < E < D < C < B < A/);
    assert.match(
      cvReport,
      /- Tier 1 error checker: `local`, language `sv` \(English-only: not run, error counts left out\)/,
    );
    assert.match(
      cvReport,
      /## Per prompt \(out-of-fold, rounded\)[\s\S]*Fisher-z mean of per-prompt QWK/,
    );
    assert.match(
      cvReport,
      /\| Fyra dagars skolvecka \| \d+ \| \d\.\d{3} \| \d\.\d{3}–\d\.\d{3} \|/,
    );
    const runPred = parse(
      await Deno.readTextFile(join(dirs.get("run")!, "artifacts/predictions.csv")),
      { columns: true },
    ) as Record<string, string>[];
    const levels = new Set(["F", "E", "D", "C", "B", "A"]);
    assert.ok(runPred.every((r) => levels.has(r.overall_true) && levels.has(r.prediction_rounded)));
    const grade = await Deno.readTextFile(join(dirs.get("run")!, "reports/grade_scale_report.md"));
    assert.match(grade, /\| true \\ pred \| F \| E \| D \| C \| B \| A \| n \|/);

    const test = join(dirs.get("prep")!, "artifacts/datasets/swedish_embedded_test_prepared.csv");
    const sc = await runCliCaptured([
      "score",
      "--model-dir",
      dirs.get("run")!,
      "--input",
      test,
      "--run-name",
      "sv_score",
      ...common,
    ]);
    assert.equal(sc.code, 0, sc.out);
    const scored = parse(
      await Deno.readTextFile(
        join((await runDirs(root)).get("score")!, "artifacts/predictions.csv"),
      ),
      { columns: true },
    ) as Record<string, string>[];
    assert.equal(scored.length, 30);
    assert.ok(scored.every((r) => levels.has(r.prediction_rounded) && levels.has(r.overall_true)));
  },
});

Deno.test("a genre mix without scope stops before anything is written; --allow-genre-mix runs", async () => {
  const root = await Deno.makeTempDir();
  const manifest = JSON.parse(await Deno.readTextFile(MANIFEST));
  delete manifest.genres;
  manifest.files.data = join(Deno.cwd(), "data/embedded", manifest.files.data);
  const path = join(root, "mixed.json");
  await Deno.writeTextFile(path, JSON.stringify(manifest));
  const common = [
    "--output-root",
    join(root, "out"),
    "--experiment-log-path",
    join(root, "LOG.md"),
  ];
  const bad = await runCliCaptured([
    "prepare-dataset",
    "--dataset",
    path,
    "--run-name",
    "mix",
    ...common,
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /mixes genres \(argumenterande: 102, berättande: 52, \(untagged\): 2\)/);
  const written = [...Deno.readDirSync(join(root, "out"))].flatMap((d) =>
    [...Deno.readDirSync(join(root, "out", d.name, "artifacts"))].map((f) => f.name)
  );
  assert.deepEqual(written.filter((f) => f !== "manifest.json" && f !== "status.json"), []);
  const ok = await runCliCaptured([
    "prepare-dataset",
    "--dataset",
    path,
    "--allow-genre-mix",
    "--run-name",
    "mix2",
    ...common,
  ]);
  assert.equal(ok.code, 0, ok.out);
  const dir = [...Deno.readDirSync(join(root, "out"))].find((d) => d.name.endsWith("_mix2"))!;
  const md = await Deno.readTextFile(
    join(root, "out", dir.name, "reports/dataset_integrity_report.md"),
  );
  assert.match(md, /^> \*\*WARNING: genres mixed without a declared scope/);
  assert.match(await Deno.readTextFile(join(root, "LOG.md")), /WARNING: genres mixed/);
});

const java = await systemCheckerProbes().javaMajor();
const ltObtainable = java !== null && java >= 17 &&
  await systemCheckerProbes().languageToolObtainable();

// --checker auto on the Swedish manifest with Java present: LanguageTool in sv, pinned in the
// config, its error counts kept (and the agreement count, English-only, left out); the counts
// come from LanguageTool's Swedish rules.
Deno.test({
  name:
    "Swedish corpus with --checker auto and Java: LanguageTool checks in sv, its counts are kept",
  ignore: !ltObtainable,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const config = await configFromInvocation(
      { values: { dataset: MANIFEST, "feature-set": "handcrafted", checker: "auto" }, argv: [] },
      CV_FLAGS,
    );
    assert.equal(config.checker, "languagetool");
    assert.ok(!config.excludedFeatures.includes("spelling_errors_per_100_words"));
    assert.ok(config.excludedFeatures.includes("agreement_errors_per_100_words"));
    const essays = (await loadDataset(config)).train.slice(0, 4);
    const handle = await createExtractorForConfig(config, {
      cacheRoot: await Deno.makeTempDir(),
      local: { workers: 0 },
    });
    try {
      assert.deepEqual(
        [handle.checker?.kind, handle.checker?.language],
        ["languagetool-local", "sv"],
      );
      const got = await handle.extractor.extract(
        essays.map((e) => ({ id: e.id, text: e.text, prompt: e.prompt })),
        { featureSet: "handcrafted" },
      );
      const m = got.handcrafted!;
      const col = (name: string) =>
        Array.from({ length: m.nRows }, (_, r) => m.values[r * m.nCols + m.names.indexOf(name)]);
      const spelling = col("spelling_errors_per_100_words");
      assert.ok(spelling.some((v) => v > 0), `LanguageTool-sv spelling: ${spelling}`);
      assert.equal(handle.buildMetrics().offload.language_tool.requests.count, essays.length);
    } finally {
      await handle.close();
    }
  },
});
