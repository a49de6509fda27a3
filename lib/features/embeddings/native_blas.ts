/**
 * Optional native matrix multiply for the tf.js WebAssembly backend: when a system OpenBLAS can
 * be opened through Deno FFI, the wasm backend's `BatchMatMul` and 1×1 `Conv2D` kernels (≈ 80 %
 * of USE-lite's kernel time) are replaced by `cblas_sgemm` calls that read and write the wasm
 * heap in place. Everything else stays in wasm. Without the library (or without `--allow-ffi`)
 * nothing changes and the pure-wasm kernels run.
 *
 * Install on Debian/Ubuntu: `apt-get install libopenblas0-pthread` (or set `OPENBLAS_LIB` to a
 * `libopenblas.so`/`libblas.so` path; `ESSAY_SCORING_NATIVE_BLAS=0` disables it). OpenBLAS runs
 * single-threaded here (`OPENBLAS_NUM_THREADS=1`): parallelism comes from one worker per core.
 * Results agree with the wasm kernels to float32 rounding (≤ 1e-5, tested), so the encoder name
 * (and hence the extractor fingerprint) records which kernels ran.
 *
 * Batch invariance: `sgemm` gives a row different low bits depending on the call's row count and
 * the row's position in it (the micro-kernel paths differ; see `fixed_shapes.ts`). So row-wise
 * matmuls (dense layers, 1×1 convolutions) know which rows belong to which text (published by
 * `withBatchShape`) and run in a layout probed at start-up per weight shape (`row_blocks.ts`):
 * the texts packed as they lie with the call padded to full 8-row tiles (compact, where no row
 * depends on its position: SkylakeX), else each text in its own blocks of 8–48 rows, else one
 * `sgemm` per text. Attention matmuls run one `sgemm` per (text, head) on the text's fixed padded
 * length. Each layout gives a text the bits it gets alone.
 *
 * @module
 */
import * as tf from "@energetic-ai/core";
import { currentBatchShape, rowSegments } from "./fixed_shapes.ts";
import {
  alignedInPlace,
  blockLayout,
  COMPACT_TILE,
  compactLayoutInvariant,
  probeRowBlock,
} from "./row_blocks.ts";

const CANDIDATES = [
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
  "libopenblas.so.0",
  "libopenblas.so",
  "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
  "/usr/local/opt/openblas/lib/libopenblas.dylib",
];

const SGEMM = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  openblas_get_corename: { parameters: [], result: "pointer", optional: true },
} as const;

type Sgemm = (
  order: number,
  transA: number,
  transB: number,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
) => void;

const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

/** An opened BLAS: its `sgemm`, the library path and the kernel family it runs. */
interface OpenedBlas {
  readonly sgemm: Sgemm;
  readonly path: string;
  /** OpenBLAS core name (`SkylakeX`, `Haswell`, `Prescott`, …), or `unknown`. */
  readonly core: string;
}

let loaded: OpenedBlas | null | undefined;

/**
 * The OpenBLAS kernel family to ask for, from the CPU's feature flags (`/proc/cpuinfo`): AVX-512
 * F/BW/DQ/VL/CD → `SkylakeX`, AVX2 + FMA → `Haswell`, else none (OpenBLAS's own detection).
 * Needed because OpenBLAS 0.3.21 names CPUs by their model number and falls back to `Prescott`
 * (SSE3, ≈ 5× slower `sgemm`) on CPUs it does not know, e.g. most virtual machines' "Intel Xeon
 * Processor" (measured here: 31 → 150 GFLOP/s single-threaded). Pure.
 *
 * @example
 * ```ts
 * blasCoreTypeForFlags("flags : fpu sse avx2 fma"); // "Haswell"
 * ```
 */
export function blasCoreTypeForFlags(cpuinfo: string): string | undefined {
  const line = cpuinfo.split("\n").find((l) => /^flags\s*:/.test(l));
  if (!line) return undefined;
  const flags = new Set(line.slice(line.indexOf(":") + 1).trim().split(/\s+/));
  const has = (...names: string[]) => names.every((n) => flags.has(n));
  if (has("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd")) return "SkylakeX";
  if (has("avx2", "fma")) return "Haswell";
  return undefined;
}

