import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { main } from "../../lib/cli.ts";
import { countWords } from "../../lib/dataset/words.ts";
import { DEFAULT_ELLIPSE_EXCLUDED_PROMPTS } from "../../lib/run/config.ts";

const TRAIN = "data/embedded/ellipse_embedded_train.csv";
const TEST = "data/embedded/ellipse_embedded_test.csv";

async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const { log, error } = console;
  console.log = () => {};
  console.error = () => {};
  try {
    return await fn();
  } finally {
    console.log = log;
    console.error = error;
  }
}

async function onlyRunDir(root: string): Promise<string> {
  const dirs = [];
  for await (const e of Deno.readDir(root)) if (e.isDirectory) dirs.push(e.name);
  assert.equal(dirs.length, 1, `expected one run dir in ${root}, found ${dirs}`);
  return join(root, dirs[0]);
}

function readRows(path: string): Record<string, string>[] {
  return parse(Deno.readTextFileSync(path), { columns: true, bom: true }) as Record<
    string,
    string
  >[];
}

Deno.test("prepare-dataset end to end on the embedded data", async () => {
  const root = await Deno.makeTempDir();
  const log = join(root, "LOG.md");
  const code = await quietly(() =>
    main([
      "prepare-dataset",
      "--run-name",
      "e2e_prep",
      "--output-root",
      join(root, "runs"),
      "--experiment-log-path",
      log,
      "--heartbeat-minutes",
      "5",
    ])
  );
  assert.equal(code, 0);
  const dir = await onlyRunDir(join(root, "runs"));
  assert.match(dir, /\d{8}_\d{6}_e2e_prep$/);
  // Independent count of the same rule over the raw files.
  const excluded = new Set(DEFAULT_ELLIPSE_EXCLUDED_PROMPTS);
  const keep = (r: Record<string, string>) => {
    const n = (r.full_text.match(/[A-Za-z0-9]+/g) ?? []).length;
    return !excluded.has(r.prompt) && n >= 200 && n <= 1000;
  };
  const rawTrain = readRows(TRAIN);
  const rawTest = readRows(TEST);
  const prepTrain = readRows(join(dir, "artifacts/datasets/ellipse_train_prepared.csv"));
  const prepTest = readRows(join(dir, "artifacts/datasets/ellipse_test_prepared.csv"));
  assert.deepEqual(
    prepTrain.map((r) => r.text_id_kaggle),
    rawTrain.filter(keep).map((r) => r.text_id_kaggle),
  );
  assert.deepEqual(
    prepTest.map((r) => r.text_id_kaggle),
    rawTest.filter(keep).map((r) => r.text_id_kaggle),
  );
  assert.ok(
    prepTrain.length < rawTrain.length,
    "the filters must remove something on the embedded data",
  );
  assert.deepEqual(
    Object.keys(prepTrain[0]),
    Object.keys(rawTrain[0]),
    "prepared CSVs keep the source layout",
  );
  assert.deepEqual(prepTrain[0], rawTrain.filter(keep)[0], "prepared rows are the source rows");
  for (const r of prepTrain) assert.ok(countWords(r.full_text) >= 200);

  const report = JSON.parse(
    await Deno.readTextFile(join(dir, "reports/dataset_integrity_report.json")),
  );
  assert.equal(report.counts.train.raw, rawTrain.length);
  assert.equal(report.counts.train.prepared, prepTrain.length);
  assert.equal(report.counts.test.prepared, prepTest.length);
  const letter = report.per_prompt.find((p: { prompt: string }) =>
    p.prompt === "Letter to employer"
  );
  assert.ok(letter && letter.excluded && letter.train_raw > 0 && letter.train_prepared === 0);
  assert.ok(
    report.duplicates.within_train.length > 0,
    "embedded data plants duplicates within train",
  );
  assert.ok(
    report.duplicates.across_train_test.length > 0,
    "embedded data plants cross-split duplicates",
  );
  const md = await Deno.readTextFile(join(dir, "reports/dataset_integrity_report.md"));
  assert.match(md, /^# Dataset integrity report/);
  assert.match(md, /## Duplicate texts/);
  const status = JSON.parse(await Deno.readTextFile(join(dir, "status.json")));
  assert.equal(status.state, "completed");
  assert.deepEqual(status.stages.map((s: { name: string }) => s.name), [
    "load_and_validate",
    "filter",
    "integrity_report",
    "write_prepared_csvs",
  ]);
  const manifest = JSON.parse(await Deno.readTextFile(join(dir, "manifest.json")));
  assert.equal(manifest.inputs.length, 2);
  assert.match(manifest.inputs[0].sha256, /^[0-9a-f]{64}$/);
  assert.match(
    await Deno.readTextFile(log),
    /: `e2e_prep`\n- command: `deno task essay-scoring-research prepare-dataset/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("prepare-dataset on a malformed CSV fails clearly and writes no prepared CSV", async () => {
  const root = await Deno.makeTempDir();
  const train = join(root, "train.csv");
  const test = join(root, "test.csv");
  const header = "text_id_kaggle,full_text,prompt,Overall";
  await Deno.writeTextFile(
    train,
    `${header}\nA1,"${"word ".repeat(250)}",Topic,3\nA2,"${"word ".repeat(250)}",Topic,7\n`,
  );
  await Deno.writeTextFile(test, `${header}\nB1,"${"word ".repeat(250)}",Topic,3\n`);
  const errors: string[] = [];
  const { error } = console;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  let code: number;
  try {
    code = await main([
      "prepare-dataset",
      "--ellipse-train-path",
      train,
      "--ellipse-test-path",
      test,
      "--output-root",
      join(root, "runs"),
      "--experiment-log-path",
      join(root, "LOG.md"),
    ]);
  } finally {
    console.error = error;
  }
  assert.equal(code, 1);
  assert.ok(
    errors.some((e) => e.includes(`${train}, row 2 (line 3), column "Overall": off-scale score 7`)),
    errors.join("\n"),
  );
  const dir = await onlyRunDir(join(root, "runs"));
  const status = JSON.parse(await Deno.readTextFile(join(dir, "status.json")));
  assert.equal(status.state, "failed");
  assert.equal(status.error.stage, "load_and_validate");
  await assert.rejects(() => Deno.stat(join(dir, "artifacts/datasets")), Deno.errors.NotFound);
  await assert.rejects(() => Deno.stat(join(root, "LOG.md")), Deno.errors.NotFound);
  await Deno.remove(root, { recursive: true });
});
