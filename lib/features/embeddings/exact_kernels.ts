/**
 * Faster drop-in replacements for three tf.js wasm kernels that USE-lite spends much of its
 * non-matmul time in, each giving **bit-identical** outputs (they copy bits or reuse a result the
 * original kernel computed for the same input; no arithmetic of their own):
 *
 * - `GatherV2` (the token-embedding lookup, axis 0): the wasm kernel walks every output element
 *   through generic strides (≈ 10 µs per 256-float row, measured); here each row is one
 *   `copyWithin` inside the wasm heap.
 * - `SplitV` (the fused q/k/v projection split in three): the wasm kernel slices through
 *   `readSync`, which copies the whole input once per output; here rows are copied in place.
 * - `Sin` / `Cos` (the positional timing signal, `position × inverse timescale`): both are
 *   element-wise (`out[i] = f(x[i])`, scalar libm calls in the wasm build), and a graph call
 *   recomputes the same rows for every text (one row per position). Rows of an input are looked
 *   up in a per-kernel memo of earlier inputs, compared bit for bit; only when some row is new
 *   does the original kernel run (on the whole input), and its rows are memorised.
 *
 * Anything outside these cases (other dtypes, axes, ranks, out-of-range indices) goes to the
 * original kernel, so behaviour and error messages are unchanged. Install once per thread, after
 * the wasm backend is ready; the profile (`deno task bench features`) shows the effect.
 *
 * @module
 */
import * as tf from "@energetic-ai/core";

// deno-lint-ignore no-explicit-any
type AnyArgs = any;
// deno-lint-ignore no-explicit-any
type Backend = any;
type KernelFunc = (args: AnyArgs) => AnyArgs;

/** 32-bit view of the whole wasm heap (re-made per use: the heap can grow). */
function heapI32(backend: Backend): Int32Array {
  return new Int32Array(backend.wasm.HEAPU8.buffer);
}

