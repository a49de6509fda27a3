/**
 * The offload benchmark behind notebook `06_offload_benchmark`: essays/s and per-request latency
 * of the `--backend hemma` path (`POST /v1/extract`), one knob at a time, as a run of its own.
 *
 * Against `config.offloadServiceUrl` when set (the real Hemma tunnel), otherwise against an
 * offload server started in this process on a free loopback port with the real local
 * components (what `deno task serve-offload` serves). Client disk caches are off so every
 * repeat does the work. Keeps every request's latency (for histograms), and writes the
 * runbook's `artifacts/offload_metrics.json` (all trials pooled) plus
 * `artifacts/offload_benchmark.json` (every trial). For the full tuning grid use
 * `deno task bench offload`.
 *
 * @module
 */
import type { ExperimentConfig } from "../run/config.ts";
import type { FeatureSet } from "../features/types.ts";
import { withRun } from "../run/run_context.ts";
import { writeJsonAtomic } from "../run/atomic_write.ts";
import { loadEllipseCsv } from "../dataset/ellipse_csv.ts";
import type { EssayInput } from "../features/types.ts";
import { createOffloadFeatureExtractor } from "../offload/client.ts";
import { createLocalServerComponents } from "../offload/local_components.ts";
import { createOffloadServer, startOffloadServer } from "../offload/server.ts";
import {
  buildOffloadMetrics,
  type OffloadMetrics,
  OffloadMetricsCollector,
  percentile,
  writeOffloadMetrics,
} from "../offload/offload_metrics.ts";

/** Settings of one benchmark. */
export interface OffloadBenchmarkSettings {
  /** Essays taken from the start of the train CSV (default 24). */
  readonly essays?: number;
  /** Client concurrencies to try (default [1, 2]). */
  readonly concurrencies?: readonly number[];
  /** Items per request to try (default [8]). */
  readonly itemsPerRequest?: readonly number[];
  /** Repeats per configuration (default 2; the runbook's tuning loop uses 3). */
  readonly repeats?: number;
  /** Feature set requested from the server (default the config's). */
  readonly featureSet?: FeatureSet;
  /**
   * Extraction workers of the in-process server (default 0: extract on the server's thread).
   * Ignored for a remote server.
   */
  readonly workers?: number;
}

/** One timed extraction of all benchmark essays. */
export interface OffloadTrial {
  readonly concurrency: number;
  readonly itemsPerRequest: number;
  readonly repeat: number;
  readonly essays: number;
  readonly seconds: number;
  readonly essaysPerSecond: number;
  /** Seconds of every `/v1/extract` request of this trial. */
  readonly latencies: readonly number[];
  readonly errors: number;
}

/** Medians of one configuration's repeats. */
export interface OffloadConfigSummary {
  readonly concurrency: number;
  readonly itemsPerRequest: number;
  readonly medianEssaysPerSecond: number;
  readonly minEssaysPerSecond: number;
  readonly maxEssaysPerSecond: number;
  readonly p50LatencyS: number | null;
  readonly p95LatencyS: number | null;
  readonly errorRate: number;
}

/** What the benchmark produced. */
export interface OffloadBenchmarkResult {
  readonly runDir: string;
  readonly serverUrl: string;
  /** `local in-process server` or `remote`. */
  readonly server: "local in-process server" | "remote";
  readonly serverFingerprint: string;
  readonly featureSet: FeatureSet;
  readonly trials: readonly OffloadTrial[];
  readonly summaries: readonly OffloadConfigSummary[];
  readonly metrics: OffloadMetrics;
  readonly metricsPath: string;
}

/**
 * Median / extremes of each configuration's trials, in first-seen order (pure).
 *
 * @example
 * ```ts
 * summariseOffloadTrials(result.trials)[0].medianEssaysPerSecond;
 * ```
 */
