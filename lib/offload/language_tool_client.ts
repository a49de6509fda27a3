/**
 * The Tier 1 LanguageTool client (`--language-tool-service-url`), speaking either dialect:
 *
 * - `huleedu`: the user's HuleEdu LanguageTool service, `POST /v1/check` with JSON
 *   `{"text","language"}` (HEMMA_PROTOCOL.md §A.3, §A.9.1);
 * - `stock`: a stock LanguageTool server, `POST /v2/check` form (`text`, `language`,
 *   `enabledOnly=false`), whose matches are mapped exactly as the service's wrapper maps them
 *   (whitespace issues dropped, §A.3.3–A.3.4);
 * - `auto` (default) probes once: `GET /v2/languages` answering a JSON array means stock,
 *   otherwise a JSON `/healthz` means the service.
 *
 * The text sent is the whitespace-normalised essay (§A.9.1); counts follow the original rule on
 * the service-shaped `errors` (§A.9.3) whichever dialect answered. The disk cache is the
 * original's (§A.9.5): `<cache>/offload_language_tool/<K>.json`, K = sha256 of the canonical key
 * JSON (configured URL string, language, timeout as a float, options, text sha256); entries in
 * the original's key order, written to a temp file and renamed; so a cache directory written by
 * the Python pipeline is reused as is (same URL string and timeout).
 *
 * @module
 */
import { join } from "node:path";
import type { ErrorChecker } from "../features/types.ts";
import { sha256Hex } from "./canonical.ts";
import { DEFAULT_CACHE_ROOT } from "./disk_cache.ts";
import { OffloadHttpClient, type OffloadHttpClientOptions } from "./http_client.ts";
import { OffloadMetricsCollector } from "./offload_metrics.ts";
import { languageToolCacheKey, pythonNormalizeWhitespace } from "./hemma/cache_keys.ts";
import {
  buildCheckResponse,
  type CheckResponse,
  errorsToMatches,
  originalCounts,
  stockResponseToErrors,
} from "./hemma/language_tool.ts";
import { pyFloat, pythonJson } from "./hemma/python_json.ts";

/** The dialects, and `auto`. */
export const LANGUAGE_TOOL_PROTOCOLS = ["auto", "huleedu", "stock"] as const;
/** A `--language-tool-protocol` value. */
export type LanguageToolProtocol = (typeof LANGUAGE_TOOL_PROTOCOLS)[number];

/** Default per-request timeout, seconds (the original's `request_timeout_s`). */
export const DEFAULT_LANGUAGE_TOOL_TIMEOUT_S = 60;

/** Options of {@link connectLanguageToolChecker}. */
export interface LanguageToolClientOptions extends Omit<OffloadHttpClientOptions, "timeoutMs"> {
  /** Dialect (default `auto`). */
  readonly protocol?: LanguageToolProtocol;
  /** Per-request timeout in seconds (default 60, as the original); part of the cache key. */
  readonly timeoutS?: number;
  /** Cache root (default `output/essay_scoring/.cache`); entries in `offload_language_tool/`. */
  readonly cacheRoot?: string;
  /** Use the disk cache (default true). */
  readonly useCache?: boolean;
  /** Language sent (default `en-US`). */
  readonly language?: string;
  /**
   * The URL recorded in the checker name (hence fingerprints) and the cache keys (default
   * `baseUrl`). A LanguageTool started by `--checker` on a free port uses a stable identity
   * (`local-languagetool-<version>`), so its fingerprint and cache survive port changes.
   */
  readonly identityUrl?: string;
}

/** A connected LanguageTool checker. */
export interface LanguageToolChecker extends ErrorChecker {
  /** The dialect in use (resolved when `auto`). */
  readonly protocol: "huleedu" | "stock";
  readonly http: OffloadHttpClient;
  /** Cache directory, or undefined when caching is off. */
  readonly cacheDir?: string;
  /**
   * The service-shaped answer for a text (from the cache or the server). The text is
   * whitespace-normalised first, as Tier 1 does, unless `normalize` is false (a server forwarding
   * a `/v1/check` request sends the text unchanged, as the service does; no cache then).
   */
  checkDetailed(
    text: string,
    language?: string,
    options?: { readonly normalize?: boolean },
  ): Promise<CheckResponse>;
  /** Cache file of a text (whatever the dialect). */
  cachePath(text: string, language?: string): string | undefined;
  close(): Promise<void>;
}

