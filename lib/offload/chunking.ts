/**
 * Split a list of items into request-sized chunks: at most `maxItems` items and at most
 * `maxBytes` bytes of request body each (the offload protocol's 64 items / 900,000 bytes).
 *
 * @module
 */

/** Limits of one chunk. */
export interface ChunkLimits {
  readonly maxItems: number;
  readonly maxBytes: number;
  /** Bytes of the request body with no items in it. */
  readonly baseBytes: number;
}

/**
 * Greedy, order-preserving chunking of item indices by count and body size. Throws, naming the
 * item, when one item alone would exceed `maxBytes`.
 *
 * @param itemBytes bytes each item adds to the body (including separators)
 * @example
 * ```ts
 * chunkIndices([10, 10, 10], { maxItems: 2, maxBytes: 1000, baseBytes: 10 }); // [[0, 1], [2]]
 * ```
 */
export function chunkIndices(itemBytes: readonly number[], limits: ChunkLimits): number[][] {
  if (limits.maxItems < 1) throw new Error("maxItems must be >= 1");
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = limits.baseBytes;
  for (let i = 0; i < itemBytes.length; i++) {
    const b = itemBytes[i];
    if (limits.baseBytes + b > limits.maxBytes) {
      throw new Error(
        `item ${i} needs ${
          limits.baseBytes + b
        } bytes in one request; the limit is ${limits.maxBytes}`,
      );
    }
    if (current.length >= limits.maxItems || bytes + b > limits.maxBytes) {
      chunks.push(current);
      current = [];
      bytes = limits.baseBytes;
    }
    current.push(i);
    bytes += b;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
