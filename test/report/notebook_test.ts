import assert from "node:assert/strict";
import { join } from "node:path";
import { ExperimentConfigSchema, resolveExperimentConfig } from "../../lib/run/config.ts";
import { DATASET_FLAGS, parseFlags } from "../../lib/run/cli_flags.ts";
import { CV_FLAGS } from "../../lib/steps/model_inputs.ts";
import {
  equivalentCliArgs,
  findLogEntryForRunDir,
  findProjectRoot,
  recordNotebookRun,
} from "../../lib/report/notebook.ts";

Deno.test("findProjectRoot walks up to the deno.json with the project task", () => {
  const root = findProjectRoot(join(Deno.cwd(), "lib", "report"));
  assert.equal(root, findProjectRoot(Deno.cwd()));
  assert.throws(() => findProjectRoot("/"), /no deno.json/);
});

async function fakeRun(dir: string, datasetKind: "ellipse" | "ielts") {
  const runDir = join(dir, "20260101_000000_nbtest");
  await Deno.mkdir(runDir, { recursive: true });
  const config = ExperimentConfigSchema.parse({ runName: "nbtest", datasetKind });
  await Deno.writeTextFile(
    join(runDir, "manifest.json"),
    JSON.stringify({ command_line: "deno task essay-scoring-research cv", config }),
  );
  return runDir;
}

Deno.test("recordNotebookRun appends once, then finds the existing entry", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const runDir = await fakeRun(dir, "ellipse");
    const logPath = join(dir, "LOG.md");
    const first = await recordNotebookRun({
      runDir,
      notebook: "03_cv.ipynb",
      logPath,
      results: [{ label: "QWK (CV mean±std)", value: "0.6 ± 0.1" }],
    });
    assert.equal(first.action, "appended");
    const second = await recordNotebookRun({ runDir, notebook: "03_cv.ipynb", logPath });
    assert.equal(second.action, "already_recorded");
    const text = await Deno.readTextFile(logPath);
    assert.equal(text.split("`nbtest`").length - 1, 1);
    assert.match(text, /QWK \(CV mean±std\): 0\.6 ± 0\.1/);
    assert.match(text, /notebook: `notebooks\/03_cv\.ipynb`/);
    assert.equal(findLogEntryForRunDir(text, runDir), second.text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("recordNotebookRun refuses IELTS runs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const runDir = await fakeRun(dir, "ielts");
    const logPath = join(dir, "LOG.md");
    const r = await recordNotebookRun({ runDir, notebook: "x.ipynb", logPath });
    assert.equal(r.action, "refused");
    await assert.rejects(() => Deno.stat(logPath));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("equivalentCliArgs lists the non-default config flags and parses back to the config", () => {
  const config = resolveExperimentConfig(undefined, {
    ellipseTrainPath: "/data/train.csv",
    minWords: 150,
    runName: "nb",
    ellipseExcludedPrompts: ["Letter to employer"],
    splitsPath: "s.json",
    treeParams: { nEstimators: 40 },
    optimiseCutpoints: false,
  });
  const args = equivalentCliArgs(config, CV_FLAGS, { "text-stacking": false, x: undefined });
  assert.ok(args.includes("--ellipse-train-path=/data/train.csv"));
  assert.ok(args.includes("--n-estimators=40"));
  assert.ok(args.includes("--text-stacking=false"));
  assert.ok(!args.some((a) => a.startsWith("--max-words")));
  const { values } = parseFlags(args, CV_FLAGS, "cv");
  assert.equal(values["min-words"], 150);
  assert.deepEqual(values["excluded-prompts"], ["Letter to employer"]);
  assert.equal(values["optimise-cutpoints"], false);
  assert.deepEqual(equivalentCliArgs(resolveExperimentConfig(undefined, {}), DATASET_FLAGS), []);
});
