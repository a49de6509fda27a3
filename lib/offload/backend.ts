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
import { harperBackend } from "../features/checkers/harper_native.ts";
import { createLocalFeatureExtractor, type LocalExtractorOptions } from "../features/extract.ts";
import type {
  ErrorChecker,
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
  acquireLocalLanguageTool,
  type CheckerMode,
  type CheckerProbes,
  resolveCheckerChoice,
  systemCheckerProbes,
} from "./checker_choice.ts";
import { LANGUAGE_TOOL_VERSION } from "./languagetool_server.ts";
import {
  type BenchmarkRecord,
  buildOffloadMetrics,
  type CheckerRecord,
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
    Pick<
      ExperimentConfig,
      | "languageToolProtocol"
      | "offloadRequestTimeoutS"
      | "offloadConcurrency"
      | "checker"
      | "datasetKind"
      | "ellipseTrainPath"
      | "dataset"
    >
  >;

/** The embedded train CSV (the default `ellipseTrainPath`). */
const DEFAULT_EMBEDDED_TRAIN_PATH = "data/embedded/ellipse_embedded_train.csv";

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
  /** How `--checker auto|languagetool` probes for Java (tests inject; default this machine). */
  readonly checkerProbes?: CheckerProbes;
}

/** Concurrent LanguageTool requests of local extraction (the server checks them in parallel). */
export const LANGUAGE_TOOL_CHECK_CONCURRENCY = 8;

/**
 * The `--checker` mode of a config: as given; else `auto` when a LanguageTool URL is configured
 * or the data are not the embedded set; else (the embedded data: the default runbook stays fast
 * and needs no Java) `local`.
 */
export function checkerModeOf(config: BackendConfig): CheckerMode {
  if (config.checker) return config.checker;
  if (config.languageToolServiceUrl) return "auto";
  const embedded = (config.datasetKind ?? "ellipse") === "ellipse" &&
    (config.ellipseTrainPath ?? DEFAULT_EMBEDDED_TRAIN_PATH) === DEFAULT_EMBEDDED_TRAIN_PATH;
  return embedded ? "local" : "auto";
}

/** The extractor for a config, with its metrics and clean-up. */
export interface ExtractorHandle {
  /** Extractor to pass to extraction (`extractWithStore`); records throughput. */
  readonly extractor: FeatureExtractor;
  readonly backend: "local" | "hemma";
  /** Which Tier 1 checker `--checker` resolved to, and why (local backend only). */
  readonly checker?: CheckerRecord;
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
  const ctx = openContext(config, options);
  let opened: { inner: FeatureExtractor; checker?: CheckerRecord };
  try {
    opened = config.backend === "hemma" ? { inner: await openHemma(ctx) } : await openLocal(ctx);
  } catch (e) {
    await ctx.close();
    throw e;
  }
  const { inner, checker } = opened;
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
    buildOffloadMetrics(ctx.collector, backend, {
      benchmarks: recorder.records(options.benchmarkName ?? "feature_extraction", backend),
      checker,
    });
  return {
    extractor,
    backend,
    checker,
    services: ctx.services,
    collector: ctx.collector,
    buildMetrics,
    writeMetrics: (dir: string) => writeOffloadMetrics(dir, buildMetrics()),
    close: ctx.close,
  };
}

/** What the openers share: the config, client options, closers and the services in use. */
interface OpenContext {
  readonly config: BackendConfig;
  readonly options: ExtractorForConfigOptions;
  readonly log: (line: string) => void;
  readonly collector: OffloadMetricsCollector;
  readonly timeoutS?: number;
  readonly services: { offload?: string; embedding?: string; languageTool?: string };
  clientOptions(baseUrl: string): OffloadClientOptions;
  /** Register a clean-up (run in reverse order by `close`). */
  onClose(closer: () => Promise<void>): void;
  close(): Promise<void>;
}

function openContext(config: BackendConfig, options: ExtractorForConfigOptions): OpenContext {
  const log = options.log ?? (() => {});
  const collector = new OffloadMetricsCollector();
  const cacheRoot = options.cacheRoot ?? join(config.outputRoot, ".cache");
  const timeoutS = config.offloadRequestTimeoutS;
  const closers: (() => Promise<void>)[] = [];
  return {
    config,
    options,
    log,
    collector,
    timeoutS,
    services: {},
    clientOptions: (baseUrl: string): OffloadClientOptions => ({
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
    }),
    onClose: (closer) => closers.push(closer),
    close: async () => {
      for (const c of closers.reverse()) await c().catch(() => {});
    },
  };
}