/**
 * Set `OPENBLAS_CORETYPE` from the CPU flags when the user did not (it is read when the library
 * loads). `ESSAY_SCORING_BLAS_CORETYPE=auto|off|<name>` overrides (default `auto`).
 */
function chooseCoreType(): void {
  if (Deno.env.get("OPENBLAS_CORETYPE") !== undefined) return;
  const wish = Deno.env.get("ESSAY_SCORING_BLAS_CORETYPE") ?? "auto";
  if (wish === "off") return;
  let core: string | undefined = wish;
  if (wish === "auto") {
    try {
      core = blasCoreTypeForFlags(Deno.readTextFileSync("/proc/cpuinfo"));
    } catch {
      core = undefined; // not Linux, or no read permission: OpenBLAS's own detection
    }
  }
  if (core) {
    Deno.env.set("OPENBLAS_CORETYPE", core);
    coreTypeChosenHere = true;
  }
}

let coreTypeChosenHere = false;

/**
 * Whether this process set `OPENBLAS_CORETYPE` itself (from the CPU flags). Child processes
 * inherit it; a benchmark of another build removes it so that build chooses for itself.
 */
export function blasCoreTypeChosenHere(): boolean {
  return coreTypeChosenHere;
}

/** Open OpenBLAS once; null when unavailable (no library, no FFI permission, or disabled). */
function openBlas(): OpenedBlas | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    if (Deno.env.get("ESSAY_SCORING_NATIVE_BLAS") === "0") return null;
    if (Deno.env.get("OPENBLAS_NUM_THREADS") === undefined) {
      Deno.env.set("OPENBLAS_NUM_THREADS", "1");
    }
    chooseCoreType();
    const explicit = Deno.env.get("OPENBLAS_LIB");
    for (const path of explicit ? [explicit] : CANDIDATES) {
      try {
        const lib = Deno.dlopen(path, SGEMM);
        const namePointer = lib.symbols.openblas_get_corename?.();
        const core = namePointer ? Deno.UnsafePointerView.getCString(namePointer) : "unknown";
        loaded = { sgemm: lib.symbols.cblas_sgemm as unknown as Sgemm, path, core };
        return loaded;
      } catch {
        // try the next candidate
      }
    }
  } catch {
    // no --allow-env / --allow-ffi: stay on wasm
  }
  return null;
}

/** The kernel family of the opened OpenBLAS (`SkylakeX`, …), or null when none is used. */
export function nativeBlasCore(): string | null {
  return openBlas()?.core ?? null;
}

/** Whether a native BLAS can be used in this process (opens it on first call). */
export function nativeBlasAvailable(): boolean {
  return openBlas() !== null;
}

// deno-lint-ignore no-explicit-any
type AnyKernelArgs = any;

// deno-lint-ignore no-explicit-any
function heapF32(backend: any): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer);
}

/**
 * Counters of the native kernels, for tests and the profile: row-wise calls, those that could not
 * be split per text, `sgemm` calls and their wall milliseconds (this thread).
 */
export const nativeKernelStats = {
  rowwiseCalls: 0,
  unsegmentedCalls: 0,
  sgemmCalls: 0,
  sgemmMs: 0,
};

/** Row layout chosen per weight shape by the probes (`row_blocks.ts`). */
interface RowLayout {
  /** Block (tile) rows; 0 = one call per text. */
  readonly block: number;
  /** Texts packed one after the other, only the call padded to the block. */
  readonly compact: boolean;
}

const rowLayouts = new Map<string, RowLayout>();

/** The probed row blocks of this thread, for reports (`"1536x512"` → 8). */
export function probedRowBlocks(): Record<string, number> {
  return Object.fromEntries([...rowLayouts].map(([key, layout]) => [key, layout.block]));
}

