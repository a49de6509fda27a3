/**
 * Offload clients over the original Hemma offload protocol (HEMMA_PROTOCOL.md §B.3–B.4, §B.8),
 * for the user's real Hemma server and for ours alike:
 *
 * - {@link createOffloadFeatureExtractor}: a `FeatureExtractor` over `POST /v1/extract`
 *   (`--backend hemma`). The answer is a zip of `meta.json` + float32 `.npy` matrices; column
 *   names come from `meta.json`'s `feature_schema` (25 handcrafted columns from the original
 *   server, 36 from ours; any embedding width). At connection one tiny `embeddings` request
 *   reads the server's `meta.json` (fingerprint, model, schema): the extractor's fingerprint is
 *   the server's, so a feature store never mixes rows of two server configurations, and a
 *   fingerprint that changes during a run stops it.
 * - {@link createRemoteEncoder}: a `SentenceEncoder` over `POST /v1/embed` (raw `.npy`).
 *
 * Both chunk, run bounded and cache like the original clients, in the original's cache layout
 * (`hemma/cache_keys.ts`): embedding rows in `<cache>/offload_embeddings/<E>.npy`, handcrafted
 * rows in `<cache>/offload_handcrafted/<fingerprint>/<H>.npy` plus `current_meta.json`, so a
 * researcher's existing cache directories are reused. Rows are cached as soon as their request
 * returns; a run that fails later keeps them. The LanguageTool client is in
 * `language_tool_client.ts`.
 *
 * @module
 */
import { join } from "node:path";
import type {
  EssayInput,
  ExtractedFeatures,
  ExtractionOptions,
  FeatureExtractor,
  FeatureMatrix,
  SentenceEncoder,
} from "../features/types.ts";
import { HANDCRAFTED_FEATURE_NAMES } from "../features/handcrafted/schema.ts";
import { chunkIndices } from "./chunking.ts";
import { DEFAULT_CACHE_ROOT } from "./disk_cache.ts";
import { OffloadHttpClient, type OffloadHttpClientOptions } from "./http_client.ts";
import { OffloadMetricsCollector } from "./offload_metrics.ts";
import {
  type HealthResponse,
  HealthResponseSchema,
  jsonStringBytes,
  MAX_BYTES_PER_REQUEST,
  MAX_ITEMS_PER_REQUEST,
} from "./protocol.ts";
import { postExtractVerified } from "./verified_extract.ts";
import { embedEmbeddingKey, extractEmbeddingKey, handcraftedKey } from "./hemma/cache_keys.ts";
import {
  embeddingColumnNames,
  type ExtractMeta,
  metaHandcraftedNames,
  writeExtractMeta,
} from "./hemma/meta.ts";
import {
  type AnswerExpectation,
  InvalidAnswerError,
  validateExtractAnswer,
} from "./answer_validation.ts";
import { decodeNpyMatrix } from "./hemma/npy.ts";
import { readRow, writeRow } from "./hemma/row_cache.ts";
import { writeFileAtomic } from "../run/atomic_write.ts";

