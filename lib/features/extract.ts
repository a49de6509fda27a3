/**
 * The local (in-process) {@link FeatureExtractor}: USE-lite sentence embeddings + handcrafted
 * Tier 1–3 features, spread over Web Workers (one per core, each with its own encoder and
 * checker) with cross-essay encoder batching.
 *
 * Per essay: segment (`analyseText` of the handcrafted module), check errors (the local
 * harper+nspell checker inside each worker, or any {@link ErrorChecker} passed as `checker`,
 * e.g. LanguageTool over HTTP, called from this thread with bounded concurrency), embed all
 * sentences of a task's essays in one encoder call (prompts once per distinct prompt), compute
 * the handcrafted row and the essay vector (normalised mean of sentence vectors; see
 * `essay_pipeline.ts`). Output: a handcrafted matrix with the schema's names and an embeddings
 * matrix with names `embedding_000`…`embedding_511`, rows in the order of the essays given.
 *
 * @module
 */
import type { FeatureSet } from "./types.ts";
import { LocalErrorChecker } from "./checkers/local_checker.ts";
import {
  expectedUseLiteEncoderName,
  loadUseLiteEncoder,
  USE_LITE_DIMENSION,
  type UseLiteEncoderOptions,
} from "./embeddings/use_lite_encoder.ts";
import { embeddingColumnNames } from "./embeddings/vector_ops.ts";
import {
  type ParagraphEmbeddingMode,
  PIPELINE_STAGES,
  type PipelineComponents,
  type PipelineEssay,
  type PipelineStage,
  processEssayBatch,
} from "./essay_pipeline.ts";
import { extractorFingerprint } from "./fingerprint.ts";
import { HANDCRAFTED_FEATURE_NAMES } from "./handcrafted/schema.ts";
import { handcraftedFingerprintParts } from "./handcrafted/versioning.ts";
import { type ExtractionWorkerPool, startExtractionWorkerPool } from "./worker_pool.ts";
import type {
  ErrorChecker,
  ErrorMatch,
  EssayInput,
  ExtractedFeatures,
  ExtractionOptions,
  FeatureExtractor,
  FeatureMatrix,
  SentenceEncoder,
} from "./types.ts";
import type { EncoderStats } from "./embeddings/use_lite_encoder.ts";

/** Options of {@link createLocalFeatureExtractor}. */
export interface LocalExtractorOptions {
  /** Web Workers to use (default: min(2, cores)); 0 runs everything on the calling thread. */
  readonly workers?: number;
  /**
   * Error checker run on the calling thread (e.g. LanguageTool over HTTP). Default: the local
   * harper.js + nspell checker, run inside each worker.
   */
  readonly checker?: ErrorChecker;
  /** Concurrent `checker.check` calls when `checker` is given (default 4). */
  readonly checkerConcurrency?: number;
  /** LanguageTool language code passed to the checker (default `en-US`). */
  readonly language?: string;
  /** Essays per worker task, i.e. per cross-essay encoder batch (default 16). */
  readonly taskSize?: number;
  /** Encoder batching options (speed only; results do not depend on them). */
  readonly encoderOptions?: UseLiteEncoderOptions;
  /** Paragraph embeddings: mean of sentence vectors (default) or encoded paragraph text. */
  readonly paragraphEmbedding?: ParagraphEmbeddingMode;
  /**
   * An encoder to use instead of loading USE-lite (only with `workers: 0`): tests, or a server
   * sharing one loaded model.
   */
  readonly encoder?: SentenceEncoder;
  /**
   * Terminate idle workers this many ms after the last `extract` finished (default 5000; 0 =
   * keep them until `close()`). Live workers keep a Deno process from exiting, so this bounds the
   * cost of a forgotten `close()`; workers restart (≈1–2 s) on the next `extract`.
   */
  readonly idleCloseMs?: number;
}

