import assert from "node:assert/strict";
import { BoundedSemaphore } from "../../lib/offload/semaphore.ts";

Deno.test("BoundedSemaphore admits maxConcurrent, queues maxQueue, refuses the rest", async () => {
  const sem = new BoundedSemaphore(2, 1);
  const r1 = await sem.tryAcquire()!;
  const r2 = await sem.tryAcquire()!;
  assert.equal(sem.active, 2);
  const waiting = sem.tryAcquire();
  assert.ok(waiting);
  assert.equal(sem.queued, 1);
  assert.equal(sem.saturated, true);
  assert.equal(sem.tryAcquire(), undefined);
  r1();
  r1(); // idempotent
  const r3 = await waiting;
  assert.equal(sem.active, 2);
  assert.equal(sem.queued, 0);
  r2();
  r3();
  assert.equal(sem.active, 0);
});

Deno.test("BoundedSemaphore.run never exceeds its bound", async () => {
  const sem = new BoundedSemaphore(3);
  let running = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 20 }, (_, i) =>
    sem.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, i % 3));
      running--;
    })));
  assert.equal(peak, 3);
});