/** `--backend hemma`: every feature from the offload server. */
async function openHemma(ctx: OpenContext): Promise<FeatureExtractor> {
  const { config, log } = ctx;
  if (!config.offloadServiceUrl) {
    throw new Error("--backend hemma needs --offload-service-url (e.g. http://127.0.0.1:19000)");
  }
  for (
    const [flag, url] of [
      ["--embedding-service-url", config.embeddingServiceUrl],
      ["--language-tool-service-url", config.languageToolServiceUrl],
    ] as const
  ) {
    if (url) log(`${flag} ${url} is not used with --backend hemma (the server does it all)`);
  }
  const remote = await createOffloadFeatureExtractor(ctx.clientOptions(config.offloadServiceUrl));
  ctx.onClose(() => remote.close());
  ctx.services.offload = remote.http.baseUrl;
  log(
    `hemma backend ${remote.http.baseUrl}: server ${remote.health.status}, fingerprint ` +
      `${remote.fingerprint.slice(0, 16)}, model ${remote.meta.embedding.model_name} ` +
      `(dim ${remote.meta.embedding.dim}), ${remote.handcraftedNames.length} handcrafted columns`,
  );
  return remote;
}

/**
 * The Tier 1 checker `--checker` resolves to: LanguageTool (configured, or started here and
 * shared) or undefined for the local checker inside the workers.
 */
async function openChecker(
  ctx: OpenContext,
): Promise<{ checker?: ErrorChecker; record: CheckerRecord }> {
  const { config, log } = ctx;
  const choice = await resolveCheckerChoice(
    checkerModeOf(config),
    config.languageToolServiceUrl,
    ctx.options.checkerProbes ?? systemCheckerProbes(),
    config.dataset?.language,
  );
  const { mode, kind, language, reason } = choice;
  const record = { mode, kind, language, reason };
  let url = config.languageToolServiceUrl;
  let identityUrl: string | undefined;
  if (choice.kind === "languagetool-local") {
    const shared = await acquireLocalLanguageTool(log);
    ctx.onClose(() => Promise.resolve(shared.release()));
    url = shared.url;
    identityUrl = `local-languagetool-${LANGUAGE_TOOL_VERSION}`;
  }
  if (choice.kind === "local" || !url) {
    if (config.languageToolServiceUrl) {
      log(
        `--checker local: --language-tool-service-url ${config.languageToolServiceUrl} is not used`,
      );
    }
    const what = language.startsWith("en")
      ? `local harper (${harperBackend() === "native" ? "native build" : "harper.js"}) + nspell`
      : "none (local is English-only)";
    log(`checker: ${what}, language ${language} (${reason})`);
    return { record };
  }
  const { timeoutMs: _t, ...ltOptions } = ctx.clientOptions(url);
  const lt = await connectLanguageToolChecker({
    ...ltOptions,
    protocol: identityUrl ? "stock" : config.languageToolProtocol ?? "auto",
    timeoutS: ctx.timeoutS,
    identityUrl,
    language,
  });
  ctx.onClose(() => lt.close());
  ctx.services.languageTool = lt.http.baseUrl;
  log(`LanguageTool ${lt.http.baseUrl}: ${lt.protocol} protocol`);
  log(`checker: ${lt.name}, language ${language} (${reason})`);
  return { checker: lt, record };
}

/** `--backend local`: the local extractor, with the chosen checker and an optional remote encoder. */
async function openLocal(
  ctx: OpenContext,
): Promise<{ inner: FeatureExtractor; checker: CheckerRecord }> {
  const { config, options, log } = ctx;
  if (config.offloadServiceUrl) {
    log(`--offload-service-url is only used with --backend hemma; extracting locally`);
  }
  const { checker, record } = await openChecker(ctx);
  let encoder;
  if (config.embeddingServiceUrl) {
    const remote = await createRemoteEncoder(ctx.clientOptions(config.embeddingServiceUrl));
    ctx.onClose(() => remote.close());
    encoder = remote;
    ctx.services.embedding = remote.http.baseUrl;
    if (options.local?.workers !== undefined && options.local.workers !== 0) {
      log("--embedding-service-url: local extraction runs on the calling thread (workers: 0)");
    }
  }
  const local = createLocalFeatureExtractor({
    ...options.local,
    language: record.language,
    ...(checker ? { checkerConcurrency: LANGUAGE_TOOL_CHECK_CONCURRENCY } : {}),
    checker,
    encoder,
    workers: encoder ? 0 : options.local?.workers,
  });
  ctx.onClose(() => local.close());
  return { inner: local, checker: record };
}
