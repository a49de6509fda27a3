/**
 * Route handlers of the offload server, one per endpoint, over the shared middleware
 * (`server_middleware.ts`). Each speaks the original service's protocol (HEMMA_PROTOCOL.md):
 * `/v1/extract` (zip), `/v1/embed` (`.npy`), `/v1/check` (the LanguageTool service's JSON),
 * `/v2/check` (stock LanguageTool form), `/healthz` and `/metrics`.
 *
 * @module
 */
import { z } from "zod";
import type {
  ErrorChecker,
  ErrorMatch,
  FeatureExtractor,
  FeatureMatrix,
  SentenceEncoder,
} from "../features/types.ts";
import { OffloadHttpError, OffloadRequestError } from "./http_client.ts";
import {
  EMBEDDING_POOLING,
  EmbedRequestSchema,
  EXTRACT_SCHEMA_VERSION,
  ExtractRequestSchema,
  HEADERS,
  MAX_RAW_BODY_BYTES,
} from "./protocol.ts";
import { writeExtractZip } from "./hemma/archive.ts";
import { encodeNpy } from "./hemma/npy.ts";
import { canonicalPythonJson, flaskJson } from "./hemma/python_json.ts";
import {
  buildCheckResponse,
  CheckRequestSchema,
  type CheckResponse,
  foldAliases,
  matchToCheckError,
} from "./hemma/language_tool.ts";
import {
  aiohttpJson,
  type EnvelopeKind,
  HttpError,
  readBody,
  type ServerMetrics,
  type SlotQueue,
} from "./server_middleware.ts";
import type { ServerIdentity } from "./server_identity.ts";

/** Server limits in code form. */
export interface ServerLimits {
  /** Items per extract request (`OFFLOAD_EXTRACT_MAX_ITEMS`, default 64). */
  readonly maxItems: number;
  /** Canonical request bytes per extract request (default 900,000). */
  readonly maxBytes: number;
  /** Largest extract zip (default 8,000,000). */
  readonly maxResponseBytes: number;
  /** Requests processed at once. */
  readonly maxConcurrency: number;
  /** Requests waiting for a slot before new ones get 503. */
  readonly maxQueue: number;
  /** Per-request processing timeout (504 after it). */
  readonly requestTimeoutMs: number;
}

/** A checker that can also answer in the LanguageTool service's shape (our LanguageTool client). */
export interface DetailedChecker extends ErrorChecker {
  checkDetailed(
    text: string,
    language?: string,
    options?: { readonly normalize?: boolean },
  ): Promise<CheckResponse>;
}

/** What the handlers share. */
export interface RouteContext {
  readonly extractor: FeatureExtractor;
  readonly checker: ErrorChecker;
  readonly encoder: SentenceEncoder;
  readonly identity: ServerIdentity;
  readonly limits: ServerLimits;
  readonly batchSize: number;
  readonly slots: SlotQueue;
  readonly metrics: ServerMetrics;
  readonly problems: readonly string[];
  readonly extras: () => Record<string, unknown>;
}

/** One route. */
export interface Route {
  readonly method: "GET" | "POST";
  readonly envelope: EnvelopeKind;
  /** Needs the bearer token (when one is set). */
  readonly auth: boolean;
  handle(ctx: RouteContext, request: Request): Promise<Response>;
}

function zodText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("\n");
}

async function readOffloadJson(request: Request): Promise<unknown> {
  const bytes = await readBody(
    request,
    MAX_RAW_BODY_BYTES,
    () => new HttpError(400, "invalid_request", "Request Entity Too Large"),
  );
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new HttpError(400, "invalid_request", e instanceof Error ? e.message : String(e));
  }
}

function isDependencyFailure(e: unknown): boolean {
  return e instanceof OffloadHttpError || e instanceof OffloadRequestError ||
    (e instanceof Error && e.message.includes("LanguageTool offload"));
}

