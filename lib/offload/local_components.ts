/**
 * The real components the offload server serves (`deno task serve-offload`, the offload
 * benchmark, the end-to-end tests): the local feature extractor (USE-lite + handcrafted features
 * in Web Workers), the local harper.js + nspell checker for `/v2/check`, and a USE-lite encoder
 * for `/v1/embed`, batched by `OFFLOAD_EMBEDDING_BATCH_SIZE`. A warm-up check of the checker and
 * encoder runs at start; a failure is reported by `/healthz` as `degraded`.
 *
 * @module
 */
import { LocalErrorChecker } from "../features/checkers/local_checker.ts";
import { loadUseLiteEncoder } from "../features/embeddings/use_lite_encoder.ts";
import { createLocalFeatureExtractor } from "../features/extract.ts";
import type { ErrorChecker, FeatureExtractor, SentenceEncoder } from "../features/types.ts";
import { embeddingBatchSizeFromEnv } from "./server.ts";

/** Options of `createLocalServerComponents`. */
export interface LocalServerComponentOptions {
  /** LanguageTool language code the extractor's checker uses (default `en-US`). */
  readonly language?: string;
  /** Extraction workers (default: the local extractor's, min(2, cores)). */
  readonly workers?: number;
  /** Encoder batch size (default: env `OFFLOAD_EMBEDDING_BATCH_SIZE` or 32). */
  readonly batchSize?: number;
  readonly log?: (line: string) => void;
  /**
   * Tier 1 checker to use instead of the local harper.js + nspell one (e.g. a LanguageTool client
   * for `--language-tool-url`); it then runs on the server's main thread.
   */
  readonly checker?: ErrorChecker;
  /** Give up waiting for the extractor's warm-up after this long (default 180 s; degraded). */
  readonly warmUpTimeoutMs?: number;
}

/** What `createOffloadServer` needs, plus start-up problems and a closer. */
export interface LocalServerComponents {
  readonly extractor: FeatureExtractor;
  readonly checker: ErrorChecker;
  readonly encoder: SentenceEncoder;
  readonly batchSize: number;
  readonly outputOptions: Readonly<Record<string, unknown>>;
  readonly problems: readonly string[];
  /** Stop the extractor's workers. */
  close(): Promise<void>;
}

/**
 * Load the local extractor, checker and encoder and warm them up.
 *
 * @example
 * ```ts
 * const parts = await createLocalServerComponents();
 * const server = createOffloadServer(parts);
 * ```
 */
export async function createLocalServerComponents(
  options: LocalServerComponentOptions = {},
): Promise<LocalServerComponents> {
  const log = options.log ?? (() => {});
  const language = options.language ?? "en-US";
  const batchSize = options.batchSize ?? embeddingBatchSizeFromEnv();
  const t0 = performance.now();
  const encoder = await loadUseLiteEncoder({ maxBatch: batchSize });
  const checker = options.checker ?? new LocalErrorChecker();
  // With no workers the extractor shares the loaded encoder (same model, same fingerprint).
  const extractor = createLocalFeatureExtractor({
    workers: options.workers,
    language,
    encoderOptions: { maxBatch: batchSize },
    encoder: options.workers === 0 ? encoder : undefined,
    checker: options.checker,
  });
  const problems: string[] = [];
  try {
    const [v] = await encoder.embed(["The offload server is warming up."]);
    if (v.length !== encoder.dimension || !v.every(Number.isFinite)) {
      problems.push("encoder warm-up returned an invalid vector");
    }
  } catch (e) {
    problems.push(`encoder warm-up failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    await checker.check("This sentence are checked at start up.", language);
  } catch (e) {
    problems.push(`checker warm-up failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const warmUpMs = options.warmUpTimeoutMs ?? 180_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      extractor.extract(
        [{ id: "warm-up", text: "The server starts. It loads its models first.", prompt: "start" }],
        { featureSet: "combined" },
      ),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no result within ${warmUpMs} ms`)),
          warmUpMs,
        );
      }),
    ]);
  } catch (e) {
    problems.push(`extractor warm-up failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    clearTimeout(timer);
  }
  log(
    `models loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s` +
      (problems.length ? `; problems: ${problems.join("; ")}` : ""),
  );
  return {
    extractor,
    checker,
    encoder,
    batchSize,
    outputOptions: { language },
    problems,
    close: () => extractor.close(),
  };
}
