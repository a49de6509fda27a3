/**
 * The Hemma offload server as a request handler: `GET /healthz`, `GET /metrics`,
 * `POST /v1/extract`, `POST /v1/embed` and a LanguageTool-compatible `POST /v2/check`, over any
 * `FeatureExtractor`, `ErrorChecker` and `SentenceEncoder` (the CLI `serve.ts` plugs in the local
 * ones). `createOffloadServer` is free of I/O so tests can serve it on a free loopback port;
 * `startOffloadServer` binds it (127.0.0.1 by default) and adds graceful shutdown.
 *
 * Limits (SPEC §4): ≤ 64 items and ≤ 900,000 bytes a request (413), invalid input → 400, missing or
 * wrong bearer token → 401, queue full → 503 + `Retry-After`, a request running past its timeout
 * → 504. Every error body is `{schema_version, error, detail, correlation_id}`; the correlation id
 * is also sent as `X-Correlation-Id` (echoed when the client sent one).
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type {
  ErrorChecker,
  ErrorMatch,
  FeatureExtractor,
  SentenceEncoder,
} from "../features/types.ts";
import { canonicalHash } from "./canonical.ts";
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from "./prometheus.ts";
import {
  EmbedRequestSchema,
  type EmbedResponse,
  encodeMatrix,
  type ErrorBody,
  ExtractRequestSchema,
  type ExtractResponse,
  HEADERS,
  type HealthResponse,
  type Limits,
  MAX_BYTES_PER_REQUEST,
  MAX_ITEMS_PER_REQUEST,
  OFFLOAD_SCHEMA_VERSION,
} from "./protocol.ts";
import { BoundedSemaphore } from "./semaphore.ts";

/** Version of the server implementation (part of the fingerprint). */
export const OFFLOAD_SERVER_VERSION = "1.0.0";

/** Default encoder batch size when `OFFLOAD_EMBEDDING_BATCH_SIZE` is unset. */
export const DEFAULT_EMBEDDING_BATCH_SIZE = 32;

/** Server limits in code form. */
export interface ServerLimits {
  /** Items per request (≤ 64 by the protocol). */
  readonly maxItems: number;
  /** Bytes per request body (≤ 900,000 by the protocol). */
  readonly maxBytes: number;
  /** Requests processed at once. */
  readonly maxConcurrency: number;
  /** Requests waiting for a slot before new ones get 503. */
  readonly maxQueue: number;
  /** Per-request processing timeout (504 after it). */
  readonly requestTimeoutMs: number;
}

/** Defaults: protocol limits, 2 concurrent requests (2 cores), 32 queued, 5 min timeout. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxItems: MAX_ITEMS_PER_REQUEST,
  maxBytes: MAX_BYTES_PER_REQUEST,
  maxConcurrency: 2,
  maxQueue: 32,
  requestTimeoutMs: 300_000,
};

/** What `createOffloadServer` needs. */
export interface OffloadServerOptions {
  readonly extractor: FeatureExtractor;
  readonly checker: ErrorChecker;
  readonly encoder: SentenceEncoder;
  /** Bearer token required on every endpoint but `/healthz` when set. */
  readonly token?: string;
  readonly limits?: Partial<ServerLimits>;
  /** Encoder batch size for `/v1/embed` (default: env `OFFLOAD_EMBEDDING_BATCH_SIZE` or 32). */
  readonly batchSize?: number;
  /** Further options that change the output; folded into the fingerprint. */
  readonly outputOptions?: Readonly<Record<string, unknown>>;
  /** Problems found at start-up (e.g. a failed warm-up); reported by `/healthz` as degraded. */
  readonly problems?: readonly string[];
  /** Log sink for one-line events (default: none). */
  readonly log?: (line: string) => void;
}

/** A ready handler plus what the CLI and tests inspect. */
export interface OffloadServer {
  /** The `Deno.serve` handler. */
  readonly handler: (request: Request) => Promise<Response>;
  /** sha256 over everything that changes the output (see `serverFingerprint`). */
  readonly fingerprint: string;
  readonly limits: ServerLimits;
  readonly batchSize: number;
  /** Prometheus registry behind `/metrics`. */
  readonly registry: MetricsRegistry;
  /** Current `/healthz` body. */
  health(): HealthResponse;
  /** Requests being handled now. */
  inFlight(): number;
}