function toFloat32(m: FeatureMatrix, columns?: readonly number[]) {
  const cols = columns ?? m.names.map((_, i) => i);
  const data = new Float32Array(m.nRows * cols.length);
  for (let r = 0; r < m.nRows; r++) {
    for (let j = 0; j < cols.length; j++) {
      data[r * cols.length + j] = m.values[r * m.nCols + cols[j]];
    }
  }
  return { rows: m.nRows, cols: cols.length, data };
}

/** Column indices of `want` in `m` (throws when the extractor lacks one). */
function columnsOf(m: FeatureMatrix, want: readonly string[]): number[] {
  return want.map((n) => {
    const i = m.names.indexOf(n);
    if (i < 0) throw new Error(`extractor has no handcrafted column ${n}`);
    return i;
  });
}

const extractRoute: Route = {
  method: "POST",
  envelope: "extract",
  auth: true,
  async handle(ctx, request) {
    const parsed = ExtractRequestSchema.safeParse(await readOffloadJson(request));
    if (!parsed.success) throw new HttpError(400, "invalid_request", zodText(parsed.error));
    const body = parsed.data;
    const n = body.texts.length;
    const bytes = new TextEncoder().encode(canonicalPythonJson(body)).length;
    if (bytes > ctx.limits.maxBytes) {
      throw new HttpError(
        413,
        "request_too_large",
        `Request body exceeds limit bytes=${bytes} limit=${ctx.limits.maxBytes}`,
      );
    }
    if (n > ctx.limits.maxItems) {
      throw new HttpError(
        413,
        "too_many_items",
        `Too many items in request n=${n} limit=${ctx.limits.maxItems}`,
      );
    }
    let result;
    try {
      result = await ctx.slots.run((signal) =>
        ctx.extractor.extract(
          body.texts.map((text, i) => ({ id: String(i), text, prompt: body.prompts[i] })),
          { featureSet: body.feature_set, signal },
        )
      );
    } catch (e) {
      if (e instanceof HttpError) throw e;
      const detail = e instanceof Error ? e.message : String(e);
      if (isDependencyFailure(e)) throw new HttpError(503, "dependency_unavailable", detail);
      throw new HttpError(500, "internal_error", detail);
    }
    const { meta, handcraftedNames } = ctx.identity;
    for (const m of [result.handcrafted, result.embeddings]) {
      if (m && m.nRows !== n) throw new Error(`extractor returned ${m.nRows} rows for ${n} texts`);
    }
    const zip = writeExtractZip({
      meta,
      embeddings: result.embeddings ? toFloat32(result.embeddings) : undefined,
      handcrafted: result.handcrafted
        ? toFloat32(result.handcrafted, columnsOf(result.handcrafted, handcraftedNames))
        : undefined,
    });
    if (zip.length > ctx.limits.maxResponseBytes) {
      throw new HttpError(
        500,
        "response_too_large",
        `Response exceeds limit bytes=${zip.length} limit=${ctx.limits.maxResponseBytes}`,
      );
    }
    ctx.metrics.items("POST", "/v1/extract", n);
    return new Response(zip as Uint8Array<ArrayBuffer>, {
      headers: {
        "content-type": "application/zip",
        [HEADERS.schemaVersion]: String(EXTRACT_SCHEMA_VERSION),
        [HEADERS.fingerprint]: ctx.identity.fingerprint,
        [HEADERS.embeddingPooling]: EMBEDDING_POOLING.extract,
      },
    });
  },
};