/** Weight shapes whose calls use the compact layout on this thread (`"1536x512"` → true). */
export function probedCompactLayouts(): Record<string, boolean> {
  return Object.fromEntries([...rowLayouts].map(([key, layout]) => [key, layout.compact]));
}

let compactEnabled = true;

/**
 * Allow or forbid the compact layout on this thread (default allowed; the layouts are probed
 * again). For benchmarks: vectors are the same either way.
 */
export function useCompactRowLayouts(enabled: boolean): void {
  if (enabled === compactEnabled) return;
  compactEnabled = enabled;
  rowLayouts.clear();
}

/**
 * Whether the compact layout may be used where the probe allows it: yes unless forbidden by
 * {@link useCompactRowLayouts} or `ESSAY_SCORING_COMPACT_ROWS=0`.
 */
function compactAllowed(): boolean {
  if (!compactEnabled) return false;
  try {
    return Deno.env.get("ESSAY_SCORING_COMPACT_ROWS") !== "0";
  } catch {
    return true; // no --allow-env
  }
}

function rowLayoutFor(sgemm: Sgemm, dims: { n: number; k: number; transB: boolean }): RowLayout {
  const key = `${dims.n}x${dims.k}${dims.transB ? "T" : ""}`;
  let layout = rowLayouts.get(key);
  if (layout === undefined) {
    const matmul = (
      a: Float32Array,
      rows: number,
      b: Float32Array,
      c: Float32Array,
      d: typeof dims,
    ) => plainSgemm(sgemm, a, rows, b, c, d);
    layout = compactAllowed() && compactLayoutInvariant(matmul, dims, COMPACT_TILE)
      ? { block: COMPACT_TILE, compact: true }
      : { block: probeRowBlock(matmul, dims), compact: false };
    rowLayouts.set(key, layout);
  }
  return layout;
}

/** One row-major `C = A · op(B)` call. */
function plainSgemm(
  sgemm: Sgemm,
  a: Float32Array,
  rows: number,
  b: Float32Array,
  c: Float32Array,
  dims: { readonly n: number; readonly k: number; readonly transB: boolean },
): void {
  const { n, k, transB } = dims;
  sgemm(
    ROW_MAJOR,
    NO_TRANS,
    transB ? TRANS : NO_TRANS,
    rows,
    n,
    k,
    1,
    a,
    k,
    b,
    transB ? k : n,
    0,
    c,
    n,
  );
}

let stagingA = new Float32Array(0);
let stagingC = new Float32Array(0);

/**
 * One call over all texts in the probed block layout (`row_blocks.ts`): in place when every
 * segment is already a multiple of the block, else through zero-padded staging buffers.
 */
function blockedSgemm(
  sgemm: Sgemm,
  heap: Float32Array,
  offsets: { a: number; b: number; c: number },
  dims: { m: number; n: number; k: number; transB: boolean },
  segments: readonly number[],
  block: number,
): void {
  const { m, n, k } = dims;
  const b = heap.subarray(offsets.b, offsets.b + k * n);
  if (alignedInPlace(segments, block)) {
    const a = heap.subarray(offsets.a, offsets.a + m * k);
    plainSgemm(sgemm, a, m, b, heap.subarray(offsets.c, offsets.c + m * n), dims);
    return;
  }
  const layout = blockLayout(segments, block);
  if (stagingA.length < layout.rows * k) stagingA = new Float32Array(layout.rows * k);
  if (stagingC.length < layout.rows * n) stagingC = new Float32Array(layout.rows * n);
  const a = stagingA.subarray(0, layout.rows * k);
  a.fill(0);
  let row = 0;
  segments.forEach((rows, i) => {
    a.set(heap.subarray(offsets.a + row * k, offsets.a + (row + rows) * k), layout.starts[i] * k);
    row += rows;
  });
  const c = stagingC.subarray(0, layout.rows * n);
  plainSgemm(sgemm, a, layout.rows, b, c, dims);
  row = 0;
  segments.forEach((rows, i) => {
    const start = layout.starts[i] * n;
    heap.set(c.subarray(start, start + rows * n), offsets.c + row * n);
    row += rows;
  });
}

