/**
 * Row-block layout for batched `sgemm` calls that keep each text's rows bit-identical whatever
 * the other texts of the call are (batch invariance at a fraction of the per-text calls' cost).
 *
 * Why: OpenBLAS repacks the weight matrix on every `sgemm` call (a 512 × 1536 float32 matrix is
 * 3 MB), so one call per text (the `fixed-shapes-v1` rule) spends most of the encoder's matmul
 * time packing. But a row's result depends on the call's shape only through the micro-kernel path
 * it takes, which (measured on OpenBLAS 0.3.21) is a function of the row's position modulo a
 * small period and of whether it lies in a full tile or in the call's tail: with the default
 * SkylakeX kernels every row of a full 8-row tile gives the same bits at any offset and in any
 * call, the last `M mod 8` rows take another path; with `OPENBLAS_CORETYPE=Haswell` the period is
 * 12 and tails of up to 11 rows take other paths.
 *
 * The layout: each text's rows start at a multiple of a block size `B` and are padded with zero
 * rows up to a multiple of `B`; the call's row count is therefore a multiple of `B` too. A kernel
 * whose row paths depend only on `position mod B` and on full tiles then gives each text the same
 * bits in every call. Which `B` works is **probed at run time** for each weight shape
 * ({@link probeRowBlock}): random texts of several lengths are placed in calls of different
 * compositions, orders and sizes and compared bit for bit; the smallest passing `B` among
 * {@link ROW_BLOCK_CANDIDATES} is used, and when none passes the caller falls back to one call per
 * text. Results do not depend on the data values (the path is chosen by shape), so the probe's
 * verdict holds for the model's activations.
 *
 * @module
 */

/** Block sizes tried, smallest first (multiples of the padded-length bucket, 8). */
export const ROW_BLOCK_CANDIDATES: readonly number[] = [8, 16, 24, 48];

/** `C = A · op(B)`, row-major, as the native kernels call it. */
export type RowMatmul = (
  a: Float32Array,
  rows: number,
  b: Float32Array,
  c: Float32Array,
  dims: { readonly n: number; readonly k: number; readonly transB: boolean },
) => void;

/** Where each segment (text) starts in a block layout, and the call's total rows. */
export interface RowBlockLayout {
  /** Start row of each segment. */
  readonly starts: number[];
  /** Rows of the call (a multiple of the block). */
  readonly rows: number;
}

/**
 * Block layout of segments of the given row counts: segment `i` starts at a multiple of `block`
 * and occupies `ceil(rows_i / block) · block` rows. Pure.
 *
 * @example
 * ```ts
 * blockLayout([3, 8, 9], 8); // { starts: [0, 8, 16], rows: 32 }
 * ```
 */
export function blockLayout(segments: readonly number[], block: number): RowBlockLayout {
  const starts: number[] = [];
  let row = 0;
  for (const rows of segments) {
    starts.push(row);
    row += Math.ceil(rows / block) * block;
  }
  return { starts, rows: row };
}

/** Whether segments are already block-aligned in place (each a multiple of `block` rows). */
export function alignedInPlace(segments: readonly number[], block: number): boolean {
  return segments.every((rows) => rows % block === 0);
}

/** Deterministic pseudo-random floats in [-0.5, 0.5) (the probe's data; values do not matter). */
function probeData(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

/** Probe texts' row counts: tails of every residue, full blocks, and the model's 128 maximum. */
const PROBE_LENGTHS = [1, 3, 5, 7, 8, 11, 13, 21, 24, 29, 40, 47, 128];

/** Calls of the probe: orders and compositions of the probe texts (indices into the lengths). */
const PROBE_CALLS: readonly (readonly number[])[] = [
  [0],
  [3],
  [12],
  [1, 6],
  [6, 1],
  [12, 0, 2, 9, 11, 4],
  [2, 4, 5, 7, 8, 10, 3, 1, 0, 6, 9, 11, 12],
  [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 12, 12, 12, 12, 12, 12, 12],
];

/**
 * Run one probe call: copy the texts' rows into a block layout, multiply, return each text's rows
 * of the result.
 */
function runBlocked(
  matmul: RowMatmul,
  texts: readonly Float32Array[],
  weights: Float32Array,
  dims: { n: number; k: number; transB: boolean },
  block: number,
): Float32Array[] {
  const lengths = texts.map((t) => t.length / dims.k);
  const layout = blockLayout(lengths, block);
  const a = new Float32Array(layout.rows * dims.k);
  texts.forEach((t, i) => a.set(t, layout.starts[i] * dims.k));
  const c = new Float32Array(layout.rows * dims.n);
  matmul(a, layout.rows, weights, c, dims);
  return lengths.map((l, i) => c.slice(layout.starts[i] * dims.n, (layout.starts[i] + l) * dims.n));
}

function sameBits(x: Float32Array, y: Float32Array): boolean {
  if (x.length !== y.length) return false;
  const a = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const b = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether a `block`-row layout is batch-invariant for `matmul` on weights of this shape: every
 * probe text gets the same bits in every probe call (alone, in other orders and compositions, in
 * calls of up to ≈ 700 rows).
 */
export function rowBlockInvariant(
  matmul: RowMatmul,
  dims: { readonly n: number; readonly k: number; readonly transB: boolean },
  block: number,
): boolean {
  const weights = probeData(dims.n * dims.k, 7);
  const texts = PROBE_LENGTHS.map((l, i) => probeData(l * dims.k, 100 + i));
  const reference: (Float32Array | undefined)[] = [];
  for (const call of PROBE_CALLS) {
    const out = runBlocked(matmul, call.map((i) => texts[i]), weights, dims, block);
    for (let j = 0; j < call.length; j++) {
      const known = reference[call[j]];
      if (known === undefined) reference[call[j]] = out[j];
      else if (!sameBits(known, out[j])) return false;
    }
  }
  return true;
}

/**
 * The smallest block of {@link ROW_BLOCK_CANDIDATES} under which `matmul` is batch-invariant for
 * this weight shape, or 0 when none is (then each text needs its own call).
 */
export function probeRowBlock(
  matmul: RowMatmul,
  dims: { readonly n: number; readonly k: number; readonly transB: boolean },
): number {
  for (const block of ROW_BLOCK_CANDIDATES) {
    if (rowBlockInvariant(matmul, dims, block)) return block;
  }
  return 0;
}
