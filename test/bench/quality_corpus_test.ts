/**
 * `bench quality-corpus` on a small generated corpus (a Windows-1252 TSV on a 0–10 by 2 scale,
 * one prompt, a random test split; not ASAP): the TF-IDF ridge reference runs on the run's own
 * folds, its QWK is the project's metric on the corpus's scale, its alpha comes from the grid,
 * folds are paired by number, and a run whose out-of-fold rows are not on the splits' folds, or
 * do not reproduce its reported QWK, is refused.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  corpusTarget,
  pairCorpusFolds,
  projectFoldQwks,
  qualityCorpusReport,
} from "../../lib/bench/quality_corpus.ts";
import { qualityCorpusMarkdown } from "../../lib/bench/quality_corpus_report.ts";
import {
  TFIDF_RIDGE_DEFAULTS,
  tfidfRidgeUnavailable,
} from "../../lib/bench/quality_corpus_reference.ts";
import { applyStandardFilters } from "../../lib/dataset/filters.ts";
import { loadDataset } from "../../lib/dataset/load_dataset.ts";
import { singleScale } from "../../lib/dataset/per_prompt_scale.ts";
import { readDatasetManifest } from "../../lib/dataset/manifest.ts";
import { resolveExperimentConfig } from "../../lib/run/config.ts";
import { buildSplitsFile } from "../../lib/splits/build_splits.ts";
import { serializeSplitsFile } from "../../lib/splits/splits_file.ts";
import type { OofRow } from "../../lib/steps/cv_run_dir.ts";
import { filterSettingsOf } from "../../lib/steps/prepare_dataset.ts";
import { systemDependency } from "../system_dependencies.ts";
import { scoreScale } from "../../lib/dataset/score_scale.ts";

const PYTHON = "/usr/bin/python3";
const ignore = systemDependency(
  "python3 with scikit-learn",
  await tfidfRidgeUnavailable(PYTHON),
  "quality_corpus_test",
);
const SCALE = { kind: "numeric", min: 0, max: 10, step: 2 } as const;

/** A deterministic corpus whose vocabulary rises with the level (0…5). */
function corpusTsv(n: number): string {
  let s = 7;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const common = ["the", "school", "computer", "people", "think", "because", "time", "friends"];
  const rows = ["id\tset\ttext\tpoints"];
  for (let i = 0; i < n; i++) {
    const level = i % 6;
    const words: string[] = [];
    for (let w = 0; w < 30 + 8 * level; w++) {
      words.push(
        rnd() < 0.5
          ? common[Math.floor(rnd() * common.length)]
          : `lvl${level}w${Math.floor(rnd() * 6)}`,
      );
    }
    rows.push(`e${i}\tA\t${words.join(" ")} café\t${2 * level}`);
  }
  return rows.join("\r\n") + "\r\n";
}

async function fakeCvRun(dir: string, corruptFold = false, meanOffset = 0) {
  const tsv = join(dir, "tiny.tsv");
  await Deno.writeFile(tsv, Uint8Array.from(corpusTsv(90), (c) => c.charCodeAt(0) & 0xff));
  const manifestPath = join(dir, "tiny.json");
  await Deno.writeTextFile(
    manifestPath,
    JSON.stringify({
      name: "tiny_corpus",
      language: "en",
      format: "tsv",
      encoding: "windows-1252",
      files: { data: "tiny.tsv", split: { kind: "random", testFraction: 0.2, seed: 1 } },
      columns: { id: "id", text: "text", score: "points", prompt: "set" },
      scale: SCALE,
      wordWindow: { min: 5, max: 1000 },
    }),
  );
  const splitsPath = join(dir, "splits.json");
  const config = resolveExperimentConfig(undefined, {
    datasetKind: "manifest",
    dataset: await readDatasetManifest(manifestPath),
    minWords: 5,
    maxWords: 1000,
    ellipseExcludedPrompts: [],
    splitsPath,
    scheme: "stratified_text",
    checker: "local",
  });
  const d = await loadDataset(config);
  const train = applyStandardFilters(d.train, filterSettingsOf(config)).kept;
  const splits = buildSplitsFile({
    essays: train,
    seed: 42,
    nSplits: 5,
    scale: singleScale(d.scale, "test"),
    datasetName: "tiny_corpus",
    createdFrom: {
      dataset_kind: "manifest",
      train_file: "tiny.tsv",
      train_sha256: "0".repeat(64),
      test_file: null,
      test_sha256: null,
    },
    filters: { min_words: 5, max_words: 1000, excluded_prompts: [] },
  });
  await Deno.writeTextFile(splitsPath, serializeSplitsFile(splits));
  const foldOf = new Map<string, number>();
  for (const f of splits.schemes.stratified_text.folds) {
    for (const id of f.val_ids) foldOf.set(id, f.fold);
  }
  const rows: OofRow[] = train.map((e, i) => ({
    id: e.id,
    prompt: e.prompt,
    fold: corruptFold && i === 0 ? (foldOf.get(e.id)! + 1) % 5 : foldOf.get(e.id)!,
    yTrue: e.overall,
    raw: e.overall + (i % 3 - 1) * 1.3,
    cutpoints: null,
  }));
  const qwks = [...projectFoldQwks(rows, singleScale(d.scale, "test")).values()].map((q) =>
    q.rounded
  );
  const mean = qwks.reduce((a, b) => a + b, 0) / qwks.length;
  await Deno.mkdir(join(dir, "run", "artifacts"), { recursive: true });
  await Deno.writeTextFile(
    join(dir, "run", "manifest.json"),
    JSON.stringify({ command_line: "cv (test)", config, inputs: [] }),
  );
  await Deno.writeTextFile(
    join(dir, "run", "artifacts", "cv_metrics.json"),
    JSON.stringify({
      feature_set: "handcrafted",
      model: "gbm",
      params: {},
      seed: 42,
      scheme: "stratified_text",
      n_essays: train.length,
      summary: { qwk: { mean: mean + meanOffset, std: 0 } },
    }),
  );
  const csv = ["id,prompt,fold,overall_true,prediction_raw,prediction_rounded,prediction_cutpoints"]
    .concat(rows.map((r) => `${r.id},${r.prompt},${r.fold},${r.yTrue},${r.raw},,`));
  await Deno.writeTextFile(
    join(dir, "run", "artifacts", "cv_oof_predictions.csv"),
    csv.join("\n") + "\n",
  );
  return { runDir: join(dir, "run"), nTrain: train.length, projectMean: mean };
}