/**
 * One call over all rows as they lie (texts packed), padded with zero rows to a multiple of the
 * tile through staging buffers when needed (`row_blocks.ts`, compact layout).
 */
function compactSgemm(
  sgemm: Sgemm,
  heap: Float32Array,
  offsets: { a: number; b: number; c: number },
  dims: { m: number; n: number; k: number; transB: boolean },
  tile: number,
): void {
  const { m, n, k } = dims;
  const b = heap.subarray(offsets.b, offsets.b + k * n);
  if (m % tile === 0) {
    const a = heap.subarray(offsets.a, offsets.a + m * k);
    plainSgemm(sgemm, a, m, b, heap.subarray(offsets.c, offsets.c + m * n), dims);
    return;
  }
  const rows = Math.ceil(m / tile) * tile;
  if (stagingA.length < rows * k) stagingA = new Float32Array(rows * k);
  if (stagingC.length < rows * n) stagingC = new Float32Array(rows * n);
  const a = stagingA.subarray(0, rows * k);
  a.set(heap.subarray(offsets.a, offsets.a + m * k));
  a.fill(0, m * k);
  const c = stagingC.subarray(0, rows * n);
  plainSgemm(sgemm, a, rows, b, c, dims);
  heap.set(c.subarray(0, m * n), offsets.c);
}

/**
 * `C = A · op(B)` for row-major A (`m × k`) and C (`m × n`) in the wasm heap. With a published
 * batch shape, the rows are split into texts: one call in the probed block layout when the
 * kernel allows one for this weight shape, else one `sgemm` per text. Without one, one call.
 */
function rowwiseSgemm(
  sgemm: Sgemm,
  heap: Float32Array,
  offsets: { a: number; b: number; c: number },
  dims: { m: number; n: number; k: number; transB: boolean },
): void {
  const { m, n, k } = dims;
  const shape = currentBatchShape();
  const segments = shape ? rowSegments(m, shape) : null;
  nativeKernelStats.rowwiseCalls++;
  if (shape && !segments) nativeKernelStats.unsegmentedCalls++;
  const layout = segments ? rowLayoutFor(sgemm, dims) : { block: 0, compact: false };
  if (segments && layout.compact) {
    compactSgemm(sgemm, heap, offsets, dims, layout.block);
    return;
  }
  if (segments && layout.block > 0) {
    blockedSgemm(sgemm, heap, offsets, dims, segments, layout.block);
    return;
  }
  const b = heap.subarray(offsets.b, offsets.b + k * n);
  let row = 0;
  for (const rows of segments ?? [m]) {
    plainSgemm(
      sgemm,
      heap.subarray(offsets.a + row * k, offsets.a + (row + rows) * k),
      rows,
      b,
      heap.subarray(offsets.c + row * n, offsets.c + (row + rows) * n),
      dims,
    );
    row += rows;
  }
}

let installed = false;

/** Whether the native kernels are installed on this thread (they stay for the thread's life). */
export function nativeMatMulKernelsInstalled(): boolean {
  return installed;
}

/**
 * Replace the wasm backend's `BatchMatMul` and 1×1 `Conv2D` kernels with OpenBLAS ones, when
 * OpenBLAS is available and the wasm backend is active. Returns whether native kernels are in
 * use. Safe to call more than once.
 *
 * @example
 * ```ts
 * await tf.ready();
 * installNativeMatMulKernels(); // true with libopenblas installed
 * ```
 */
