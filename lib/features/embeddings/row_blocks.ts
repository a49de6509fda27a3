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
 * **Compact layout** (fewer rows): when the kernel's row paths do not depend on a row's position
 * at all, only on whether it lies in a full tile of `B` rows (SkylakeX), the texts' rows can stay
 * packed one after the other as the graph gives them, and only the call's total is padded to a
 * multiple of `B`: every row then lies in a full tile and gets the bits it gets alone in a
 * `B`-block call. That saves the per-text padding rows (≈ 13 % of the feed-forward rows of an
 * essay's sentences, and 7 of every 8 rows of the one-row-per-text dense layer) and needs no
 * copies when the total is already a multiple of `B`. {@link compactLayoutInvariant} probes it
 * against the block layout's own bits (each text alone), so a compact call gives exactly the
 * vectors of the block layout; where it fails (e.g. `OPENBLAS_CORETYPE=Haswell`, whose paths
 * depend on the row's position modulo 12) the block layout stays.
 *
 * @module
 */

/** Tile of the compact layout (the padded-length bucket; SkylakeX's full-tile size). */
export const COMPACT_TILE = 8;

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

/** Run texts packed one after the other, the call padded with zero rows to a multiple of `tile`. */
function runCompact(
  matmul: RowMatmul,
  texts: readonly Float32Array[],
  weights: Float32Array,
  dims: { n: number; k: number; transB: boolean },
  tile: number,
): Float32Array[] {
  const lengths = texts.map((t) => t.length / dims.k);
  const total = lengths.reduce((a, b) => a + b, 0);
  const rows = Math.ceil(total / tile) * tile;
  const a = new Float32Array(rows * dims.k);
  let at = 0;
  texts.forEach((t) => (a.set(t, at * dims.k), at += t.length / dims.k));
  const c = new Float32Array(rows * dims.n);
  matmul(a, rows, weights, c, dims);
  at = 0;
  return lengths.map((l) => c.slice(at * dims.n, (at += l) * dims.n));
}

/**
 * Calls of the compact probe: the block probe's calls (mixed compositions, up to ≈ 1,100 rows),
 * then texts of 3, 5, 7 and 13 rows repeated 24 times with fillers so that they start at every
 * offset modulo 24 (and so modulo 8 and 12, the tile periods seen in OpenBLAS kernels).
 */
function compactProbeCalls(): number[][] {
  const repeat = (unit: number[]) => Array.from({ length: 24 }, () => unit).flat();
  return [
    ...PROBE_CALLS.map((c) => [...c]),
    repeat([1, 0]), // 3 + 1 rows: offsets step by 4, and the 1-row fillers fall in between
    repeat([2, 0, 0]), // 5 + 2 rows: step 7
    repeat([3]), // 7 rows: step 7
    repeat([6]), // 13 rows: step 13
  ];
}

/**
 * Whether the compact layout with tiles of `tile` rows gives every probe text exactly the bits it
 * gets alone in a `tile`-row block call (see the module docs), in every probe call.
 */
export function compactLayoutInvariant(
  matmul: RowMatmul,
  dims: { readonly n: number; readonly k: number; readonly transB: boolean },
  tile: number,
): boolean {
  const weights = probeData(dims.n * dims.k, 7);
  const texts = PROBE_LENGTHS.map((l, i) => probeData(l * dims.k, 100 + i));
  const reference = texts.map((t) => runBlocked(matmul, [t], weights, dims, tile)[0]);
  for (const call of compactProbeCalls()) {
    const out = runCompact(matmul, call.map((i) => texts[i]), weights, dims, tile);
    for (let j = 0; j < call.length; j++) {
      if (!sameBits(reference[call[j]], out[j])) return false;
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
