/**
 * Client-side offload metrics: a collector the HTTP client and the disk caches report into, and
 * the builder/writer of `<run>/artifacts/offload_metrics.json` in the runbook's keys:
 * `benchmarks[].essays_per_second`, `offload.<service>.requests.latency_s.{mean,p50,p95,p99}`,
 * `offload.<service>.cache.hit_rate`, `requests_timeout`, `requests_http_error`,
 * `requests_connection_error`, and `requests_invalid_answer` (malformed answers refused).
 *
 * Services: `extract` (`/v1/extract`, the `--backend hemma` path), `embedding` (`/v1/embed`,
 * `--embedding-service-url`) and `language_tool` (`/v2/check`, `--language-tool-service-url`).
 * In `--backend hemma` mode only `extract` is used, so the other two report zero requests.
 *
 * @module
 */
import { dirname, join } from "node:path";

/** The services the client talks to. */
export const OFFLOAD_SERVICES = ["extract", "embedding", "language_tool"] as const;
/** A service name. */
export type OffloadService = (typeof OFFLOAD_SERVICES)[number];

/** One throughput measurement (e.g. one extraction call of a step). */
export interface BenchmarkRecord {
  readonly name: string;
  readonly essays: number;
  readonly seconds: number;
}

/** Latency summary in seconds (`null` when nothing was measured). */
export interface LatencySummary {
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

/** Per-service section of `offload_metrics.json`. */
export interface ServiceMetrics {
  readonly requests: {
    readonly count: number;
    readonly latency_s: LatencySummary;
    readonly timeout: number;
    readonly http_error: number;
    readonly connection_error: number;
    readonly retries: number;
    /** Answers refused as malformed (row count, width, value types); never cached. */
    readonly invalid_answer: number;
  };
  readonly cache: {
    readonly hits: number;
    readonly misses: number;
    readonly corrupt: number;
    /** hits / (hits + misses); `null` when the cache was not consulted. */
    readonly hit_rate: number | null;
  };
}

/** The whole `offload_metrics.json`. */
/** Which Tier 1 checker `--checker` resolved to (local backend), and why. */
export interface CheckerRecord {
  readonly mode: string;
  readonly kind: string;
  /** The LanguageTool language code checked in (`en-US`, `sv`). */
  readonly language?: string;
  readonly reason: string;
}

export interface OffloadMetrics {
  readonly schema_version: 1;
  readonly generated_utc: string;
  readonly backend: string;
  /** The Tier 1 checker of local extraction (absent for `--backend hemma`). */
  readonly checker?: CheckerRecord;
  readonly benchmarks: readonly (BenchmarkRecord & { readonly essays_per_second: number })[];
  readonly offload: Readonly<Record<OffloadService, ServiceMetrics>>;
  readonly requests_total: number;
  readonly retries: number;
  readonly requests_timeout: number;
  readonly requests_http_error: number;
  readonly requests_connection_error: number;
  /** Malformed answers (all services), refused and not cached. */
  readonly requests_invalid_answer: number;
}

interface ServiceCounters {
  latencies: number[];
  requests: number;
  timeout: number;
  httpError: number;
  connectionError: number;
  retries: number;
  /** Malformed answers refused (see `answer_validation.ts`). */
  invalidAnswer: number;
  hits: number;
  misses: number;
  corrupt: number;
}

/** Mutable counters shared by the offload clients and caches of one run. */
export class OffloadMetricsCollector {
  readonly #services = new Map<OffloadService, ServiceCounters>();
  readonly #benchmarks: BenchmarkRecord[] = [];

  /** Counters of one service (created on first use). */
  service(name: OffloadService): ServiceCounters {
    let s = this.#services.get(name);
    if (!s) {
      s = {
        latencies: [],
        requests: 0,
        timeout: 0,
        httpError: 0,
        connectionError: 0,
        retries: 0,
        invalidAnswer: 0,
        hits: 0,
        misses: 0,
        corrupt: 0,
      };
      this.#services.set(name, s);
    }
    return s;
  }

  /** Record one throughput measurement. */
  addBenchmark(record: BenchmarkRecord): void {
    this.#benchmarks.push({ ...record });
  }

  /** Recorded throughput measurements. */
  benchmarks(): readonly BenchmarkRecord[] {
    return this.#benchmarks;
  }
}

/**
 * Percentile by linear interpolation between closest ranks (numpy's default), over an unsorted
 * sample; `null` for an empty sample.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** Mean and p50/p95/p99 of a latency sample (seconds). */
export function summariseLatencies(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { mean: null, p50: null, p95: null, p99: null };
  let sum = 0;
  for (const v of values) sum += v;
  return {
    mean: sum / values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
  };
}

/**
 * Build the `offload_metrics.json` object from a collector.
 *
 * @example
 * ```ts
 * const c = new OffloadMetricsCollector();
 * c.addBenchmark({ name: "cv_extract", essays: 100, seconds: 20 });
 * buildOffloadMetrics(c, "hemma").benchmarks[0].essays_per_second; // 5
 * ```
 */
export function buildOffloadMetrics(
  collector: OffloadMetricsCollector,
  backend: string,
  options: {
    readonly now?: Date;
    readonly benchmarks?: readonly BenchmarkRecord[];
    readonly checker?: CheckerRecord;
  } = {},
): OffloadMetrics {
  const now = options.now ?? new Date();
  const offload = {} as Record<OffloadService, ServiceMetrics>;
  let total = 0, retries = 0, timeout = 0, httpError = 0, connectionError = 0, invalid = 0;
  for (const name of OFFLOAD_SERVICES) {
    const s = collector.service(name);
    total += s.requests;
    retries += s.retries;
    timeout += s.timeout;
    httpError += s.httpError;
    connectionError += s.connectionError;
    invalid += s.invalidAnswer;
    const lookups = s.hits + s.misses;
    offload[name] = {
      requests: {
        count: s.requests,
        latency_s: summariseLatencies(s.latencies),
        timeout: s.timeout,
        http_error: s.httpError,
        connection_error: s.connectionError,
        retries: s.retries,
        invalid_answer: s.invalidAnswer,
      },
      cache: {
        hits: s.hits,
        misses: s.misses,
        corrupt: s.corrupt,
        hit_rate: lookups === 0 ? null : s.hits / lookups,
      },
    };
  }
  return {
    schema_version: 1,
    generated_utc: now.toISOString(),
    backend,
    ...(options.checker ? { checker: options.checker } : {}),
    benchmarks: [...(options.benchmarks ?? []), ...collector.benchmarks()].map((b) => ({
      ...b,
      essays_per_second: b.seconds > 0 ? b.essays / b.seconds : 0,
    })),
    offload,
    requests_total: total,
    retries,
    requests_timeout: timeout,
    requests_http_error: httpError,
    requests_connection_error: connectionError,
    requests_invalid_answer: invalid,
  };
}

/**
 * Write `offload_metrics.json` into `artifactsDir` atomically (temp file + rename); returns the
 * path written.
 */
export async function writeOffloadMetrics(
  artifactsDir: string,
  metrics: OffloadMetrics,
): Promise<string> {
  const path = join(artifactsDir, "offload_metrics.json");
  await writeTextAtomic(path, JSON.stringify(metrics, null, 2) + "\n");
  return path;
}

/** Write a text file atomically: temp file in the same directory, then rename. */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
