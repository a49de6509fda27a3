/**
 * Offload clients over the project's own server (or a real LanguageTool): a `FeatureExtractor`
 * over `/v1/extract` (`--backend hemma`), an `ErrorChecker` over LanguageTool's `/v2/check`
 * (`--language-tool-service-url`) and a `SentenceEncoder` over `/v1/embed`
 * (`--embedding-service-url`). Each chunks its work into requests of ≤ 64 items and ≤ 900,000
 * bytes, runs them with bounded concurrency through a retrying `OffloadHttpClient`, and keeps a
 * disk cache under `output/essay_scoring/.cache/`:
 *
 * - `offload_extract/`: one entry per essay row, key = sha256 of canonical JSON {server
 *   fingerprint, feature_set, text, prompt} (plus one column-names entry per fingerprint and
 *   feature set);
 * - `offload_embed/`: one vector per text, key = sha256 {server fingerprint, text};
 * - `offload_language_tool/`: `{derived_counts, response}`, key = sha256 {language,
 *   whitespace-normalised text, base URL, timeout, options}.
 *
 * Entries are written as soon as their request returns, so a run that fails later keeps them.
 *
 * @module
 */
import { z } from "zod";
import { join } from "node:path";
import type {
  ErrorChecker,
  ErrorMatch,
  EssayInput,
  ExtractedFeatures,
  ExtractionOptions,
  FeatureExtractor,
  FeatureMatrix,
  SentenceEncoder,
} from "../features/types.ts";
import { deriveErrorCounts } from "../features/checkers/error_categories.ts";
import {
  LanguageToolResponse,
  parseLanguageToolResponse,
} from "../features/checkers/language_tool_response.ts";
import {
  InvalidAnswerError,
  validateEmbedAnswer,
  validateWireExtractAnswer,
} from "./answer_validation.ts";
import { canonicalHash, normaliseWhitespace } from "./canonical.ts";
import { chunkIndices } from "./chunking.ts";
import { DEFAULT_CACHE_ROOT, JsonDiskCache } from "./disk_cache.ts";
import { OffloadHttpClient, type OffloadHttpClientOptions } from "./http_client.ts";
import { OffloadMetricsCollector } from "./offload_metrics.ts";
import {
  decodeRowInto,
  EmbedResponseSchema,
  extractBodyBytes,
  ExtractResponseSchema,
  HEADERS,
  type HealthResponse,
  HealthResponseSchema,
  jsonStringBytes,
  MAX_BYTES_PER_REQUEST,
  MAX_ITEMS_PER_REQUEST,
  type WireFloat,
  WireFloatSchema,
} from "./protocol.ts";

/** Options shared by the offload clients. */
export interface OffloadClientOptions extends OffloadHttpClientOptions {
  /** Cache root (default `output/essay_scoring/.cache`). */
  readonly cacheRoot?: string;
  /** Use the disk cache (default true). */
  readonly useCache?: boolean;
  /** Items per request (default and maximum 64). */
  readonly maxItemsPerRequest?: number;
  /** Body bytes per request (default and maximum 900,000). */
  readonly maxBytesPerRequest?: number;
}

function requestLimits(o: OffloadClientOptions): { maxItems: number; maxBytes: number } {
  const maxItems = o.maxItemsPerRequest ?? MAX_ITEMS_PER_REQUEST;
  const maxBytes = o.maxBytesPerRequest ?? MAX_BYTES_PER_REQUEST;
  if (!(maxItems >= 1 && maxItems <= MAX_ITEMS_PER_REQUEST)) {
    throw new Error(`maxItemsPerRequest must be 1..${MAX_ITEMS_PER_REQUEST}, got ${maxItems}`);
  }
  if (!(maxBytes >= 1024 && maxBytes <= MAX_BYTES_PER_REQUEST)) {
    throw new Error(`maxBytesPerRequest must be 1024..${MAX_BYTES_PER_REQUEST}, got ${maxBytes}`);
  }
  return { maxItems, maxBytes };
}

/**
 * Run `work` over `tasks` with at most `concurrency` at once. After the first failure no new task
 * starts; tasks already running finish (their results, e.g. cache writes, are kept); then the
 * first error is thrown.
 */
