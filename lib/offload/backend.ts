/**
 * One entry point for the steps (`cv`, `drop-column`, `run`) to get the `FeatureExtractor` their
 * config asks for, plus the handle that collects and writes `offload_metrics.json`:
 *
 * - `--backend hemma --offload-service-url URL`: every feature from the offload server's
 *   `/v1/extract` (disk caches `offload_handcrafted/`, `offload_embeddings/`);
 * - `--backend local` (default): the local extractor; with `--language-tool-service-url` its
 *   error checker is LanguageTool over HTTP (either dialect, `--language-tool-protocol`; cache
 *   `offload_language_tool/`), with
 *   `--embedding-service-url` its sentence encoder is the server's `/v1/embed` (cache
 *   `offload_embeddings/`; the local extractor then runs on the calling thread, see `extract.ts`).
 *
 * The returned extractor records throughput (essays and wall time of its `extract` calls) for
 * `benchmarks[]`; the offload clients record requests, latencies and cache hits.
 *
 * @module
 */
import { join } from "node:path";
import { createLocalFeatureExtractor, type LocalExtractorOptions } from "../features/extract.ts";
import type {
  EssayInput,
  ExtractedFeatures,
  ExtractionOptions,
  FeatureExtractor,
} from "../features/types.ts";
import type { ExperimentConfig } from "../run/config.ts";
import {
  createOffloadFeatureExtractor,
  createRemoteEncoder,
  type OffloadClientOptions,
} from "./client.ts";
import { connectLanguageToolChecker } from "./language_tool_client.ts";
import {
  type BenchmarkRecord,
  buildOffloadMetrics,
  type OffloadMetrics,
  OffloadMetricsCollector,
  writeOffloadMetrics,
} from "./offload_metrics.ts";

/** The config fields that choose a backend. */
export type BackendConfig =
  & Pick<
    ExperimentConfig,
    | "backend"
    | "offloadServiceUrl"
    | "embeddingServiceUrl"
    | "languageToolServiceUrl"
    | "outputRoot"
  >
  & Partial<
    Pick<ExperimentConfig, "languageToolProtocol" | "offloadRequestTimeoutS" | "offloadConcurrency">
  >;

/** Options of `createExtractorForConfig`. */
export interface ExtractorForConfigOptions {
  /** Cache root (default `<outputRoot>/.cache`, i.e. `output/essay_scoring/.cache`). */
  readonly cacheRoot?: string;
  /** Bearer token for the offload server (default env `OFFLOAD_SERVICE_TOKEN`). */
  readonly token?: string;
  /** Client tuning (timeouts, retries, concurrency, chunking) for every offload client. */
  readonly client?: Partial<OffloadClientOptions>;
  /** Local extractor options (workers, language, …) for `--backend local`. */
  readonly local?: Omit<LocalExtractorOptions, "checker" | "encoder">;
  /** Name prefix of the throughput records (default `feature_extraction`). */
  readonly benchmarkName?: string;
  /** Log sink for notes (ignored flags, retries, corrupt cache entries). */
  readonly log?: (line: string) => void;
}

/** The extractor for a config, with its metrics and clean-up. */
export interface ExtractorHandle {
  /** Extractor to pass to extraction (`extractWithStore`); records throughput. */
  readonly extractor: FeatureExtractor;
  readonly backend: "local" | "hemma";
  /** Service URLs in use (for the experiment log and manifest). */
  readonly services: {
    readonly offload?: string;
    readonly embedding?: string;
    readonly languageTool?: string;
  };
  /** Counters shared by the clients and caches (add step-level benchmarks here if wanted). */
  readonly collector: OffloadMetricsCollector;
  /** The `offload_metrics.json` object as of now. */
  buildMetrics(): OffloadMetrics;
  /** Write `<artifactsDir>/offload_metrics.json` atomically; returns its path. */
  writeMetrics(artifactsDir: string): Promise<string>;
  /** Close connection pools and stop workers. */
  close(): Promise<void>;
}

/**
 * Wall-clock throughput per feature set: essays, and the time during which at least one
 * `extract` call of that feature set was running (overlapping calls are not double-counted).
 */
class ThroughputRecorder {
  readonly #sets = new Map<
    string,
    { essays: number; running: number; since: number; activeMs: number }
  >();

  async around<T>(featureSet: string, essays: number, work: () => Promise<T>): Promise<T> {
    let rec = this.#sets.get(featureSet);
    if (!rec) {
      rec = { essays: 0, running: 0, since: 0, activeMs: 0 };
      this.#sets.set(featureSet, rec);
    }
    if (rec.running++ === 0) rec.since = performance.now();
    try {
      const out = await work();
      rec.essays += essays;
      return out;
    } finally {
      if (--rec.running === 0) rec.activeMs += performance.now() - rec.since;
    }
  }