const embedRoute: Route = {
  method: "POST",
  envelope: "embed",
  auth: true,
  async handle(ctx, request) {
    const parsed = EmbedRequestSchema.safeParse(await readOffloadJson(request));
    if (!parsed.success) throw new HttpError(400, "invalid_request", zodText(parsed.error));
    const { texts, model_name, max_length, batch_size } = parsed.data;
    const emb = ctx.identity.meta.embedding;
    const mismatch = (code: string, what: string, requested: unknown, configured: unknown) =>
      new HttpError(
        400,
        code,
        `Requested ${what} does not match server configuration. requested=${requested} configured=${configured}`,
      );
    if (model_name && model_name !== emb.model_name) {
      throw mismatch("unsupported_model", "model_name", model_name, emb.model_name);
    }
    if (max_length && max_length !== emb.max_length) {
      throw mismatch("unsupported_max_length", "max_length", max_length, emb.max_length);
    }
    if (batch_size && batch_size !== ctx.batchSize) {
      throw mismatch("unsupported_batch_size", "batch_size", batch_size, ctx.batchSize);
    }
    const dim = ctx.encoder.dimension;
    const data = await ctx.slots.run(async (signal) => {
      const out = new Float32Array(texts.length * dim);
      for (let i = 0; i < texts.length; i += ctx.batchSize) {
        signal.throwIfAborted();
        const batch = await ctx.encoder.embed(texts.slice(i, i + ctx.batchSize));
        batch.forEach((v, j) => {
          if (v.length !== dim) throw new Error(`encoder returned a ${v.length}-d vector`);
          out.set(v, (i + j) * dim);
        });
      }
      return out;
    });
    ctx.metrics.items("POST", "/v1/embed", texts.length);
    return new Response(encodeNpy(data, [texts.length, dim]) as Uint8Array<ArrayBuffer>, {
      headers: {
        "content-type": "application/octet-stream",
        [HEADERS.embeddingModel]: emb.model_name,
        [HEADERS.embeddingDtype]: "float32",
        [HEADERS.embeddingPooling]: EMBEDDING_POOLING.embed,
      },
    });
  },
};

const jsonBodyError = () =>
  new HttpError(400, "VALIDATION_ERROR", "Invalid JSON in request body", {}, {
    field: "json_body",
  });

