/**
 * Closing the extraction worker pool rejects running tasks at once but terminates a worker that
 * is in the middle of a task only when that task ends (or after the grace period): terminating a
 * thread inside a native call and then exiting crashed Deno (exit 139 after Ctrl-C).
 */
import assert from "node:assert/strict";
import { ExtractionWorkerPool } from "../../lib/features/worker_pool.ts";
import type { PipelineEssay } from "../../lib/features/essay_pipeline.ts";

function slowWorker(): Worker {
  return new Worker(new URL("../fixtures/slow_task_worker.ts", import.meta.url), {
    type: "module",
  });
}

const task = (ms: number) => [{ id: "e", text: String(ms) }] as unknown as PipelineEssay[];

Deno.test("close waits for a busy worker's task to end, rejects the task at once", async () => {
  const pool = new ExtractionWorkerPool({ encoderName: "test" });
  pool.addWorker(slowWorker());
  pool.addWorker(slowWorker()); // stays idle: terminated at once
  const running = pool.run(task(600), "combined");
  await new Promise((r) => setTimeout(r, 100)); // the worker is busy now
  const t0 = performance.now();
  const closed = pool.close();
  await assert.rejects(running, /extraction worker pool closed/);
  const rejectedAfter = performance.now() - t0;
  await closed;
  const closedAfter = performance.now() - t0;
  assert.ok(rejectedAfter < 200, `task rejected after ${rejectedAfter.toFixed(0)} ms`);
  assert.ok(
    closedAfter >= 350,
    `close resolved after ${closedAfter.toFixed(0)} ms, before the task ended`,
  );
  await pool.close(); // idempotent
});

Deno.test("close terminates a busy worker after the grace period at the latest", async () => {
  const pool = new ExtractionWorkerPool({ encoderName: "test" });
  pool.addWorker(slowWorker());
  const running = pool.run(task(60_000), "combined").catch(() => {});
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  await pool.close(300);
  const closedAfter = performance.now() - t0;
  assert.ok(closedAfter < 5_000, `close took ${closedAfter.toFixed(0)} ms`);
  await running;
});
