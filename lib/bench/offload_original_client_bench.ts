/**
 * `deno task bench offload-original-client`: is extraction through our offload server, fetched by
 * the user's ORIGINAL Python client, as fast as extracting locally? (Issue 21's target: within
 * 10 % of local extraction throughput.)
 *
 * One process holds one set of local components (extractor with its Web Workers, checker,
 * encoder). Each round measures, on the same essays and the same workers:
 * - **local**: `extractor.extract(essays, combined)` called directly;
 * - **local-chunked**: local calls in the original client's pattern (its chunks, as many in
 *   flight), to tell the protocol's own cost from the call pattern's;
 * - **server**: our server (`--feature-schema original`, what the original client accepts) over
 *   loopback, driven by `lib/bench/python/original_client_load.py`, which chunks, sends, decodes
 *   and checks like the original client (§B.8.1: ≤ 64 items and 900,000 bytes a request, 2 in
 *   flight, `zipfile` + `numpy.load`).
 * Rounds alternate the order (local first, then server first) so drift on a shared machine hits
 * both sides; medians are reported with every repeat, wall essays/s and CPU-s per essay (server
 * side = this process; the Python client's own CPU is listed apart). No cache on either side:
 * every repeat extracts every essay. Results: `offload_original_client.json` and `.md` under
 * `--out`.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadEllipseCsv } from "../dataset/ellipse_csv.ts";
import type { EssayInput } from "../features/types.ts";
import { createLocalServerComponents } from "../offload/local_components.ts";
import { percentile, writeTextAtomic } from "../offload/offload_metrics.ts";
import { createOffloadServer, startOffloadServer } from "../offload/server.ts";
import { processCpuSeconds } from "./process_cpu.ts";

/** Flags of the benchmark (`--help` lists them). */
export const OFFLOAD_ORIGINAL_CLIENT_OPTIONS = {
  csv: { type: "string", default: "data/embedded/ellipse_embedded_train.csv" },
  limit: { type: "string", default: "160" },
  repeats: { type: "string", default: "2" },
  "in-flight": { type: "string", default: "2" },
  workers: { type: "string" },
  python: { type: "string", default: "/usr/bin/python3" },
  out: { type: "string", default: "output/bench" },
  help: { type: "boolean", default: false },
} as const;

/** What each flag does. */
export const OFFLOAD_ORIGINAL_CLIENT_HELP: Readonly<Record<string, string>> = {
  csv: "ELLIPSE-layout CSV of essays (e.g. ../shared/ellipse/ELLIPSE_dev_train.csv)",
  limit: "essays to extract per repeat",
  repeats: "rounds; each round measures local and server once, alternating which goes first",
  "in-flight": "the original client's extract_max_in_flight_requests",
  workers: "extraction Web Workers (default the local extractor's, min(2, cores))",
  python: "Python with numpy for the original-client driver",
  out: "output directory for the JSON and Markdown",
  help: "show this help",
};

const DRIVER = new URL("./python/original_client_load.py", import.meta.url).pathname;

/** One timed pass over the essays. */
export interface PassResult {
  /**
   * `local`: one extract call over all essays; `local-chunked`: local calls in the original
   * client's pattern (its chunks, as many in flight), which isolates the protocol's cost from the
   * call pattern's; `server`: our server under the original-client driver.
   */
  readonly path: "local" | "local-chunked" | "server";
  readonly seconds: number;
  readonly essaysPerSecond: number;
  /** CPU seconds per essay of this process (extractor, workers, and the server when serving). */
  readonly cpuSecondsPerEssay: number;
  /** CPU seconds per essay of the Python client (server passes only). */
  readonly clientCpuSecondsPerEssay: number | null;
}

/** The benchmark's verdict. */
export interface OriginalClientSummary {
  readonly localEssaysPerSecond: number;
  /** Median of the local passes in the client's chunking (NaN when none ran). */
  readonly localChunkedEssaysPerSecond: number;
  readonly serverEssaysPerSecond: number;
  /** Median server throughput / median local throughput. */
  readonly ratio: number;
  /** Target: the server under the original client within 10 % of local extraction. */
  readonly withinTenPercent: boolean;
}

/** Median throughputs of the passes and the ratio. */
export function summarisePasses(passes: readonly PassResult[]): OriginalClientSummary {
  const of = (path: PassResult["path"]) =>
    percentile(passes.filter((p) => p.path === path).map((p) => p.essaysPerSecond), 50) ?? NaN;
  const local = of("local");
  const server = of("server");
  const ratio = server / local;
  return {
    localEssaysPerSecond: local,
    localChunkedEssaysPerSecond: of("local-chunked"),
    serverEssaysPerSecond: server,
    ratio,
    withinTenPercent: ratio >= 0.9,
  };
}

