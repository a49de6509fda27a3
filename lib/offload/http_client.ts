/**
 * The offload client's HTTP core (undici): one pooled `Agent` per client, bounded concurrency,
 * a per-attempt timeout, and retries with seeded, jittered exponential backoff on timeouts, 5xx
 * and connection errors — never on 4xx. After the retry budget the call fails with an
 * `OffloadRequestError` naming the URL, the attempts and the last error. Every attempt is counted
 * in the shared `OffloadMetricsCollector` (requests, timeouts, HTTP errors, connection errors,
 * retries, latencies per service).
 *
 * @module
 */
import { Agent, request } from "undici";
import seedrandom from "seedrandom";
import { HEADERS } from "./protocol.ts";
import { BoundedSemaphore } from "./semaphore.ts";
import { OffloadMetricsCollector, type OffloadService } from "./offload_metrics.ts";

/** Options of an `OffloadHttpClient`. */
export interface OffloadHttpClientOptions {
  /** Service base URL, e.g. `http://127.0.0.1:19000` (a trailing slash is ignored). */
  readonly baseUrl: string;
  /** Bearer token sent as `Authorization: Bearer …`. */
  readonly token?: string;
  /** Per-attempt timeout in ms (default 300,000). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (default 6: with the default backoff, 15–30 s in all, enough to ride out a server restart). */
  readonly maxRetries?: number;
  /** First backoff ceiling in ms (default 500); doubles per retry. */
  readonly backoffBaseMs?: number;
  /** Largest backoff ceiling in ms (default 15,000). */
  readonly backoffMaxMs?: number;
  /** Requests in flight at once (default 2); also the pool's connection count. */
  readonly maxConcurrency?: number;
  /** Where attempts are counted (default: a private collector). */
  readonly collector?: OffloadMetricsCollector;
  /** Seed of the backoff jitter (default 42). */
  readonly seed?: number;
  /** Log sink for retries (default: none). */
  readonly log?: (line: string) => void;
}

/** Body of a request: JSON or form-encoded. */
export type RequestBody =
  | { readonly json: unknown }
  | { readonly form: URLSearchParams }
  | undefined;

/** A successful (2xx) response. */
export interface OffloadResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON, or the raw bytes when the request asked for `expect: "bytes"`. */
  readonly body: unknown;
  readonly seconds: number;
}

/** How to read a 2xx body: parsed JSON (default) or raw bytes (zip, `.npy`). */
export type ResponseKind = "json" | "bytes";

/** A 4xx answer: not retried. */
export class OffloadHttpError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly errorCode: string,
    readonly detail: string,
    readonly correlationId: string,
  ) {
    super(
      `${url} answered HTTP ${status} ${errorCode}: ${detail} (correlation id ${correlationId})`,
    );
    this.name = "OffloadHttpError";
  }
}

/** The retry budget is spent. */
export class OffloadRequestError extends Error {
  constructor(
    readonly url: string,
    readonly attempts: number,
    readonly lastError: string,
    readonly kind: "timeout" | "http_error" | "connection_error",
  ) {
    super(`${url} failed after ${attempts} attempt(s); last error (${kind}): ${lastError}`);
    this.name = "OffloadRequestError";
  }
}

/** Why an attempt failed in a way a retry may fix. */
interface AttemptFailure {
  readonly kind: OffloadRequestError["kind"];
  readonly message: string;
  /** The server's `Retry-After`, in ms (0 when absent). */
  readonly retryAfterMs: number;
}

/** Pooled, retrying JSON/form HTTP client for one offload service base URL. */
export class OffloadHttpClient {
  readonly baseUrl: string;
  readonly collector: OffloadMetricsCollector;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly #agent: Agent;
  readonly #semaphore: BoundedSemaphore;
  readonly #rng: () => number;
  readonly #opts: OffloadHttpClientOptions;

