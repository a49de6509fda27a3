/**
 * Fault tolerance against a real server process: SIGKILL mid-run (with and without a restart)
 * and graceful SIGTERM shutdown. The server subprocess is `fixtures/fixture_server.ts` (the
 * production server code over the deterministic fixture components) on a free loopback port.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createOffloadFeatureExtractor } from "../../lib/offload/client.ts";
import { OffloadRequestError } from "../../lib/offload/http_client.ts";
import { OffloadMetricsCollector } from "../../lib/offload/offload_metrics.ts";
import { fixtureExtractor, syntheticEssays } from "./fixtures/fixture_components.ts";
import { tempDir } from "./helpers.ts";
import { readExtractZip } from "../../lib/offload/hemma/archive.ts";
import { decodeNpy } from "../../lib/offload/hemma/npy.ts";

const FIXTURE = new URL("./fixtures/fixture_server.ts", import.meta.url).pathname;

interface ServerProcess {
  url: string;
  port: number;
  child: Deno.ChildProcess;
  /** Everything printed to stdout after the LISTENING line. */
  rest: Promise<string>;
}

async function spawnServer(args: string[]): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", FIXTURE, ...args],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const deadline = Date.now() + 30_000;
  while (!buffered.includes("\n")) {
    if (Date.now() > deadline) throw new Error("fixture server did not start in 30 s");
    const { done, value } = await reader.read();
    if (done) throw new Error(`fixture server exited early: ${buffered}`);
    buffered += value;
  }
  const m = /^LISTENING (http:\/\/127\.0\.0\.1:(\d+))/.exec(buffered);
  if (!m) throw new Error(`unexpected fixture output: ${buffered}`);
  const rest = (async () => {
    let out = buffered.slice(buffered.indexOf("\n") + 1);
    while (true) {
      const { done, value } = await reader.read();
      if (done) return out;
      out += value;
    }
  })();
  return { url: m[1], port: Number(m[2]), child, rest };
}

async function stop(p: ServerProcess): Promise<void> {
  try {
    p.child.kill("SIGKILL");
  } catch { /* already exited */ }
  await p.child.status;
  await p.rest;
}

/** Count the `.npy` rows under `dir` (recursively), decoding each (intact, no temp files). */
async function countEntries(dir: string): Promise<number> {
  let n = 0;
  for await (const f of Deno.readDir(dir)) {
    const path = join(dir, f.name);
    if (f.isDirectory) n += await countEntries(path);
    else if (f.name.endsWith(".npy")) {
      decodeNpy(await Deno.readFile(path), path);
      n++;
    } else assert.equal(f.name, "current_meta.json", `unexpected file ${f.name}`);
  }
  return n;
}

/** The values as float32 (the wire dtype). */
const f32 = (a: Float64Array) => Float64Array.from(a, (v) => Math.fround(v));

Deno.test("server killed mid-run: client retries, fails clearly, finished entries survive", async () => {
  const cacheRoot = await tempDir();
  const essays = syntheticEssays(20);
  let server = await spawnServer(["--delay-ms", "120"]);
  let lastDone = 0;
  try {
    const collector = new OffloadMetricsCollector();
    const client = await createOffloadFeatureExtractor({
      baseUrl: server.url,
      cacheRoot,
      collector,
      maxItemsPerRequest: 2,
      maxConcurrency: 1,
      maxRetries: 2,
      backoffBaseMs: 20,
    });
    const err = await client.extract(essays, {
      featureSet: "combined",
      onProgress: (_s, done) => {
        lastDone = done;
        if (done >= 6) server.child.kill("SIGKILL");
      },
    }).then(() => undefined, (e) => e);
    await client.close();
    assert.ok(err instanceof OffloadRequestError, String(err));
    assert.equal(err.kind, "connection_error");
    assert.equal(err.attempts, 3);
    assert.ok(err.message.includes(`${server.url}/v1/extract`), err.message);
    assert.ok(lastDone >= 6 && lastDone < 20, `done ${lastDone}`);
    assert.equal(collector.service("extract").retries, 2);
    assert.ok(collector.service("extract").connectionError >= 3);
    // every finished row is on disk and readable (original layout: .npy rows)
    assert.equal(await countEntries(join(cacheRoot, "offload_handcrafted")), lastDone);
    assert.equal(await countEntries(join(cacheRoot, "offload_embeddings")), lastDone);
    await stop(server);

    // restart on the same port: only the missing rows are requested
    server = await spawnServer(["--delay-ms", "0", "--port", String(server.port)]);
    const c2 = new OffloadMetricsCollector();
    const resumed = await createOffloadFeatureExtractor({
      baseUrl: server.url,
      cacheRoot,
      collector: c2,
    });
    const got = await resumed.extract(essays, { featureSet: "combined" });
    await resumed.close();
    const want = await fixtureExtractor().extract(essays, { featureSet: "combined" });
    assert.deepEqual(got.handcrafted!.values, f32(want.handcrafted!.values));
    assert.deepEqual(got.embeddings!.values, f32(want.embeddings!.values));
    assert.equal(c2.service("extract").hits, lastDone);
    assert.equal(c2.service("extract").misses, 20 - lastDone);
  } finally {
    await stop(server);
  }
});

Deno.test("server killed and restarted within the retry budget: the run completes", async () => {
  const essays = syntheticEssays(12);
  const server = await spawnServer(["--delay-ms", "80"]);
  let restarted: Promise<ServerProcess> | undefined;
  try {
    const collector = new OffloadMetricsCollector();
    const client = await createOffloadFeatureExtractor({
      baseUrl: server.url,
      useCache: false,
      collector,
      maxItemsPerRequest: 2,
      maxConcurrency: 1,
      maxRetries: 8,
      backoffBaseMs: 250,
      backoffMaxMs: 2000,
    });
    const port = server.port;
    const got = await client.extract(essays, {
      featureSet: "handcrafted",
      onProgress: (_s, done) => {
        if (done >= 4 && !restarted) {
          server.child.kill("SIGKILL");
          restarted = server.child.status.then(() => spawnServer(["--port", String(port)]));
        }
      },
    });
    await client.close();
    const want = await fixtureExtractor().extract(essays, { featureSet: "handcrafted" });
    assert.deepEqual(got.handcrafted!.values, f32(want.handcrafted!.values));
    assert.ok(collector.service("extract").connectionError >= 1);
    assert.ok(collector.service("extract").retries >= 1);
  } finally {
    await stop(server);
    if (restarted) await stop(await restarted);
  }
});

Deno.test("SIGTERM: graceful shutdown finishes the in-flight request, then exits 0", async () => {
  const server = await spawnServer(["--delay-ms", "600"]);
  try {
    const pending = fetch(`${server.url}/v1/extract`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ texts: ["a b c"], prompts: ["p"], feature_set: "handcrafted" }),
    });
    await new Promise((r) => setTimeout(r, 250));
    server.child.kill("SIGTERM");
    const res = await pending;
    assert.equal(res.status, 200);
    const zip = readExtractZip(new Uint8Array(await res.arrayBuffer()), "sigterm", 1);
    assert.deepEqual([...zip.handcrafted!.data.slice(0, 4)], [3, 5, 1, 1]);
    const status = await server.child.status;
    assert.equal(status.code, 0);
    assert.match(await server.rest, /STOPPED/);
    await assert.rejects(() => fetch(`${server.url}/healthz`));
  } finally {
    await stop(server);
  }
});