  records(prefix: string, backend: string): BenchmarkRecord[] {
    const now = performance.now();
    return [...this.#sets].filter(([, r]) => r.essays > 0).map(([featureSet, r]) => ({
      name: `${prefix}_${backend}_${featureSet}`,
      essays: r.essays,
      seconds: (r.activeMs + (r.running > 0 ? now - r.since : 0)) / 1000,
    }));
  }
}

/**
 * Build the extractor the config asks for (see module docs).
 *
 * @example
 * ```ts
 * const handle = await createExtractorForConfig(config, { log: logger.info });
 * try {
 *   const features = await extractWithStore({ essays, extractor: handle.extractor, ... });
 * } finally {
 *   await handle.writeMetrics(join(runDir, "artifacts"));
 *   await handle.close();
 * }
 * ```
 */
export async function createExtractorForConfig(
  config: BackendConfig,
  options: ExtractorForConfigOptions = {},
): Promise<ExtractorHandle> {
  const log = options.log ?? (() => {});
  const collector = new OffloadMetricsCollector();
  const cacheRoot = options.cacheRoot ?? join(config.outputRoot, ".cache");
  const timeoutS = config.offloadRequestTimeoutS;
  const clientOptions = (baseUrl: string): OffloadClientOptions => ({
    token: options.token ?? Deno.env.get("OFFLOAD_SERVICE_TOKEN") ?? undefined,
    log,
    ...(timeoutS === undefined ? {} : { timeoutMs: timeoutS * 1000 }),
    ...(config.offloadConcurrency === undefined
      ? {}
      : { maxConcurrency: config.offloadConcurrency }),
    ...options.client,
    baseUrl,
    cacheRoot,
    collector,
  });
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  let inner: FeatureExtractor;
  const services: { offload?: string; embedding?: string; languageTool?: string } = {};
  try {
    if (config.backend === "hemma") {
      if (!config.offloadServiceUrl) {
        throw new Error(
          "--backend hemma needs --offload-service-url (e.g. http://127.0.0.1:19000)",
        );
      }
      for (
        const [flag, url] of [
          ["--embedding-service-url", config.embeddingServiceUrl],
          ["--language-tool-service-url", config.languageToolServiceUrl],
        ] as const
      ) {
        if (url) log(`${flag} ${url} is not used with --backend hemma (the server does it all)`);
      }
      const remote = await createOffloadFeatureExtractor(clientOptions(config.offloadServiceUrl));
      closers.push(() => remote.close());
      services.offload = remote.http.baseUrl;
      log(
        `hemma backend ${remote.http.baseUrl}: server ${remote.health.status}, fingerprint ` +
          `${remote.fingerprint.slice(0, 16)}, model ${remote.meta.embedding.model_name} ` +
          `(dim ${remote.meta.embedding.dim}), ${remote.handcraftedNames.length} handcrafted columns`,
      );
      inner = remote;
    } else {
      if (config.offloadServiceUrl) {
        log(`--offload-service-url is only used with --backend hemma; extracting locally`);
      }
      let checker;
      let encoder;
      if (config.languageToolServiceUrl) {
        const { timeoutMs: _t, ...ltOptions } = clientOptions(config.languageToolServiceUrl);
        const lt = await connectLanguageToolChecker({
          ...ltOptions,
          protocol: config.languageToolProtocol ?? "auto",
          timeoutS,
        });
        closers.push(() => lt.close());
        checker = lt;
        services.languageTool = lt.http.baseUrl;
        log(`LanguageTool ${lt.http.baseUrl}: ${lt.protocol} protocol`);
      }
      if (config.embeddingServiceUrl) {
        const remote = await createRemoteEncoder(clientOptions(config.embeddingServiceUrl));
        closers.push(() => remote.close());
        encoder = remote;
        services.embedding = remote.http.baseUrl;
        if (options.local?.workers !== undefined && options.local.workers !== 0) {
          log("--embedding-service-url: local extraction runs on the calling thread (workers: 0)");
        }
      }
      const local = createLocalFeatureExtractor({
        ...options.local,
        checker,
        encoder,
        workers: encoder ? 0 : options.local?.workers,
      });
      closers.push(() => local.close());
      inner = local;
    }
  } catch (e) {
    await close();
    throw e;
  }
  const backend = config.backend;
  const recorder = new ThroughputRecorder();
  const extractor: FeatureExtractor = {
    fingerprint: inner.fingerprint,
    featureSchema: inner.featureSchema,
    provenance: inner.provenance,
    extract: (essays: readonly EssayInput[], opts: ExtractionOptions): Promise<ExtractedFeatures> =>
      recorder.around(opts.featureSet, essays.length, () => inner.extract(essays, opts)),
  };
  const buildMetrics = () =>
    buildOffloadMetrics(collector, backend, {
      benchmarks: recorder.records(options.benchmarkName ?? "feature_extraction", backend),
    });
  return {
    extractor,
    backend,
    services,
    collector,
    buildMetrics,
    writeMetrics: (dir: string) => writeOffloadMetrics(dir, buildMetrics()),
    close,
  };
}