/** Cumulative work and time of an extractor, for benchmarks and logs. */
export interface ExtractorStats {
  essays: number;
  /** Summed milliseconds per stage (across workers: CPU-ish time, not wall time). */
  stageMs: Record<PipelineStage, number>;
  encoder: EncoderStats;
  /** Milliseconds to start workers / load models (first extract only). */
  startupMs: number;
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** The local extractor; see the module docs. Call {@link LocalFeatureExtractor.close} when done. */
export class LocalFeatureExtractor implements FeatureExtractor {
  /** sha256 fingerprint over schema, encoder, checker and options (see `fingerprint.ts`). */
  readonly fingerprint: string;
  /** Cumulative stats. */
  readonly stats: ExtractorStats = {
    essays: 0,
    stageMs: { segment: 0, check: 0, embed: 0, handcrafted: 0 },
    encoder: { texts: 0, embedded: 0, calls: 0, tokens: 0 },
    startupMs: 0,
  };
  readonly #options: LocalExtractorOptions;
  readonly #workerCount: number;
  readonly #language: string;
  readonly #paragraphEmbedding: ParagraphEmbeddingMode;
  #pool?: Promise<ExtractionWorkerPool>;
  #components?: Promise<PipelineComponents>;
  readonly #expectedEncoderName: string;
  #inFlight = 0;
  #idleTimer?: ReturnType<typeof setTimeout>;

  /** Use {@link createLocalFeatureExtractor}. */
  constructor(options: LocalExtractorOptions = {}) {
    this.#options = options;
    const cores = typeof navigator !== "undefined" ? navigator.hardwareConcurrency ?? 2 : 2;
    this.#workerCount = Math.max(0, Math.floor(options.workers ?? Math.min(2, cores)));
    if (options.encoder && this.#workerCount > 0) {
      throw new Error("createLocalFeatureExtractor: `encoder` needs `workers: 0`");
    }
    this.#language = options.language ?? "en-US";
    this.#paragraphEmbedding = options.paragraphEmbedding ?? "sentence_mean";
    this.#expectedEncoderName = options.encoder?.name ??
      expectedUseLiteEncoderName(options.encoderOptions);
    this.fingerprint = extractorFingerprint({
      ...handcraftedFingerprintParts(),
      encoderName: this.#expectedEncoderName,
      encoderDimension: options.encoder?.dimension ?? USE_LITE_DIMENSION,
      checkerName: options.checker?.name ?? new LocalErrorChecker().name,
      options: {
        language: this.#language,
        paragraphEmbedding: this.#paragraphEmbedding,
        essayEmbedding: "normalised_mean_of_sentence_embeddings",
      },
    });
  }

