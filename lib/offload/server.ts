/**
 * Our Hemma offload server, a drop-in for the original (HEMMA_PROTOCOL.md Part B) that also
 * stands in for the LanguageTool service (Part A): `GET /healthz`, `GET /metrics`,
 * `POST /v1/extract` (zip of `meta.json` + float32 `.npy`), `POST /v1/embed` (`.npy`),
 * `POST /v1/check` (the service's JSON) and `POST /v2/check` (stock LanguageTool form), over any
 * `FeatureExtractor`, `ErrorChecker` and `SentenceEncoder` (`serve.ts` plugs in the local ones).
 *
 * `createOffloadServer` composes the route handlers (`server_routes.ts`) with shared middleware
 * (`server_middleware.ts`): correlation id (`X-Correlation-ID`, echoed or generated, on every
 * answer), metrics, the optional bearer token (every endpoint but `/healthz`), error envelopes in
 * the route's original shape, and the bounded slot queue (503 + `Retry-After` when full, 504 past
 * the request timeout). It is free of I/O so tests can serve it on a free loopback port;
 * `startOffloadServer` binds it (127.0.0.1 by default) with graceful shutdown.
 *
 * @module
 */
import type { ErrorChecker, FeatureExtractor, SentenceEncoder } from "../features/types.ts";
import { USE_LITE_MAX_TOKENS } from "../features/embeddings/use_lite_encoder.ts";
import {
  HEADERS,
  MAX_BYTES_PER_REQUEST,
  MAX_ITEMS_PER_REQUEST,
  MAX_RESPONSE_BYTES,
} from "./protocol.ts";
import {
  checkAuth,
  errorResponse,
  HttpError,
  ServerMetrics,
  SlotQueue,
} from "./server_middleware.ts";
import { type RouteContext, ROUTES, type ServerLimits } from "./server_routes.ts";
import {
  type FeatureSchemaMode,
  OFFLOAD_SERVER_VERSION,
  type ServerIdentity,
  serverIdentity,
} from "./server_identity.ts";

export type { ServerLimits } from "./server_routes.ts";
export { OFFLOAD_SERVER_VERSION } from "./server_identity.ts";

/** Default encoder batch size when `OFFLOAD_EMBEDDING_BATCH_SIZE` is unset. */
export const DEFAULT_EMBEDDING_BATCH_SIZE = 32;

/** Defaults: the original's limits, 2 concurrent requests (2 cores), 32 queued, 5 min timeout. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxItems: MAX_ITEMS_PER_REQUEST,
  maxBytes: MAX_BYTES_PER_REQUEST,
  maxResponseBytes: MAX_RESPONSE_BYTES,
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
  /** Handcrafted columns served: ours (36, default) or the original's 25. */
  readonly featureSchema?: FeatureSchemaMode;
  /** Tokens the encoder reads (`meta.embedding.max_length`; default USE-lite's 128). */
  readonly maxLength?: number;
  /** LanguageTool the checker calls, for `meta.language_tool` (default: the local checker). */
  readonly languageTool?: { readonly url: string; readonly version: string };
  /** `meta.git_sha` (default env `OFFLOAD_GIT_SHA` or null). */
  readonly gitSha?: string | null;
  /** Problems found at start-up (e.g. a failed warm-up); reported by `/healthz` as degraded. */
  readonly problems?: readonly string[];
  /** Log sink for one-line events (default: none). */
  readonly log?: (line: string) => void;
}

/** A ready handler plus what the CLI and tests inspect. */
export interface OffloadServer {
  /** The `Deno.serve` handler. */
  readonly handler: (request: Request) => Promise<Response>;
  /** `server_fingerprint` (§B.3.8 over our meta). */
  readonly fingerprint: string;
  /** `meta.json`, fingerprint and handcrafted names. */
  readonly identity: ServerIdentity;
  readonly limits: ServerLimits;
  readonly batchSize: number;
  readonly metrics: ServerMetrics;
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

const CORRELATION_ID = /^[\x21-\x7e]{1,200}$/;

/** The server's identity (fingerprint and the parts it hashes) from its options. */
function offloadServerIdentity(
  options: OffloadServerOptions,
  mode: FeatureSchemaMode,
  batchSize: number,
): ServerIdentity {
  const { extractor, checker, encoder } = options;
  return serverIdentity({
    mode,
    encoder: { name: encoder.name, dimension: encoder.dimension },
    maxLength: options.maxLength ?? USE_LITE_MAX_TOKENS,
    batchSize,
    languageToolUrl: options.languageTool?.url ?? `local:${checker.name}`,
    languageToolVersion: options.languageTool?.version ?? "none (harper.js + nspell)",
    checkerName: checker.name,
    extractorFingerprint: extractor.fingerprint,
    gitSha: options.gitSha ?? Deno.env.get("OFFLOAD_GIT_SHA") ?? null,
  });
}

/** The fixed part of the health answer's extras: what this server is and its limits. */
function serverDescription(
  identity: ServerIdentity,
  options: OffloadServerOptions,
  limits: ServerLimits,
): Record<string, unknown> {
  return {
    server_fingerprint: identity.fingerprint,
    server_version: OFFLOAD_SERVER_VERSION,
    feature_schema: options.featureSchema ?? "ours",
    handcrafted_columns: identity.handcraftedNames.length,
    embedding_dim: options.encoder.dimension,
    checker: options.checker.name,
    limits: {
      max_concurrency: limits.maxConcurrency,
      max_queue: Number.isFinite(limits.maxQueue) ? limits.maxQueue : 1_000_000,
      request_timeout_ms: limits.requestTimeoutMs,
    },
    endpoints: Object.keys(ROUTES),
  };
}

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
  const { limits, batchSize } = validatedLimits(options);
  const { extractor, checker, encoder } = options;
  const mode = options.featureSchema ?? "ours";
  const identity = offloadServerIdentity(options, mode, batchSize);
  const fingerprint = identity.fingerprint;
  const log = options.log ?? (() => {});
  const slots = new SlotQueue(limits.maxConcurrency, limits.maxQueue, limits.requestTimeoutMs);
  const state = { inFlight: 0 };
  const metrics = serverMetrics(slots, state, batchSize, {
    fingerprint,
    server_version: OFFLOAD_SERVER_VERSION,
    feature_schema: mode,
    encoder: encoder.name,
    checker: checker.name,
  });
  const ctx: RouteContext = {
    extractor,
    checker,
    encoder,
    identity,
    limits,
    batchSize,
    slots,
    metrics,
    problems: [...(options.problems ?? [])],
    extras: () => ({
      ...serverDescription(identity, options, limits),
      in_flight: state.inFlight,
      queued: slots.semaphore.queued,
    }),
  };
  const correlationOf = correlationIds();

