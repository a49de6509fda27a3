/**
 * `deno task bench offload`: throughput of the Hemma offload path against a local server, as the
 * runbook's tuning loop describes — one knob at a time, 3 repeats, medians, and p95 latency and
 * error rate beside essays/s.
 *
 * Part A (`/v1/extract`, the `--backend hemma` path): client concurrency × items per request.
 * Part B (`/v1/embed`): server encoder batch size (`OFFLOAD_EMBEDDING_BATCH_SIZE`) × client
 * concurrency, on the essays' sentences.
 *
 * The server runs in this process on a free loopback port with the real local extractor, checker
 * and encoder (what `deno task serve-offload` serves); client caches are off so every repeat does
 * the work. Results: `output/bench/offload_bench.json` and `.md`.
 *
 * Flags: `--csv PATH` (default the embedded train CSV), `--limit N` essays (default 64),
 * `--concurrency 1,2,4`, `--items-per-request 8,32,64`, `--embed-batch-sizes 8,32,64`,
 * `--repeats 3`, `--feature-set combined`, `--out output/bench`, `--workers N` (server-side
 * extraction workers; default the local extractor's, 0 = on the server's main thread).
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadEllipseCsv } from "../dataset/ellipse_csv.ts";
import type { EssayInput } from "../features/types.ts";
import { FEATURE_SETS, type FeatureSet } from "../features/types.ts";
import { createOffloadFeatureExtractor, createRemoteEncoder } from "../offload/client.ts";
import { createLocalServerComponents } from "../offload/local_components.ts";
import {
  OffloadMetricsCollector,
  type OffloadService,
  percentile,
  writeTextAtomic,
} from "../offload/offload_metrics.ts";
import { createOffloadServer, startOffloadServer } from "../offload/server.ts";

/** One measured repeat. */
export interface RepeatResult {
  readonly seconds: number;
  readonly itemsPerSecond: number;
  readonly p95LatencyS: number | null;
  readonly requests: number;
  readonly errors: number;
}

/** One configuration with its repeats and medians. */
export interface ConfigResult {
  readonly part: "extract" | "embed";
  readonly concurrency: number;
  /** Items per request (extract) or server encoder batch size (embed). */
  readonly batch: number;
  readonly items: number;
  readonly repeats: readonly RepeatResult[];
  readonly medianItemsPerSecond: number;
  readonly medianP95LatencyS: number | null;
  readonly errorRate: number;
}

function median(xs: readonly number[]): number {
  return percentile(xs, 50) ?? Number.NaN;
}

function list(raw: string): number[] {
  const out = raw.split(",").map((s) => Number(s.trim()));
  if (out.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`expected a comma-separated list of positive integers, got "${raw}"`);
  }
  return out;
}

function summarise(
  part: ConfigResult["part"],
  concurrency: number,
  batch: number,
  items: number,
  repeats: RepeatResult[],
): ConfigResult {
  const p95s = repeats.map((r) => r.p95LatencyS).filter((x): x is number => x !== null);
  const requests = repeats.reduce((a, r) => a + r.requests, 0);
  const errors = repeats.reduce((a, r) => a + r.errors, 0);
  return {
    part,
    concurrency,
    batch,
    items,
    repeats,
    medianItemsPerSecond: median(repeats.map((r) => r.itemsPerSecond)),
    medianP95LatencyS: p95s.length ? median(p95s) : null,
    errorRate: requests > 0 ? errors / requests : 0,
  };
}

function repeatFrom(
  collector: OffloadMetricsCollector,
  service: OffloadService,
  items: number,
  seconds: number,
): RepeatResult {
  const s = collector.service(service);
  return {
    seconds,
    itemsPerSecond: items / seconds,
    p95LatencyS: percentile(s.latencies, 95),
    requests: s.requests,
    errors: s.timeout + s.httpError + s.connectionError,
  };
}

/** Split essays into sentences (rough: on . ! ? followed by space) for the embed benchmark. */
function sentencesOf(essays: readonly EssayInput[], max: number): string[] {
  const out: string[] = [];
  for (const e of essays) {
    for (const s of e.text.split(/(?<=[.!?])\s+/)) {
      if (s.trim().length > 0) out.push(s.trim());
      if (out.length >= max) return out;
    }
  }
  return out;
}