export function installNativeMatMulKernels(): boolean {
  if (installed) return true;
  const blas = openBlas();
  if (!blas || tf.getBackend() !== "wasm") return false;
  const raw = blas.sgemm;
  const sgemm: Sgemm = (...args) => {
    const t = performance.now();
    raw(...args);
    nativeKernelStats.sgemmMs += performance.now() - t;
    nativeKernelStats.sgemmCalls++;
  };
  const originalMatMul = tf.getKernel(tf.BatchMatMul, "wasm");
  const originalConv = tf.getKernel(tf.Conv2D, "wasm");
  if (!originalMatMul || !originalConv) return false;

  const batchMatMul = (args: AnyKernelArgs) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs;
    const backend = args.backend;
    const aRank = a.shape.length, bRank = b.shape.length;
    const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
    const batchA = outerA.reduce((p: number, v: number) => p * v, 1);
    const batchB = outerB.reduce((p: number, v: number) => p * v, 1);
    const sameOuter = outerA.length === outerB.length &&
      outerA.every((v: number, i: number) => v === outerB[i]);
    if (
      a.dtype !== "float32" || b.dtype !== "float32" ||
      !(sameOuter || (batchA === 1 && aRank === 2) || (batchB === 1 && bRank === 2))
    ) {
      return originalMatMul.kernelFunc(args);
    }
    const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
    const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
    const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
    const kB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
    if (k !== kB) return originalMatMul.kernelFunc(args);
    const outOuter = sameOuter ? outerA : (outerA.length >= outerB.length ? outerA : outerB);
    const batch = Math.max(batchA, batchB);
    const out = backend.makeOutput([...outOuter, m, n], "float32");
    const heap = heapF32(backend); // after makeOutput: allocation may grow the heap
    const aOff = backend.dataIdMap.get(a.dataId).memoryOffset / 4;
    const bOff = backend.dataIdMap.get(b.dataId).memoryOffset / 4;
    const cOff = backend.dataIdMap.get(out.dataId).memoryOffset / 4;
    if (batch === 1 && aRank === 2 && !transposeA) {
      rowwiseSgemm(sgemm, heap, { a: aOff, b: bOff, c: cOff }, { m, n, k, transB: transposeB });
      return out;
    }
    for (let i = 0; i < batch; i++) {
      const ai = batchA === 1 ? 0 : i, bi = batchB === 1 ? 0 : i;
      sgemm(
        ROW_MAJOR,
        transposeA ? TRANS : NO_TRANS,
        transposeB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        1,
        heap.subarray(aOff + ai * m * k, aOff + (ai + 1) * m * k),
        transposeA ? m : k,
        heap.subarray(bOff + bi * k * n, bOff + (bi + 1) * k * n),
        transposeB ? k : n,
        0,
        heap.subarray(cOff + i * m * n, cOff + (i + 1) * m * n),
        n,
      );
    }
    return out;
  };

  const conv2d = (args: AnyKernelArgs) => {
    const { x, filter } = args.inputs;
    const { strides, dilations, pad, dataFormat } = args.attrs;
    const backend = args.backend;
    const one = (v: number | number[]) => Array.isArray(v) ? v.every((e) => e === 1) : v === 1;
    if (
      x.dtype !== "float32" || filter.shape[0] !== 1 || filter.shape[1] !== 1 ||
      !one(strides) || !one(dilations ?? 1) || (dataFormat && dataFormat !== "NHWC") ||
      !(pad === "valid" || pad === "same" || pad === 0)
    ) {
      return originalConv.kernelFunc(args);
    }
    const [batch, height, width, inC] = x.shape;
    const outC = filter.shape[3];
    const rows = batch * height * width;
    const out = backend.makeOutput([batch, height, width, outC], "float32");
    const heap = heapF32(backend);
    const xOff = backend.dataIdMap.get(x.dataId).memoryOffset / 4;
    const fOff = backend.dataIdMap.get(filter.dataId).memoryOffset / 4;
    const cOff = backend.dataIdMap.get(out.dataId).memoryOffset / 4;
    rowwiseSgemm(sgemm, heap, { a: xOff, b: fOff, c: cOff }, {
      m: rows,
      n: outC,
      k: inC,
      transB: false,
    });
    return out;
  };

  tf.unregisterKernel(tf.BatchMatMul, "wasm");
  tf.registerKernel({ ...originalMatMul, kernelFunc: batchMatMul });
  tf.unregisterKernel(tf.Conv2D, "wasm");
  tf.registerKernel({ ...originalConv, kernelFunc: conv2d });
  installed = true;
  return true;
}
