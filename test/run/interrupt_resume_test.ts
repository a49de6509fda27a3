/**
 * Ctrl-C and `--resume`, end to end through the CLI as a subprocess (real local extraction of the
 * handcrafted features on a 100-essay subset of the embedded data): an uninterrupted `cv`; a `cv`
 * sent SIGINT once its feature store holds a finished chunk (status.json must say failed,
 * reason interrupted, stage features_cv_feature_store, with the chunk kept); a resume with other
 * flags (refused, naming what differs); the resume itself (extracts only the missing essays)
 * — and the resumed store must be byte-identical to the uninterrupted one. That needs a text's
 * features not to depend on the batch, chunk or worker it was extracted in (the resumed run's
 * workers start fresh on the remaining essays), which is what batch-invariant embeddings give.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { countWords } from "../../lib/dataset/words.ts";
import { DEFAULT_ELLIPSE_EXCLUDED_PROMPTS } from "../../lib/run/config.ts";

const CLI = new URL("../../lib/cli.ts", import.meta.url).pathname;
const EMBEDDED = new URL("../../data/embedded/", import.meta.url).pathname;
const N_ESSAYS = 100; // chunks of 64: 64 + 36; workers take tasks in chunk order, so chunk 0 ends first

/** The first essays of the embedded train set that pass the filters, from common classes. */
async function writeSubset(path: string): Promise<void> {
  const text = await Deno.readTextFile(join(EMBEDDED, "ellipse_embedded_train.csv"));
  const rows = parse(text, { columns: true }) as Record<string, string>[];
  const eligible = rows.filter((r) =>
    !DEFAULT_ELLIPSE_EXCLUDED_PROMPTS.includes(r.prompt) &&
    countWords(r.full_text) >= 200 && countWords(r.full_text) <= 1000 &&
    Number(r.Overall) >= 2 && Number(r.Overall) <= 4
  );
  assert.ok(eligible.length >= N_ESSAYS, `only ${eligible.length} eligible essays`);
  await Deno.writeTextFile(
    path,
    stringify(eligible.slice(0, N_ESSAYS), { header: true, columns: Object.keys(rows[0]) }),
  );
}

function cli(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
}