export async function runBounded<T>(
  tasks: readonly T[],
  concurrency: number,
  work: (task: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let firstError: unknown;
  let failed = false;
  const worker = async () => {
    while (!failed && next < tasks.length) {
      if (signal?.aborted) {
        failed = true;
        firstError ??= signal.reason;
        return;
      }
      const task = tasks[next++];
      try {
        await work(task);
      } catch (e) {
        if (!failed) firstError = e;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failed) throw firstError;
}

/**
 * `GET /healthz` of an offload server, validated. Uses its own short-lived connection and
 * collector, so health checks do not count as extract/embed requests in `offload_metrics.json`.
 */
export async function fetchHealth(options: OffloadHttpClientOptions): Promise<HealthResponse> {
  const http = new OffloadHttpClient({
    ...options,
    collector: new OffloadMetricsCollector(),
    maxConcurrency: 1,
  });
  try {
    const res = await http.get("extract", "/healthz");
    const parsed = HealthResponseSchema.safeParse(res.body);
    if (!parsed.success) {
      throw new Error(
        `${http.baseUrl}/healthz is not an offload server health response: ${parsed.error.message}`,
      );
    }
    return parsed.data;
  } finally {
    await http.close();
  }
}

const ExtractEntrySchema = z.object({
  handcrafted: z.array(WireFloatSchema).optional(),
  embeddings: z.array(WireFloatSchema).optional(),
});
type ExtractEntry = z.infer<typeof ExtractEntrySchema>;

const NamesEntrySchema = z.object({
  handcrafted: z.array(z.string()).optional(),
  embeddings: z.array(z.string()).optional(),
});
type NamesEntry = z.infer<typeof NamesEntrySchema>;

/** A `FeatureExtractor` over an offload server's `/v1/extract`. */
export interface OffloadFeatureExtractor extends FeatureExtractor {
  /** The server's `/healthz` at creation. */
  readonly health: HealthResponse;
  readonly http: OffloadHttpClient;
  /** The row cache (`offload_extract/`), or undefined when caching is off. */
  readonly cache?: JsonDiskCache<ExtractEntry>;
  /** Close the connection pool. */
  close(): Promise<void>;
}

/**
 * Connect to an offload server (reads `/healthz` for its fingerprint) and return a
 * `FeatureExtractor` that extracts through `/v1/extract`. Its `fingerprint` is the server's.
 *
 * @example
 * ```ts
 * const extractor = await createOffloadFeatureExtractor({ baseUrl: "http://127.0.0.1:19000" });
 * const features = await extractor.extract(essays, { featureSet: "combined" });
 * await extractor.close();
 * ```
 */
export async function createOffloadFeatureExtractor(
  options: OffloadClientOptions,
): Promise<OffloadFeatureExtractor> {
  const collector = options.collector ?? new OffloadMetricsCollector();
  const limits = requestLimits(options);
  const health = await fetchHealth(options);
  const http = new OffloadHttpClient({ ...options, collector });
  const fingerprint = health.fingerprint;
  const root = options.cacheRoot ?? DEFAULT_CACHE_ROOT;
  const useCache = options.useCache ?? true;
  const cache = useCache
    ? new JsonDiskCache({
      dir: join(root, "offload_extract"),
      schema: ExtractEntrySchema,
      collector,
      service: "extract",
      warn: options.log,
    })
    : undefined;
  const namesCache = useCache
    ? new JsonDiskCache({ dir: join(root, "offload_extract"), schema: NamesEntrySchema })
    : undefined;
  const concurrency = options.maxConcurrency ?? 2;

  async function extract(
    essays: readonly EssayInput[],
    opts: ExtractionOptions,
  ): Promise<ExtractedFeatures> {
    const featureSet = opts.featureSet;
    const wantHand = featureSet !== "embeddings";
    const wantEmb = featureSet !== "handcrafted";
    const keys = essays.map((e) =>
      canonicalHash({
        kind: "offload_extract_row",
        fingerprint,
        feature_set: featureSet,
        text: e.text,
        prompt: e.prompt,
      })
    );
    const namesKey = canonicalHash({
      kind: "offload_extract_names",
      fingerprint,
      feature_set: featureSet,
    });
    let names: NamesEntry | undefined = namesCache ? await namesCache.get(namesKey) : undefined;
    const rows = new Map<string, ExtractEntry>();
    const firstIndex = new Map<string, number>();
    keys.forEach((k, i) => {
      if (!firstIndex.has(k)) firstIndex.set(k, i);
    });
    const unique = [...firstIndex.keys()];
    if (cache) {
      for (let i = 0; i < unique.length; i += 64) {
        const batch = unique.slice(i, i + 64);
        const got = await Promise.all(batch.map((k) => cache.get(k)));
        got.forEach((entry, j) => {
          if (entry && entryFits(entry, wantHand, wantEmb)) rows.set(batch[j], entry);
        });
      }
    }
    let missing = unique.filter((k) => !rows.has(k));
    if (!names && missing.length === 0 && unique.length > 0) missing = [unique[0]];
    const total = essays.length;
    const doneCount = () => keys.filter((k) => rows.has(k)).length;
    opts.onProgress?.("offload_extract", doneCount(), total);

    const missingEssays = missing.map((k) => essays[firstIndex.get(k)!]);
    const texts = missingEssays.map((e) => e.text);
    const prompts = missingEssays.map((e) => e.prompt);
    const base = extractBodyBytes([], [], featureSet);
    // + 2 separators per item: an upper bound (exact but for the first item's 2 bytes)
    const sizes = missingEssays.map((e) => jsonStringBytes(e.text) + jsonStringBytes(e.prompt) + 2);
    const chunks = chunkIndices(sizes, { ...limits, baseBytes: base });

    await runBounded(chunks, concurrency, async (chunk) => {
      const body = {
        texts: chunk.map((i) => texts[i]),
        prompts: chunk.map((i) => prompts[i]),
        feature_set: featureSet,
      };
      const res = await http.postJson("extract", "/v1/extract", body, opts.signal);
      const headerFp = res.headers[HEADERS.fingerprint.toLowerCase()];
      // Every answer is checked before any of it is used or cached (answer_validation.ts).
      refuseMalformed(
        collector,
        `${http.baseUrl}/v1/extract`,
        () =>
          validateWireExtractAnswer(res.body, chunk.length, {
            handcrafted: wantHand ? { width: names?.handcrafted?.length } : undefined,
            embeddings: wantEmb ? { width: health.models.encoder.dimension } : undefined,
          }),
      );
      const parsed = ExtractResponseSchema.safeParse(res.body);
      if (!parsed.success) {
        collector.service("extract").invalidAnswer++;
        throw new Error(`${http.baseUrl}/v1/extract: invalid response: ${parsed.error.message}`);
      }
      const r = parsed.data;
      if (r.fingerprint !== fingerprint || (headerFp !== undefined && headerFp !== fingerprint)) {
        throw new Error(
          `${http.baseUrl}: server fingerprint changed from ${fingerprint} to ${r.fingerprint} ` +
            "during the run (the server's models, options or versions changed); " +
            "start a new run so features are not mixed",
        );
      }
      const got: NamesEntry = {
        handcrafted: r.handcrafted?.names,
        embeddings: r.embeddings?.names,
      };
      checkMatrices(r, chunk.length, wantHand, wantEmb, http.baseUrl);
      if (!names) {
        names = got;
        await namesCache?.set(namesKey, got);
      } else if (!sameNames(names, got)) {
        throw new Error(`${http.baseUrl}: column names differ between responses`);
      }
      const writes: Promise<void>[] = [];
      chunk.forEach((localIndex, j) => {
        const entry: ExtractEntry = {
          handcrafted: r.handcrafted?.rows[j],
          embeddings: r.embeddings?.rows[j],
        };
        const key = missing[localIndex];
        rows.set(key, entry);
        if (cache) writes.push(cache.set(key, entry));
      });
      await Promise.all(writes);
      opts.onProgress?.("offload_extract", doneCount(), total);
    }, opts.signal);

    if (!names && essays.length === 0) {
      // No rows to learn the column names from: ask the server with an empty request.
      const res = await http.postJson("extract", "/v1/extract", {
        texts: [],
        prompts: [],
        feature_set: featureSet,
      }, opts.signal);
      const parsed = ExtractResponseSchema.safeParse(res.body);
      if (!parsed.success) {
        throw new Error(`${http.baseUrl}/v1/extract: invalid response: ${parsed.error.message}`);
      }
      names = {
        handcrafted: parsed.data.handcrafted?.names,
        embeddings: parsed.data.embeddings?.names,
      };
    }
    const n = essays.length;
    const build = (which: "handcrafted" | "embeddings"): FeatureMatrix => {
      const colNames = names?.[which] ?? [];
      const nCols = colNames.length;
      const values = new Float64Array(n * nCols);
      keys.forEach((k, r) => {
        const row = rows.get(k)?.[which] as WireFloat[] | undefined;
        if (!row || row.length !== nCols) {
          throw new Error(`offload extract: row for essay ${essays[r].id} is missing ${which}`);
        }
        decodeRowInto(row, values, r * nCols);
      });
      return { names: colNames, nRows: n, nCols, values };
    };
    return {
      ids: essays.map((e) => e.id),
      handcrafted: wantHand ? build("handcrafted") : undefined,
      embeddings: wantEmb ? build("embeddings") : undefined,
    };
  }

  return {
    fingerprint,
    health,
    http,
    cache,
    extract,
    close: () => http.close(),
  };
}

/**
 * Run an answer check; a malformed answer is counted (`invalid_answer` in offload_metrics.json)
 * and becomes an error naming the endpoint — nothing of it is cached.
 */
function refuseMalformed<T>(
  collector: OffloadMetricsCollector,
  url: string,
  check: () => T,
  service: "extract" | "embedding" = "extract",
): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof InvalidAnswerError)) throw error;
    collector.service(service).invalidAnswer++;
    throw new InvalidAnswerError(`${url}: malformed answer, not used or cached: ${error.message}`);
  }
}