/**
 * Index chunks as the original client cuts a request list: at most 64 items and 900,000
 * estimated bytes (50 + per item its text's and prompt's JSON length + 2).
 */
export function originalClientChunks(essays: readonly EssayInput[]): number[][] {
  const jsonLength = (s: string) => new TextEncoder().encode(JSON.stringify(s)).length;
  const chunks: number[][] = [];
  let current: number[] = [];
  let size = 50;
  essays.forEach((e, i) => {
    const item = jsonLength(e.text) + jsonLength(e.prompt) + 2;
    if (current.length > 0 && (current.length >= 64 || size + item > 900_000)) {
      chunks.push(current);
      current = [];
      size = 50;
    }
    current.push(i);
    size += item;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Run `fn` over `items` with at most `limit` calls in flight. */
async function inFlight<T>(items: readonly T[], limit: number, fn: (x: T) => Promise<unknown>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

async function timedLocalPass(
  path: "local" | "local-chunked",
  extract: () => Promise<unknown>,
  n: number,
): Promise<PassResult> {
  const cpu0 = processCpuSeconds();
  const t0 = performance.now();
  await extract();
  const seconds = (performance.now() - t0) / 1000;
  return {
    path,
    seconds,
    essaysPerSecond: n / seconds,
    cpuSecondsPerEssay: (processCpuSeconds() - cpu0) / n,
    clientCpuSecondsPerEssay: null,
  };
}

async function timedServerPass(
  python: string,
  url: string,
  essaysJson: string,
  inFlight: number,
  n: number,
): Promise<PassResult> {
  const cpu0 = processCpuSeconds();
  const out = await new Deno.Command(python, {
    args: [DRIVER, url, essaysJson, "--in-flight", String(inFlight)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const cpu = processCpuSeconds() - cpu0;
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(
      `original-client driver failed (exit ${out.code}): ${
        new TextDecoder().decode(out.stderr).trim() || stdout
      }`,
    );
  }
  const r = JSON.parse(stdout.split("\n").at(-1)!) as {
    essays: number;
    seconds: number;
    cpu_seconds: number;
  };
  if (r.essays !== n) throw new Error(`driver fetched ${r.essays} essays, expected ${n}`);
  return {
    path: "server",
    seconds: r.seconds,
    essaysPerSecond: n / r.seconds,
    cpuSecondsPerEssay: cpu / n,
    clientCpuSecondsPerEssay: r.cpu_seconds / n,
  };
}

function positive(name: string, raw: string): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be an integer ≥ 1`);
  return v;
}

/** The benchmark's settings, parsed from its flags (null for `--help`). */
function parseFlags(args: readonly string[]) {
  const { values } = parseArgs({
    args: [...args],
    options: OFFLOAD_ORIGINAL_CLIENT_OPTIONS,
    strict: true,
  });
  if (values.help) {
    console.log("deno task bench offload-original-client [flags]");
    for (const [k, v] of Object.entries(OFFLOAD_ORIGINAL_CLIENT_HELP)) {
      console.log(`  --${k}  ${v}`);
    }
    return null;
  }
  return {
    csv: values.csv,
    limit: positive("limit", values.limit),
    repeats: positive("repeats", values.repeats),
    inFlight: positive("in-flight", values["in-flight"]),
    workers: values.workers === undefined ? undefined : positive("workers", values.workers),
    python: values.python,
    out: values.out,
  };
}

/**
 * Run the benchmark; returns the JSON path (or null for `--help`).
 *
 * @example
 * ```ts
 * await runOffloadOriginalClientBench(["--csv", "../shared/ellipse/ELLIPSE_dev_train.csv"]);
 * ```
 */
export async function runOffloadOriginalClientBench(
  args: readonly string[],
): Promise<string | null> {
  const flags = parseFlags(args);
  if (!flags) return null;
  const log = (line: string) => console.error(`[bench offload-original-client] ${line}`);
  const essays: EssayInput[] = (await loadEllipseCsv(flags.csv, "train"))
    .slice(0, flags.limit)
    .map((e) => ({ id: e.id, text: e.text, prompt: e.prompt }));
  const n = essays.length;
  const tmp = await Deno.makeTempDir({ prefix: "bench-original-client-" });
  const essaysJson = join(tmp, "essays.json");
  await Deno.writeTextFile(
    essaysJson,
    JSON.stringify({ texts: essays.map((e) => e.text), prompts: essays.map((e) => e.prompt) }),
  );
  const loadStart = Deno.loadavg()[0];
  const components = await createLocalServerComponents({ log, workers: flags.workers });
  const server = createOffloadServer({ ...components, featureSchema: "original", log });
  const running = startOffloadServer(server, { port: 0 });
  const passes: PassResult[] = [];
  try {
    const extract = (part: readonly EssayInput[]) =>
      components.extractor.extract(part, { featureSet: "combined" });
    const chunks = originalClientChunks(essays);
    const local = () => timedLocalPass("local", () => extract(essays), n);
    const localChunked = () =>
      timedLocalPass(
        "local-chunked",
        () => inFlight(chunks, flags.inFlight, (c) => extract(c.map((i) => essays[i]))),
        n,
      );
    const remote = () => timedServerPass(flags.python, running.url, essaysJson, flags.inFlight, n);
    log(`${n} essays from ${flags.csv}; server ${running.url}; warm-up pass`);
    await remote();
    for (let r = 0; r < flags.repeats; r++) {
      const order = r % 2 === 0 ? [local, localChunked, remote] : [remote, localChunked, local];
      for (const pass of order) {
        const p = await pass();
        log(`round ${r + 1} ${p.path}: ${p.essaysPerSecond.toFixed(2)} essays/s`);
        passes.push(p);
      }
    }
  } finally {
    await running.shutdown();
    await components.close();
    await Deno.remove(tmp, { recursive: true });
  }
  const report = {
    benchmark: "offload-original-client",
    generated_utc: new Date().toISOString(),
    csv: flags.csv,
    essays: n,
    repeats: flags.repeats,
    in_flight: flags.inFlight,
    machine: {
      cores: navigator.hardwareConcurrency,
      load_average_1m_start: loadStart,
      load_average_1m_end: Deno.loadavg()[0],
      deno: Deno.version.deno,
    },
    summary: summarisePasses(passes),
    passes,
  };
  await Deno.mkdir(flags.out, { recursive: true });
  const jsonPath = join(flags.out, "offload_original_client.json");
  await writeTextAtomic(jsonPath, JSON.stringify(report, null, 2) + "\n");
  await writeTextAtomic(join(flags.out, "offload_original_client.md"), renderMarkdown(report));
  log(`wrote ${jsonPath} and offload_original_client.md`);
  return jsonPath;
}

/** The Markdown report: the verdict, then every pass. */
export function renderMarkdown(r: {
  csv: string;
  essays: number;
  repeats: number;
  in_flight: number;
  generated_utc: string;
  machine: { cores: number; load_average_1m_start: number; load_average_1m_end: number };
  summary: OriginalClientSummary;
  passes: readonly PassResult[];
}): string {
  const s = r.summary;
  const lines = [
    "# Offload server under the original client vs local extraction",
    "",
    `Generated ${r.generated_utc} on ${r.machine.cores} cores; load average (1 min) ` +
    `${r.machine.load_average_1m_start.toFixed(1)} → ${
      r.machine.load_average_1m_end.toFixed(1)
    }. ` +
    `Data: \`${r.csv}\`, ${r.essays} essays, feature set combined, no caches. ` +
    `The server runs \`--feature-schema original\` on the same extractor and workers as the ` +
    `local passes; the client is \`lib/bench/python/original_client_load.py\` (the original ` +
    `client's chunking: ≤ 64 items and 900,000 bytes a request, ${r.in_flight} in flight). ` +
    `${r.repeats} rounds, alternating which path goes first.`,
    "",
    `**Server under the original client: ${s.serverEssaysPerSecond.toFixed(2)} essays/s; local: ` +
    `${s.localEssaysPerSecond.toFixed(2)} essays/s; ratio ${s.ratio.toFixed(3)} — ` +
    `${s.withinTenPercent ? "within" : "NOT within"} 10 %.** Local in the client's chunking: ` +
    `${s.localChunkedEssaysPerSecond.toFixed(2)} essays/s (server against this one is the ` +
    "protocol's own cost, without the call pattern's).",
    "",
    "| path | wall s | essays/s | CPU-s/essay (this process) | CPU-s/essay (Python client) |",
    "|---|---:|---:|---:|---:|",
  ];
  for (const p of r.passes) {
    lines.push(
      `| ${p.path} | ${p.seconds.toFixed(2)} | ${p.essaysPerSecond.toFixed(2)} | ` +
        `${p.cpuSecondsPerEssay.toFixed(3)} | ${
          p.clientCpuSecondsPerEssay === null ? "–" : p.clientCpuSecondsPerEssay.toFixed(4)
        } |`,
    );
  }
  return lines.join("\n") + "\n";
}
