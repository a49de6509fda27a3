import assert from "node:assert/strict";
import {
  alignedInPlace,
  blockLayout,
  COMPACT_TILE,
  compactLayoutInvariant,
  probeRowBlock,
  type RowMatmul,
} from "../../lib/features/embeddings/row_blocks.ts";
import { blasCoreTypeForFlags } from "../../lib/features/embeddings/native_blas.ts";

/** A naive row-major matmul whose rows can be perturbed by their position in the call. */
function matmulWith(perturb: (row: number, rows: number) => number): RowMatmul {
  return (a, rows, b, c, { n, k, transB }) => {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let i = 0; i < k; i++) sum += a[r * k + i] * (transB ? b[j * k + i] : b[i * n + j]);
        c[r * n + j] = sum + perturb(r, rows) * Math.abs(sum) * 1e-3;
      }
    }
  };
}

const dims = { n: 3, k: 4, transB: false };

Deno.test("blockLayout starts each segment at a multiple of the block", () => {
  assert.deepEqual(blockLayout([3, 8, 9], 8), { starts: [0, 8, 16], rows: 32 });
  assert.deepEqual(blockLayout([], 8), { starts: [], rows: 0 });
  assert.ok(alignedInPlace([8, 16, 24], 8));
  assert.ok(!alignedInPlace([8, 12], 8));
});

Deno.test("probeRowBlock: a row-invariant kernel gets the smallest block", () => {
  assert.equal(probeRowBlock(matmulWith(() => 0), dims), 8);
});

Deno.test("probeRowBlock: a tail path (last M mod 8 rows) is avoided by 8-row blocks", () => {
  assert.equal(probeRowBlock(matmulWith((r, rows) => (r >= rows - (rows % 8) ? 1 : 0)), dims), 8);
});

Deno.test("probeRowBlock: a period-12 kernel needs 24-row blocks", () => {
  assert.equal(probeRowBlock(matmulWith((r) => (r % 12 >= 6 ? 1 : 0)), dims), 24);
});

Deno.test("probeRowBlock: a kernel depending on the call's size has no invariant block", () => {
  assert.equal(probeRowBlock(matmulWith((_, rows) => (rows > 64 ? 1 : 0)), dims), 0);
});

Deno.test("compactLayoutInvariant: texts packed in a call of full tiles, where no row depends on its place", () => {
  assert.ok(compactLayoutInvariant(matmulWith(() => 0), dims, COMPACT_TILE));
  // a tail path is never taken: the call is padded to full tiles
  const tail = matmulWith((r, rows) => (r >= rows - (rows % 8) ? 1 : 0));
  assert.ok(compactLayoutInvariant(tail, dims, COMPACT_TILE));
  // a path by position modulo 12 or 2, or by the call's size, is caught
  assert.ok(!compactLayoutInvariant(matmulWith((r) => (r % 12 >= 6 ? 1 : 0)), dims, COMPACT_TILE));
  assert.ok(!compactLayoutInvariant(matmulWith((r) => r % 2), dims, COMPACT_TILE));
  assert.ok(!compactLayoutInvariant(matmulWith((_, rows) => (rows > 64 ? 1 : 0)), dims, 8));
  // a different path for rows of a tile's second half, even with full tiles only
  assert.ok(!compactLayoutInvariant(matmulWith((r) => (r % 8 >= 4 ? 1 : 0)), dims, COMPACT_TILE));
});

Deno.test("blasCoreTypeForFlags picks the OpenBLAS kernel family from the CPU flags", () => {
  const avx512 = "flags\t\t: fpu sse2 avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl\n";
  assert.equal(blasCoreTypeForFlags(`processor : 0\n${avx512}`), "SkylakeX");
  assert.equal(blasCoreTypeForFlags("flags : fpu sse2 avx avx2 fma\n"), "Haswell");
  assert.equal(blasCoreTypeForFlags("flags : fpu sse2 avx\n"), undefined);
  assert.equal(blasCoreTypeForFlags("no flags here"), undefined);
});