/** `bench offload` flags (`deno task bench offload --help` prints them). */
export const OFFLOAD_BENCH_OPTIONS = {
  csv: { type: "string", default: "data/embedded/ellipse_embedded_train.csv" },
  limit: { type: "string", default: "64" },
  concurrency: { type: "string", default: "1,2,4" },
  "items-per-request": { type: "string", default: "8,32,64" },
  "embed-batch-sizes": { type: "string", default: "8,32,64" },
  "embed-sentences": { type: "string", default: "512" },
  repeats: { type: "string", default: "3" },
  "feature-set": { type: "string", default: "combined" },
  out: { type: "string", default: "output/bench" },
  workers: { type: "string" },
} as const;

/** What each `bench offload` flag does. */
export const OFFLOAD_BENCH_HELP: Readonly<Record<keyof typeof OFFLOAD_BENCH_OPTIONS, string>> = {
  csv: "essays CSV",
  limit: "essays used",
  concurrency: "client requests in flight, comma-separated",
  "items-per-request": "essays per request, comma-separated",
  "embed-batch-sizes": "encoder batch sizes, comma-separated",
  "embed-sentences": "sentences for the encoder batch-size sweep",
  repeats: "timed repeats",
  "feature-set": "handcrafted | embeddings | combined",
  out: "output directory",
  workers: "server-side extraction workers (default the local extractor's; 0 = main thread)",
};

/** Run the benchmark with command-line `args`; returns the path of the JSON written. */
export async function runOffloadBench(args: readonly string[]): Promise<string> {
  const { values } = parseArgs({
    args: [...args],
    options: OFFLOAD_BENCH_OPTIONS,
    strict: true,
  });
  const featureSet = values["feature-set"] as FeatureSet;
  if (!FEATURE_SETS.includes(featureSet)) {
    throw new Error(`--feature-set must be one of ${FEATURE_SETS.join(", ")}`);
  }
  const limit = list(values.limit)[0];
  const concurrencies = list(values.concurrency);
  const batches = list(values["items-per-request"]);
  const embedBatches = list(values["embed-batch-sizes"]);
  const repeats = list(values.repeats)[0];
  const essays: EssayInput[] = (await loadEllipseCsv(values.csv, "train"))
    .slice(0, limit)
    .map((e) => ({ id: e.id, text: e.text, prompt: e.prompt }));
  const sentences = sentencesOf(essays, list(values["embed-sentences"])[0]);
  const log = (line: string) => console.error(`[bench offload] ${line}`);
  log(`${essays.length} essays from ${values.csv}; feature set ${featureSet}`);

  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) {
    throw new Error(`--workers must be a non-negative integer, got "${values.workers}"`);
  }
  const loadStart = Deno.loadavg();
  const components = await createLocalServerComponents({ log, workers });
  const results: ConfigResult[] = [];
  try {
    // Part A: /v1/extract
    const server = createOffloadServer({ ...components, limits: { maxQueue: 256 }, log });
    const running = startOffloadServer(server, { port: 0 });
    try {
      log(`server ${running.url}, fingerprint ${server.fingerprint.slice(0, 16)}; warm-up`);
      const warm = await createOffloadFeatureExtractor({ baseUrl: running.url, useCache: false });
      await warm.extract(essays.slice(0, Math.min(16, essays.length)), { featureSet });
      await warm.close();
      for (const concurrency of concurrencies) {
        for (const batch of batches) {
          const reps: RepeatResult[] = [];
          for (let r = 0; r < repeats; r++) {
            const collector = new OffloadMetricsCollector();
            const client = await createOffloadFeatureExtractor({
              baseUrl: running.url,
              useCache: false,
              collector,
              maxConcurrency: concurrency,
              maxItemsPerRequest: batch,
            });
            const t0 = performance.now();
            await client.extract(essays, { featureSet });
            const seconds = (performance.now() - t0) / 1000;
            await client.close();
            reps.push(repeatFrom(collector, "extract", essays.length, seconds));
          }
          const res = summarise("extract", concurrency, batch, essays.length, reps);
          log(
            `extract c=${concurrency} items/request=${batch}: ${
              res.medianItemsPerSecond.toFixed(2)
            } essays/s (median of ${repeats}), p95 ${res.medianP95LatencyS?.toFixed(3)} s`,
          );
          results.push(res);
        }
      }
    } finally {
      await running.shutdown();
    }

    // Part B: /v1/embed vs server batch size
    for (const batchSize of embedBatches) {
      const embedServer = createOffloadServer({ ...components, batchSize, log });
      const embedRunning = startOffloadServer(embedServer, { port: 0 });
      try {
        for (const concurrency of concurrencies) {
          const reps: RepeatResult[] = [];
          for (let r = 0; r < repeats; r++) {
            const collector = new OffloadMetricsCollector();
            const encoder = await createRemoteEncoder({
              baseUrl: embedRunning.url,
              useCache: false,
              collector,
              maxConcurrency: concurrency,
            });
            const t0 = performance.now();
            await encoder.embed(sentences);
            const seconds = (performance.now() - t0) / 1000;
            await encoder.close();
            reps.push(repeatFrom(collector, "embedding", sentences.length, seconds));
          }
          const res = summarise("embed", concurrency, batchSize, sentences.length, reps);
          log(
            `embed batch=${batchSize} c=${concurrency}: ${
              res.medianItemsPerSecond.toFixed(1)
            } sentences/s, p95 ${res.medianP95LatencyS?.toFixed(3)} s`,
          );
          results.push(res);
        }
      } finally {
        await embedRunning.shutdown();
      }
    }
  } finally {
    await components.close();
  }

  const report = {
    benchmark: "offload",
    generated_utc: new Date().toISOString(),
    csv: values.csv,
    essays: essays.length,
    sentences: sentences.length,
    feature_set: featureSet,
    repeats,
    server_workers: workers ?? "default",
    server_workers_note: workers === 0
      ? "extraction on the server's main thread (no Web Workers)"
      : "local extractor's Web Workers",
    machine: {
      cores: navigator.hardwareConcurrency,
      load_average_1m_start: loadStart[0],
      load_average_1m_end: Deno.loadavg()[0],
      deno: Deno.version.deno,
      os: Deno.build.os,
    },
    rss_bytes_at_end: Deno.memoryUsage().rss,
    results,
  };
  await Deno.mkdir(values.out, { recursive: true });
  const jsonPath = join(values.out, "offload_bench.json");
  await writeTextAtomic(jsonPath, JSON.stringify(report, null, 2) + "\n");
  await writeTextAtomic(join(values.out, "offload_bench.md"), renderMarkdown(report));
  log(`wrote ${jsonPath} and offload_bench.md`);
  return jsonPath;
}