  async function handler(request: Request): Promise<Response> {
    const t0 = performance.now();
    const path = new URL(request.url).pathname;
    const method = request.method;
    const endpoint = path in ROUTES ? path : "other";
    const correlationId = correlationOf(request);
    state.inFlight++;
    metrics.begin(method, path);
    let out: { res: Response; code: string };
    try {
      out = await dispatch(ctx, request, path, { token: options.token, log, correlationOf });
    } finally {
      state.inFlight--;
    }
    out.res.headers.set(HEADERS.correlationId, correlationId);
    metrics.end(method, path, endpoint, out.res.status, (performance.now() - t0) / 1000, out.code);
    return out.res;
  }

  return {
    handler,
    fingerprint,
    identity,
    limits,
    batchSize,
    metrics,
    inFlight: () => state.inFlight,
  };
}

/** The server's limits and encoder batch size, validated (the original's ranges). */
function validatedLimits(
  options: OffloadServerOptions,
): { limits: ServerLimits; batchSize: number } {
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  if (!(limits.maxItems >= 1 && limits.maxItems <= 512)) {
    throw new Error(`maxItems must be 1..512 (the original's range), got ${limits.maxItems}`);
  }
  const batchSize = options.batchSize ?? embeddingBatchSizeFromEnv();
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  }
  return { limits, batchSize };
}

/** The `/metrics` gauges of a server and its constant labels. */
function serverMetrics(
  slots: SlotQueue,
  state: { readonly inFlight: number },
  batchSize: number,
  labels: Record<string, string>,
): ServerMetrics {
  const mem = () => Deno.memoryUsage();
  const started = performance.now();
  return new ServerMetrics({
    offload_http_requests_in_flight: ["Requests being handled now.", () => state.inFlight],
    offload_queue_depth: ["Requests waiting for a processing slot.", () => slots.semaphore.queued],
    offload_processing_active: [
      "Requests holding a processing slot (may include timed-out work still finishing).",
      () => slots.semaphore.active,
    ],
    process_resident_memory_bytes: ["Resident set size.", () => mem().rss],
    process_heap_used_bytes: ["V8 heap used.", () => mem().heapUsed],
    process_heap_total_bytes: ["V8 heap total.", () => mem().heapTotal],
    process_external_memory_bytes: [
      "Memory of objects outside the V8 heap (e.g. tensors, wasm).",
      () => mem().external,
    ],
    offload_embedding_batch_size: ["Encoder batch size.", () => batchSize],
    offload_uptime_seconds: [
      "Seconds since the server was created.",
      (): number => (performance.now() - started) / 1000,
    ],
  }, labels);
}

/** A request's correlation id: the client's when well-formed, else a new one (memoised). */
function correlationIds(): (request: Request) => string {
  const ids = new WeakMap<Request, string>();
  return (request) => {
    let id = ids.get(request);
    if (!id) {
      const sent = request.headers.get(HEADERS.correlationId);
      id = sent && CORRELATION_ID.test(sent) ? sent : crypto.randomUUID();
      ids.set(request, id);
    }
    return id;
  };
}

/** Route one request: 404 / 405, auth, the handler, and errors as the route's envelope. */
async function dispatch(
  ctx: RouteContext,
  request: Request,
  path: string,
  how: {
    readonly token?: string;
    readonly log: (line: string) => void;
    readonly correlationOf: (request: Request) => string;
  },
): Promise<{ res: Response; code: string }> {
  const route = ROUTES[path];
  const method = request.method === "HEAD" ? "GET" : request.method;
  if (!route) {
    return {
      res: errorResponse("plain", new HttpError(404, "not_found", "404: Not Found"), ""),
      code: "not_found",
    };
  }
  if (route.method !== method) {
    const err = new HttpError(405, "method_not_allowed", "405: Method Not Allowed", {
      Allow: route.method,
    });
    return { res: errorResponse("plain", err, ""), code: err.code };
  }
  try {
    if (route.auth) checkAuth(request, how.token);
    return { res: await route.handle(ctx, request), code: "" };
  } catch (e) {
    const err = e instanceof HttpError
      ? e
      : new HttpError(500, "internal_error", e instanceof Error ? e.message : String(e));
    if (err.status >= 500) how.log(`error ${err.status} ${path}: ${err.message}`);
    return { res: errorResponse(route.envelope, err, how.correlationOf(request)), code: err.code };
  }
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
