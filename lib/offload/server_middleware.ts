/**
 * Shared middleware of the offload server's route handlers: errors and their envelopes, the
 * bearer-token check, body reading under a size cap, the processing-slot queue (bounded, 503 +
 * `Retry-After` when full, 504 past the request timeout), and metrics (a `prom-client` registry
 * for `/metrics` plus the original server's per-endpoint statistics for `/healthz`).
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import client from "prom-client";
import { BoundedSemaphore } from "./semaphore.ts";
import { EXTRACT_SCHEMA_VERSION } from "./protocol.ts";
import { serviceError } from "./hemma/language_tool.ts";
import { flaskJson } from "./hemma/python_json.ts";

/** Error envelope of a route: the original extract, embed or LanguageTool service shape. */
export type EnvelopeKind = "extract" | "embed" | "check" | "plain";

/** An error answered with a status, a code and a detail. */
export class HttpError extends Error {
  /** Create the error. */
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly headers: Record<string, string> = {},
    /** `details` of a LanguageTool-service envelope. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = "HttpError";
  }
}

/** JSON as aiohttp's `json_response` writes it (Python's default `, `/`: ` separators). */
export function aiohttpJson(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(pyDefaultJson(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

function pyDefaultJson(v: unknown): string {
  // json.dumps defaults: ", " and ": " separators, ASCII-escaped.
  const esc = (s: string) =>
    JSON.stringify(s).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  const w = (x: unknown): string => {
    if (Array.isArray(x)) return `[${x.map(w).join(", ")}]`;
    if (x !== null && typeof x === "object") {
      return `{${
        Object.entries(x).filter(([, y]) => y !== undefined).map(([k, y]) => `${esc(k)}: ${w(y)}`)
          .join(", ")
      }}`;
    }
    if (typeof x === "string") return esc(x);
    if (typeof x === "number" && !Number.isFinite(x)) {
      return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
    }
    return JSON.stringify(x) ?? "null";
  };
  return w(v);
}

/** The error response of `err` in the route's envelope. */
export function errorResponse(kind: EnvelopeKind, err: HttpError, correlationId: string): Response {
  if (kind === "check") {
    const body = serviceError(err.code, err.message, err.details, correlationId);
    return new Response(flaskJson(body), {
      status: err.status,
      headers: { "content-type": "application/json", ...err.headers },
    });
  }
  if (kind === "plain") {
    return new Response(err.message, {
      status: err.status,
      headers: { "content-type": "text/plain; charset=utf-8", ...err.headers },
    });
  }
  const body = kind === "extract"
    ? {
      schema_version: EXTRACT_SCHEMA_VERSION,
      error: err.code,
      detail: err.message,
      correlation_id: correlationId,
      extra: {},
    }
    : { error: err.code, detail: err.message, correlation_id: correlationId };
  return aiohttpJson(err.status, body, err.headers);
}

/** Refuse a request without the bearer token (when one is configured). */
export function checkAuth(request: Request, token: string | undefined): void {
  if (token === undefined) return;
  const header = request.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(header);
  const given = new TextEncoder().encode(m ? m[1].trim() : "");
  const want = new TextEncoder().encode(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new HttpError(
      401,
      "unauthorized",
      m ? "wrong bearer token" : "missing bearer token (Authorization: Bearer <token>)",
      { "WWW-Authenticate": 'Bearer realm="offload"' },
    );
  }
}

/**
 * Read a request body of at most `cap` bytes; `tooLarge()` builds the error for a bigger one
 * (the body is drained up to a bound first, so the client sees the answer, not a reset).
 */
export async function readBody(
  request: Request,
  cap: number,
  tooLarge: () => HttpError,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (!request.body) return new Uint8Array(new ArrayBuffer(0));
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const drainCap = Math.max(cap * 8, 16_000_000);
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total <= cap) chunks.push(value);
    if (total > drainCap) {
      await reader.cancel();
      break;
    }
  }
  if (total > cap || (Number.isFinite(declared) && declared > cap)) throw tooLarge();
  const out = new Uint8Array(new ArrayBuffer(total));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The processing-slot queue: bounded concurrency and waiting room, per-request timeout. */
export class SlotQueue {
  readonly semaphore: BoundedSemaphore;
  /** Create the queue. */
  constructor(maxConcurrency: number, maxQueue: number, readonly timeoutMs: number) {
    this.semaphore = new BoundedSemaphore(maxConcurrency, maxQueue);
  }

  /**
   * Run `work` holding a slot. 503 + `Retry-After: 1` when the waiting room is full; 504 when
   * the timeout (queue wait included) passes — the slot is held until the work really stops.
   */
  async run<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const sem = this.semaphore;
    const pending = sem.tryAcquire();
    if (!pending) {
      throw new HttpError(
        503,
        "overloaded",
        `server busy: ${sem.active} requests running and ${sem.queued} queued`,
        { "Retry-After": "1" },
      );
    }
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new DOMException("request timed out", "TimeoutError"));
        reject(
          new HttpError(
            504,
            "request_timeout",
            `request not finished within ${this.timeoutMs} ms (queue wait included)`,
          ),
        );
      }, this.timeoutMs);
    });
    const task = pending.then(async (release) => {
      try {
        controller.signal.throwIfAborted();
        return await work(controller.signal);
      } finally {
        release();
      }
    });
    try {
      return await Promise.race([task, timeout]);
    } finally {
      clearTimeout(timer);
      task.catch(() => {});
    }
  }
}