export function summariseOffloadTrials(trials: readonly OffloadTrial[]): OffloadConfigSummary[] {
  const groups = new Map<string, OffloadTrial[]>();
  for (const t of trials) {
    const key = `${t.concurrency}/${t.itemsPerRequest}`;
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  return [...groups.values()].map((list) => {
    const rates = list.map((t) => t.essaysPerSecond);
    const latencies = list.flatMap((t) => t.latencies);
    const requests = latencies.length + list.reduce((a, t) => a + t.errors, 0);
    return {
      concurrency: list[0].concurrency,
      itemsPerRequest: list[0].itemsPerRequest,
      medianEssaysPerSecond: percentile(rates, 50) ?? 0,
      minEssaysPerSecond: Math.min(...rates),
      maxEssaysPerSecond: Math.max(...rates),
      p50LatencyS: percentile(latencies, 50),
      p95LatencyS: percentile(latencies, 95),
      errorRate: requests === 0 ? 0 : list.reduce((a, t) => a + t.errors, 0) / requests,
    };
  });
}

/**
 * Run the benchmark as a run (command `notebook:offload-benchmark`) on the config's train CSV.
 *
 * @example
 * ```ts
 * const r = await runOffloadBenchmark(config, { essays: 16, concurrencies: [1, 2] });
 * r.summaries.map((s) => s.medianEssaysPerSecond);
 * ```
 */
export async function runOffloadBenchmark(
  config: ExperimentConfig,
  settings: OffloadBenchmarkSettings = {},
): Promise<OffloadBenchmarkResult> {
  const nEssays = settings.essays ?? 24;
  const concurrencies = settings.concurrencies ?? [1, 2];
  const batches = settings.itemsPerRequest ?? [8];
  const repeats = settings.repeats ?? 2;
  const featureSet = settings.featureSet ?? config.featureSet;
  const lists: [string, readonly number[]][] = [
    ["concurrencies", concurrencies],
    ["itemsPerRequest", batches],
  ];
  for (const [name, list] of lists) {
    if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new Error(`${name} must be positive integers, got [${list.join(", ")}]`);
    }
  }
  if (
    !(Number.isInteger(nEssays) && nEssays >= 1) || !(Number.isInteger(repeats) && repeats >= 1)
  ) {
    throw new Error(`essays and repeats must be positive integers, got ${nEssays}, ${repeats}`);
  }
  const { result } = await withRun(
    {
      command: "notebook:offload-benchmark",
      config,
      inputPaths: [config.ellipseTrainPath],
      echo: false,
    },
    async (run) => {
      const essays: EssayInput[] = await run.stage(
        "load_essays",
        async () =>
          (await loadEllipseCsv(config.ellipseTrainPath, "train")).slice(0, nEssays)
            .map((e) => ({ id: e.id, text: e.text, prompt: e.prompt })),
      );
      const log = (line: string) => run.log.info(`offload: ${line}`);
      let serverUrl = config.offloadServiceUrl;
      let shutdown = async () => {};
      if (serverUrl === undefined) {
        const components = await run.stage(
          "start_local_server",
          () => createLocalServerComponents({ log, workers: settings.workers ?? 0 }),
        );
        const running = startOffloadServer(createOffloadServer({ ...components, log }), {
          port: 0,
        });
        serverUrl = running.url;
        shutdown = async () => {
          await running.shutdown();
          await components.close();
        };
      }
      const pooled = new OffloadMetricsCollector();
      const trials: OffloadTrial[] = [];
      let fingerprint = "";
      try {
        await run.stage("warm_up", async () => {
          const warm = await createOffloadFeatureExtractor({
            baseUrl: serverUrl!,
            useCache: false,
          });
          fingerprint = warm.fingerprint;
          await warm.extract(essays.slice(0, Math.min(4, essays.length)), { featureSet });
          await warm.close();
        });
        await run.stage("measure", async () => {
          for (const concurrency of concurrencies) {
            for (const itemsPerRequest of batches) {
              for (let repeat = 0; repeat < repeats; repeat++) {
                const collector = new OffloadMetricsCollector();
                const client = await createOffloadFeatureExtractor({
                  baseUrl: serverUrl!,
                  useCache: false,
                  collector,
                  maxConcurrency: concurrency,
                  maxItemsPerRequest: itemsPerRequest,
                });
                const t0 = performance.now();
                try {
                  await client.extract(essays, { featureSet });
                } finally {
                  await client.close();
                }
                const seconds = (performance.now() - t0) / 1000;
                const s = collector.service("extract");
                const p = pooled.service("extract");
                p.latencies.push(...s.latencies);
                p.requests += s.requests;
                p.timeout += s.timeout;
                p.httpError += s.httpError;
                p.connectionError += s.connectionError;
                p.retries += s.retries;
                pooled.addBenchmark({
                  name: `extract c=${concurrency} items/request=${itemsPerRequest} #${repeat}`,
                  essays: essays.length,
                  seconds,
                });
                trials.push({
                  concurrency,
                  itemsPerRequest,
                  repeat,
                  essays: essays.length,
                  seconds,
                  essaysPerSecond: essays.length / seconds,
                  latencies: [...s.latencies],
                  errors: s.timeout + s.httpError + s.connectionError,
                });
                log(
                  `c=${concurrency} items/request=${itemsPerRequest} #${repeat}: ` +
                    `${(essays.length / seconds).toFixed(2)} essays/s`,
                );
              }
            }
          }
        });
      } finally {
        await shutdown();
      }
      const metrics = buildOffloadMetrics(pooled, "hemma");
      const metricsPath = await writeOffloadMetrics(run.artifactPath(), metrics);
      const summaries = summariseOffloadTrials(trials);
      await writeJsonAtomic(run.artifactPath("offload_benchmark.json"), {
        server_url: serverUrl,
        server_fingerprint: fingerprint,
        feature_set: featureSet,
        trials,
        summaries,
      });
      return {
        runDir: run.dir,
        serverUrl: serverUrl!,
        server: config.offloadServiceUrl === undefined
          ? "local in-process server" as const
          : "remote" as const,
        serverFingerprint: fingerprint,
        featureSet,
        trials,
        summaries,
        metrics,
        metricsPath,
      };
    },
  );
  return result;
}