  constructor(options: OffloadHttpClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new Error(`offload service URL is not a URL: "${options.baseUrl}"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new Error(`offload service URL must be http(s): "${options.baseUrl}"`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#opts = options;
    this.collector = options.collector ?? new OffloadMetricsCollector();
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.maxRetries = options.maxRetries ?? 6;
    const concurrency = options.maxConcurrency ?? 2;
    this.#semaphore = new BoundedSemaphore(concurrency);
    this.#agent = new Agent({
      connections: concurrency,
      keepAliveTimeout: 30_000,
      // The precise per-attempt timeout is the AbortSignal below; these are backstops.
      headersTimeout: this.timeoutMs + 5_000,
      bodyTimeout: this.timeoutMs + 5_000,
      connect: { timeout: Math.min(this.timeoutMs, 10_000) },
    });
    this.#rng = seedrandom(String(options.seed ?? 42));
  }

  /** GET `path` with retries; returns the parsed JSON body. */
  get(service: OffloadService, path: string, signal?: AbortSignal): Promise<OffloadResponse> {
    return this.send(service, "GET", path, undefined, signal);
  }

  /** POST JSON to `path` with retries. */
  postJson(
    service: OffloadService,
    path: string,
    json: unknown,
    signal?: AbortSignal,
  ): Promise<OffloadResponse> {
    return this.send(service, "POST", path, { json }, signal);
  }

  /** POST JSON to `path` with retries; the 2xx body is returned as raw bytes (`Uint8Array`). */
  postJsonForBytes(
    service: OffloadService,
    path: string,
    json: unknown,
    signal?: AbortSignal,
  ): Promise<OffloadResponse & { readonly body: Uint8Array }> {
    return this.send(service, "POST", path, { json }, signal, "bytes") as Promise<
      OffloadResponse & { readonly body: Uint8Array }
    >;
  }

  /** POST a form (application/x-www-form-urlencoded) to `path` with retries. */
  postForm(
    service: OffloadService,
    path: string,
    form: URLSearchParams,
    signal?: AbortSignal,
  ): Promise<OffloadResponse> {
    return this.send(service, "POST", path, { form }, signal);
  }

  /** Send one logical request: up to `maxRetries + 1` attempts. */
  async send(
    service: OffloadService,
    method: "GET" | "POST",
    path: string,
    body: RequestBody,
    signal?: AbortSignal,
    expect: ResponseKind = "json",
  ): Promise<OffloadResponse> {
    const url = `${this.baseUrl}${path}`;
    const counters = this.collector.service(service);
    const correlationId = crypto.randomUUID();
    const { headers, payload } = this.#prepare(body, expect, correlationId);
    let failure: AttemptFailure = { kind: "connection_error", message: "", retryAfterMs: 0 };
    const attempts = this.maxRetries + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      signal?.throwIfAborted();
      const release = await this.#semaphore.acquire();
      counters.requests++;
      try {
        const outcome = await this.#attempt(
          { url, method, headers, payload, expect, correlationId },
          counters,
          signal,
        );
        if ("response" in outcome) return outcome.response;
        failure = outcome.failure;
      } catch (e) {
        if (e instanceof OffloadHttpError) throw e;
        if (signal?.aborted) throw signal.reason ?? e;
        failure = this.#failureOf(e, counters);
      } finally {
        release();
      }
      if (attempt < attempts) {
        counters.retries++;
        const ceiling = Math.min(
          this.#opts.backoffMaxMs ?? 15_000,
          (this.#opts.backoffBaseMs ?? 500) * 2 ** (attempt - 1),
        );
        const delay = Math.max(
          failure.retryAfterMs,
          Math.round(ceiling * (0.5 + 0.5 * this.#rng())),
        );
        this.#opts.log?.(
          `offload ${method} ${url}: attempt ${attempt}/${attempts} failed (${failure.kind}: ${failure.message}); retrying in ${delay} ms`,
        );
        await sleep(delay, signal);
      }
    }
    throw new OffloadRequestError(`${method} ${url}`, attempts, failure.message, failure.kind);
  }

  /** Request headers and the encoded body. */
  #prepare(
    body: RequestBody,
    expect: ResponseKind,
    correlationId: string,
  ): { headers: Record<string, string>; payload?: string } {
    const headers: Record<string, string> = {
      accept: expect === "json" ? "application/json" : "*/*",
      [HEADERS.correlationId]: correlationId,
    };
    if (this.#opts.token) headers.authorization = `Bearer ${this.#opts.token}`;
    if (body && "json" in body) {
      headers["content-type"] = "application/json";
      return { headers, payload: JSON.stringify(body.json) };
    }
    if (body && "form" in body) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      return { headers, payload: body.form.toString() };
    }
    return { headers };
  }

  /**
   * One attempt: the response when it succeeded, the failure when a retry may help (5xx), or an
   * {@link OffloadHttpError} thrown when it will not (4xx, a 2xx whose JSON does not parse).
   */
  async #attempt(
    req: {
      readonly url: string;
      readonly method: "GET" | "POST";
      readonly headers: Record<string, string>;
      readonly payload?: string;
      readonly expect: ResponseKind;
      readonly correlationId: string;
    },
    counters: ReturnType<OffloadMetricsCollector["service"]>,
    signal?: AbortSignal,
  ): Promise<{ response: OffloadResponse } | { failure: AttemptFailure }> {
    const { url, correlationId } = req;
    const t0 = performance.now();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const res = await request(url, {
      method: req.method,
      headers: req.headers,
      body: req.payload,
      dispatcher: this.#agent,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const bytes = new Uint8Array(await res.body.arrayBuffer());
    const seconds = (performance.now() - t0) / 1000;
    counters.latencies.push(seconds);
    const headers = flattenHeaders(res.headers);
    const status = res.statusCode;
    const ok = status >= 200 && status < 300;
    if (ok && req.expect === "bytes") {
      return { response: { status, headers, body: bytes, seconds } };
    }
    const text = new TextDecoder().decode(bytes);
    if (ok) {
      try {
        return {
          response: { status, headers, body: text === "" ? null : JSON.parse(text), seconds },
        };
      } catch {
        counters.httpError++;
        throw new OffloadHttpError(
          url,
          status,
          "invalid_response",
          `response body is not JSON: ${text.slice(0, 200)}`,
          correlationId,
        );
      }
    }
    counters.httpError++;
    const { code, detail } = errorFields(text);
    if (status < 500) throw new OffloadHttpError(url, status, code, detail, correlationId);
    const ra = Number(headers["retry-after"]);
    return {
      failure: {
        kind: "http_error",
        message: `HTTP ${status} ${code}: ${detail}`,
        retryAfterMs: Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, 30_000) : 0,
      },
    };
  }

  /** The failure of an attempt that threw (timeout or connection error), counted. */
  #failureOf(
    e: unknown,
    counters: ReturnType<OffloadMetricsCollector["service"]>,
  ): AttemptFailure {
    if (isTimeout(e)) {
      counters.timeout++;
      return {
        kind: "timeout",
        message: `no complete response within ${this.timeoutMs} ms`,
        retryAfterMs: 0,
      };
    }
    counters.connectionError++;
    return { kind: "connection_error", message: describe(e), retryAfterMs: 0 };
  }

