import assert from "node:assert/strict";
import { type OffloadTrial, summariseOffloadTrials } from "../../lib/report/offload_benchmark.ts";

const trial = (
  concurrency: number,
  essaysPerSecond: number,
  latencies: number[],
  errors = 0,
): OffloadTrial => ({
  concurrency,
  itemsPerRequest: 8,
  repeat: 0,
  essays: 16,
  seconds: 16 / essaysPerSecond,
  essaysPerSecond,
  latencies,
  errors,
});

Deno.test("summariseOffloadTrials: medians, extremes, pooled latency percentiles, error rate", () => {
  const s = summariseOffloadTrials([
    trial(1, 2, [1, 2]),
    trial(2, 3, [4], 1),
    trial(1, 4, [3, 4]),
    trial(1, 3, [5]),
  ]);
  assert.equal(s.length, 2);
  assert.deepEqual(
    [
      s[0].concurrency,
      s[0].medianEssaysPerSecond,
      s[0].minEssaysPerSecond,
      s[0].maxEssaysPerSecond,
    ],
    [1, 3, 2, 4],
  );
  assert.equal(s[0].p50LatencyS, 3);
  assert.equal(s[0].errorRate, 0);
  assert.equal(s[1].errorRate, 0.5);
  assert.equal(s[1].p95LatencyS, 4);
});