function renderMarkdown(
  r: {
    csv: string;
    essays: number;
    sentences: number;
    feature_set: string;
    repeats: number;
    generated_utc: string;
    server_workers_note: string;
    machine: {
      cores: number;
      deno: string;
      load_average_1m_start: number;
      load_average_1m_end: number;
    };
    results: readonly ConfigResult[];
  },
): string {
  const fmt = (x: number | null, d: number) => (x === null ? "–" : x.toFixed(d));
  const lines = [
    "# Offload benchmark",
    "",
    `Generated ${r.generated_utc} on ${r.machine.cores} cores (Deno ${r.machine.deno}). ` +
    `Data: \`${r.csv}\`, ${r.essays} essays, feature set \`${r.feature_set}\`; server ` +
    `extraction: ${r.server_workers_note}. ` +
    `Median of ${r.repeats} repeats; server and client on one machine (loopback), client ` +
    `caches off. Load average (1 min) ${r.machine.load_average_1m_start.toFixed(1)} at start, ` +
    `${r.machine.load_average_1m_end.toFixed(1)} at end: figures from a busy machine are ` +
    "lower bounds.",
    "",
    "## /v1/extract (`--backend hemma`): client concurrency × items per request",
    "",
    "| concurrency | items/request | essays/s (median) | p95 latency s (median) | error rate | repeats essays/s |",
    "|---:|---:|---:|---:|---:|---|",
  ];
  for (const c of r.results.filter((x) => x.part === "extract")) {
    lines.push(
      `| ${c.concurrency} | ${c.batch} | ${fmt(c.medianItemsPerSecond, 2)} | ${
        fmt(c.medianP95LatencyS, 3)
      } | ${fmt(c.errorRate, 3)} | ${
        c.repeats.map((x) => x.itemsPerSecond.toFixed(2)).join(", ")
      } |`,
    );
  }
  lines.push(
    "",
    `## /v1/embed: server batch size (OFFLOAD_EMBEDDING_BATCH_SIZE) × client concurrency, ${r.sentences} sentences`,
    "",
    "| batch size | concurrency | sentences/s (median) | p95 latency s (median) | error rate |",
    "|---:|---:|---:|---:|---:|",
  );
  for (const c of r.results.filter((x) => x.part === "embed")) {
    lines.push(
      `| ${c.batch} | ${c.concurrency} | ${fmt(c.medianItemsPerSecond, 1)} | ${
        fmt(c.medianP95LatencyS, 3)
      } | ${fmt(c.errorRate, 3)} |`,
    );
  }
  lines.push(
    "",
    "Tuning rule (runbook): change one knob at a time; stop when p95 latency or error rate rises " +
      "faster than throughput improves.",
    "",
  );
  return lines.join("\n");
}

if (import.meta.main) {
  await runOffloadBench(Deno.args);
}
