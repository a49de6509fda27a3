/**
 * `deno task bench offload-load`: a bounded loopback load on real offload servers
 * (`deno task serve-offload`, spawned as processes) — one server hit directly, the same server
 * behind nginx, and 3 servers behind nginx (`deploy/nginx.conf.template`, via
 * `deploy/cluster.ts`). For each topology a concurrency sweep sends a fixed number of
 * `/v1/extract` requests (each a small batch of essays) with no client retries, and records
 * throughput (essays/s), p50/p95/p99 latency, 503s (with or without `Retry-After`), other
 * errors and answers failing the zip CRC check. An overload phase then sends far more
 * concurrent requests than the servers' slots + queues hold: they must shed load with
 * `503 + Retry-After` while their resident memory (sampled every 100 ms from /proc) stays flat.
 *
 * Results: `output/bench/offload_load.json` and `.md`, with the per-server rate and the expected
 * throughput on N real machines. This machine's cores are shared by every server, so 3 servers
 * here show the balancer's overhead and correctness, not a speed-up.
 *
 * Flags: `--csv PATH` (default the embedded train CSV), `--items-per-request 4`,
 * `--requests 24` per sweep point, `--concurrency 1,2,4,8,16`, `--overload-concurrency 160`,
 * `--overload-requests 320` (more than 3 servers' 2 slots + 32 queued), `--feature-set
 * handcrafted`, `--max-queue 32` (each server's waiting room, the server default;
 * `--max-concurrency 2` its slots), `--port 19200` (nginx; servers on the next ports),
 * `--out output/bench`.
 *
 * @module
 */
import { join } from "node:path";
import { tmpdir } from "node:os";
import { parseArgs } from "node:util";
import { Agent, request } from "undici";
import { loadEllipseCsv } from "../dataset/ellipse_csv.ts";
import type { EssayInput } from "../features/types.ts";
import { percentile, writeTextAtomic } from "../offload/offload_metrics.ts";
import { verifyZipIntegrity } from "../offload/zip_integrity.ts";
import {
  findNginx,
  type NginxProcess,
  serveCommand,
  type ServerProcess,
  spawnServer,
  startNginx,
} from "../../deploy/cluster.ts";

/** One sweep point (or the overload phase) of one topology. */
export interface LoadPoint {
  readonly topology: string;
  readonly phase: "sweep" | "overload";
  readonly concurrency: number;
  readonly requests: number;
  readonly ok: number;
  readonly essaysPerSecond: number;
  readonly seconds: number;
  readonly latencyS: { p50: number | null; p95: number | null; p99: number | null };
  readonly status503: number;
  readonly status503WithRetryAfter: number;
  readonly otherErrors: number;
  readonly badBodies: number;
  /** Sum over the topology's servers of their peak resident memory during the point (MB). */
  readonly serverPeakRssMb: number;
}

/** Resident memory of a process in MB (from /proc; 0 when unreadable). */
export function rssMb(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface Outcome {
  status: number;
  seconds: number;
  retryAfter: boolean;
  intact: boolean;
}

async function sendOne(url: string, agent: Agent, batch: readonly EssayInput[], fs: string) {
  const t0 = performance.now();
  try {
    const res = await request(`${url}/v1/extract`, {
      method: "POST",
      dispatcher: agent,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        texts: batch.map((e) => e.text),
        prompts: batch.map((e) => e.prompt),
        feature_set: fs,
      }),
    });
    const bytes = new Uint8Array(await res.body.arrayBuffer());
    let intact = true;
    if (res.statusCode === 200) {
      try {
        verifyZipIntegrity(bytes, url);
      } catch {
        intact = false;
      }
    }
    return {
      status: res.statusCode,
      seconds: (performance.now() - t0) / 1000,
      retryAfter: res.headers["retry-after"] !== undefined,
      intact,
    } satisfies Outcome;
  } catch {
    return { status: 0, seconds: (performance.now() - t0) / 1000, retryAfter: false, intact: true };
  }
}

/** `bench offload-load` flags (`deno task bench offload-load --help` prints them). */
export const OFFLOAD_LOAD_BENCH_OPTIONS = {
  csv: { type: "string", default: "data/embedded/ellipse_embedded_train.csv" },
  "items-per-request": { type: "string", default: "4" },
  requests: { type: "string", default: "24" },
  concurrency: { type: "string", default: "1,2,4,8,16" },
  "overload-concurrency": { type: "string", default: "160" },
  "overload-requests": { type: "string", default: "320" },
  "feature-set": { type: "string", default: "handcrafted" },
  "max-queue": { type: "string", default: "32" },
  "max-concurrency": { type: "string", default: "2" },
  port: { type: "string", default: "19200" },
  out: { type: "string", default: "output/bench" },
} as const;

/** What each `bench offload-load` flag does. */
export const OFFLOAD_LOAD_BENCH_HELP: Readonly<
  Record<keyof typeof OFFLOAD_LOAD_BENCH_OPTIONS, string>