/** Element offset (in 4-byte units) of a tensor's data in the heap. */
function offsetOf(backend: Backend, dataId: unknown): number {
  return backend.dataIdMap.get(dataId).memoryOffset / 4;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * `GatherV2` along axis 0 with `batchDims` 0 on a 4-byte tensor: output row `i` = input row
 * `indices[i]`, copied. Falls back to the original kernel otherwise (and for indices out of
 * range, so that it raises its own error).
 */
function fastGather(original: KernelFunc): KernelFunc {
  return (args: AnyArgs) => {
    const { x, indices } = args.inputs;
    const { axis, batchDims } = args.attrs;
    const backend = args.backend;
    const fourBytes = x.dtype === "float32" || x.dtype === "int32";
    if (
      !fourBytes || indices.dtype !== "int32" || (axis !== 0 && axis !== -x.shape.length) ||
      (batchDims ?? 0) !== 0 || x.shape.length < 1
    ) {
      return original(args);
    }
    const rows = x.shape[0];
    const rowSize = sizeOf(x.shape.slice(1));
    const count = sizeOf(indices.shape);
    const heap0 = heapI32(backend);
    const indexOffset = offsetOf(backend, indices.dataId);
    for (let i = 0; i < count; i++) {
      const index = heap0[indexOffset + i];
      if (index < 0 || index >= rows) return original(args);
    }
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const heap = heapI32(backend); // after makeOutput: allocation may grow the heap
    const from = offsetOf(backend, x.dataId);
    const to = offsetOf(backend, out.dataId);
    const at = offsetOf(backend, indices.dataId);
    for (let i = 0; i < count; i++) {
      const start = from + heap[at + i] * rowSize;
      heap.copyWithin(to + i * rowSize, start, start + rowSize);
    }
    return out;
  };
}

/**
 * `SplitV` of a 4-byte tensor into parts along one axis: each part's rows copied in place.
 * Falls back to the original kernel for other dtypes.
 */
function fastSplitV(original: KernelFunc): KernelFunc {
  return (args: AnyArgs) => {
    const { x } = args.inputs;
    const backend = args.backend;
    if (x.dtype !== "float32" && x.dtype !== "int32") return original(args);
    const rank = x.shape.length;
    const axis = tf.util.parseAxisParam(args.attrs.axis, x.shape)[0];
    const sizes: number[] = tf.backend_util.prepareSplitSize(x, args.attrs.numOrSizeSplits, axis);
    const outer = sizeOf(x.shape.slice(0, axis));
    const inner = sizeOf(x.shape.slice(axis + 1, rank));
    const rowIn = x.shape[axis] * inner;
    const outs = sizes.map((s) => {
      const shape = [...x.shape];
      shape[axis] = s;
      return backend.makeOutput(shape, x.dtype);
    });
    const heap = heapI32(backend); // after every makeOutput
    const from = offsetOf(backend, x.dataId);
    let begin = 0;
    sizes.forEach((s, p) => {
      const to = offsetOf(backend, outs[p].dataId);
      const width = s * inner;
      for (let o = 0; o < outer; o++) {
        const start = from + o * rowIn + begin;
        heap.copyWithin(to + o * width, start, start + width);
      }
      begin += width;
    });
    return outs;
  };
}

/** Element-wise calls answered from the memo / computed by the original kernel (this thread). */
export const exactKernelStats = { memoHits: 0, memoMisses: 0 };

/** Most rows memorised per kernel (the timing signal needs 128: one per position). */
const MEMO_ROWS = 4096;

/** Widest row memorised (the timing signal's rows are 128 wide). */
const MEMO_MAX_WIDTH = 1024;

/**
 * Rows of one width seen by an element-wise kernel: inputs and outputs packed in growing
 * buffers, found through a hash of three elements (chained on collisions) and compared in full.
 */
class RowMemo {
  #inputs = new Int32Array(0);
  #outputs = new Int32Array(0);
  readonly #first = new Map<number, number>();
  #next = new Int32Array(0);
  #count = 0;

  constructor(readonly width: number) {}

  /** Number of rows memorised. */
  get size(): number {
    return this.#count;
  }

  #key(heap: Int32Array, start: number): number {
    const w = this.width;
    return (Math.imul(heap[start], 31) + heap[start + w - 1]) ^
      Math.imul(heap[start + (w >> 1)], 17);
  }

  /** Slot of the memorised row equal to the heap row at `start`, or -1. */
  find(heap: Int32Array, start: number): number {
    const w = this.width;
    let slot = this.#first.get(this.#key(heap, start)) ?? -1;
    while (slot >= 0) {
      const base = slot * w;
      let j = 0;
      while (j < w && heap[start + j] === this.#inputs[base + j]) j++;
      if (j === w) return slot;
      slot = this.#next[slot];
    }
    return -1;
  }

  /** Memorise the heap row at `start` with the kernel's output row at `outStart`. */
  add(heap: Int32Array, start: number, outStart: number): void {
    const w = this.width;
    if (this.#count * w >= this.#inputs.length) {
      const grown = Math.max(16, this.#count * 2);
      const inputs = new Int32Array(grown * w), outputs = new Int32Array(grown * w);
      inputs.set(this.#inputs);
      outputs.set(this.#outputs);
      const next = new Int32Array(grown);
      next.set(this.#next);
      this.#inputs = inputs, this.#outputs = outputs, this.#next = next;
    }
    const slot = this.#count++;
    this.#inputs.set(heap.subarray(start, start + w), slot * w);
    this.#outputs.set(heap.subarray(outStart, outStart + w), slot * w);
    const key = this.#key(heap, start);
    this.#next[slot] = this.#first.get(key) ?? -1;
    this.#first.set(key, slot);
  }

  /** Copy the output row of `slot` to the heap at `to`. */
  write(heap: Int32Array, slot: number, to: number): void {
    heap.set(this.#outputs.subarray(slot * this.width, (slot + 1) * this.width), to);
  }
}

/**
 * Memorise the rows of an element-wise float32 kernel (`out[i] = f(x[i])`) on rank-2 inputs: an
 * input whose rows were all seen before is answered from the memo (the bits the original kernel
 * gave for the same row), any other runs the original kernel and its new rows are memorised.
 */
function memoisedElementwise(original: KernelFunc): KernelFunc {
  const memos = new Map<number, RowMemo>();
  return (args: AnyArgs) => {
    const { x } = args.inputs;
    const backend = args.backend;
    const width = x.shape[1];
    if (x.dtype !== "float32" || x.shape.length !== 2 || width < 1 || width > MEMO_MAX_WIDTH) {
      return original(args);
    }
    let memo = memos.get(width);
    if (!memo) memos.set(width, memo = new RowMemo(width));
    const rows = x.shape[0];
    const from = offsetOf(backend, x.dataId);
    const heap0 = heapI32(backend);
    const slots = new Int32Array(rows);
    let r = 0;
    while (r < rows && (slots[r] = memo.find(heap0, from + r * width)) >= 0) r++;
    if (r === rows) {
      exactKernelStats.memoHits++;
      const out = backend.makeOutput(x.shape, "float32");
      const heap = heapI32(backend);
      const to = offsetOf(backend, out.dataId);
      for (let i = 0; i < rows; i++) memo.write(heap, slots[i], to + i * width);
      return out;
    }
    exactKernelStats.memoMisses++;
    const out = original(args);
    const heap = heapI32(backend);
    const to = offsetOf(backend, out.dataId);
    for (let i = 0; i < rows && memo.size < MEMO_ROWS; i++) {
      if (memo.find(heap, from + i * width) < 0) memo.add(heap, from + i * width, to + i * width);
    }
    return out;
  };
}

/** The wasm kernels replaced here, as registered before (for {@link uninstallExactFastKernels}). */
const originals = new Map<string, tf.KernelConfig>();

const REPLACEMENTS: readonly (readonly [string, (original: KernelFunc) => KernelFunc])[] = [
  [tf.GatherV2, fastGather],
  [tf.SplitV, fastSplitV],
  [tf.Sin, memoisedElementwise],
  [tf.Cos, memoisedElementwise],
];

/**
 * Replace the wasm backend's `GatherV2`, `SplitV`, `Sin` and `Cos` kernels with the bit-identical
 * faster ones of this module (see the module docs). Process-wide for this thread; safe to call
 * more than once; false when the wasm backend is not active.
 *
 * @example
 * ```ts
 * await tf.ready();
 * installExactFastKernels(); // true on the wasm backend
 * ```
 */
export function installExactFastKernels(): boolean {
  if (originals.size > 0) return true;
  if (tf.getBackend() !== "wasm") return false;
  for (const [name, wrap] of REPLACEMENTS) {
    const kernel = tf.getKernel(name, "wasm");
    if (!kernel) continue;
    originals.set(name, kernel);
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({ ...kernel, kernelFunc: wrap(kernel.kernelFunc as KernelFunc) });
  }
  return true;
}

/** Put the original kernels back (for comparisons in benchmarks and tests). */
export function uninstallExactFastKernels(): void {
  for (const [name, kernel] of originals) {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(kernel);
  }
  originals.clear();
}

/** Whether the kernels of this module are installed on this thread. */
export function exactFastKernelsInstalled(): boolean {
  return originals.size > 0;
}
