import assert from "node:assert/strict";
import { chunkIndices } from "../../lib/offload/chunking.ts";
import { extractBodyBytes, jsonStringBytes } from "../../lib/offload/protocol.ts";

Deno.test("chunkIndices keeps order and respects item and byte limits", () => {
  const sizes = [100, 100, 100, 100, 100];
  assert.deepEqual(chunkIndices(sizes, { maxItems: 2, maxBytes: 10_000, baseBytes: 10 }), [
    [0, 1],
    [2, 3],
    [4],
  ]);
  assert.deepEqual(chunkIndices(sizes, { maxItems: 64, maxBytes: 310, baseBytes: 10 }), [
    [0, 1, 2],
    [3, 4],
  ]);
  assert.deepEqual(chunkIndices([], { maxItems: 64, maxBytes: 100, baseBytes: 10 }), []);
  assert.throws(
    () => chunkIndices([10, 200], { maxItems: 64, maxBytes: 100, baseBytes: 10 }),
    /item 1 needs 210 bytes/,
  );
});

Deno.test("extractBodyBytes is the original client's estimate: the body's bytes + 2", () => {
  const texts = ["plain", 'quote " and \\ backslash', "ünïcödé — ✓", "line\nbreak\ttab"];
  const prompts = ["p1", "p2", "p3", "p4"];
  const body = JSON.stringify({ texts, prompts, feature_set: "combined" });
  assert.equal(extractBodyBytes(texts, prompts), new TextEncoder().encode(body).length + 2);
  assert.equal(jsonStringBytes("é"), 4); // quotes + 2 UTF-8 bytes
});
