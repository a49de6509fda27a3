/**
 * The original clients' `.npy` row caches (HEMMA_PROTOCOL.md §B.8): one float32 row of shape
 * `(D,)` per file, `numpy.save` bytes, so entries written by the Python pipeline are read here
 * and ours are read there. Unlike the original, writes are atomic (temp file + rename), and an
 * unreadable or wrong-width file is a counted miss that is rewritten, never a crash.
 *
 * @module
 */
import { dirname } from "node:path";
import { decodeNpy, encodeNpy } from "./npy.ts";

/** Counters a row cache reports into. */
export interface RowCacheCounters {
  hits: number;
  misses: number;
  corrupt: number;
}

/** Read one cached row of `width` values; `undefined` on a miss (missing, unreadable, wrong). */
export async function readRow(
  path: string,
  width: number,
  counters?: RowCacheCounters,
  warn?: (line: string) => void,
): Promise<Float32Array | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      if (counters) counters.corrupt++;
      warn?.(`offload cache: cannot read ${path}: ${e instanceof Error ? e.message : e}`);
    }
    if (counters) counters.misses++;
    return undefined;
  }
  try {
    const a = decodeNpy(bytes, path);
    if (a.shape.length !== 1 || a.shape[0] !== width) {
      throw new Error(`shape (${a.shape.join(", ")}) where (${width},) was expected`);
    }
    if (counters) counters.hits++;
    return a.data;
  } catch (e) {
    if (counters) {
      counters.corrupt++;
      counters.misses++;
    }
    warn?.(
      `offload cache: unreadable entry ${path} treated as a miss (will be rewritten): ${
        e instanceof Error ? e.message : e
      }`,
    );
    return undefined;
  }
}

/** Write one row as a `(D,)` float32 `.npy`, atomically. */
export async function writeRow(path: string, row: ArrayLike<number>): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeFile(tmp, encodeNpy(row, [row.length]));
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