/** Read `OFFLOAD_EMBEDDING_BATCH_SIZE` (default 32); throws on a non-positive integer. */
export function embeddingBatchSizeFromEnv(
  env: { get(name: string): string | undefined } = Deno.env,
): number {
  const raw = env.get("OFFLOAD_EMBEDDING_BATCH_SIZE");
  if (raw === undefined || raw.trim() === "") return DEFAULT_EMBEDDING_BATCH_SIZE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`OFFLOAD_EMBEDDING_BATCH_SIZE must be a positive integer, got "${raw}"`);
  }
  return n;
}

/**
 * The server fingerprint: sha256 of the canonical JSON of the extractor fingerprint, encoder and
 * checker identity, protocol schema version, server version, runtime versions and any
 * output-changing options. The encoder batch size and the limits are deliberately left out: they
 * change speed, not output.
 */
export function serverFingerprint(
  parts: {
    extractor: FeatureExtractor;
    checker: ErrorChecker;
    encoder: SentenceEncoder;
    outputOptions?: Readonly<Record<string, unknown>>;
  },
): string {
  return canonicalHash({
    schema_version: OFFLOAD_SCHEMA_VERSION,
    server_version: OFFLOAD_SERVER_VERSION,
    extractor: parts.extractor.fingerprint,
    encoder: { name: parts.encoder.name, dimension: parts.encoder.dimension },
    checker: parts.checker.name,
    runtime: { deno: Deno.version.deno, v8: Deno.version.v8 },
    options: parts.outputOptions ?? {},
  });
}

const ENDPOINTS = ["/healthz", "/metrics", "/v1/extract", "/v1/embed", "/v2/check"] as const;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