interface EndpointStats {
  inFlight: number;
  total: number;
  items: number;
  sum: number;
  recent: number[];
  status: Map<number, number>;
}

/** Linear-interpolation percentile (numpy's default) of sorted values; 0 when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Metrics of the server: the Prometheus registry and per-endpoint statistics. */
export class ServerMetrics {
  readonly registry = new client.Registry();
  readonly started = performance.now();
  readonly #stats = new Map<string, EndpointStats>();
  readonly #requests: client.Counter<"endpoint" | "method" | "status">;
  readonly #errors: client.Counter<"endpoint" | "status" | "error">;
  readonly #latency: client.Histogram<"endpoint">;
  readonly #items: client.Counter<"endpoint">;

  /** Create the registry; `gauges` are read at scrape time. */
  constructor(gauges: Record<string, [string, () => number]>, info: Record<string, string>) {
    const r = [this.registry];
    this.#requests = new client.Counter({
      name: "offload_http_requests_total",
      help: "HTTP requests handled, by endpoint, method and status code.",
      labelNames: ["endpoint", "method", "status"],
      registers: r,
    });
    this.#errors = new client.Counter({
      name: "offload_http_request_errors_total",
      help: "HTTP requests answered with status >= 400, by endpoint, status and error code.",
      labelNames: ["endpoint", "status", "error"],
      registers: r,
    });
    this.#latency = new client.Histogram({
      name: "offload_http_request_duration_seconds",
      help: "Wall time from request arrival to response, by endpoint.",
      labelNames: ["endpoint"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: r,
    });
    this.#items = new client.Counter({
      name: "offload_items_processed_total",
      help: "Texts processed successfully, by endpoint.",
      labelNames: ["endpoint"],
      registers: r,
    });
    for (const [name, [help, read]] of Object.entries(gauges)) {
      new client.Gauge({
        name,
        help,
        registers: r,
        collect() {
          this.set(read());
        },
      });
    }
    const infoGauge = new client.Gauge({
      name: "offload_server_info",
      help: "Constant 1, labelled with the server fingerprint and versions.",
      labelNames: Object.keys(info),
      registers: r,
    });
    infoGauge.set(info, 1);
  }

  #stat(method: string, path: string): EndpointStats {
    const key = `${method} ${path}`;
    let s = this.#stats.get(key);
    if (!s) {
      s = { inFlight: 0, total: 0, items: 0, sum: 0, recent: [], status: new Map() };
      this.#stats.set(key, s);
    }
    return s;
  }

  /** A request started. */
  begin(method: string, path: string): void {
    this.#stat(method, path).inFlight++;
  }

  /** A request finished. */
  end(
    method: string,
    path: string,
    endpoint: string,
    status: number,
    seconds: number,
    errorCode: string,
  ): void {
    const s = this.#stat(method, path);
    s.inFlight--;
    s.total++;
    s.sum += seconds;
    s.recent.push(seconds);
    if (s.recent.length > 20_000) s.recent.shift();
    s.status.set(status, (s.status.get(status) ?? 0) + 1);
    this.#requests.inc({ endpoint, method, status: String(status) });
    if (status >= 400) this.#errors.inc({ endpoint, status: String(status), error: errorCode });
    this.#latency.observe({ endpoint }, seconds);
  }

  /** Items processed by a successful request. */
  items(method: string, path: string, n: number): void {
    this.#stat(method, path).items += n;
    this.#items.inc({ endpoint: path }, n);
  }

  /** The original `/healthz` `metrics` object. */
  healthMetrics(): Record<string, unknown> {
    const keys = [...this.#stats.keys()].sort();
    return {
      uptime_seconds: (performance.now() - this.started) / 1000,
      endpoints: keys.map((k) => {
        const s = this.#stats.get(k)!;
        const [method, endpoint] = k.split(" ");
        const sorted = [...s.recent].sort((a, b) => a - b);
        return {
          method,
          endpoint,
          in_flight: s.inFlight,
          requests_total: s.total,
          items_total: s.items,
          duration_seconds: {
            sum: s.sum,
            mean: s.total > 0 ? s.sum / s.total : 0,
            p50: percentile(sorted, 0.5),
            p95: percentile(sorted, 0.95),
            p99: percentile(sorted, 0.99),
          },
          status_counts: Object.fromEntries(
            [...s.status].sort(([a], [b]) => a - b).map(([c, n]) => [String(c), n]),
          ),
        };
      }),
    };
  }

  /** Counter value (tests). */
  async requestsTotal(labels: { endpoint: string; method: string; status: string }) {
    const m = await this.#requests.get();
    return m.values.find((v) =>
      v.labels.endpoint === labels.endpoint && v.labels.method === labels.method &&
      v.labels.status === labels.status
    )?.value ?? 0;
  }
}
