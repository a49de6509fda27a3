/**
 * A content-addressed JSON disk cache for offload responses: one file per key
 * (`<dir>/<key[0:2]>/<key>.json`), written atomically (temp file in the same directory + rename),
 * validated with zod on read. A missing file is a miss; a corrupt, truncated or schema-mismatched
 * file is a logged miss (the next `set` rewrites it), never a crash.
 *
 * Cache roots live under `output/essay_scoring/.cache/` (`offload_language_tool/`,
 * `offload_extract/`, `offload_embed/`).
 *
 * @module
 */
import { join } from "node:path";
import type { z } from "zod";
import type { OffloadMetricsCollector, OffloadService } from "./offload_metrics.ts";

/** Default cache root (relative to the working directory). */
export const DEFAULT_CACHE_ROOT = "output/essay_scoring/.cache";

/** Hit/miss counts of one cache. */
export interface CacheStats {
  hits: number;
  misses: number;
  corrupt: number;
  writes: number;
}

/** Options of a `JsonDiskCache`. */
export interface JsonDiskCacheOptions<T> {
  /** Directory of this cache (created on first write). */
  readonly dir: string;
  /** Schema every entry's `value` must satisfy. */
  readonly schema: z.ZodType<T>;
  /** Where hits and misses are also counted (per service). */
  readonly collector?: OffloadMetricsCollector;
  readonly service?: OffloadService;
  /** Warning sink for corrupt entries (default: console.warn). */
  readonly warn?: (line: string) => void;
}

/** A JSON disk cache of values of type `T` keyed by hex strings (e.g. sha256). */
export class JsonDiskCache<T> {
  readonly stats: CacheStats = { hits: 0, misses: 0, corrupt: 0, writes: 0 };
  readonly #opts: JsonDiskCacheOptions<T>;

  constructor(options: JsonDiskCacheOptions<T>) {
    this.#opts = options;
  }

  /** The cache directory. */
  get dir(): string {
    return this.#opts.dir;
  }

  /** Path of the file holding `key`. */
  pathFor(key: string): string {
    if (!/^[0-9a-f]{8,}$/.test(key)) throw new Error(`cache key must be lowercase hex: ${key}`);
    return join(this.#opts.dir, key.slice(0, 2), `${key}.json`);
  }

  /** The cached value, or `undefined` on a miss (missing or unreadable entry). */
  async get(key: string): Promise<T | undefined> {
    const path = this.pathFor(key);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) this.#corrupt(path, e);
      this.#miss();
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { key?: unknown; value?: unknown };
      if (entry === null || typeof entry !== "object" || entry.key !== key) {
        throw new Error("entry key does not match its file name");
      }
      const parsed = this.#opts.schema.safeParse(entry.value);
      if (!parsed.success) throw new Error(`entry value invalid: ${parsed.error.message}`);
      this.stats.hits++;
      if (this.#opts.collector && this.#opts.service) {
        this.#opts.collector.service(this.#opts.service).hits++;
      }
      return parsed.data;
    } catch (e) {
      this.#corrupt(path, e);
      this.#miss();
      return undefined;
    }
  }

  /** Store `value` under `key` atomically (an existing entry is replaced). */
  async set(key: string, value: T): Promise<void> {
    const path = this.pathFor(key);
    const dir = join(this.#opts.dir, key.slice(0, 2));
    await Deno.mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${key}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`);
    const body = JSON.stringify({ key, created_utc: new Date().toISOString(), value });
    try {
      await Deno.writeTextFile(tmp, body);
      await Deno.rename(tmp, path);
      this.stats.writes++;
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
  }

  #miss(): void {
    this.stats.misses++;
    if (this.#opts.collector && this.#opts.service) {
      this.#opts.collector.service(this.#opts.service).misses++;
    }
  }

  #corrupt(path: string, e: unknown): void {
    this.stats.corrupt++;
    if (this.#opts.collector && this.#opts.service) {
      this.#opts.collector.service(this.#opts.service).corrupt++;
    }
    const warn = this.#opts.warn ?? ((l: string) => console.warn(l));
    warn(
      `offload cache: unreadable entry ${path} treated as a miss (will be rewritten): ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
}