/** Options shared by the offload clients. */
export interface OffloadClientOptions extends OffloadHttpClientOptions {
  /** Cache root (default `output/essay_scoring/.cache`). */
  readonly cacheRoot?: string;
  /** Use the disk cache (default true). */
  readonly useCache?: boolean;
  /** Items per extract/embed request (default and maximum 64). */
  readonly maxItemsPerRequest?: number;
  /** Estimated body bytes per request (default and maximum 900,000). */
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
 * `GET /healthz` of an offload server (original or ours), read tolerantly. Uses its own
 * short-lived connection and collector, so health checks do not count in `offload_metrics.json`.
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

/**
 * The fingerprint and column schema a feature store records for rows from this server. Our server
 * with this project's handcrafted schema names the local extractor that computed its features
 * (`versions.extractor_fingerprint`): its rows are the local extractor's, rounded to float32 like
 * every store, so local, server and cluster stores are byte-identical and interchangeable. Any
 * other server (the original, or ours in the original 25-column schema) is identified by its
 * server fingerprint and schema.
 */
export function storeIdentity(
  meta: ExtractMeta,
  handNames: readonly string[],
): Pick<FeatureExtractor, "fingerprint" | "featureSchema"> {
  const local = meta.versions.extractor_fingerprint;
  const sameSchema = handNames.length === HANDCRAFTED_FEATURE_NAMES.length &&
    handNames.every((n, i) => n === HANDCRAFTED_FEATURE_NAMES[i]);
  if (local !== undefined && sameSchema) return { fingerprint: local };
  return {
    fingerprint: meta.server_fingerprint,
    featureSchema: {
      version: `hemma-offload-schema-v${meta.schema_version}`,
      handcraftedNames: handNames,
    },
  };
}

/** Text and prompt of the connection probe (one tiny `embeddings` extract request). */
export const PROBE_ITEM = { text: "This short text checks the offload server.", prompt: "probe" };

/** A `FeatureExtractor` over an offload server's `/v1/extract`. */
export interface OffloadFeatureExtractor extends FeatureExtractor {
  /** The server's `/healthz` at connection. */
  readonly health: HealthResponse;
  /** The server's `meta.json` at connection (fingerprint, model, schema). */
  readonly meta: ExtractMeta;
  readonly http: OffloadHttpClient;
  /** Handcrafted column names (tier1 + tier2 + tier3 of the meta). */
  readonly handcraftedNames: readonly string[];
  /** Cache directories (undefined when caching is off). */
  readonly cacheDirs?: { readonly embeddings: string; readonly handcrafted: string };
  /** Close the connection pool. */
  close(): Promise<void>;
}

/**
 * Check a decoded answer matrix with `validateExtractAnswer` (rows, width, finite values; NaN only
 * where allowed). A malformed answer is counted (`invalid_answer` in offload_metrics.json) and
 * becomes an error naming the endpoint — nothing of it is used or cached.
 */
function checkAnswerMatrix(
  collector: OffloadMetricsCollector,
  source: string,
  service: "extract" | "embedding",
  matrix: { readonly shape: readonly number[]; readonly data: Float32Array },
  expected: AnswerExpectation,
): void {
  try {
    validateExtractAnswer(
      { nRows: matrix.shape[0], nCols: matrix.shape[1] ?? 1, values: matrix.data },
      expected,
    );
  } catch (error) {
    if (!(error instanceof InvalidAnswerError)) throw error;
    collector.service(service).invalidAnswer++;
    throw new InvalidAnswerError(
      `${source}: malformed answer, not used or cached: ${error.message}`,
    );
  }
}

async function postExtract(
  http: OffloadHttpClient,
  texts: readonly string[],
  prompts: readonly string[],
  featureSet: string,
  signal?: AbortSignal,
) {
  // Integrity-checked (CRC-32) and resent when a 2xx body is unusable: verified_extract.ts.
  return await postExtractVerified(http, texts, prompts, featureSet, signal);
}

/**
 * Connect to an offload server: read `/healthz`, then send the probe to learn its `meta.json`.
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
  const health = await fetchHealth(options);
  const meta = await probeServerMeta(options);
  const http = new OffloadHttpClient({ ...options, collector });
  const handNames = metaHandcraftedNames(meta);
  const root = options.cacheRoot ?? DEFAULT_CACHE_ROOT;
  const cacheDirs = (options.useCache ?? true)
    ? {
      embeddings: join(root, "offload_embeddings"),
      handcrafted: join(root, "offload_handcrafted"),
    }
    : undefined;
  const session: ExtractSession = {
    options,
    collector,
    http,
    meta,
    handNames,
    embNames: embeddingColumnNames(meta.embedding.dim),
    cacheDirs,
    embPath: (text) =>
      join(
        cacheDirs!.embeddings,
        `${extractEmbeddingKey(meta.embedding.model_name, meta.embedding.max_length, text)}.npy`,
      ),
    handPath: (text, prompt) =>
      join(
        cacheDirs!.handcrafted,
        meta.server_fingerprint,
        `${handcraftedKey(meta.schema_version, text, prompt)}.npy`,
      ),
  };
  return {
    ...storeIdentity(meta, handNames),
    provenance: {
      offload_service_url: http.baseUrl,
      server_fingerprint: meta.server_fingerprint,
      schema_version: meta.schema_version,
      git_sha: meta.git_sha,
      embedding: meta.embedding,
      language_tool: meta.language_tool,
      feature_schema: {
        tier1: meta.feature_schema.tier1,
        tier2: meta.feature_schema.tier2,
        tier3: meta.feature_schema.tier3,
      },
      versions: meta.versions,
    },
    health,
    meta,
    http,
    handcraftedNames: handNames,
    cacheDirs,
    extract: (essays, opts) => extractThroughServer(session, essays, opts),
    close: () => http.close(),
  };
}

/** The server's `meta.json` from one tiny `embeddings` request on its own connection. */
async function probeServerMeta(options: OffloadClientOptions): Promise<ExtractMeta> {
  // The probe has its own connection and counters: it is not part of the run's metrics.
  const probe = new OffloadHttpClient({
    ...options,
    collector: new OffloadMetricsCollector(),
    maxConcurrency: 1,
  });
  try {
    return (await postExtract(probe, [PROBE_ITEM.text], [PROBE_ITEM.prompt], "embeddings")).meta;
  } catch (e) {
    throw new Error(
      `offload server ${probe.baseUrl}: the connection probe (/v1/extract, 1 item) failed: ${
        e instanceof Error ? e.message : String(e)
      }`,
      { cause: e },
    );
  } finally {
    await probe.close();
  }
}

/** One connected offload extractor's state: server, schema, cache layout. */
interface ExtractSession {
  readonly options: OffloadClientOptions;
  readonly collector: OffloadMetricsCollector;
  readonly http: OffloadHttpClient;
  readonly meta: ExtractMeta;
  readonly handNames: readonly string[];
  readonly embNames: readonly string[];
  readonly cacheDirs?: { readonly embeddings: string; readonly handcrafted: string };
  embPath(text: string): string;
  handPath(text: string, prompt: string): string;
}

/** Rows collected for one `extract` call, by item key (text + prompt). */
interface CollectedRows {
  readonly wantHand: boolean;
  readonly wantEmb: boolean;
  readonly hand: Map<string, Float32Array>;
  readonly emb: Map<string, Float32Array>;
}

/** Request item key: one request item and one cache lookup per distinct (text, prompt). */
const itemKey = (e: EssayInput) => `${e.text}\u0000${e.prompt}`;

/** `extract` of {@link createOffloadFeatureExtractor}: cache first, then the missing items. */
async function extractThroughServer(
  session: ExtractSession,
  essays: readonly EssayInput[],
  opts: ExtractionOptions,
): Promise<ExtractedFeatures> {
  const { http, cacheDirs } = session;
  const rows: CollectedRows = {
    wantHand: opts.featureSet !== "embeddings",
    wantEmb: opts.featureSet !== "handcrafted",
    hand: new Map(),
    emb: new Map(),
  };
  const firstIndex = new Map<string, number>();
  essays.forEach((e, i) => firstIndex.has(itemKey(e)) || firstIndex.set(itemKey(e), i));
  const unique = [...firstIndex.keys()].map((k) => essays[firstIndex.get(k)!]);
  if (cacheDirs) await readCachedRows(session, unique, rows);
  const complete = (e: EssayInput) =>
    (!rows.wantHand || rows.hand.has(itemKey(e))) && (!rows.wantEmb || rows.emb.has(itemKey(e)));
  const missing = unique.filter((e) => !complete(e));
  const total = essays.length;
  const doneCount = () => essays.filter(complete).length;
  opts.onProgress?.("offload_extract", doneCount(), total);

  const sizes = missing.map((e) => jsonStringBytes(e.text) + jsonStringBytes(e.prompt) + 2);
  const chunks = chunkIndices(sizes, { ...requestLimits(session.options), baseBytes: 50 });
  let wroteMeta = false;
  const run = runBounded(chunks, session.options.maxConcurrency ?? 2, async (chunk) => {
    const part = chunk.map((i) => missing[i]);
    const archive = await fetchCheckedChunk(session, part, opts, rows);
    await keepChunkRows(session, part, archive, rows);
    if (cacheDirs && rows.wantHand && !wroteMeta) {
      wroteMeta = true;
      await Deno.mkdir(cacheDirs.handcrafted, { recursive: true });
      await writeFileAtomic(
        join(cacheDirs.handcrafted, "current_meta.json"),
        writeExtractMeta(archive.meta),
      );
    }
    opts.onProgress?.("offload_extract", doneCount(), total);
  }, opts.signal);
  await run.catch((e) => {
    throw extractIncompleteError(e, doneCount(), total, http.baseUrl, cacheDirs !== undefined);
  });
  return {
    ids: essays.map((e) => e.id),
    handcrafted: rows.wantHand ? rowsToMatrix(essays, rows.hand, session.handNames) : undefined,
    embeddings: rows.wantEmb ? rowsToMatrix(essays, rows.emb, session.embNames) : undefined,
  };
}

/** Disk-cache lookups in flight at once. */
const CACHE_READS_AT_ONCE = 64;

/** Run `fn` on every item, {@link CACHE_READS_AT_ONCE} at a time (bounded open files). */
async function forEachCacheBatch<T>(
  items: readonly T[],
  fn: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += CACHE_READS_AT_ONCE) {
    await Promise.all(items.slice(i, i + CACHE_READS_AT_ONCE).map(fn));
  }
}