async function finished(child: Deno.ChildProcess) {
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function runDir(root: string, name: string): Promise<string | undefined> {
  for await (const e of Deno.readDir(root)) {
    if (e.isDirectory && e.name.endsWith(`_${name}`)) return join(root, e.name);
  }
  return undefined;
}

async function json(path: string) {
  return JSON.parse(await Deno.readTextFile(path));
}

async function chunkCount(store: string): Promise<number> {
  let n = 0;
  try {
    for await (const e of Deno.readDir(join(store, "chunks"))) {
      if (/^chunk_\d+\.json$/.test(e.name)) n++;
    }
  } catch { /* no chunks yet */ }
  return n;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function storeFiles(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for await (const e of Deno.readDir(dir)) {
    assert.ok(e.isFile, `${dir}/${e.name} is not a file (left-over chunks?)`);
    files.set(e.name, await Deno.readFile(join(dir, e.name)));
  }
  return files;
}

Deno.test({
  name: "cv interrupted by SIGINT mid-extraction, then --resume: same store bytes as a whole run",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "interrupt_resume_" });
    const out = join(root, "out");
    const log = join(root, "LOG.md");
    const train = join(root, "train.csv");
    await writeSubset(train);
    const data = [
      "--ellipse-train-path",
      train,
      "--ellipse-test-path",
      join(EMBEDDED, "ellipse_embedded_test.csv"),
      "--output-root",
      out,
      "--experiment-log-path",
      log,
    ];
    const splits = await finished(
      cli(["make-splits", ...data, "--run-name", "sp", "--n-splits", "3"]),
    );
    assert.equal(splits.code, 0, splits.stderr);
    const splitsPath = join((await runDir(out, "sp"))!, "artifacts", "splits.json");
    const cvFlags = [
      ...data,
      "--splits-path",
      splitsPath,
      "--feature-set",
      "handcrafted",
      "--model",
      "ridge",
      "--text-stacking",
      "false",
      "--optimise-cutpoints",
      "false",
      "--checker",
      "local",
    ];

    // 1. An uninterrupted run: the reference store.
    const whole = await finished(cli(["cv", ...cvFlags, "--run-name", "whole"]));
    assert.equal(whole.code, 0, whole.stderr);
    const wholeStore = join((await runDir(out, "whole"))!, "cv_feature_store");

    // 2. The same run, interrupted once its store holds a finished chunk.
    const child = cli(["cv", ...cvFlags, "--run-name", "cut"]);
    const result = finished(child);
    let dir: string | undefined;
    const deadline = Date.now() + 600_000;
    while (Date.now() < deadline) {
      dir ??= await runDir(out, "cut");
      if (dir && await chunkCount(join(dir, "cv_feature_store")) >= 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(dir, "the interrupted run never started");
    const store = join(dir, "cv_feature_store");
    assert.ok(await chunkCount(store) >= 1, "no chunk was written before the deadline");
    child.kill("SIGINT");
    const stopKill = setTimeout(() => child.kill("SIGKILL"), 60_000); // liveness guard only
    const cut = await result;
    clearTimeout(stopKill);
    assert.equal(cut.code, 130, `exit code ${cut.code}\n${cut.stderr}`);
    const status = await json(join(dir, "status.json"));
    assert.equal(status.state, "failed");
    assert.equal(status.error.reason, "interrupted");
    assert.equal(status.error.signal, "SIGINT");
    assert.equal(status.error.stage, "features_cv_feature_store");
    assert.equal(status.stage, "features_cv_feature_store");
    const kept = await chunkCount(store);
    assert.equal(kept, 1, `${kept} chunks kept (expected 1 of 2)`);
    assert.equal(await exists(join(store, "metadata.json")), false, "store finished: no resume");
    assert.match(await Deno.readTextFile(join(dir, "run.log")), /interrupted by SIGINT in stage/);
    const logBefore = await Deno.readTextFile(log).catch(() => "");
    assert.ok(!logBefore.includes(dir), "an interrupted run must not be in the experiment log");

    // 3. A resume with other settings is refused, saying what differs; nothing changes.
    const otherModel = cvFlags.map((v) => v === "ridge" ? "gbm" : v);
    const wrong = await finished(cli(["cv", "--resume", dir, ...otherModel, "--run-name", "cut"]));
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /cannot resume .*config model: "ridge" → "gbm"/s);
    assert.doesNotMatch(wrong.stderr, /config runName|input /, "only the model differs");
    assert.equal((await json(join(dir, "status.json"))).state, "failed");

    // 4. The resume: only --resume, the recorded flags are replayed.
    const resumed = await finished(cli(["cv", "--resume", dir]));
    assert.equal(resumed.code, 0, resumed.stderr);
    const done = await json(join(dir, "status.json"));
    assert.equal(done.state, "completed");
    assert.equal(done.resumes.length, 1);
    assert.equal(done.resumes[0].previous_error.reason, "interrupted");
    const runLog = await Deno.readTextFile(join(dir, "run.log"));
    const m = /resuming: (\d+) of 100 essays already extracted in (\d+) chunks, (\d+) to extract/
      .exec(runLog);
    assert.ok(m, runLog);
    assert.equal(Number(m[1]), kept * 64);
    assert.equal(Number(m[3]), 100 - kept * 64);

    // The resumed store is the uninterrupted one, byte for byte (chunks consolidated, removed).
    const a = await storeFiles(wholeStore);
    const b = await storeFiles(store);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    for (const [name, bytes] of a) assert.deepEqual(b.get(name), bytes, name);
    assert.deepEqual(
      await json(join(dir, "artifacts", "cv_metrics.json")).then((j) => j.summary),
      await json(join((await runDir(out, "whole"))!, "artifacts", "cv_metrics.json")).then((j) =>
        j.summary
      ),
    );

    // One experiment-log entry for the resumed run, noting the resume.
    const entries = (await Deno.readTextFile(log)).split(`- output: \`${dir}/\``).length - 1;
    assert.equal(entries, 1, "the resumed run has exactly one experiment-log entry");
    assert.match(await Deno.readTextFile(log), /resumed \(1\) at .* after interruption by SIGINT/);

    // A completed run cannot be resumed again.
    const again = await finished(cli(["cv", "--resume", dir]));
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already completed/);
  },
});
