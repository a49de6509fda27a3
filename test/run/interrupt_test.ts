import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveExperimentConfig } from "../../lib/run/config.ts";
import {
  exitCodeForSignal,
  installInterruptHandling,
  InterruptedError,
} from "../../lib/run/interrupt.ts";
import {
  checkResumeMatches,
  jsonDifferences,
  loadResumeTarget,
  recordedFlagValues,
  ResumeMismatchError,
} from "../../lib/run/resume.ts";
import { RunContext, withRun } from "../../lib/run/run_context.ts";
import { failRun, initialRunStatus, resumeRunStatus, startStage } from "../../lib/run/status.ts";
import { CV_FLAGS } from "../../lib/steps/model_inputs.ts";

async function readStatus(dir: string) {
  return JSON.parse(await Deno.readTextFile(join(dir, "status.json")));
}

Deno.test("failRun records reason interrupted and the signal; resumeRunStatus keeps history", () => {
  const T = "2026-01-01T00:00:00.000Z";
  let s = startStage(initialRunStatus("r", "cv", "d", T), "features", T);
  const failed = failRun(s, new InterruptedError("SIGTERM"), T, { signal: "SIGTERM" });
  assert.equal(failed.state, "failed");
  assert.deepEqual(
    { ...failed.error, stack: undefined },
    {
      message: "interrupted by SIGTERM",
      stage: "features",
      reason: "interrupted",
      signal: "SIGTERM",
      stack: undefined,
    },
  );
  assert.equal(failRun(s, new Error("x"), T).error?.reason, "error");
  s = resumeRunStatus(failed, T, { commandLine: "cv --resume d", pid: 7 });
  assert.equal(s.state, "running");
  assert.equal(s.error, undefined);
  assert.equal(s.completed_at, undefined);
  assert.equal(s.stages.length, 1);
  assert.equal(s.resumes?.[0].previous_error?.reason, "interrupted");
  assert.equal(s.resumes?.[0].command_line, "cv --resume d");
  s = startStage(s, "features", T); // the same stage may run again
  assert.equal(s.stages.length, 2);
  assert.throws(
    () => resumeRunStatus({ ...failed, state: "completed" }, T, { commandLine: "" }),
    /completed/,
  );
  assert.equal(exitCodeForSignal("SIGINT"), 130);
  assert.equal(exitCodeForSignal("SIGTERM"), 143);
});

Deno.test({
  name: "a signal marks the open run interrupted at once; a stage ignoring it ends after the grace",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const exits: number[] = [];
    const interrupts = installInterruptHandling({
      graceMs: 400,
      watchdog: false,
      exit: (code) => exits.push(code),
    });
    try {
      const root = await Deno.makeTempDir();
      const config = resolveExperimentConfig(undefined, { outputRoot: root, runName: "sig" });
      let dir = "";
      let statusDuring: Record<string, unknown> | undefined;
      let stageAfter = false;
      const started = performance.now();
      const error = await withRun({ command: "cv", config, echo: false }, async (run) => {
        dir = run.dir;
        await run.stage("first", () => {});
        await run.stage("busy", async () => {
          setTimeout(() => interrupts.interrupt("SIGTERM"), 20);
          // work that never looks at run.signal and would take 30 s
          await new Promise((r) => setTimeout(r, 100));
          statusDuring = await readStatus(run.dir);
          await new Promise((r) => setTimeout(r, 30_000).unref?.());
        });
        stageAfter = true;
      }).then(() => undefined, (e) => e);
      const seconds = (performance.now() - started) / 1000;
      assert.ok(error instanceof InterruptedError, String(error));
      assert.equal(error.signal, "SIGTERM");
      assert.ok(seconds < 20, `stage ended ${seconds} s after the signal`);
      assert.equal(stageAfter, false);
      // status.json said interrupted while the stage was still unwinding
      assert.equal(statusDuring?.state, "failed");
      const status = await readStatus(dir);
      assert.equal(status.state, "failed");
      assert.equal(status.stage, "busy");
      assert.equal(status.error.reason, "interrupted");
      assert.equal(status.error.signal, "SIGTERM");
      assert.equal(status.error.stage, "busy");
      assert.deepEqual(status.stages.map((s: { state: string }) => s.state), [
        "completed",
        "failed",
      ]);
      assert.match(
        await Deno.readTextFile(join(dir, "run.log")),
        /interrupted by SIGTERM in stage busy/,
      );
      assert.match(await Deno.readTextFile(join(dir, "run.log")), /--resume/);
      assert.ok(interrupts.signal.aborted);
      // A second signal exits at once.
      interrupts.interrupt("SIGTERM");
      assert.deepEqual(exits, [143]);
    } finally {
      interrupts.uninstall();
    }
  },
});

