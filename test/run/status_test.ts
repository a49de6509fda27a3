import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveExperimentConfig } from "../../lib/run/config.ts";
import { RunContext, runDirectoryName, withRun } from "../../lib/run/run_context.ts";
import {
  completeRun,
  completeStage,
  failRun,
  initialRunStatus,
  startStage,
} from "../../lib/run/status.ts";

const T0 = "2026-01-01T00:00:00.000Z";
const T1 = "2026-01-01T00:00:02.500Z";

Deno.test("status transitions: start, complete, fail", () => {
  let s = initialRunStatus("r", "cv", "out/x", T0);
  assert.equal(s.state, "running");
  assert.equal(s.stage, null);
  s = startStage(s, "load", T0);
  assert.equal(s.stage, "load");
  assert.throws(() => startStage(s, "other", T0), /still running/);
  assert.throws(() => completeRun(s, T1), /still running/);
  s = completeStage(s, "load", T1);
  assert.deepEqual(s.stages[0], {
    name: "load",
    state: "completed",
    started_at: T0,
    completed_at: T1,
    seconds: 2.5,
  });
  s = startStage(s, "fit", T1);
  const failed = failRun(s, new Error("boom"), T1);
  assert.equal(failed.state, "failed");
  assert.equal(failed.stages[1].state, "failed");
  assert.equal(failed.stages[1].error, "boom");
  assert.equal(failed.error?.stage, "fit");
  assert.throws(() => startStage(failed, "x", T1), /run failed/);
  assert.equal(completeRun(completeStage(s, "fit", T1), T1).state, "completed");
});

Deno.test("run directory name is UTC yyyymmdd_hhmmss_<name>", () => {
  assert.equal(
    runDirectoryName(new Date("2026-02-04T06:12:42Z"), "ellipse_prep"),
    "20260204_061242_ellipse_prep",
  );
});

async function readStatus(dir: string) {
  return JSON.parse(await Deno.readTextFile(join(dir, "status.json")));
}

Deno.test("a run writes status.json at each stage and leaves failed state with the error", async () => {
  const root = await Deno.makeTempDir();
  const config = resolveExperimentConfig(undefined, {
    outputRoot: root,
    runName: "t",
    heartbeatMinutes: 0.001,
  });
  let seenDuringStage: string | undefined;
  let dir = "";
  await assert.rejects(() =>
    withRun({ command: "test", config, echo: false }, async (run) => {
      dir = run.dir;
      await run.stage("first", async () => {
        seenDuringStage = (await readStatus(run.dir)).stages[0].state;
      });
      await new Promise((r) => setTimeout(r, 150)); // let the heartbeat write
      await run.stage("second", () => {
        throw new Error("planted failure");
      });
    }), /planted failure/);
  assert.equal(seenDuringStage, "running");
  const status = await readStatus(dir);
  assert.equal(status.state, "failed");
  assert.equal(status.stage, "second");
  assert.equal(status.error.message, "planted failure");
  assert.deepEqual(status.stages.map((s: { state: string }) => s.state), ["completed", "failed"]);
  const fault = await Deno.readTextFile(join(dir, "fault.log"));
  assert.match(fault, /heartbeat stage=first|heartbeat stage=-|heartbeat stage=second/);
  assert.match(fault, /rss_mb=\d/);
  assert.match(fault, /CRASH in stage second\nError: planted failure/);
  assert.match(await Deno.readTextFile(join(dir, "stderr.log")), /planted failure/);
  assert.match(await Deno.readTextFile(join(dir, "run.log")), /ERROR run failed: planted failure/);
  const manifest = JSON.parse(await Deno.readTextFile(join(dir, "manifest.json")));
  assert.equal(manifest.command, "test");
  assert.equal(manifest.config.runName, "t");
  assert.equal(manifest.versions.deno, Deno.version.deno);
  assert.ok("zod" in manifest.versions.packages);
  for (const d of ["artifacts", "reports"]) assert.ok((await Deno.stat(join(dir, d))).isDirectory);
  await Deno.remove(root, { recursive: true });
});

Deno.test("two runs with the same name in the same second get distinct directories", async () => {
  const root = await Deno.makeTempDir();
  const config = resolveExperimentConfig(undefined, { outputRoot: root, runName: "same" });
  const clock = () => new Date("2026-01-01T00:00:00Z");
  const a = await RunContext.open({ command: "x", config, echo: false, clock });
  const b = await RunContext.open({ command: "x", config, echo: false, clock });
  assert.notEqual(a.dir, b.dir);
  await a.complete();
  await b.complete();
  assert.equal((await readStatus(b.dir)).state, "completed");
  await Deno.remove(root, { recursive: true });
});