  /** Extract features for essays (rows in their order). */
  async extract(
    essays: readonly EssayInput[],
    options: ExtractionOptions,
  ): Promise<ExtractedFeatures> {
    const { featureSet, signal } = options;
    signal?.throwIfAborted();
    const total = essays.length;
    const stageDone = new Map<string, number>();
    const bump = (stage: string, n: number) => {
      const done = (stageDone.get(stage) ?? 0) + n;
      stageDone.set(stage, done);
      options.onProgress?.(stage, done, total);
    };
    const taskSize = Math.max(1, this.#options.taskSize ?? 16);
    const tasks: EssayInput[][] = [];
    for (let i = 0; i < essays.length; i += taskSize) tasks.push(essays.slice(i, i + taskSize));

    const wantHandcrafted = featureSet !== "embeddings";
    const mainChecker = this.#workerCount > 0 && wantHandcrafted
      ? this.#options.checker
      : undefined;
    const checkLimit = Math.max(1, this.#options.checkerConcurrency ?? 4);
    const prepare = async (task: EssayInput[]): Promise<PipelineEssay[]> => {
      if (!mainChecker) return task.map(({ id, text, prompt }) => ({ id, text, prompt }));
      const t = performance.now();
      const errors: (readonly ErrorMatch[])[] = await mapLimited(
        task,
        checkLimit,
        (e) => mainChecker.check(e.text, this.#language),
      );
      this.stats.stageMs.check += performance.now() - t;
      bump("check", task.length);
      return task.map(({ id, text, prompt }, k) => ({ id, text, prompt, errors: errors[k] }));
    };

    const results: {
      handcrafted?: Float64Array;
      handcraftedCols: number;
      embeddings?: Float64Array;
    }[] = new Array(tasks.length);
    const onStage = (stage: PipelineStage, done: number) => {
      if (!(mainChecker && stage === "check")) bump(stage, done);
    };

    if (this.#workerCount === 0) {
      const components = await this.#inProcessComponents();
      for (let t = 0; t < tasks.length; t++) {
        signal?.throwIfAborted();
        const result = await processEssayBatch(
          await prepare(tasks[t]),
          components,
          featureSet,
          onStage,
        );
        this.#addStageMs(result.stageMs);
        results[t] = result;
      }
      this.#addEncoderStats(components.encoder);
    } else {
      this.#inFlight++;
      clearTimeout(this.#idleTimer);
      try {
        await this.#extractWithPool(tasks, featureSet, signal, prepare, onStage, results);
      } finally {
        this.#inFlight--;
        this.#scheduleIdleClose();
      }
    }
    this.stats.essays += total;
    const dimension = this.#options.encoder?.dimension ?? USE_LITE_DIMENSION;
    return assembleFeatures(essays, featureSet, dimension, results);
  }

  async #extractWithPool(
    tasks: readonly EssayInput[][],
    featureSet: FeatureSet,
    signal: AbortSignal | undefined,
    prepare: (task: EssayInput[]) => Promise<PipelineEssay[]>,
    onStage: (stage: PipelineStage, done: number) => void,
    results: { handcrafted?: Float64Array; handcraftedCols: number; embeddings?: Float64Array }[],
  ): Promise<void> {
    const pool = await this.#workerPool();
    const onAbort = () => pool.cancelQueued(new Error("extraction aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await Promise.all(tasks.map(async (task, t) => {
        const prepared = await prepare(task);
        signal?.throwIfAborted();
        const result = await pool.run(prepared, featureSet, onStage);
        this.#addStageMs(result.stageMs);
        const e = this.stats.encoder;
        e.texts += result.encoderStats.texts;
        e.embedded += result.encoderStats.embedded;
        e.calls += result.encoderStats.calls;
        e.tokens += result.encoderStats.tokens;
        results[t] = result;
      }));
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    signal?.throwIfAborted();
  }

  /** The fingerprint promised an encoder; refuse to extract with a different one. */
  #checkEncoderName(actual: string, cleanUp: () => void): void {
    if (actual === this.#expectedEncoderName) return;
    cleanUp();
    throw new Error(
      `encoder is "${actual}" but the extractor fingerprint was computed for "${this.#expectedEncoderName}"`,
    );
  }

  #scheduleIdleClose(): void {
    const idleMs = this.#options.idleCloseMs ?? 5000;
    if (idleMs <= 0 || this.#inFlight > 0) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#inFlight === 0) void this.close();
    }, idleMs);
    Deno.unrefTimer(this.#idleTimer as unknown as number);
  }

  /**
   * Terminate the workers (if started), waiting for tasks they are in the middle of (see
   * `worker_pool.ts`). The extractor can be used again afterwards.
   */
  async close(): Promise<void> {
    clearTimeout(this.#idleTimer);
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await (await pool.catch(() => undefined))?.close();
  }

  #addStageMs(stageMs: Record<PipelineStage, number>): void {
    for (const stage of PIPELINE_STAGES) this.stats.stageMs[stage] += stageMs[stage];
  }

  #encoderBaseline?: EncoderStats;

  #addEncoderStats(encoder: SentenceEncoder): void {
    const stats = (encoder as { stats?: EncoderStats }).stats;
    if (!stats) return;
    const base = this.#encoderBaseline ?? { texts: 0, embedded: 0, calls: 0, tokens: 0 };
    const e = this.stats.encoder;
    e.texts += stats.texts - base.texts;
    e.embedded += stats.embedded - base.embedded;
    e.calls += stats.calls - base.calls;
    e.tokens += stats.tokens - base.tokens;
    this.#encoderBaseline = { ...stats };
  }