const inputs = (runDir: string, workDir: string) => ({
  runDir,
  python: PYTHON,
  workDir,
  command: "bench quality-corpus (test)",
  onLog: () => {},
});

Deno.test({
  name: "quality-corpus: reference on the run's own folds, project QWK metric, alpha from the grid",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const { runDir, nTrain, projectMean } = await fakeCvRun(dir);
      const r = await qualityCorpusReport(inputs(runDir, join(dir, "work")));
      assert.equal(r.dataset.name, "tiny_corpus");
      assert.equal(r.dataset.nEssays, nTrain);
      assert.equal(r.folds.length, 5);
      assert.equal(r.folds.reduce((a, f) => a + f.nVal, 0), nTrain);
      assert.ok(Math.abs(r.project.mean - projectMean) < 1e-12);
      for (const f of r.folds) {
        assert.ok((TFIDF_RIDGE_DEFAULTS.alphas as readonly number[]).includes(f.referenceAlpha));
        assert.ok(Math.abs(f.delta - (f.project - f.reference)) < 1e-12);
      }
      // the vocabulary carries the level, so a working reference scores well above chance
      assert.ok(r.reference.mean > 0.5, `reference QWK ${r.reference.mean}`);
      assert.equal(r.target.met, r.project.mean >= r.reference.mean + 0.05);
      const again = await qualityCorpusReport(inputs(runDir, join(dir, "work")));
      assert.deepEqual(again.folds, r.folds);
      const md = qualityCorpusMarkdown(r);
      assert.match(md, /\| fold \| essays \| project \|/);
      assert.match(md, /Target \(issue 18\)/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "quality-corpus: a run whose OOF rows are off the splits' folds, or miss its QWK, is refused",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const { runDir } = await fakeCvRun(dir, true);
      await assert.rejects(
        qualityCorpusReport(inputs(runDir, join(dir, "w"))),
        /is in fold \d of the run/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("quality-corpus: folds pair by number and size; target is reference mean + 0.05", () => {
  const scale = scoreScale(SCALE);
  const rows: OofRow[] = [0, 2, 4, 6, 8, 10, 0, 2, 4, 6].map((y, i) => ({
    id: `e${i}`,
    prompt: "A",
    fold: i % 2,
    yTrue: y,
    raw: y,
    cutpoints: null,
  }));
  const project = projectFoldQwks(rows, scale);
  assert.equal(project.get(0)!.rounded, 1);
  const ref = [{ fold: 1, nVal: 5, alpha: 1, qwk: 0.99 }, {
    fold: 0,
    nVal: 5,
    alpha: 3,
    qwk: 0.96,
  }];
  const folds = pairCorpusFolds(project, ref);
  assert.deepEqual(folds.map((f) => [f.fold, f.reference]), [[0, 0.96], [1, 0.99]]);
  assert.equal(corpusTarget(folds).met, false); // 1 < 0.975 + 0.05
  assert.ok(Math.abs(corpusTarget(folds).needed - 1.025) < 1e-12);
  assert.throws(() => pairCorpusFolds(project, [{ ...ref[0], nVal: 4 }, ref[1]]), /fold 1: 5/);
  assert.throws(() => pairCorpusFolds(project, [ref[1]]), /2 folds, the reference 1/);
});
