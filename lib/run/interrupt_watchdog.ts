/**
 * Watchdog worker of `interrupt.ts`: listens for SIGINT/SIGTERM on its own thread, so a signal
 * is acted on even while the main thread is busy in a long synchronous computation. If the main
 * thread has not handled the signal within a second, the watchdog marks the open run
 * interrupted (status.json and run.log, from the status the main thread last reported); if the
 * process is still alive after the grace period (+2 s), it kills the process.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { writeFileAtomicSync } from "./atomic_write.ts";
import {
  INTERRUPT_SIGNALS,
  InterruptedError,
  type InterruptSignalName,
  type WatchdogMessage,
  type WatchdogRunState,
} from "./interrupt.ts";
import { failRun, type RunStatus } from "./status.ts";

let graceMs = 10_000;
let run: WatchdogRunState | null = null;
let handled = false;
let received: InterruptSignalName | undefined;

self.onmessage = (event: MessageEvent<WatchdogMessage>) => {
  const message = event.data;
  if (message.type === "config") graceMs = message.graceMs;
  else if (message.type === "run") run = message.run;
  else handled = true;
};

function markInterrupted(signal: InterruptSignalName): void {
  if (handled || !run) return;
  const status = run.status as RunStatus;
  if (status.state !== "running") return;
  const now = new Date().toISOString();
  const failed = failRun(status, new InterruptedError(signal), now, { signal });
  writeFileAtomicSync(run.statusPath, JSON.stringify(failed, null, 2) + "\n");
  Deno.writeTextFileSync(
    run.runLogPath,
    `${now} WARN interrupted by ${signal} in stage ${failed.error?.stage ?? "-"} ` +
      "(main thread busy; status written by the watchdog); finished work is kept\n",
    { append: true },
  );
}

for (const name of INTERRUPT_SIGNALS) {
  try {
    Deno.addSignalListener(name, () => {
      if (received) return;
      received = name;
      setTimeout(() => markInterrupted(name), 1000);
      setTimeout(() => Deno.kill(Deno.pid, "SIGKILL"), graceMs + 2000);
    });
  } catch { /* a platform without this signal */ }
}