  #workerPool(): Promise<ExtractionWorkerPool> {
    if (!this.#pool) {
      const t = performance.now();
      this.#pool = startExtractionWorkerPool(this.#workerCount, {
        encoderOptions: this.#options.encoderOptions ?? {},
        localChecker: this.#options.checker === undefined,
        language: this.#language,
        paragraphEmbedding: this.#paragraphEmbedding,
      }).then((pool) => {
        this.stats.startupMs += performance.now() - t;
        this.#checkEncoderName(pool.identity.encoderName, () => void pool.close());
        return pool;
      });
      this.#pool.catch(() => (this.#pool = undefined));
    }
    return this.#pool;
  }

  #inProcessComponents(): Promise<PipelineComponents> {
    if (!this.#components) {
      const t = performance.now();
      this.#components = (async () => {
        const encoder = this.#options.encoder ??
          await loadUseLiteEncoder(this.#options.encoderOptions ?? {});
        this.#checkEncoderName(encoder.name, () => {});
        this.stats.startupMs += performance.now() - t;
        return {
          encoder,
          checker: this.#options.checker ?? new LocalErrorChecker(),
          language: this.#language,
          paragraphEmbedding: this.#paragraphEmbedding,
          promptCache: new Map(),
        };
      })();
    }
    return this.#components;
  }
}

/** Stitch per-task row blocks into named matrices in essay order. */
function assembleFeatures(
  essays: readonly EssayInput[],
  featureSet: FeatureSet,
  dimension: number,
  results: readonly {
    handcrafted?: Float64Array;
    handcraftedCols: number;
    embeddings?: Float64Array;
  }[],
): ExtractedFeatures {
  const n = essays.length;
  const out: { ids: string[]; handcrafted?: FeatureMatrix; embeddings?: FeatureMatrix } = {
    ids: essays.map((e) => e.id),
  };
  if (featureSet !== "embeddings") {
    const names = HANDCRAFTED_FEATURE_NAMES;
    const cols = names.length;
    const values = new Float64Array(n * cols);
    let offset = 0;
    for (const r of results) {
      const block = r.handcrafted ?? new Float64Array(0);
      if (block.length > 0 && r.handcraftedCols !== cols) {
        throw new Error(
          `handcrafted rows have ${r.handcraftedCols} columns but the schema names ${cols}`,
        );
      }
      values.set(block, offset);
      offset += block.length;
    }
    if (offset !== values.length) throw new Error("handcrafted rows missing (internal error)");
    out.handcrafted = { names, nRows: n, nCols: cols, values };
  }
  if (featureSet !== "handcrafted") {
    const cols = dimension;
    const values = new Float64Array(n * cols);
    let offset = 0;
    for (const r of results) {
      values.set(r.embeddings!, offset);
      offset += r.embeddings!.length;
    }
    if (offset !== values.length) throw new Error("embedding rows missing (internal error)");
    out.embeddings = { names: embeddingColumnNames(cols), nRows: n, nCols: cols, values };
  }
  return out;
}

/**
 * Create the local extractor (workers start lazily on the first `extract`).
 *
 * @example
 * ```ts
 * const extractor = createLocalFeatureExtractor({ workers: 2 });
 * const features = await extractor.extract(essays, { featureSet: "combined" });
 * await extractor.close();
 * ```
 */
export function createLocalFeatureExtractor(
  options: LocalExtractorOptions = {},
): LocalFeatureExtractor {
  return new LocalFeatureExtractor(options);
}