function zodDetail(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Build the offload server's handler over the given extractor, checker and encoder.
 *
 * @example
 * ```ts
 * const server = createOffloadServer({ extractor, checker, encoder });
 * const http = Deno.serve({ hostname: "127.0.0.1", port: 0 }, server.handler);
 * ```
 */
export function createOffloadServer(options: OffloadServerOptions): OffloadServer {
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  if (limits.maxItems > MAX_ITEMS_PER_REQUEST || limits.maxBytes > MAX_BYTES_PER_REQUEST) {
    throw new Error(
      `server limits may not exceed the protocol's (${MAX_ITEMS_PER_REQUEST} items, ${MAX_BYTES_PER_REQUEST} bytes)`,
    );
  }
  const batchSize = options.batchSize ?? embeddingBatchSizeFromEnv();
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const { extractor, checker, encoder } = options;
  const fingerprint = serverFingerprint(options);
  const log = options.log ?? (() => {});
  const problems = [...(options.problems ?? [])];
  const semaphore = new BoundedSemaphore(limits.maxConcurrency, limits.maxQueue);
  const started = performance.now();
  let inFlight = 0;

  const registry = new MetricsRegistry();
  const requestsTotal = registry.counter(
    "offload_http_requests_total",
    "HTTP requests handled, by endpoint, method and status code.",
    ["endpoint", "method", "status"],
  );
  const errorsTotal = registry.counter(
    "offload_http_request_errors_total",
    "HTTP requests answered with status >= 400, by endpoint, status and error code.",
    ["endpoint", "status", "error"],
  );
  const latency = registry.histogram(
    "offload_http_request_duration_seconds",
    "Wall time from request arrival to response, by endpoint.",
    ["endpoint"],
  );
  const itemsTotal = registry.counter(
    "offload_items_processed_total",
    "Texts processed successfully, by endpoint.",
    ["endpoint"],
  );
  registry.gauge("offload_http_requests_in_flight", "Requests being handled now.", () => inFlight);
  registry.gauge(
    "offload_queue_depth",
    "Requests waiting for a processing slot.",
    () => semaphore.queued,
  );
  registry.gauge(
    "offload_processing_active",
    "Requests holding a processing slot (may include timed-out work still finishing).",
    () => semaphore.active,
  );
  registry.gauge(
    "process_resident_memory_bytes",
    "Resident set size.",
    () => Deno.memoryUsage().rss,
  );
  registry.gauge(
    "process_heap_used_bytes",
    "V8 heap used.",
    () => Deno.memoryUsage().heapUsed,
  );
  registry.gauge(
    "process_heap_total_bytes",
    "V8 heap total.",
    () => Deno.memoryUsage().heapTotal,
  );
  registry.gauge(
    "process_external_memory_bytes",
    "Memory of objects outside the V8 heap (e.g. tensors, wasm).",
    () => Deno.memoryUsage().external,
  );
  registry.gauge("offload_embedding_batch_size", "Encoder batch size.", () => batchSize);
  registry.gauge(
    "offload_uptime_seconds",
    "Seconds since the server was created.",
    () => (performance.now() - started) / 1000,
  );
  const info = registry.counter(
    "offload_server_info",
    "Constant 1, labelled with the server fingerprint and versions.",
    ["fingerprint", "schema_version", "server_version", "encoder", "checker"],
  );
  info.inc({
    fingerprint,
    schema_version: OFFLOAD_SCHEMA_VERSION,
    server_version: OFFLOAD_SERVER_VERSION,
    encoder: encoder.name,
    checker: checker.name,
  });

  function health(): HealthResponse {
    const current = [...problems];
    if (semaphore.saturated) current.push("request queue is full");
    return {
      status: current.length === 0 ? "ok" : "degraded",
      schema_version: OFFLOAD_SCHEMA_VERSION,
      fingerprint,
      server_version: OFFLOAD_SERVER_VERSION,
      models: {
        extractor: { fingerprint: extractor.fingerprint },
        encoder: { name: encoder.name, dimension: encoder.dimension },
        checker: { name: checker.name },
      },
      limits: toWireLimits(limits),
      embedding_batch_size: batchSize,
      in_flight: inFlight,
      queued: semaphore.queued,
      uptime_s: (performance.now() - started) / 1000,
      problems: current,
    };
  }

  function checkAuth(request: Request): void {
    if (options.token === undefined) return;
    const header = request.headers.get("authorization") ?? "";
    const m = /^Bearer\s+(.+)$/i.exec(header);
    const given = new TextEncoder().encode(m ? m[1].trim() : "");
    const want = new TextEncoder().encode(options.token);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      throw new HttpError(
        401,
        "unauthorized",
        m ? "wrong bearer token" : "missing bearer token (Authorization: Bearer <token>)",
        { "WWW-Authenticate": 'Bearer realm="offload"' },
      );
    }
  }

  async function readBody(request: Request): Promise<Uint8Array<ArrayBuffer>> {
    const declared = Number(request.headers.get("content-length") ?? "NaN");
    const tooLarge = (n: number) =>
      new HttpError(
        413,
        "payload_too_large",
        `request body has ${n} bytes; at most ${limits.maxBytes} bytes are accepted`,
      );
    if (!request.body) return new Uint8Array(new ArrayBuffer(0));
    const reader = request.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    // Drain (up to a cap) even when too large, so the client sees the 413, not a reset.
    const drainCap = Math.max(limits.maxBytes * 8, 16_000_000);
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total <= limits.maxBytes) chunks.push(value);
      if (total > drainCap) {
        await reader.cancel();
        break;
      }
    }
    if (total > limits.maxBytes) throw tooLarge(total);
    if (Number.isFinite(declared) && declared > limits.maxBytes) throw tooLarge(declared);
    const out = new Uint8Array(new ArrayBuffer(total));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  async function readJson(request: Request): Promise<unknown> {
    const bytes = await readBody(request);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new HttpError(400, "invalid_encoding", "request body is not valid UTF-8");
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new HttpError(400, "malformed_json", `request body is not JSON: ${errorText(e)}`);
    }
  }

  function checkItemCount(body: unknown, fields: readonly string[]): void {
    if (body === null || typeof body !== "object") return;
    for (const f of fields) {
      const v = (body as Record<string, unknown>)[f];
      if (Array.isArray(v) && v.length > limits.maxItems) {
        throw new HttpError(
          413,
          "too_many_items",
          `${f} has ${v.length} items; at most ${limits.maxItems} are accepted per request`,
        );
      }
    }
  }

  /**
   * Run `work` holding a processing slot. The request timeout covers the wait in the queue and
   * the work; a timed-out request is answered with 504 at once, but its slot is held until its
   * work really stops (a queued one gives its slot back as soon as it gets it).
   */
  async function withSlot<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const pending = semaphore.tryAcquire();
    if (!pending) {
      throw new HttpError(
        503,
        "overloaded",
        `server busy: ${semaphore.active} requests running and ${semaphore.queued} queued`,
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
            `request not finished within ${limits.requestTimeoutMs} ms (queue wait included)`,
          ),
        );
      }, limits.requestTimeoutMs);
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
      task.catch(() => {}); // a rejection after the timeout answer is not unhandled
    }
  }

  async function handleExtract(request: Request): Promise<Response> {
    const raw = await readJson(request);
    checkItemCount(raw, ["texts", "prompts"]);
    const parsed = ExtractRequestSchema.safeParse(raw);
    if (!parsed.success) throw new HttpError(400, "invalid_request", zodDetail(parsed.error));
    const body = parsed.data;
    const t0 = performance.now();
    const result = await withSlot((signal) =>
      extractor.extract(
        body.texts.map((text, i) => ({ id: String(i), text, prompt: body.prompts[i] })),
        { featureSet: body.feature_set, signal },
      )
    );
    const response: ExtractResponse = {
      schema_version: OFFLOAD_SCHEMA_VERSION,
      fingerprint,
      feature_set: body.feature_set,
      n_items: body.texts.length,
      handcrafted: result.handcrafted ? encodeMatrix(result.handcrafted) : undefined,
      embeddings: result.embeddings ? encodeMatrix(result.embeddings) : undefined,
      seconds: (performance.now() - t0) / 1000,
    };
    for (const m of [response.handcrafted, response.embeddings]) {
      if (m && m.rows.length !== body.texts.length) {
        throw new Error(`extractor returned ${m.rows.length} rows for ${body.texts.length} texts`);
      }
    }
    itemsTotal.inc({ endpoint: "/v1/extract" }, body.texts.length);
    return json(200, response);
  }

  async function handleEmbed(request: Request): Promise<Response> {
    const raw = await readJson(request);
    checkItemCount(raw, ["texts"]);
    const parsed = EmbedRequestSchema.safeParse(raw);
    if (!parsed.success) throw new HttpError(400, "invalid_request", zodDetail(parsed.error));
    const { texts } = parsed.data;
    const t0 = performance.now();
    const vectors = await withSlot(async (signal) => {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        signal.throwIfAborted();
        const batch = await encoder.embed(texts.slice(i, i + batchSize));
        for (const v of batch) {
          if (v.length !== encoder.dimension) {
            throw new Error(`encoder returned ${v.length}-d vector, expected ${encoder.dimension}`);
          }
          out.push(Array.from(v));
        }
      }
      return out;
    });
    itemsTotal.inc({ endpoint: "/v1/embed" }, texts.length);
    const response: EmbedResponse = {
      schema_version: OFFLOAD_SCHEMA_VERSION,
      fingerprint,
      model: { name: encoder.name, dimension: encoder.dimension },
      vectors,
      seconds: (performance.now() - t0) / 1000,
    };
    return json(200, response);
  }

  async function handleCheck(request: Request): Promise<Response> {
    const bytes = await readBody(request);
    const type = request.headers.get("content-type") ?? "";
    let params: URLSearchParams;
    if (type.startsWith("multipart/form-data")) {
      const form = await new Response(bytes, { headers: { "content-type": type } }).formData();
      params = new URLSearchParams();
      for (const [k, v] of form) if (typeof v === "string") params.set(k, v);
    } else {
      params = new URLSearchParams(new TextDecoder().decode(bytes));
    }
    for (const [k, v] of new URL(request.url).searchParams) if (!params.has(k)) params.set(k, v);
    const text = params.get("text");
    const language = params.get("language");
    if (text === null) {
      const hint = params.has("data")
        ? " (the 'data' parameter is not supported; send 'text')"
        : "";
      throw new HttpError(400, "invalid_request", `missing form parameter 'text'${hint}`);
    }
    if (language === null || language.trim() === "") {
      throw new HttpError(400, "invalid_request", "missing form parameter 'language'");
    }
    const matches = await withSlot(() => checker.check(text, language));
    itemsTotal.inc({ endpoint: "/v2/check" }, 1);
    return json(200, languageToolResponse(text, language, matches, checker.name));
  }

  async function route(request: Request, path: string): Promise<Response> {
    const method = request.method;
    const need = (m: string) => {
      if (method !== m) {
        throw new HttpError(405, "method_not_allowed", `${path} accepts ${m}, not ${method}`, {
          Allow: m,
        });
      }
    };
    switch (path) {
      case "/healthz":
        need("GET");
        return json(200, health());
      case "/metrics":
        need("GET");
        checkAuth(request);
        return new Response(registry.render(), {
          headers: { "content-type": PROMETHEUS_CONTENT_TYPE },
        });
      case "/v1/extract":
        need("POST");
        checkAuth(request);
        return await handleExtract(request);
      case "/v1/embed":
        need("POST");
        checkAuth(request);
        return await handleEmbed(request);
      case "/v2/check":
        need("POST");
        checkAuth(request);
        return await handleCheck(request);
      default:
        throw new HttpError(
          404,
          "not_found",
          `no endpoint ${path}; endpoints: ${ENDPOINTS.join(", ")}`,
        );
    }
  }

  async function handler(request: Request): Promise<Response> {
    const t0 = performance.now();
    inFlight++;
    const path = new URL(request.url).pathname;
    const endpoint = (ENDPOINTS as readonly string[]).includes(path) ? path : "other";
    const sent = request.headers.get(HEADERS.correlationId);
    const correlationId = sent && CORRELATION_ID.test(sent) ? sent : crypto.randomUUID();
    let response: Response;
    let errorCode = "";
    try {
      response = await route(request, path);
    } catch (e) {
      const err = e instanceof HttpError ? e : new HttpError(500, "internal_error", errorText(e));
      errorCode = err.code;
      if (err.status >= 500) log(`error ${err.status} ${path} [${correlationId}]: ${err.message}`);
      const body: ErrorBody = {
        schema_version: OFFLOAD_SCHEMA_VERSION,
        error: err.code,
        detail: err.message,
        correlation_id: correlationId,
      };
      response = json(err.status, body, err.headers);
    } finally {
      inFlight--;
    }
    response.headers.set(HEADERS.correlationId, correlationId);
    response.headers.set(HEADERS.schemaVersion, OFFLOAD_SCHEMA_VERSION);
    response.headers.set(HEADERS.fingerprint, fingerprint);
    const status = String(response.status);
    requestsTotal.inc({ endpoint, method: request.method, status });
    if (response.status >= 400) errorsTotal.inc({ endpoint, status, error: errorCode });
    latency.observe({ endpoint }, (performance.now() - t0) / 1000);
    return response;
  }

  return {
    handler,
    fingerprint,
    limits,
    batchSize,
    registry,
    health,
    inFlight: () => inFlight,
  };
}