function entryFits(entry: ExtractEntry, wantHand: boolean, wantEmb: boolean): boolean {
  return (!wantHand || entry.handcrafted !== undefined) &&
    (!wantEmb || entry.embeddings !== undefined);
}

function sameNames(a: NamesEntry, b: NamesEntry): boolean {
  return JSON.stringify(a.handcrafted ?? null) === JSON.stringify(b.handcrafted ?? null) &&
    JSON.stringify(a.embeddings ?? null) === JSON.stringify(b.embeddings ?? null);
}

function checkMatrices(
  r: z.infer<typeof ExtractResponseSchema>,
  nItems: number,
  wantHand: boolean,
  wantEmb: boolean,
  url: string,
): void {
  const problems: string[] = [];
  if (wantHand && r.handcrafted?.rows.length !== nItems) problems.push("handcrafted rows");
  if (wantEmb && r.embeddings?.rows.length !== nItems) problems.push("embedding rows");
  if (problems.length > 0) {
    throw new Error(
      `${url}/v1/extract: response lacks ${problems.join(" and ")} for ${nItems} items`,
    );
  }
}

/** Stored LanguageTool cache entry. */
const LanguageToolEntrySchema = z.object({
  derived_counts: z.object({
    grammar: z.number().int().min(0),
    spelling: z.number().int().min(0),
    punctuation: z.number().int().min(0),
  }),
  response: LanguageToolResponse,
});
/** A LanguageTool cache entry: category counts (original mapping) and the full response. */
export type LanguageToolCacheEntry = z.infer<typeof LanguageToolEntrySchema>;