/** Fill `rows` from the disk cache. */
async function readCachedRows(
  session: ExtractSession,
  unique: readonly EssayInput[],
  rows: CollectedRows,
): Promise<void> {
  const embCounters = session.collector.service("embedding");
  const handCounters = session.collector.service("extract");
  const log = session.options.log;
  const dim = session.meta.embedding.dim;
  await forEachCacheBatch(unique, async (e) => {
    if (rows.wantEmb) {
      const row = await readRow(session.embPath(e.text), dim, embCounters, log);
      if (row) rows.emb.set(itemKey(e), row);
    }
    if (rows.wantHand) {
      const path = session.handPath(e.text, e.prompt);
      const row = await readRow(path, session.handNames.length, handCounters, log);
      if (row) rows.hand.set(itemKey(e), row);
    }
  });
}

type ExtractArchive = Awaited<ReturnType<typeof postExtract>>;

/**
 * One `/v1/extract` request for `part`, refused unless its server fingerprint is the one of the
 * connection and its matrices are present and valid (rows, width, values).
 */
async function fetchCheckedChunk(
  session: ExtractSession,
  part: readonly EssayInput[],
  opts: ExtractionOptions,
  rows: CollectedRows,
): Promise<ExtractArchive> {
  const { http, collector } = session;
  const fingerprint = session.meta.server_fingerprint;
  const archive = await postExtract(
    http,
    part.map((e) => e.text),
    part.map((e) => e.prompt),
    opts.featureSet,
    opts.signal,
  );
  const got = archive.meta;
  if (got.server_fingerprint !== fingerprint) {
    throw new Error(
      `offload server ${http.baseUrl}: server fingerprint changed from ${fingerprint} to ` +
        `${got.server_fingerprint} during the run (its models, schema or versions changed); ` +
        "refusing to mix rows of two configurations: start a new run",
    );
  }
  if (rows.wantHand && !archive.handcrafted) {
    throw new Error(`${http.baseUrl}/v1/extract: zip has no handcrafted.npy`);
  }
  if (rows.wantEmb && !archive.embeddings) {
    throw new Error(`${http.baseUrl}/v1/extract: zip has no embeddings.npy`);
  }
  // Every answer is checked (rows, width, value types) before any of it is used or cached.
  const source = `${http.baseUrl}/v1/extract`;
  if (archive.handcrafted) {
    checkAnswerMatrix(collector, source, "extract", archive.handcrafted, {
      rows: part.length,
      allowNaN: true,
      what: "handcrafted",
    });
  }
  if (archive.embeddings) {
    checkAnswerMatrix(collector, source, "extract", archive.embeddings, {
      rows: part.length,
      allowNaN: false,
      what: "embeddings",
    });
  }
  return archive;
}

