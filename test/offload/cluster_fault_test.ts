/**
 * Extraction through nginx in front of 3 offload servers, with faults injected (issue 15): one
 * server killed mid-run then restarted; one answering 500s; one hanging past the client timeout;
 * one returning a truncated body; one returning a garbled body. In every case the run completes,
 * the feature store is byte-identical to a fault-free run's, the cache holds exactly the
 * fault-free run's bytes (no bad entry), and `offload_metrics.json` counts what the client saw.
 *
 * The servers are `fixtures/fixture_server.ts` (the production server over the deterministic
 * fixture components) on loopback; faults (b)–(d) come from `fixtures/fault_proxy.ts` placed
 * between nginx and the third server; nginx runs from `deploy/nginx.conf.template` via
 * `deploy/cluster.ts`. Skipped, with a message, only when nginx is not installed.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import {
  findNginx,
  type NginxProcess,
  type ServerProcess,
  spawnServer,
  startNginx,
} from "../../deploy/cluster.ts";
import { createOffloadFeatureExtractor } from "../../lib/offload/client.ts";
import {
  buildOffloadMetrics,
  type OffloadMetrics,
  OffloadMetricsCollector,
  writeOffloadMetrics,
} from "../../lib/offload/offload_metrics.ts";
import { extractWithStore } from "../../lib/features/store_extraction.ts";
import { syntheticEssays } from "./fixtures/fixture_components.ts";
import { type FaultMode, type FaultProxy, startFaultProxy } from "./fixtures/fault_proxy.ts";
import { tempDir } from "./helpers.ts";
import { systemDependency } from "../system_dependencies.ts";

const FIXTURE = new URL("./fixtures/fixture_server.ts", import.meta.url).pathname;
const NGINX = findNginx();
const NO_NGINX = systemDependency(
  "nginx",
  NGINX ? null : "nginx is not on PATH (apt-get install -y nginx; `deno task setup` installs it)",
  "cluster_fault_test",
);

const ESSAYS = syntheticEssays(40, "c");
const CLIENT = {
  maxItemsPerRequest: 4,
  maxConcurrency: 3,
  timeoutMs: 2_000,
  maxRetries: 8,
  backoffBaseMs: 50,
  backoffMaxMs: 400,
};

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function fixture(port: number): Promise<ServerProcess> {
  return spawnServer([
    Deno.execPath(),
    "run",
    "-A",
    FIXTURE,
    "--port",
    String(port),
    "--delay-ms",
    "60",
  ]);
}

/** Every file under `dir` (relative path → bytes). */
async function snapshot(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else out.set(relative(dir, p), await Deno.readFile(p));
    }
  };
  await walk(dir);
  return out;
}

interface RunResult {
  store: Map<string, Uint8Array>;
  cache: Map<string, Uint8Array>;
  metrics: OffloadMetrics;
}

/** One extraction of ESSAYS through `url` into a fresh store and cache. */
async function run(
  url: string,
  onProgress?: (done: number) => void,
): Promise<RunResult> {
  const dir = await tempDir();
  const collector = new OffloadMetricsCollector();
  const extractor = await createOffloadFeatureExtractor({
    ...CLIENT,
    baseUrl: url,
    cacheRoot: join(dir, "cache"),
    collector,
  });
  try {
    await extractWithStore({
      essays: ESSAYS,
      extractor,
      storeDir: join(dir, "store"),
      featureSet: "combined",
      onProgress: (_stage, done) => onProgress?.(done),
    });
  } finally {
    await extractor.close();
  }
  const path = await writeOffloadMetrics(dir, buildOffloadMetrics(collector, "hemma"));
  const metrics = JSON.parse(await Deno.readTextFile(path)) as OffloadMetrics;
  const store = await snapshot(join(dir, "store"));
  // The metadata records its creation time: compare it without that field.
  const meta = JSON.parse(new TextDecoder().decode(store.get("metadata.json")!));
  delete meta.created_utc;
  store.set("metadata.json", new TextEncoder().encode(JSON.stringify(meta)));
  const cache = await snapshot(join(dir, "cache"));
  await Deno.remove(dir, { recursive: true });
  return { store, cache, metrics };
}

