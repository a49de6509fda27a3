import assert from "node:assert/strict";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { main } from "../../lib/cli.ts";
import { loadEllipseTrainTest } from "../../lib/dataset/ellipse_csv.ts";
import { applyStandardFilters } from "../../lib/dataset/filters.ts";
import { resolveExperimentConfig } from "../../lib/run/config.ts";
import { loadSplitsFile, verifySplitsMatchDataset } from "../../lib/splits/splits_file.ts";
import { makeSplits } from "../../lib/steps/make_splits.ts";
import { syntheticEssays } from "../splits/synthetic_essays.ts";

const EMBEDDED_TRAIN = "data/embedded/ellipse_embedded_train.csv";
const EMBEDDED_TEST = "data/embedded/ellipse_embedded_test.csv";

/** Write an ELLIPSE-layout train/test pair from synthetic essays (planted duplicates included). */
async function writeSyntheticCsvs(dir: string): Promise<{ train: string; test: string }> {
  const header = ["text_id_kaggle", "full_text", "prompt", "Overall", "set"];
  const rows = (essays: ReturnType<typeof syntheticEssays>, set: string) =>
    essays.map((e) => [e.id, e.text, e.prompt, e.overall.toFixed(1), set]);
  const train = join(dir, "train.csv");
  const test = join(dir, "test.csv");
  const trainEssays = syntheticEssays(77, { n: 260, nPrompts: 9 });
  // A letter prompt that the default exclusions must drop before splitting.
  trainEssays.push({
    id: "LETTER1",
    text: "Dear sir, hire me.",
    prompt: "Letter to employer",
    overall: 3,
  });
  await Deno.writeTextFile(train, stringify([header, ...rows(trainEssays, "train")]));
  const testEssays = syntheticEssays(78, { n: 60, nPrompts: 5 }).map((e) => ({
    ...e,
    id: `T${e.id}`,
  }));
  await Deno.writeTextFile(test, stringify([header, ...rows(testEssays, "test")]));
  return { train, test };
}

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "make_splits_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("make-splits: writes a valid, leak-free, byte-stable splits.json and report", async () => {
  await withTempDir(async (dir) => {
    const { train, test } = await writeSyntheticCsvs(dir);
    const config = (runName: string, seed = 42) =>
      resolveExperimentConfig(undefined, {
        ellipseTrainPath: train,
        ellipseTestPath: test,
        minWords: 1,
        maxWords: 1000,
        nSplits: 5,
        seed,
        runName,
        outputRoot: join(dir, "out"),
        experimentLogPath: join(dir, "out", "LOG.md"),
      });
    const a = await makeSplits(config("a"), { echo: false });
    const b = await makeSplits(config("b"), { echo: false });
    const c = await makeSplits(config("c", 7), { echo: false });

    const bytesA = await Deno.readTextFile(a.splitsPath);
    assert.equal(await Deno.readTextFile(b.splitsPath), bytesA, "same inputs + seed → same bytes");
    assert.notEqual(await Deno.readTextFile(c.splitsPath), bytesA, "other seed → other folds");
    assert.ok(a.splitsPath.endsWith(join("artifacts", "splits.json")));
    assert.ok(a.reportPath.endsWith(join("reports", "splits_report.md")));

    const splits = await loadSplitsFile(a.splitsPath);
    const { train: essays } = await loadEllipseTrainTest(train, test);
    const kept = applyStandardFilters(essays, {
      minWords: 1,
      maxWords: 1000,
      excludedPrompts: config("x").ellipseExcludedPrompts,
    }).kept;
    verifySplitsMatchDataset(splits, kept);
    assert.equal(splits.n_essays, 260, "letter prompt excluded, test set never split");
    assert.ok(!splits.essays.some((e) => e.id.startsWith("T") || e.id === "LETTER1"));
    assert.equal(splits.created_from.train_file, "train.csv");
    assert.equal(splits.schemes.stratified_text.folds.length, 5);

    const report = await Deno.readTextFile(a.reportPath);
    assert.match(report, /- no text group straddles folds: OK/);
    assert.match(report, /- no prompt straddles folds: OK/);
    assert.match(report, /- every essay validated exactly once: OK/);
    const status = JSON.parse(await Deno.readTextFile(join(a.runDir, "status.json")));
    assert.equal(status.state, "completed");
    const log = await Deno.readTextFile(join(dir, "out", "LOG.md"));
    assert.match(log, /max fold class-share deviation \(pp\): stratified_text [\d.]+/);
  });
});

Deno.test("make-splits CLI: an impossible --n-splits fails clearly and writes no splits", async () => {
  await withTempDir(async (dir) => {
    const { train, test } = await writeSyntheticCsvs(dir);
    const out = join(dir, "out");
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.map(String).join(" "));
    let code: number;
    try {
      code = await main([
        "make-splits",
        "--ellipse-train-path",
        train,
        "--ellipse-test-path",
        test,
        "--min-words",
        "1",
        "--n-splits",
        "50",
        "--strict-classes",
        "--run-name",
        "too_many",
        "--output-root",
        out,
        "--experiment-log-path",
        join(out, "LOG.md"),
      ]);
    } finally {
      console.error = original;
    }
    assert.equal(code, 1);
    const message = errors.join("\n");
    assert.match(message, /cannot make 50-fold splits of the 260 filtered train essays/);
    assert.match(message, /Overall 1\.0 has \d+ essays.*need >= 50 per class for 50 folds/);
    const [runDir] = [...Deno.readDirSync(out)].filter((e) => e.isDirectory).map((e) =>
      join(out, e.name)
    );
    const status = JSON.parse(await Deno.readTextFile(join(runDir, "status.json")));
    assert.equal(status.state, "failed");
    await assert.rejects(() => Deno.stat(join(runDir, "artifacts", "splits.json")));
  });
});