> = {
  csv: "essays CSV",
  "items-per-request": "essays per request",
  requests: "requests per concurrency level",
  concurrency: "client concurrency levels, comma-separated",
  "overload-concurrency": "concurrency of the overload (503 shedding) phase",
  "overload-requests": "requests of the overload phase",
  "feature-set": "handcrafted | embeddings | combined",
  "max-queue": "each server's queue limit (--max-queue)",
  "max-concurrency": "each server's concurrent extractions",
  port: "first port of the servers and the balancer",
  out: "output directory",
};

/** Send `requests` batches at `concurrency` to `url`, sampling the servers' RSS. */
async function loadPoint(
  topology: string,
  phase: LoadPoint["phase"],
  url: string,
  pids: readonly number[],
  batches: readonly (readonly EssayInput[])[],
  concurrency: number,
  requests: number,
  featureSet: string,
): Promise<LoadPoint> {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  const outcomes: Outcome[] = [];
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, pids.reduce((s, p) => s + rssMb(p), 0));
  };
  sample();
  const sampler = setInterval(sample, 100);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests) {
      const i = next++;
      outcomes.push(await sendOne(url, agent, batches[i % batches.length], featureSet));
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  sample();
  await agent.close();
  const ok = outcomes.filter((o) => o.status === 200);
  const essays = outcomes.reduce(
    (s, o, i) => s + (o.status === 200 ? batches[i % batches.length].length : 0),
    0,
  );
  const lat = ok.map((o) => o.seconds);
  return {
    topology,
    phase,
    concurrency,
    requests,
    ok: ok.length,
    essaysPerSecond: essays / seconds,
    seconds,
    latencyS: { p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99) },
    status503: outcomes.filter((o) => o.status === 503).length,
    status503WithRetryAfter: outcomes.filter((o) => o.status === 503 && o.retryAfter).length,
    otherErrors: outcomes.filter((o) => o.status !== 200 && o.status !== 503).length,
    badBodies: ok.filter((o) => !o.intact).length,
    serverPeakRssMb: Math.round(peak),
  };
}

const list = (s: string) => s.split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0);

function parse(args: readonly string[]) {
  const { values } = parseArgs({
    args: [...args],
    options: OFFLOAD_LOAD_BENCH_OPTIONS,
    strict: true,
  });
  return values;
}

/** Run the load benchmark; resolves to every measured point. */
export async function runOffloadLoadBench(args: readonly string[]): Promise<LoadPoint[]> {
  const v = parse(args);
  if (!findNginx()) {
    throw new Error("nginx is not installed: `deno task setup` or apt-get install -y nginx");
  }
  const log = (line: string) => console.error(`[bench offload-load] ${line}`);
  const per = Number(v["items-per-request"]);
  const essays = (await loadEllipseCsv(v.csv, "train")).map((e) => ({
    id: e.id,
    text: e.text,
    prompt: e.prompt,
  }));
  const batches: EssayInput[][] = [];
  for (let i = 0; i + per <= essays.length; i += per) batches.push(essays.slice(i, i + per));
  const port = Number(v.port);
  const serverFlags = ["--max-queue", v["max-queue"], "--max-concurrency", v["max-concurrency"]];
  const servers: ServerProcess[] = [];
  const nginxes: NginxProcess[] = [];
  const points: LoadPoint[] = [];
  const runDir = await Deno.makeTempDir({ dir: tmpdir(), prefix: "offload_load_" });
  const loadBefore = loadAverage();
  try {
    for (let i = 0; i < 3; i++) {
      log(`starting server ${i + 1}/3 on port ${port + 1 + i} …`);
      servers.push(await spawnServer(serveCommand(port + 1 + i, serverFlags)));
    }
    const one = await startNginx({
      upstreams: [`127.0.0.1:${servers[0].port}`],
      listenPort: port,
      runDir: join(runDir, "nginx1"),
    });
    nginxes.push(one);
    const three = await startNginx({
      upstreams: servers.map((s) => `127.0.0.1:${s.port}`),
      listenPort: port + 10,
      runDir: join(runDir, "nginx3"),
    });
    nginxes.push(three);
    const topologies = [
      { name: "1 server (direct)", url: servers[0].url, pids: [servers[0].child.pid] },
      { name: "1 server behind nginx", url: one.url, pids: [servers[0].child.pid] },
      { name: "3 servers behind nginx", url: three.url, pids: servers.map((s) => s.child.pid) },
    ];
    // Warm every server (workers, JIT) before measuring.
    for (const s of servers) {
      await loadPoint("warm-up", "sweep", s.url, [], batches, 2, 4, v["feature-set"]);
    }
    for (const t of topologies) {
      for (const c of list(v.concurrency)) {
        const p = await loadPoint(
          t.name,
          "sweep",
          t.url,
          t.pids,
          batches,
          c,
          Number(v.requests),
          v["feature-set"],
        );
        log(
          `${t.name} c=${c}: ${p.essaysPerSecond.toFixed(1)} essays/s, p95 ${
            p.latencyS.p95?.toFixed(3)
          } s, 503 ${p.status503}, errors ${p.otherErrors}, RSS ${p.serverPeakRssMb} MB`,
        );
        points.push(p);
      }
      const p = await loadPoint(
        t.name,
        "overload",
        t.url,
        t.pids,
        batches,
        Number(v["overload-concurrency"]),
        Number(v["overload-requests"]),
        v["feature-set"],
      );
      log(
        `${t.name} OVERLOAD c=${p.concurrency}: ${p.ok} ok, 503 ${p.status503} ` +
          `(${p.status503WithRetryAfter} with Retry-After), errors ${p.otherErrors}, ` +
          `RSS ${p.serverPeakRssMb} MB`,
      );
      points.push(p);
    }
  } finally {
    for (const n of nginxes) await n.stop();
    await Promise.all(servers.map((s) => s.stop()));
    await Deno.remove(runDir, { recursive: true }).catch(() => {});
  }
  await writeReport(v.out, points, {
    csv: v.csv,
    itemsPerRequest: per,
    featureSet: v["feature-set"],
    serverFlags: serverFlags.join(" "),
    loadAverage: `${loadBefore} → ${loadAverage()}`,
  });
  return points;
}