/** A cache entry in the original's format (§A.9.5). */
export interface LanguageToolCacheEntry {
  readonly schema_version: 1;
  readonly language_tool_url: string;
  readonly language: string;
  readonly request_timeout_s: number;
  readonly request_options: Record<string, string>;
  readonly text_sha256: string;
  readonly text_chars: number;
  readonly derived_counts: { grammar: number; spelling: number; punctuation: number };
  readonly response: CheckResponse;
}

/** Serialise a cache entry exactly as the original writes it (compact, key order, floats). */
export function writeCacheEntryJson(e: LanguageToolCacheEntry): string {
  return pythonJson({
    schema_version: 1,
    language_tool_url: e.language_tool_url,
    language: e.language,
    request_timeout_s: pyFloat(e.request_timeout_s),
    request_options: e.request_options,
    text_sha256: e.text_sha256,
    text_chars: e.text_chars,
    derived_counts: {
      grammar: pyFloat(e.derived_counts.grammar),
      spelling: pyFloat(e.derived_counts.spelling),
      punctuation: pyFloat(e.derived_counts.punctuation),
    },
    response: e.response,
  });
}

/**
 * Decide the dialect of the server at `baseUrl` (one attempt each, no retries): `GET
 * /v2/languages` answering a JSON array means stock; else `GET /healthz` answering a JSON object
 * (200, or 503 when the service is degraded) means the HuleEdu service. Throws when neither does.
 */