const checkRoute: Route = {
  method: "POST",
  envelope: "check",
  auth: true,
  async handle(ctx, request) {
    const t0 = performance.now();
    const bytes = await readBody(request, 16 * 1024 * 1024, jsonBodyError);
    const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/json" && !type.endsWith("+json")) throw jsonBodyError();
    let raw: unknown;
    try {
      raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch {
      throw jsonBodyError();
    }
    if (
      raw === null || typeof raw !== "object" || Array.isArray(raw) ||
      Object.keys(raw).length === 0
    ) throw jsonBodyError();
    const parsed = CheckRequestSchema.safeParse(foldAliases(raw as Record<string, unknown>));
    if (!parsed.success) {
      throw new HttpError(
        400,
        "VALIDATION_ERROR",
        `Invalid request format: ${parsed.error.issues.length} validation error(s) for GrammarCheckRequest\n${
          zodText(parsed.error)
        }`,
        {},
        { field: "request_format" },
      );
    }
    const { text, language } = parsed.data;
    let response: CheckResponse;
    try {
      response = await ctx.slots.run(async () => {
        const detailed = (ctx.checker as Partial<DetailedChecker>).checkDetailed;
        if (detailed) {
          // forwarded unchanged, as the service forwards to stock LanguageTool
          const r = await detailed.call(ctx.checker, text, language, { normalize: false });
          return buildCheckResponse(r.errors, language, performance.now() - t0);
        }
        const matches = await ctx.checker.check(text, language);
        return buildCheckResponse(
          matches.map((m) => matchToCheckError(m, text)),
          language,
          performance.now() - t0,
        );
      });
    } catch (e) {
      if (e instanceof HttpError) throw e;
      const inner = e instanceof OffloadRequestError && e.kind === "timeout"
        ? "[TIMEOUT] LanguageTool request timed out"
        : `[EXTERNAL_SERVICE_ERROR] ${e instanceof Error ? e.message : String(e)}`;
      throw new HttpError(500, "PROCESSING_ERROR", `Grammar analysis failed: ${inner}`);
    }
    ctx.metrics.items("POST", "/v1/check", 1);
    return new Response(flaskJson(response), {
      headers: { "content-type": "application/json" },
    });
  },
};

const stockCheckRoute: Route = {
  method: "POST",
  envelope: "extract",
  auth: true,
  async handle(ctx, request) {
    const bytes = await readBody(
      request,
      16 * 1024 * 1024,
      () => new HttpError(413, "payload_too_large", "request body over 16 MiB"),
    );
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
    const matches = await ctx.slots.run(() => ctx.checker.check(text, language));
    ctx.metrics.items("POST", "/v2/check", 1);
    return new Response(
      JSON.stringify(stockCheckResponse(text, language, matches, ctx.checker.name)),
      { headers: { "content-type": "application/json" } },
    );
  },
};

const healthRoute: Route = {
  method: "GET",
  envelope: "extract",
  auth: false,
  handle(ctx) {
    const m = ctx.identity.meta;
    const issues = [...ctx.problems];
    if (ctx.slots.semaphore.saturated) issues.push("request queue is full");
    return Promise.resolve(aiohttpJson(200, {
      status: issues.length === 0 ? "ok" : "degraded",
      issues,
      model_name: m.embedding.model_name,
      max_length: m.embedding.max_length,
      batch_size: ctx.batchSize,
      gpu: { torch: { available: false, error: "no torch: TypeScript server on CPU/WebAssembly" } },
      metrics: ctx.metrics.healthMetrics(),
      extract: {
        schema_version: m.schema_version,
        max_items: ctx.limits.maxItems,
        max_request_bytes: ctx.limits.maxBytes,
        max_response_bytes: ctx.limits.maxResponseBytes,
        language_tool_url: m.language_tool.service_url,
        language_tool_jar_version: m.language_tool.jar_version,
      },
      ...ctx.extras(),
    }));
  },
};

const metricsRoute: Route = {
  method: "GET",
  envelope: "plain",
  auth: true,
  async handle(ctx) {
    return new Response(await ctx.metrics.registry.metrics(), {
      headers: { "content-type": ctx.metrics.registry.contentType },
    });
  },
};

/** Every route by path. */
export const ROUTES: Readonly<Record<string, Route>> = {
  "/healthz": healthRoute,
  "/metrics": metricsRoute,
  "/v1/extract": extractRoute,
  "/v1/embed": embedRoute,
  "/v1/check": checkRoute,
  "/v2/check": stockCheckRoute,
};

const CATEGORY_NAMES: Readonly<Record<string, string>> = {
  TYPOS: "Possible Typo",
  TYPOGRAPHY: "Typography",
  PUNCTUATION: "Punctuation",
  GRAMMAR: "Grammar",
  CASING: "Capitalization",
};

/**
 * Render checker matches as a stock LanguageTool `/v2/check` JSON response (`software`,
 * `language`, `matches[]` with `rule.id`, `rule.issueType`, `rule.category`, offsets, context).
 */
export function stockCheckResponse(
  text: string,
  language: string,
  matches: readonly ErrorMatch[],
  checkerName: string,
): Record<string, unknown> {
  return {
    software: {
      name: "essay-scoring-offload (LanguageTool-compatible)",
      version: "2.0.0",
      buildDate: "",
      apiVersion: 1,
      premium: false,
      status: "",
      checker: checkerName,
    },
    warnings: { incompleteResults: false },
    language: {
      name: language,
      code: language,
      detectedLanguage: { name: language, code: language },
    },
    matches: matches.map((m) => {
      const start = Math.max(0, m.offset - 40);
      const end = Math.min(text.length, m.offset + m.length + 40);
      const spelling = /TYPOS|SPELL/.test(m.categoryId.toUpperCase());
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
          issueType: spelling ? "misspelling" : "grammar",
          category: { id: m.categoryId, name: CATEGORY_NAMES[m.categoryId] ?? m.categoryId },
        },
        type: { typeName: "Other" },
      };
    }),
  };
}