/** Options of the LanguageTool checker client. */
export interface LanguageToolCheckerOptions extends OffloadClientOptions {
  /** Extra form parameters sent with every check (e.g. `{ level: "picky" }`); part of the key. */
  readonly options?: Readonly<Record<string, string>>;
}

/** An `ErrorChecker` over LanguageTool's `/v2/check`. */
export interface LanguageToolChecker extends ErrorChecker {
  readonly http: OffloadHttpClient;
  readonly cache?: JsonDiskCache<LanguageToolCacheEntry>;
  /** The cache key of a check (sha256 of canonical JSON). */
  cacheKey(text: string, language: string): string;
  close(): Promise<void>;
}

/**
 * An `ErrorChecker` that calls LanguageTool's `POST /v2/check` (form-encoded `text`, `language`)
 * on a real LanguageTool server or this project's offload server, with the disk cache.
 *
 * @example
 * ```ts
 * const lt = createLanguageToolChecker({ baseUrl: "http://127.0.0.1:18085" });
 * const matches = await lt.check("This are wrong.", "en-US");
 * ```
 */
export function createLanguageToolChecker(
  options: LanguageToolCheckerOptions,
): LanguageToolChecker {
  const collector = options.collector ?? new OffloadMetricsCollector();
  const http = new OffloadHttpClient({ ...options, collector });
  const extra = options.options ?? {};
  const cache = (options.useCache ?? true)
    ? new JsonDiskCache({
      dir: join(options.cacheRoot ?? DEFAULT_CACHE_ROOT, "offload_language_tool"),
      schema: LanguageToolEntrySchema,
      collector,
      service: "language_tool",
      warn: options.log,
    })
    : undefined;
  const cacheKey = (text: string, language: string) =>
    canonicalHash({
      language,
      text: normaliseWhitespace(text),
      base_url: http.baseUrl,
      timeout_ms: http.timeoutMs,
      options: extra,
    });
  async function check(text: string, language: string): Promise<readonly ErrorMatch[]> {
    const key = cacheKey(text, language);
    const hit = cache ? await cache.get(key) : undefined;
    if (hit) return parseLanguageToolResponse(hit.response, `${cache!.pathFor(key)}`);
    const form = new URLSearchParams({ ...extra, text, language });
    const res = await http.postForm("language_tool", "/v2/check", form);
    const parsed = LanguageToolResponse.safeParse(res.body);
    if (!parsed.success) {
      throw new Error(`${http.baseUrl}/v2/check: invalid response: ${parsed.error.message}`);
    }
    const matches = parseLanguageToolResponse(parsed.data, `${http.baseUrl}/v2/check`);
    await cache?.set(key, { derived_counts: deriveErrorCounts(matches), response: parsed.data });
    return matches;
  }
  return {
    name: `languagetool-http(${http.baseUrl}${
      Object.keys(extra).length ? ` ${canonicalHash(extra).slice(0, 12)}` : ""
    })`,
    http,
    cache,
    cacheKey,
    check,
    close: () => http.close(),
  };
}

