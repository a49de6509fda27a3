import assert from "node:assert/strict";
import {
  buildOffloadMetrics,
  OffloadMetricsCollector,
  percentile,
  summariseLatencies,
} from "../../lib/offload/offload_metrics.ts";

Deno.test("percentile interpolates linearly between closest ranks", () => {
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([3], 99), 3);
  assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5], 95), 4.8);
  assert.equal(percentile([10, 20], 0), 10);
  assert.equal(percentile([10, 20], 100), 20);
  const s = summariseLatencies([1, 2, 3, 4]);
  assert.equal(s.mean, 2.5);
  assert.ok(Math.abs(s.p99! - 3.97) < 1e-12);
});

Deno.test("buildOffloadMetrics has the runbook's keys and sums errors over services", () => {
  const c = new OffloadMetricsCollector();
  const ex = c.service("extract");
  ex.requests = 5;
  ex.latencies.push(1, 2, 3);
  ex.timeout = 1;
  ex.connectionError = 1;
  ex.hits = 3;
  ex.misses = 1;
  const lt = c.service("language_tool");
  lt.requests = 2;
  lt.httpError = 2;
  c.addBenchmark({ name: "step", essays: 10, seconds: 4 });
  const m = buildOffloadMetrics(c, "hemma", {
    now: new Date("2026-01-01T00:00:00Z"),
    benchmarks: [{ name: "extract", essays: 100, seconds: 25 }],
  });
  assert.equal(m.generated_utc, "2026-01-01T00:00:00.000Z");
  assert.deepEqual(m.benchmarks.map((b) => [b.name, b.essays_per_second]), [
    ["extract", 4],
    ["step", 2.5],
  ]);
  assert.equal(m.offload.extract.requests.count, 5);
  assert.equal(m.offload.extract.requests.latency_s.p50, 2);
  assert.equal(m.offload.extract.cache.hit_rate, 0.75);
  assert.equal(m.offload.embedding.cache.hit_rate, null);
  assert.equal(m.offload.embedding.requests.latency_s.p95, null);
  assert.equal(m.requests_total, 7);
  assert.equal(m.requests_timeout, 1);
  assert.equal(m.requests_http_error, 2);
  assert.equal(m.requests_connection_error, 1);
});
