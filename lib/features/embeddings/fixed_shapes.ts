/**
 * Batch invariance of USE-lite: every kernel a text goes through sees shapes that depend on that
 * text alone, never on the other texts of its batch, so a text's float32 vector is bit-identical
 * whatever batch, chunk, worker or server computed it (on a given machine and kernel).
 *
 * Why it is needed (measured, see `docs/features_extraction.md`): float32 kernels give the same
 * row different low bits depending on the call's shape. OpenBLAS `sgemm` computes a row through
 * different micro-kernel paths depending on the number of rows M and the row's position (with
 * `OPENBLAS_CORETYPE=Haswell` rows 0–5 of every 12 take another path than rows 6–11; on SkylakeX
 * M = 1 differs from M ≥ 2), and the model pads every text of a call to the longest one, which
 * changes the attention shapes and the wasm softmax's vector tails.
 *
 * The two rules:
 * 1. **Padded length is a function of the text**: a text of n tokens is padded to
 *    {@link paddedTokenLength}(n) (n rounded up to a multiple of {@link LENGTH_BUCKET}, at most
 *    128). Batches hold texts of one bucket only, and the graph's `SparseToDense` (which builds the
 *    padded token matrix) is widened to the bucket, so attention, softmax and pooling shapes are
 *    `[bucket, bucket]` for every text.
 * 2. **Each text's rows get their own matmul calls** (native kernels, `native_blas.ts`): the
 *    row-wise matmuls (dense layers, 1×1 convolutions) are split into one `sgemm` per text, whose
 *    shape (its padded length, its real length, or 1 row) depends on the text alone.
 *
 * The encoder tells the kernels how a call's rows map to texts with {@link withBatchShape}, which
 * also serialises graph calls of this thread (the kernels read it while the graph runs).
 *
 * @module
 */
import * as tf from "@energetic-ai/core";

/** Padded lengths are multiples of this many tokens. */
export const LENGTH_BUCKET = 8;

/** Tokens the model reads per text. */
const MAX_TOKENS = 128;

/**
 * Padded length of a text of `tokens` tokens (clipped to 128): the next multiple of
 * {@link LENGTH_BUCKET}. Pure.
 *
 * @example
 * ```ts
 * paddedTokenLength(9); // 16
 * paddedTokenLength(500); // 128
 * ```
 */
export function paddedTokenLength(tokens: number): number {
  const n = Math.min(MAX_TOKENS, Math.max(1, tokens));
  return Math.min(MAX_TOKENS, Math.ceil(n / LENGTH_BUCKET) * LENGTH_BUCKET);
}

/** How the rows of one graph call map to its texts. */
export interface BatchShape {
  /** Texts in the call. */
  readonly batch: number;
  /** Padded length of every text of the call (all share one bucket). */
  readonly padded: number;
  /** Real (clipped) token count of each text. */
  readonly lengths: readonly number[];
}

let current: BatchShape | null = null;
let queue: Promise<unknown> = Promise.resolve();

/** The batch shape of the graph call running on this thread, if any. */
export function currentBatchShape(): BatchShape | null {
  return current;
}

/**
 * Run one graph call with its batch shape published to the kernels. Calls on the same thread are
 * serialised (a second call waits for the first), so the shape is never another call's.
 */
export function withBatchShape<T>(shape: BatchShape, run: () => Promise<T>): Promise<T> {
  if (shape.lengths.length !== shape.batch) {
    throw new Error(`batch shape: ${shape.lengths.length} lengths for ${shape.batch} texts`);
  }
  const next = queue.then(async () => {
    current = shape;
    try {
      return await run();
    } finally {
      current = null;
    }
  });
  queue = next.catch(() => undefined);
  return next;
}

/**
 * Row segments of a row-wise matmul with `rows` rows under `shape`: `batch × padded` rows (padded
 * token matrix) → one segment of `padded` rows per text; `Σ lengths` rows (the model's gathered
 * real tokens) → one segment of each text's length; `batch` rows (one per text) → segments of 1.
 * When two readings match they give the same segments. Null when no reading matches. Pure.
 *
 * @example
 * ```ts
 * rowSegments(5, { batch: 2, padded: 8, lengths: [2, 3] }); // [2, 3]
 * ```
 */
export function rowSegments(rows: number, shape: BatchShape): number[] | null {
  if (rows === shape.batch * shape.padded) return new Array(shape.batch).fill(shape.padded);
  const real = shape.lengths.reduce((a, b) => a + b, 0);
  if (rows === real) return [...shape.lengths];
  if (rows === shape.batch) return new Array(shape.batch).fill(1);
  return null;
}

let sparseInstalled = false;

/**
 * Wrap the wasm backend's `SparseToDense` so that, during a {@link withBatchShape} call, the
 * model's `[batch, longest]` token matrix is built as `[batch, padded]`: the extra columns hold the
 * padding id 0, exactly what the model adds for texts shorter than the longest one. Outside such a
 * call nothing changes. Safe to call more than once; false when the wasm backend is not active.
 */
export function installFixedShapeSparseToDense(): boolean {
  if (sparseInstalled) return true;
  if (tf.getBackend() !== "wasm") return false;
  const original = tf.getKernel(tf.SparseToDense, "wasm");
  if (!original) return false;
  // deno-lint-ignore no-explicit-any
  const kernelFunc = (args: any) => {
    const shape = current;
    const outputShape: number[] = args.attrs.outputShape;
    if (
      shape && outputShape.length === 2 && outputShape[0] === shape.batch &&
      outputShape[1] <= shape.padded
    ) {
      return original.kernelFunc({
        ...args,
        attrs: { ...args.attrs, outputShape: [shape.batch, shape.padded] },
      });
    }
    return original.kernelFunc(args);
  };
  tf.unregisterKernel(tf.SparseToDense, "wasm");
  tf.registerKernel({ ...original, kernelFunc });
  sparseInstalled = true;
  return true;
}