/** Keep a checked answer's rows (and write them to the cache as soon as they arrived). */
async function keepChunkRows(
  session: ExtractSession,
  part: readonly EssayInput[],
  archive: ExtractArchive,
  rows: CollectedRows,
): Promise<void> {
  const cache = session.cacheDirs !== undefined;
  const writes: Promise<void>[] = [];
  part.forEach((e, j) => {
    const k = itemKey(e);
    if (archive.handcrafted) {
      const w = archive.handcrafted.shape[1];
      const row = archive.handcrafted.data.slice(j * w, (j + 1) * w);
      rows.hand.set(k, row);
      if (cache) writes.push(writeRow(session.handPath(e.text, e.prompt), row));
    }
    if (archive.embeddings) {
      const w = archive.embeddings.shape[1];
      const row = archive.embeddings.data.slice(j * w, (j + 1) * w);
      rows.emb.set(k, row);
      if (cache) writes.push(writeRow(session.embPath(e.text), row));
    }
  });
  await Promise.all(writes);
}

/** The essays' rows as a float64 matrix in essay order (duplicates share their item's row). */
function rowsToMatrix(
  essays: readonly EssayInput[],
  rows: Map<string, Float32Array>,
  names: readonly string[],
): FeatureMatrix {
  const nCols = names.length;
  const values = new Float64Array(essays.length * nCols);
  essays.forEach((e, r) => {
    const row = rows.get(itemKey(e));
    if (!row || row.length !== nCols) {
      throw new Error(`offload extract: no row of ${nCols} values for essay ${e.id}`);
    }
    for (let c = 0; c < nCols; c++) values[r * nCols + c] = row[c];
  });
  return { names, nRows: essays.length, nCols, values };
}

/**
 * The final error of an extraction whose retries are spent: the cause itself (its class, e.g.
 * `OffloadRequestError`, is kept), its message prefixed with how many essays are done (their rows
 * are in the cache, so a rerun sends only the rest) and `essaysDone` / `essaysTotal` attached.
 */