/** The 1-minute load average (from /proc; "?" elsewhere). */
function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ")[0];
  } catch {
    return "?";
  }
}

/** Best sweep throughput of a topology (essays/s). */
export function bestRate(points: readonly LoadPoint[], topology: string): number {
  return Math.max(
    0,
    ...points.filter((p) => p.topology === topology && p.phase === "sweep").map((p) =>
      p.essaysPerSecond
    ),
  );
}

async function writeReport(
  out: string,
  points: readonly LoadPoint[],
  setup: Record<string, string | number>,
): Promise<void> {
  const single = bestRate(points, "1 server (direct)");
  const viaOne = bestRate(points, "1 server behind nginx");
  const viaThree = bestRate(points, "3 servers behind nginx");
  const cores = navigator.hardwareConcurrency;
  const expected = [1, 2, 3, 4, 8].map((n) => ({ machines: n, essaysPerSecond: n * viaOne }));
  const summary = {
    per_server_essays_per_second: single,
    nginx_one_server_essays_per_second: viaOne,
    nginx_three_servers_essays_per_second: viaThree,
    nginx_overhead_pct: single > 0 ? 100 * (1 - viaOne / single) : null,
    three_vs_one_pct: single > 0 ? 100 * (viaThree / single - 1) : null,
    expected_on_n_machines: expected,
  };
  const json = {
    schema_version: 1,
    generated_utc: new Date().toISOString(),
    machine: { cores, os: Deno.build.os, deno: Deno.version.deno },
    setup,
    summary,
    points,
  };
  await Deno.mkdir(out, { recursive: true });
  await writeTextAtomic(join(out, "offload_load.json"), JSON.stringify(json, null, 2) + "\n");
  const f = (x: number | null, d = 3) => x === null ? "–" : x.toFixed(d);
  const md = [
    "# Offload load benchmark (`deno task bench offload-load`)",
    "",
    `${json.generated_utc}; ${cores} cores shared by every server and nginx (load average ` +
    `${setup.loadAverage}); ` +
    `${setup.itemsPerRequest} essays per \`/v1/extract\` request (feature set ` +
    `${setup.featureSet}); servers: \`serve-offload ${setup.serverFlags}\`; no client retries.`,
    "",
    "| topology | phase | concurrency | requests | ok | essays/s | p50 s | p95 s | p99 s | 503 (with Retry-After) | other errors | bad bodies | servers' peak RSS MB |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...points.map((p) =>
      `| ${p.topology} | ${p.phase} | ${p.concurrency} | ${p.requests} | ${p.ok} | ${
        f(p.essaysPerSecond, 1)
      } | ${f(p.latencyS.p50)} | ${f(p.latencyS.p95)} | ${
        f(p.latencyS.p99)
      } | ${p.status503} (${p.status503WithRetryAfter}) | ${p.otherErrors} | ${p.badBodies} | ${p.serverPeakRssMb} |`
    ),
    "",
    `Per-server rate (best sweep point, direct): **${f(single, 1)} essays/s**; through nginx ` +
    `(1 server): ${f(viaOne, 1)} essays/s (overhead ${f(summary.nginx_overhead_pct, 1)} %); ` +
    `3 servers behind nginx on the same ${cores} cores: ${f(viaThree, 1)} essays/s ` +
    `(${f(summary.three_vs_one_pct, 1)} % vs one server).`,
    "",
    "Expected throughput on N real machines (one server each, this machine's per-server rate, " +
    "nginx overhead included; extraction is embarrassingly parallel, so it scales with N until " +
    "the client or the network is the limit):",
    "",
    "| machines | expected essays/s | 100k essays |",
    "|---:|---:|---:|",
    ...expected.map((e) =>
      `| ${e.machines} | ${f(e.essaysPerSecond, 1)} | ${
        e.essaysPerSecond > 0 ? `${(100_000 / e.essaysPerSecond / 3600).toFixed(1)} h` : "–"
      } |`
    ),
    "",
  ].join("\n");
  await writeTextAtomic(join(out, "offload_load.md"), md);
}
