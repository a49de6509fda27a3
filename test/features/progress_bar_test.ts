import assert from "node:assert/strict";
import {
  createProgressBar,
  fanOutProgress,
  renderProgressLine,
  throttleProgress,
} from "../../lib/features/progress_bar.ts";

Deno.test("renderProgressLine shows fraction, count, rate and eta", () => {
  const line = renderProgressLine("embed", 50, 100, 10_000, 10);
  assert.equal(line, "embed        [#####-----] 50/100 5.0/s eta 10s");
});

Deno.test("throttleProgress forwards every N items per stage and at the end", () => {
  const seen: string[] = [];
  const cb = throttleProgress((s, d, t) => seen.push(`${s}:${d}/${t}`), 100);
  for (let d = 1; d <= 250; d++) cb("check", d, 250);
  for (let d = 10; d <= 250; d += 10) cb("embed", d, 250);
  cb("check", 250, 250);
  assert.deepEqual(seen, [
    "check:100/250",
    "check:200/250",
    "check:250/250",
    "embed:100/250",
    "embed:200/250",
    "embed:250/250",
  ]);
});

Deno.test("progress bar draws nothing when stderr is not a terminal; fan-out calls all", () => {
  const bar = createProgressBar({ isTerminal: false });
  bar.update("x", 1, 2); // would throw on a closed stderr if it wrote; here it must be silent
  bar.finish();
  const calls: number[] = [];
  const both = fanOutProgress((_, d) => calls.push(d), undefined, (_, d) => calls.push(-d));
  both("s", 3, 4);
  assert.deepEqual(calls, [3, -3]);
});