function toWireLimits(l: ServerLimits): Limits {
  return {
    max_items: l.maxItems,
    max_bytes: l.maxBytes,
    max_concurrency: l.maxConcurrency,
    max_queue: Number.isFinite(l.maxQueue) ? l.maxQueue : 1_000_000,
    request_timeout_ms: l.requestTimeoutMs,
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const CATEGORY_NAMES: Readonly<Record<string, string>> = {
  TYPOS: "Possible Typo",
  SPELLING: "Spelling",
  MISSPELLING: "Spelling",
  TYPOGRAPHY: "Typography",
  PUNCTUATION: "Punctuation",
  GRAMMAR: "Grammar",
  CASING: "Capitalization",
  STYLE: "Style",
  CONFUSED_WORDS: "Commonly Confused Words",
  REDUNDANCY: "Redundant Phrases",
  COLLOCATIONS: "Collocations",
  MISC: "Miscellaneous",
};

const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  "en": "English",
  "en-US": "English (US)",
  "en-GB": "English (GB)",
  "en-AU": "English (Australian)",
  "en-CA": "English (Canadian)",
  "en-NZ": "English (New Zealand)",
  "en-ZA": "English (South African)",
};

function issueType(m: ErrorMatch): string {
  const both = `${m.categoryId} ${m.ruleId}`.toUpperCase();
  if (both.includes("PUNCT")) return "typographical";
  if (/TYPOS|SPELL|MISSPELL/.test(both)) return "misspelling";
  if (both.includes("STYLE")) return "style";
  return "grammar";
}

/**
 * Render checker matches as a LanguageTool `/v2/check` JSON response (`software`, `language`,
 * `matches[]` with `rule.id`, `rule.category.id`, offsets and a context window).
 */
export function languageToolResponse(
  text: string,
  language: string,
  matches: readonly ErrorMatch[],
  checkerName: string,
): Record<string, unknown> {
  const contextRadius = 40;
  return {
    software: {
      name: "essay-scoring-offload (LanguageTool-compatible)",
      version: OFFLOAD_SERVER_VERSION,
      buildDate: "",
      apiVersion: 1,
      premium: false,
      status: "",
      checker: checkerName,
    },
    warnings: { incompleteResults: false },
    language: {
      name: LANGUAGE_NAMES[language] ?? language,
      code: language,
      detectedLanguage: { name: LANGUAGE_NAMES[language] ?? language, code: language },
    },
    matches: matches.map((m) => {
      const start = Math.max(0, m.offset - contextRadius);
      const end = Math.min(text.length, m.offset + m.length + contextRadius);
      return {
        message: m.message,
        shortMessage: "",
        replacements: [],
        offset: m.offset,
        length: m.length,
        context: { text: text.slice(start, end), offset: m.offset - start, length: m.length },
        rule: {
          id: m.ruleId,
          description: m.message,
          issueType: issueType(m),
          category: { id: m.categoryId, name: CATEGORY_NAMES[m.categoryId] ?? m.categoryId },
        },
        type: { typeName: "Other" },
      };
    }),
  };
}

/** A bound, listening offload server. */
export interface RunningOffloadServer {
  /** Base URL, e.g. `http://127.0.0.1:19000`. */
  readonly url: string;
  readonly port: number;
  readonly server: OffloadServer;
  /** Stop accepting connections, let in-flight requests finish, then resolve. */
  shutdown(): Promise<void>;
  /** Resolves when the server has stopped. */
  readonly finished: Promise<void>;
}

/**
 * Bind `server` with `Deno.serve` (127.0.0.1 by default; port 0 picks a free one). With
 * `handleSignals`, SIGINT/SIGTERM stop accepting, finish in-flight requests, then resolve
 * `finished`.
 */
export function startOffloadServer(
  server: OffloadServer,
  options: {
    hostname?: string;
    port?: number;
    handleSignals?: boolean;
    log?: (line: string) => void;
  } = {},
): RunningOffloadServer {
  const hostname = options.hostname ?? "127.0.0.1";
  const log = options.log ?? (() => {});
  const http = Deno.serve(
    { hostname, port: options.port ?? 19000, onListen: () => {} },
    server.handler,
  );
  const addr = http.addr as Deno.NetAddr;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const url = `http://${host}:${addr.port}`;
  let stopping: Promise<void> | undefined;
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const onSignal = () => {
    log(`signal received: finishing ${server.inFlight()} in-flight request(s), then exiting`);
    void shutdown();
  };
  function shutdown(): Promise<void> {
    stopping ??= http.shutdown();
    return stopping;
  }
  if (options.handleSignals) { for (const s of signals) Deno.addSignalListener(s, onSignal); }
  const finished = http.finished.finally(() => {
    if (options.handleSignals) { for (const s of signals) Deno.removeSignalListener(s, onSignal); }
  });
  return { url, port: addr.port, server, shutdown, finished };
}