  /** Close the connection pool. */
  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

/**
 * Error code and detail of a non-2xx body: the offload envelope `{error, detail}`, the
 * LanguageTool service's `{error: {code, message}}`, or plain text (aiohttp's 404/405/500, a
 * proxy, a stock LanguageTool).
 */
export function errorFields(text: string): { code: string; detail: string } {
  try {
    const b = JSON.parse(text) as { error?: unknown; detail?: unknown; message?: unknown };
    const inner = b && typeof b === "object" ? b.error : undefined;
    if (inner && typeof inner === "object") {
      const e = inner as { code?: unknown; message?: unknown };
      return {
        code: typeof e.code === "string" ? e.code : "error",
        detail: typeof e.message === "string" ? e.message : text.slice(0, 300),
      };
    }
    if (b && typeof b === "object") {
      return {
        code: typeof b.error === "string" ? b.error : "error",
        detail: typeof b.detail === "string"
          ? b.detail
          : typeof b.message === "string"
          ? b.message
          : text.slice(0, 300),
      };
    }
  } catch { /* not JSON: a proxy or a real LanguageTool plain-text error */ }
  return { code: "error", detail: text.slice(0, 300) };
}

function isTimeout(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: string }).code ?? "";
  return e.name === "TimeoutError" || code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT";
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: string }).code;
  const cause = (e as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? ` (cause: ${cause.message})` : "";
  return `${code ? `${code}: ` : ""}${e.message}${causeText}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
