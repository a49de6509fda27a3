/**
 * `bench offload-original-client`: the original-client driver chunks as the original client does
 * (≤ 64 items a request) and reads our server's answers, and the summary's ratio and verdict
 * follow the medians. The driver runs against the fixture server (no models loaded); it is
 * skipped, with the reason printed, when /usr/bin/python3 has no numpy (CI requires it).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  originalClientChunks,
  type PassResult,
  renderMarkdown,
  summarisePasses,
} from "../../lib/bench/offload_original_client_bench.ts";
import { numpyDependency, SYSTEM_PYTHON } from "../system_dependencies.ts";
import { startTestServer } from "../offload/helpers.ts";

const DRIVER = new URL("../../lib/bench/python/original_client_load.py", import.meta.url).pathname;
const PYTHON = SYSTEM_PYTHON;

const NO_NUMPY = await numpyDependency("offload_original_client_test");

function pass(path: PassResult["path"], essaysPerSecond: number): PassResult {
  return {
    path,
    seconds: 10 / essaysPerSecond,
    essaysPerSecond,
    cpuSecondsPerEssay: 0.2,
    clientCpuSecondsPerEssay: path === "server" ? 0.01 : null,
  };
}

Deno.test("summarisePasses: median throughputs, ratio and the 10 % verdict", () => {
  const s = summarisePasses([
    pass("local", 8),
    pass("server", 7.5),
    pass("server", 7.0),
    pass("local", 10),
  ]);
  assert.equal(s.localEssaysPerSecond, 9);
  assert.equal(s.serverEssaysPerSecond, 7.25);
  assert.equal(s.ratio, 7.25 / 9);
  assert.equal(s.withinTenPercent, false);
  assert.ok(Number.isNaN(s.localChunkedEssaysPerSecond));
  assert.equal(
    summarisePasses([pass("local", 8), pass("local-chunked", 6), pass("server", 7)])
      .localChunkedEssaysPerSecond,
    6,
  );
  assert.equal(summarisePasses([pass("local", 8), pass("server", 7.2)]).withinTenPercent, true);
  const md = renderMarkdown({
    csv: "x.csv",
    essays: 10,
    repeats: 1,
    in_flight: 2,
    generated_utc: "t",
    machine: { cores: 2, load_average_1m_start: 1, load_average_1m_end: 1 },
    summary: s,
    passes: [pass("local", 8), pass("server", 7.5)],
  });
  assert.match(md, /NOT within 10 %/);
});

Deno.test("originalClientChunks cuts at 64 items, as the original client", () => {
  const essays = Array.from({ length: 130 }, (_, i) => ({ id: `${i}`, text: "x", prompt: "p" }));
  assert.deepEqual(originalClientChunks(essays).map((c) => c.length), [64, 64, 2]);
  const big = "y".repeat(400_000);
  const large = [0, 1, 2].map((i) => ({ id: `${i}`, text: big, prompt: "p" }));
  assert.deepEqual(originalClientChunks(large), [[0, 1], [2]]);
});

Deno.test({
  name: "the original-client driver sends ≤ 64 items a request and checks every row",
  ignore: NO_NUMPY,
  async fn() {
    const srv = startTestServer({ featureSchema: "original" });
    const dir = await Deno.makeTempDir();
    try {
      const n = 130;
      const texts = Array.from({ length: n }, (_, i) => `Essay ${i} is short. It has två words.`);
      const file = join(dir, "essays.json");
      await Deno.writeTextFile(file, JSON.stringify({ texts, prompts: texts.map(() => "P") }));
      const out = await new Deno.Command(PYTHON, { args: [DRIVER, srv.url, file] }).output();
      const stdout = new TextDecoder().decode(out.stdout).trim();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const r = JSON.parse(stdout);
      assert.equal(r.essays, n);
      assert.equal(r.chunks, 3); // 64 + 64 + 2
      assert.equal(r.handcrafted_width, 25);
      assert.equal(r.fingerprint, srv.server.fingerprint);
      assert.ok(r.essays_per_second > 0 && r.cpu_seconds >= 0);
    } finally {
      await srv.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