export function extractIncompleteError(
  cause: unknown,
  done: number,
  total: number,
  baseUrl: string,
  cached: boolean,
): Error {
  const err = cause instanceof Error ? cause : new Error(String(cause));
  err.message = `offload extraction via ${baseUrl} stopped: ${done} of ${total} essays done` +
    (cached ? " (their rows are in the cache; a rerun sends only the rest)" : "") +
    `; cause: ${err.message}`;
  Object.assign(err, { essaysDone: done, essaysTotal: total });
  return err;
}

/** A `SentenceEncoder` over an offload server's `/v1/embed`. */
export interface RemoteEncoder extends SentenceEncoder {
  readonly health: HealthResponse;
  readonly http: OffloadHttpClient;
  /** Model name and max length sent with every request (from `/healthz`). */
  readonly model: { readonly name: string; readonly maxLength: number };
  close(): Promise<void>;
}

/** The cached rows of `texts`, keyed by text; a miss is left out. */
async function readCachedVectors(
  texts: readonly string[],
  pathOf: (text: string) => string,
  read: (path: string) => Promise<Float32Array | null | undefined>,
): Promise<Map<string, Float32Array>> {
  const rows = new Map<string, Float32Array>();
  await forEachCacheBatch(texts, async (t) => {
    const row = await read(pathOf(t));
    if (row) rows.set(t, row);
  });
  return rows;
}

/**
 * Connect to an offload server and return a `SentenceEncoder` over `/v1/embed`. The model name
 * and max length come from the server's `/healthz` (`model_name`, `max_length`) and are sent with
 * every request, as the original client does; the dimension from a one-text probe.
 */
export async function createRemoteEncoder(options: OffloadClientOptions): Promise<RemoteEncoder> {
  const collector = options.collector ?? new OffloadMetricsCollector();
  const limits = requestLimits(options);
  const health = await fetchHealth(options);
  if (health.model_name === undefined || health.max_length === undefined) {
    throw new Error(
      `${options.baseUrl}/healthz has no model_name/max_length: not an offload server`,
    );
  }
  const modelName = health.model_name;
  const maxLength = health.max_length;
  const http = new OffloadHttpClient({ ...options, collector });
  const counters = collector.service("embedding");
  const post = async (texts: readonly string[]) => {
    const res = await http.postJsonForBytes("embedding", "/v1/embed", {
      texts,
      model_name: modelName,
      max_length: maxLength,
    });
    return decodeNpyMatrix(res.body, `${http.baseUrl}/v1/embed`, texts.length);
  };
  let dimension: number;
  try {
    dimension = (await post([PROBE_ITEM.text])).shape[1];
  } catch (e) {
    await http.close();
    throw e;
  }
  const cacheDir = (options.useCache ?? true)
    ? join(options.cacheRoot ?? DEFAULT_CACHE_ROOT, "offload_embeddings")
    : undefined;
  const pathOf = (text: string) =>
    join(cacheDir!, `${embedEmbeddingKey(modelName, maxLength, text)}.npy`);
  const concurrency = options.maxConcurrency ?? 2;

  async function embed(texts: readonly string[]): Promise<Float32Array[]> {
    const unique = [...new Set(texts)];
    const vectors = cacheDir
      ? await readCachedVectors(
        unique,
        pathOf,
        (path) => readRow(path, dimension, counters, options.log),
      )
      : new Map<string, Float32Array>();
    const missing = unique.filter((t) => !vectors.has(t));
    const chunks = chunkIndices(missing.map((t) => jsonStringBytes(t) + 1), {
      ...limits,
      baseBytes: 70,
    });
    await runBounded(chunks, concurrency, async (chunk) => {
      const part = chunk.map((i) => missing[i]);
      const m = await post(part);
      checkAnswerMatrix(collector, `${http.baseUrl}/v1/embed`, "embedding", m, {
        rows: part.length,
        width: dimension,
        allowNaN: false,
        what: "embeddings",
      });
      await Promise.all(part.map((t, j) => {
        const row = m.data.slice(j * dimension, (j + 1) * dimension);
        vectors.set(t, row);
        return cacheDir ? writeRow(pathOf(t), row) : undefined;
      }));
    });
    return texts.map((t) => vectors.get(t)!);
  }

  return {
    name: `remote(${modelName}, max_length ${maxLength}, dim ${dimension})`,
    dimension,
    health,
    http,
    model: { name: modelName, maxLength },
    embed,
    close: () => http.close(),
  };
}