Deno.test("resume checks: differences in config, flags and inputs are all listed", async () => {
  const root = await Deno.makeTempDir();
  const input = join(root, "train.csv");
  await Deno.writeTextFile(input, "a\n1\n");
  const config = resolveExperimentConfig(undefined, {
    outputRoot: root,
    runName: "r",
    featureSet: "handcrafted",
  });
  const argv = ["--feature-set", "handcrafted", "--text-stacking", "false", "--skip-drop-column"];
  const run = await RunContext.open({
    command: "cv",
    config,
    argv,
    inputPaths: [input],
    echo: false,
  });
  await run.fail(new InterruptedError("SIGINT"));
  assert.equal((await readStatus(run.dir)).error.reason, "interrupted");

  const target = await loadResumeTarget(run.dir, "cv");
  const values = recordedFlagValues(argv, CV_FLAGS);
  assert.deepEqual(values, { "feature-set": "handcrafted", "text-stacking": false });
  // Same everything (worker counts may differ): accepted.
  await checkResumeMatches(target, config, { ...values, "cv-workers": 1 }, CV_FLAGS, [input]);

  await Deno.writeTextFile(input, "a\n2\n");
  const error = await checkResumeMatches(
    target,
    { ...config, model: "ridge" },
    { ...values, "text-stacking": true },
    CV_FLAGS,
    [input],
  ).then(() => undefined, (e) => e);
  assert.ok(error instanceof ResumeMismatchError);
  assert.match(error.message, /config model: "gbm" → "ridge"/);
  assert.match(error.message, /flag --text-stacking: false → true/);
  assert.match(error.message, /input .*train\.csv: sha256 .* the file changed/);
  assert.equal(error.differences.length, 3);

  await assert.rejects(loadResumeTarget(run.dir, "run"), /is a `cv` run, not `run`/);
  assert.deepEqual(jsonDifferences({ a: [1], b: { c: 1 } }, { a: [1], b: { c: 1 } }), []);
  assert.deepEqual(jsonDifferences({ b: { c: 1 } }, { b: {} }), ["b.c: 1 → (unset)"]);
});

Deno.test("resume refuses a run whose process is alive, and a completed run", async () => {
  const root = await Deno.makeTempDir();
  const config = resolveExperimentConfig(undefined, { outputRoot: root, runName: "live" });
  const run = await RunContext.open({ command: "cv", config, echo: false });
  // status.json says running with this (live) process's pid
  await assert.rejects(loadResumeTarget(run.dir, "cv"), /still running \(process \d+ is alive\)/);
  // A dead process's run is resumable.
  const status = await readStatus(run.dir);
  await Deno.writeTextFile(
    join(run.dir, "status.json"),
    JSON.stringify({ ...status, pid: 2 ** 22 + 12345 }),
  );
  await loadResumeTarget(run.dir, "cv");
  await run.complete();
  await assert.rejects(loadResumeTarget(run.dir, "cv"), /already completed/);
});

Deno.test({
  name:
    "watchdog: a main thread blocked in synchronous work is still marked interrupted and stopped",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./fixtures/busy_run.ts", import.meta.url).pathname, root],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const dir = /BUSY (.+)/.exec(text)?.[1];
    assert.ok(dir, text);
    await new Promise((r) => setTimeout(r, 200));
    child.kill("SIGINT");
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000); // liveness guard only
    const status = await child.status;
    clearTimeout(guard);
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
    assert.equal(status.signal, "SIGKILL", "the watchdog ends the process");
    const written = await readStatus(dir);
    assert.equal(written.state, "failed");
    assert.equal(written.error.reason, "interrupted");
    assert.equal(written.error.signal, "SIGINT");
    assert.equal(written.error.stage, "fit");
    assert.match(await Deno.readTextFile(join(dir, "run.log")), /status written by the watchdog/);
  },
});