const EmbedEntrySchema = z.object({ vector: z.array(z.number()) });

/** A `SentenceEncoder` over an offload server's `/v1/embed`. */
export interface RemoteEncoder extends SentenceEncoder {
  readonly health: HealthResponse;
  readonly http: OffloadHttpClient;
  close(): Promise<void>;
}

/**
 * Connect to an offload server and return a `SentenceEncoder` over `/v1/embed`; its name and
 * dimension are the server's model's, its name carries the server fingerprint.
 */
export async function createRemoteEncoder(options: OffloadClientOptions): Promise<RemoteEncoder> {
  const collector = options.collector ?? new OffloadMetricsCollector();
  const limits = requestLimits(options);
  const health = await fetchHealth(options);
  const http = new OffloadHttpClient({ ...options, collector });
  const { fingerprint } = health;
  const { name: model, dimension } = health.models.encoder;
  const cache = (options.useCache ?? true)
    ? new JsonDiskCache({
      dir: join(options.cacheRoot ?? DEFAULT_CACHE_ROOT, "offload_embed"),
      schema: EmbedEntrySchema,
      collector,
      service: "embedding",
      warn: options.log,
    })
    : undefined;
  const concurrency = options.maxConcurrency ?? 2;

  async function embed(texts: readonly string[]): Promise<Float32Array[]> {
    const keys = texts.map((text) => canonicalHash({ kind: "offload_embed", fingerprint, text }));
    const vectors = new Map<string, Float32Array>();
    const firstIndex = new Map<string, number>();
    keys.forEach((k, i) => firstIndex.has(k) || firstIndex.set(k, i));
    const unique = [...firstIndex.keys()];
    if (cache) {
      for (let i = 0; i < unique.length; i += 64) {
        const batch = unique.slice(i, i + 64);
        const got = await Promise.all(batch.map((k) => cache.get(k)));
        got.forEach((e, j) => {
          if (e && e.vector.length === dimension) {
            vectors.set(batch[j], Float32Array.from(e.vector));
          }
        });
      }
    }
    const missing = unique.filter((k) => !vectors.has(k));
    const missingTexts = missing.map((k) => texts[firstIndex.get(k)!]);
    const base = new TextEncoder().encode(JSON.stringify({ texts: [] })).length;
    const chunks = chunkIndices(missingTexts.map((t) => jsonStringBytes(t) + 1), {
      ...limits,
      baseBytes: base,
    });
    await runBounded(chunks, concurrency, async (chunk) => {
      const res = await http.postJson("embedding", "/v1/embed", {
        texts: chunk.map((i) => missingTexts[i]),
      });
      const parsed = EmbedResponseSchema.safeParse(res.body);
      if (!parsed.success) {
        collector.service("embedding").invalidAnswer++;
        throw new Error(`${http.baseUrl}/v1/embed: invalid response: ${parsed.error.message}`);
      }
      const r = parsed.data;
      if (r.fingerprint !== fingerprint) {
        throw new Error(
          `${http.baseUrl}: server fingerprint changed from ${fingerprint} to ${r.fingerprint} during the run`,
        );
      }
      const checked = refuseMalformed(
        collector,
        `${http.baseUrl}/v1/embed`,
        () => validateEmbedAnswer(r.vectors, chunk.length, dimension),
        "embedding",
      );
      await Promise.all(chunk.map((i, j) => {
        vectors.set(missing[i], checked[j]);
        return cache?.set(missing[i], { vector: r.vectors[j] });
      }));
    });
    return keys.map((k) => vectors.get(k)!);
  }

  return {
    name: `remote(${model}, server ${fingerprint.slice(0, 16)})`,
    dimension,
    health,
    http,
    embed,
    close: () => http.close(),
  };
}
