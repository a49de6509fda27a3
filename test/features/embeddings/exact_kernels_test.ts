import assert from "node:assert/strict";
import * as tf from "@energetic-ai/core";
import { loadUseLiteEncoder } from "../../../lib/features/embeddings/use_lite_encoder.ts";
import {
  exactFastKernelsInstalled,
  exactKernelStats,
  installExactFastKernels,
  uninstallExactFastKernels,
} from "../../../lib/features/embeddings/exact_kernels.ts";

await loadUseLiteEncoder(); // wasm backend ready, kernels installed

function bits(t: tf.Tensor): number[] {
  const data = t.dataSync();
  return Array.from(new Uint32Array(data.buffer, data.byteOffset, data.length));
}

/**
 * Run `fn` with the fast kernels (twice: a memo filled by the first run answers the second) and
 * with the originals; the results' shapes and bits.
 */
function both(fn: () => tf.Tensor | tf.Tensor[]): [string, string] {
  const run = () => {
    const out = [fn()].flat();
    const result = JSON.stringify(out.map((t) => [t.shape, t.dtype, bits(t)]));
    out.forEach((t) => t.dispose());
    return result;
  };
  assert.ok(exactFastKernelsInstalled());
  const fast = run();
  assert.equal(run(), fast, "second run with the fast kernels");
  uninstallExactFastKernels();
  try {
    return [fast, run()];
  } finally {
    installExactFastKernels();
  }
}

function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 * 20 - 10;
  });
}

Deno.test("exact GatherV2 equals the wasm kernel (rows, nd indices, int32, other axes)", () => {
  const table = tf.tensor2d(values(50 * 7, 1), [50, 7]);
  const ints = tf.tensor3d(Int32Array.from({ length: 40 }, (_, i) => i * 7 - 100), [10, 2, 2]);
  const cases = [
    () => tf.gather(table, tf.tensor1d([0, 49, 3, 3, 12], "int32")),
    () => tf.gather(table, tf.tensor2d([[1, 2, 3], [4, 4, 0]], [2, 3], "int32")),
    () => tf.gather(ints, tf.tensor1d([9, 0, 5], "int32")),
    () => tf.gather(table, tf.tensor1d([6, 0, 2], "int32"), 1),
    () => tf.gather(table, tf.tensor1d([], "int32")),
  ];
  for (const c of cases) {
    const [fast, original] = both(c);
    assert.equal(fast, original);
  }
  assert.throws(() => tf.gather(table, tf.tensor1d([50], "int32")), /not in \[0, 49\]/);
});

Deno.test("exact SplitV equals the wasm kernel on every axis", () => {
  const x = tf.tensor3d(values(2 * 5 * 12, 2), [2, 5, 12]);
  const xi = tf.tensor2d(Int32Array.from({ length: 24 }, (_, i) => i - 5), [4, 6]);
  const cases = [
    () => tf.split(x, [4, 4, 4], 2),
    () => tf.split(x, [3, 1, 1], 1),
    () => tf.split(x, 2, 0),
    () => tf.split(xi, [1, 5], 1),
    () => tf.split(x, [12, 0], 2),
  ];
  for (const c of cases) {
    const [fast, original] = both(c);
    assert.equal(fast, original);
  }
});

Deno.test("memoised Sin/Cos equal the wasm kernels, on new rows, repeated rows and near-collisions", () => {
  const width = 128;
  const base = values(5 * width, 3);
  const rows = new Float32Array(9 * width);
  rows.set(base);
  rows.set(base.subarray(0, width), 5 * width); // a repeated row
  const twin = base.slice(width, 2 * width); // same hashed elements, one other element differs
  twin[7] += 1;
  rows.set(twin, 6 * width);
  rows.set(base.subarray(2 * width, 4 * width), 7 * width);
  const x = tf.tensor2d(rows, [9, width]);
  const hits0 = exactKernelStats.memoHits;
  for (const op of [tf.sin, tf.cos]) {
    const [fast, original] = both(() => op(x));
    assert.equal(fast, original);
    const [fastPart, originalPart] = both(() => op(tf.slice(x, [5, 0], [3, width])));
    assert.equal(fastPart, originalPart);
    const [rank3, rank3Original] = both(() => op(tf.reshape(x, [3, 3, width])));
    assert.equal(rank3, rank3Original);
  }
  assert.ok(exactKernelStats.memoHits > hits0, "the memo answered some calls");
});
