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
 * matmuls (dense layers, 1×1 convolutions) run one `sgemm` per text of the graph call, as
 * published by `withBatchShape`: each call's shape depends on that text alone. Attention matmuls
 * already run one `sgemm` per (text, head) on the text's fixed padded length.
 *
 * @module
 */
import * as tf from "@energetic-ai/core";
import { currentBatchShape, rowSegments } from "./fixed_shapes.ts";

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

let loaded: { sgemm: Sgemm; path: string } | null | undefined;

/** Open OpenBLAS once; null when unavailable (no library, no FFI permission, or disabled). */
function openBlas(): { sgemm: Sgemm; path: string } | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    if (Deno.env.get("ESSAY_SCORING_NATIVE_BLAS") === "0") return null;
    if (Deno.env.get("OPENBLAS_NUM_THREADS") === undefined) {
      Deno.env.set("OPENBLAS_NUM_THREADS", "1");
    }
    const explicit = Deno.env.get("OPENBLAS_LIB");
    for (const path of explicit ? [explicit] : CANDIDATES) {
      try {
        const lib = Deno.dlopen(path, SGEMM);
        loaded = { sgemm: lib.symbols.cblas_sgemm as unknown as Sgemm, path };
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

/** Counters of the native kernels, for tests: row-wise calls that could not be split per text. */
export const nativeKernelStats = { rowwiseCalls: 0, unsegmentedCalls: 0 };

/**
 * `C = A · op(B)` for row-major A (`m × k`) and C (`m × n`) in the wasm heap, one `sgemm` per text
 * segment of the rows when a batch shape is published (else one call).
 */
function rowwiseSgemm(
  sgemm: Sgemm,
  heap: Float32Array,
  offsets: { a: number; b: number; c: number },
  dims: { m: number; n: number; k: number; transB: boolean },
): void {
  const { m, n, k, transB } = dims;
  const shape = currentBatchShape();
  const segments = shape ? rowSegments(m, shape) : null;
  nativeKernelStats.rowwiseCalls++;
  if (shape && !segments) nativeKernelStats.unsegmentedCalls++;
  const b = heap.subarray(offsets.b, offsets.b + k * n);
  let row = 0;
  for (const rows of segments ?? [m]) {
    sgemm(
      ROW_MAJOR,
      NO_TRANS,
      transB ? TRANS : NO_TRANS,
      rows,
      n,
      k,
      1,
      heap.subarray(offsets.a + row * k, offsets.a + (row + rows) * k),
      k,
      b,
      transB ? k : n,
      0,
      heap.subarray(offsets.c + row * n, offsets.c + (row + rows) * n),
      n,
    );
    row += rows;
  }
}

let installed = false;

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
  const sgemm = blas.sgemm;
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