function assertSameBytes(
  got: Map<string, Uint8Array>,
  want: Map<string, Uint8Array>,
  what: string,
) {
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${what}: same files`);
  for (const [k, v] of want) assert.deepEqual(got.get(k), v, `${what}: ${k} differs`);
}

Deno.test({
  name:
    "cluster: 3 servers behind nginx survive kill/restart, 500s, hangs, truncated and garbled answers",
  ignore: NO_NGINX,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const ports = [freePort(), freePort(), freePort()];
    const servers: ServerProcess[] = [];
    let proxy: FaultProxy | undefined;
    let nginx: NginxProcess | undefined;
    const runDir = await tempDir();
    try {
      for (const p of ports) servers.push(await fixture(p));
      proxy = startFaultProxy(servers[2].url);
      nginx = await startNginx({
        upstreams: [`127.0.0.1:${ports[0]}`, `127.0.0.1:${ports[1]}`, `127.0.0.1:${proxy.port}`],
        listenPort: freePort(),
        runDir,
        failTimeoutS: 1,
        maxFails: 1,
      });
      const url = nginx.url;
      const baseline = await run(url);
      assert.equal(baseline.metrics.requests_http_error, 0);
      assert.equal(baseline.metrics.retries, 0);
      assert.ok(baseline.cache.size >= ESSAYS.length * 2, "rows cached");
      const same = (r: RunResult) => {
        assertSameBytes(r.store, baseline.store, "feature store");
        assertSameBytes(r.cache, baseline.cache, "cache");
      };

      await t.step("(a) kill one server mid-run, then restart it", async () => {
        const before = (await nginx!.accessLog()).split("\n").length - 1;
        let restarted: Promise<ServerProcess> | undefined;
        const r = await run(url, (done) => {
          if (done >= 8 && !restarted) {
            restarted = servers[0].stop("SIGKILL").then(() => fixture(ports[0]));
          }
        });
        assert.ok(restarted, "the kill happened mid-run");
        servers[0] = await restarted;
        await new Promise((res) => setTimeout(res, 200)); // nginx logs after answering
        same(r);
        // nginx retried the requests the dead server dropped on another server: the client saw
        // at most the rare error nginx passed on, and counted each one it saw.
        const m = r.metrics;
        assert.equal(m.requests_timeout, 0);
        assert.equal(m.retries, m.requests_http_error + m.requests_connection_error);
        // nginx's own retries: a request that met the dead server went on to another one
        // (access log `upstream=<dead>, <other>`), invisible to the client. nginx writes a line
        // after answering: poll briefly.
        const retried = (l: string) =>
          new RegExp(`upstream=[^ ]*127\\.0\\.0\\.1:${ports[0]}, `).test(l);
        const rejoined = (l: string) =>
          l.includes(`upstream=127.0.0.1:${ports[0]} `) && l.includes(" 200 ");
        const logSince = async (from: number, until: (lines: string[]) => boolean) => {
          let lines: string[] = [];
          for (let i = 0; i < 50; i++) {
            lines = (await nginx!.accessLog()).split("\n").slice(from);
            if (until(lines)) break;
            await new Promise((res) => setTimeout(res, 50));
          }
          return lines;
        };
        // The restarted server rejoins once nginx's fail_timeout has passed: a later run reaches
        // it again. How soon least_conn picks it depends on timing (a loaded machine), so allow a
        // few runs; every one of them must still give the same bytes.
        let back = false;
        for (let attempt = 0; attempt < 5 && !back; attempt++) {
          await new Promise((res) => setTimeout(res, 1_100));
          const from = (await nginx!.accessLog()).split("\n").length - 1;
          const again = await run(url);
          same(again);
          back = (await logSince(from, (ls) => ls.some(rejoined))).some(rejoined);
        }
        assert.ok(back, "the restarted server served requests of a later run");
        const all = await logSince(before, (ls) => ls.some(retried));
        assert.ok(all.some(retried), "nginx retried a request the killed server dropped");
      });

      const faultCase = async (mode: FaultMode, check: (m: OffloadMetrics, n: number) => void) => {
        proxy!.reset(mode);
        const r = await run(url);
        const n = proxy!.injected;
        proxy!.reset("pass");
        assert.ok(n >= 1, `${mode}: at least one fault was injected`);
        same(r);
        check(r.metrics, n);
        await new Promise((res) => setTimeout(res, 1_100)); // let nginx forget the failures
      };

      await t.step("(b) one server answers 500", () =>
        faultCase("error500", (m, n) => {
          // nginx does not retry a 500: each one reaches the client, counted and retried.
          assert.equal(m.requests_http_error, n);
          assert.equal(m.retries, n);
          assert.equal(m.offload.extract.requests.http_error, n);
        }));

      await t.step(
        "(c) one server hangs past the client timeout",
        () =>
          faultCase("hang", (m, n) => {
            assert.equal(m.requests_timeout, n);
            assert.equal(m.retries, n);
          }),
      );

      await t.step("(d1) one server truncates its answers", () =>
        faultCase("truncate", (m, n) => {
          // Cut mid-body after nginx forwarded the headers: the client sees a broken
          // connection (or, were it buffered whole, a zip failing its checks).
          assert.equal(m.requests_connection_error + m.requests_http_error, n);
          assert.equal(m.retries, n);
        }));

      await t.step("(d2) one server garbles its answers", () =>
        faultCase("garble", (m, n) => {
          // A complete 200 whose zip fails its CRC-32 check: counted as an HTTP error, resent.
          assert.equal(m.requests_http_error, n);
          assert.equal(m.retries, n);
        }));

      await t.step("(e) every server gone: a clear final error, finished essays kept", async () => {
        const dir = await tempDir();
        const extractor = await createOffloadFeatureExtractor({
          ...CLIENT,
          maxRetries: 2,
          baseUrl: url,
          cacheRoot: join(dir, "cache"),
        });
        let done = 0;
        let killed: Promise<unknown> | undefined;
        const err = await extractor.extract(ESSAYS, {
          featureSet: "combined",
          onProgress: (_s, d) => {
            done = d;
            if (d >= 8 && !killed) killed = Promise.all(servers.map((s) => s.stop("SIGKILL")));
          },
        }).then(() => undefined, (e) => e as Error & { essaysDone?: number });
        await extractor.close();
        await killed;
        assert.ok(err, "the run failed");
        assert.match(
          err.message,
          new RegExp(
            `stopped: ${done} of ${ESSAYS.length} essays done \\(their rows are in the cache`,
          ),
        );
        assert.equal(err.essaysDone, done);
        const cached = [...(await snapshot(join(dir, "cache"))).keys()];
        assert.equal(cached.filter((k) => k.startsWith("offload_embeddings")).length, done);
        await Deno.remove(dir, { recursive: true });
      });
    } finally {
      await nginx?.stop();
      await proxy?.close();
      await Promise.all(servers.map((s) => s.stop("SIGKILL")));
      await Deno.remove(runDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "cluster: nginx with no live server answers 503 + Retry-After (JSON); an oversize body 413",
  ignore: NO_NGINX,
  async fn() {
    const runDir = await tempDir();
    const dead = [freePort(), freePort()];
    const nginx = await startNginx({
      upstreams: dead.map((p) => `127.0.0.1:${p}`),
      listenPort: freePort(),
      runDir,
    });
    try {
      const res = await fetch(`${nginx.url}/v1/extract`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ texts: ["a"], prompts: ["b"], feature_set: "handcrafted" }),
      });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("retry-after"), "2");
      assert.equal((await res.json()).error, "unavailable");
      // both dead servers were tried before giving up (nginx logs after answering: poll)
      const tried = new RegExp(`upstream=127\\.0\\.0\\.1:\\d+, 127\\.0\\.0\\.1:\\d+`);
      let log = "";
      for (let i = 0; i < 50 && !tried.test(log); i++) {
        await new Promise((r) => setTimeout(r, 50));
        log = await nginx.accessLog();
      }
      assert.match(log, tried);
      const big = await fetch(`${nginx.url}/v1/extract`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "x".repeat(1_100_000),
      });
      assert.equal(big.status, 413);
      assert.equal((await big.json()).error, "request_too_large");
    } finally {
      await nginx.stop();
      await Deno.remove(runDir, { recursive: true }).catch(() => {});
    }
  },
});