export async function probeLanguageToolProtocol(
  baseUrl: string,
  timeoutMs = 30_000,
): Promise<"huleedu" | "stock"> {
  const base = baseUrl.replace(/\/+$/, "");
  const problems: string[] = [];
  const get = async (path: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: undefined };
    }
  };
  for (const [path, dialect] of [["/v2/languages", "stock"], ["/healthz", "huleedu"]] as const) {
    try {
      const { status, body } = await get(path);
      if (dialect === "stock" && status === 200 && Array.isArray(body)) return "stock";
      const isObject = body !== null && typeof body === "object" && !Array.isArray(body);
      if (dialect === "huleedu" && (status === 200 || status === 503) && isObject) {
        return "huleedu";
      }
      problems.push(`${path}: HTTP ${status}`);
    } catch (e) {
      problems.push(`${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(
    `${base}: cannot tell which LanguageTool protocol it speaks (${problems.join("; ")}); ` +
      "pass --language-tool-protocol huleedu or stock",
  );
}

/** The dialect to speak: as asked, or probed once for `auto`. */
async function resolveProtocol(
  options: LanguageToolClientOptions,
  timeoutS: number,
): Promise<"huleedu" | "stock"> {
  const wanted = options.protocol ?? "auto";
  return wanted === "auto"
    ? await probeLanguageToolProtocol(options.baseUrl, timeoutS * 1000)
    : wanted;
}

/** A cached service answer, or undefined (a miss; an unreadable entry is counted as corrupt). */
async function readCacheEntry(
  path: string,
  counters: ReturnType<OffloadMetricsCollector["service"]>,
  log?: (line: string) => void,
): Promise<CheckResponse | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) counters.corrupt++;
    counters.misses++;
    return undefined;
  }
  try {
    const entry = JSON.parse(text);
    if (
      entry && typeof entry === "object" && !Array.isArray(entry) && entry.response &&
      typeof entry.response === "object" && !Array.isArray(entry.response)
    ) {
      counters.hits++;
      return entry.response as CheckResponse;
    }
  } catch { /* invalid JSON: a decode error, counted below */ }
  counters.corrupt++;
  counters.misses++;
  log?.(`language tool cache: unreadable entry ${path} treated as a miss`);
  return undefined;
}

/** Write a cache entry atomically (temp file + rename), as the original does. */
async function writeCacheEntry(
  cacheDir: string,
  path: string,
  entry: LanguageToolCacheEntry,
): Promise<void> {
  await Deno.mkdir(cacheDir, { recursive: true });
  const tmp = `${path.slice(0, -5)}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeTextFile(tmp, writeCacheEntryJson(entry));
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** One check on the server, as the service-shaped answer whichever dialect it speaks. */
async function fetchCheckResponse(
  http: OffloadHttpClient,
  protocol: "huleedu" | "stock",
  normalized: string,
  language: string,
): Promise<CheckResponse> {
  const t0 = performance.now();
  if (protocol === "huleedu") {
    const res = await http.postJson("language_tool", "/v1/check", { text: normalized, language });
    const body = res.body;
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new Error(
        `LanguageTool offload returned invalid JSON response type=${typeof body} from ${http.baseUrl}/v1/check`,
      );
    }
    return body as CheckResponse;
  }
  const form = new URLSearchParams({ text: normalized, language, enabledOnly: "false" });
  const res = await http.postForm("language_tool", "/v2/check", form);
  const errors = stockResponseToErrors(res.body, normalized);
  return buildCheckResponse(errors, language, performance.now() - t0);
}

/** The disk cache of a checker: entry paths by key, reads and writes (none when caching is off). */
interface CheckCache {
  readonly dir?: string;
  pathOf(normalized: string, language: string): string | undefined;
  read(path: string): Promise<CheckResponse | undefined>;
  write(path: string, normalized: string, language: string, response: CheckResponse): Promise<void>;
}

/** The cache of {@link connectLanguageToolChecker} (§A.9.5 keys and entries). */
function openCheckCache(
  options: LanguageToolClientOptions,
  configuredUrl: string,
  timeoutS: number,
  counters: ReturnType<OffloadMetricsCollector["service"]>,
): CheckCache {
  const dir = (options.useCache ?? true)
    ? join(options.cacheRoot ?? DEFAULT_CACHE_ROOT, "offload_language_tool")
    : undefined;
  return {
    dir,
    pathOf: (normalized, language) => {
      if (!dir) return undefined;
      const key = languageToolCacheKey({
        languageToolUrl: configuredUrl,
        language,
        requestTimeoutS: timeoutS,
        normalizedText: normalized,
      });
      return join(dir, `${key}.json`);
    },
    read: (path) => readCacheEntry(path, counters, options.log),
    write: (path, normalized, language, response) =>
      writeCacheEntry(dir!, path, {
        schema_version: 1,
        language_tool_url: configuredUrl,
        language,
        request_timeout_s: timeoutS,
        request_options: {},
        text_sha256: sha256Hex(normalized),
        text_chars: Array.from(normalized).length,
        derived_counts: originalCounts(response.errors),
        response,
      }),
  };
}

/** The HTTP client of a checker, with the dialect resolved (closed again when probing fails). */
async function openLanguageToolHttp(
  options: LanguageToolClientOptions,
  timeoutS: number,
  collector: OffloadMetricsCollector,
): Promise<{ http: OffloadHttpClient; protocol: "huleedu" | "stock" }> {
  // Parallel checks as the original's thread pool (`language_tool_max_concurrency`, default 10).
  const http = new OffloadHttpClient({
    ...options,
    maxConcurrency: options.maxConcurrency ?? 10,
    collector,
    timeoutMs: timeoutS * 1000,
  });
  try {
    return { http, protocol: await resolveProtocol(options, timeoutS) };
  } catch (e) {
    await http.close();
    throw e;
  }
}

/**
 * Connect a LanguageTool checker (probing the dialect once when `auto`).
 *
 * @example
 * ```ts
 * const lt = await connectLanguageToolChecker({ baseUrl: "http://127.0.0.1:18085" });
 * const matches = await lt.check(essay, "en-US");
 * await lt.close();
 * ```
 */
export async function connectLanguageToolChecker(
  options: LanguageToolClientOptions,
): Promise<LanguageToolChecker> {
  const collector = options.collector ?? new OffloadMetricsCollector();
  const timeoutS = options.timeoutS ?? DEFAULT_LANGUAGE_TOOL_TIMEOUT_S;
  const { http, protocol } = await openLanguageToolHttp(options, timeoutS, collector);
  const configuredUrl = options.identityUrl ?? options.baseUrl;
  const cache = openCheckCache(
    options,
    configuredUrl,
    timeoutS,
    collector.service("language_tool"),
  );
  const defaultLanguage = options.language ?? "en-US";

  async function checkDetailed(
    text: string,
    language = defaultLanguage,
    opts: { readonly normalize?: boolean } = {},
  ): Promise<CheckResponse> {
    if (opts.normalize === false) return await fetchCheckResponse(http, protocol, text, language);
    const normalized = pythonNormalizeWhitespace(text);
    if (normalized === "") {
      // The service rejects empty text with 400; an empty essay has no errors (tolerant reading).
      return buildCheckResponse([], language, 1);
    }
    const path = cache.pathOf(normalized, language);
    const hit = path ? await cache.read(path) : undefined;
    if (hit) return hit;
    const response = await fetchCheckResponse(http, protocol, normalized, language);
    if (path) await cache.write(path, normalized, language, response);
    return response;
  }

  return {
    name: `languagetool-${protocol}(${configuredUrl}, timeout ${timeoutS}s)`,
    protocol,
    http,
    cacheDir: cache.dir,
    check: async (text, language) => errorsToMatches((await checkDetailed(text, language)).errors),
    checkDetailed,
    cachePath: (text, language = defaultLanguage) =>
      cache.pathOf(pythonNormalizeWhitespace(text), language),
    close: () => http.close(),
  };
}