Deno.test("make-splits on the embedded data set: valid splits, OK checks, small deviation", async () => {
  await withTempDir(async (dir) => {
    const result = await makeSplits(
      resolveExperimentConfig(undefined, {
        ellipseTrainPath: EMBEDDED_TRAIN,
        ellipseTestPath: EMBEDDED_TEST,
        runName: "embedded_splits",
        outputRoot: dir,
        experimentLogPath: join(dir, "LOG.md"),
      }),
      { echo: false },
    );
    const splits = await loadSplitsFile(result.splitsPath);
    assert.equal(splits.n_splits, 5);
    assert.equal(splits.created_from.train_file, "ellipse_embedded_train.csv");
    const report = await Deno.readTextFile(result.reportPath);
    assert.doesNotMatch(report, /FAILED/);
    assert.match(report, /- no text group straddles folds: OK/);
    assert.ok(result.maxClassShareDeviation.stratified_text < 0.05);
    // The embedded set plants duplicate texts; they must be found and kept together.
    assert.match(report, /\d+ text groups? with more than one essay/);
  });
});

/** Write a small train/test pair whose train set has one rare class: Overall 5.0 with 2 essays. */
async function writeRareClassCsvs(dir: string): Promise<{ train: string; test: string }> {
  const header = ["text_id_kaggle", "full_text", "prompt", "Overall", "set"];
  const essays = syntheticEssays(91, { n: 120, nPrompts: 7, rareClassCount: 6, duplicateShare: 0 })
    .filter((e) => e.overall !== 5);
  essays.push(
    { id: "R1", text: "A rare top essay with words enough.", prompt: "Prompt A", overall: 5 },
    { id: "R2", text: "Another rare top essay, different.", prompt: "Prompt B", overall: 5 },
  );
  const rows = (list: typeof essays, set: string) =>
    list.map((e) => [e.id, e.text, e.prompt, e.overall.toFixed(1), set]);
  const train = join(dir, "rare_train.csv");
  const test = join(dir, "rare_test.csv");
  await Deno.writeTextFile(train, stringify([header, ...rows(essays, "train")]));
  const testEssays = syntheticEssays(92, { n: 20, nPrompts: 3 }).map((e) => ({
    ...e,
    id: `T${e.id}`,
  }));
  await Deno.writeTextFile(test, stringify([header, ...rows(testEssays, "test")]));
  return { train, test };
}

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lib/cli.ts", ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("make-splits CLI: a rare class is merged by default, loudly; --strict-classes refuses", async () => {
  await withTempDir(async (dir) => {
    const { train, test } = await writeRareClassCsvs(dir);
    const out = join(dir, "out");
    const log = join(out, "LOG.md");
    const common = [
      "make-splits",
      "--ellipse-train-path",
      train,
      "--ellipse-test-path",
      test,
      "--min-words",
      "1",
      "--output-root",
      out,
      "--experiment-log-path",
      log,
    ];
    const merged = await runCli([...common, "--run-name", "default"]);
    assert.equal(merged.code, 0, merged.stderr);
    const warning =
      /WARNING rare class: Overall 5\.0 \(2 essays\) stratified together with Overall 4\.5 in the 5 stratified_text folds/;
    assert.match(merged.stderr, warning, "warning on the terminal");
    const runDir = merged.stdout.match(/run directory: (.+)/)![1].trim();
    assert.match(await Deno.readTextFile(join(runDir, "run.log")), warning, "warning in run.log");
    const splits = await loadSplitsFile(join(runDir, "artifacts", "splits.json"));
    assert.equal(splits.rare_classes, "merge");
    assert.deepEqual(splits.schemes.stratified_text.class_merges, [
      { overall: 5, stratified_with: 4.5, n_essays: 2 },
    ]);
    assert.ok(splits.run_split.class_merges.some((m) => m.overall === 5));
    const report = await Deno.readTextFile(join(runDir, "reports", "splits_report.md"));
    assert.match(report, /Rare classes stratified together with a neighbour/);
    assert.match(
      report,
      /CV folds \(strata need >= 5 essays\): Overall 5\.0 \(2 essays\) with Overall 4\.5/,
    );
    assert.match(await Deno.readTextFile(log), warning, "merge in the experiment log entry");

    const strict = await runCli([...common, "--strict-classes", "--run-name", "strict"]);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /Overall 5\.0 has 2 essays \(need >= 5 per class for 5 folds\)/);
    const both = await runCli([...common, "--strict-classes", "--merge-rare-classes"]);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /contradict/);
  });
});
