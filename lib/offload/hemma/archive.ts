/**
 * The `/v1/extract` answer of the original offload server (HEMMA_PROTOCOL.md §B.3.4): a zip
 * (DEFLATE members at the root, no directories) holding `meta.json`, and `embeddings.npy` and/or
 * `handcrafted.npy` (float32, one row per request item). Zip work is done by `fflate`.
 *
 * The reader finds members by name, as the Python client does (order and compression method do
 * not matter), parses `meta.json` strictly and checks each matrix's shape and dtype at decode
 * time: 2-D float32, as many rows as items, `embedding.dim` columns for the embeddings and as
 * many columns as the meta's tier names for the handcrafted matrix. Values are not judged (NaN
 * is legitimate).
 *
 * @module
 */
import { unzipSync, zipSync } from "fflate";
import { decodeNpyMatrix, encodeNpy, type NpyArray } from "./npy.ts";
import { checkMetaSchema, type ExtractMeta, parseExtractMeta, writeExtractMeta } from "./meta.ts";

/** Member names inside the extract zip. */
export const ZIP_MEMBERS = {
  meta: "meta.json",
  embeddings: "embeddings.npy",
  handcrafted: "handcrafted.npy",
} as const;

/** A float32 row-major matrix for the archive. */
export interface Float32Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: ArrayLike<number>;
}

/** What an extract zip holds. */
export interface ExtractArchive {
  readonly meta: ExtractMeta;
  readonly embeddings?: NpyArray;
  readonly handcrafted?: NpyArray;
}

/**
 * Build the extract zip: `meta.json` first, then `embeddings.npy`, then `handcrafted.npy` (only
 * those given), DEFLATE-compressed like Python's `zipfile`.
 */
export function writeExtractZip(parts: {
  meta: ExtractMeta;
  embeddings?: Float32Matrix;
  handcrafted?: Float32Matrix;
}): Uint8Array {
  const files: Record<string, Uint8Array> = {
    [ZIP_MEMBERS.meta]: new TextEncoder().encode(writeExtractMeta(parts.meta)),
  };
  if (parts.embeddings) {
    const m = parts.embeddings;
    files[ZIP_MEMBERS.embeddings] = encodeNpy(m.data, [m.rows, m.cols]);
  }
  if (parts.handcrafted) {
    const m = parts.handcrafted;
    files[ZIP_MEMBERS.handcrafted] = encodeNpy(m.data, [m.rows, m.cols]);
  }
  return zipSync(files, { level: 6 });
}

/**
 * Read an extract zip. `rows` (the request's item count) is checked when given; `source` names
 * the answer in errors. Throws on a body that is not a zip, a missing or invalid `meta.json`, or
 * a matrix of the wrong shape or dtype.
 */
export function readExtractZip(bytes: Uint8Array, source: string, rows?: number): ExtractArchive {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => (Object.values(ZIP_MEMBERS) as string[]).includes(f.name),
    });
  } catch (e) {
    throw new Error(
      `${source}: answer is not a readable zip (${bytes.length} bytes): ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
  const metaBytes = files[ZIP_MEMBERS.meta];
  if (!metaBytes) throw new Error(`${source}: zip has no meta.json`);
  const meta = parseExtractMeta(new TextDecoder().decode(metaBytes), `${source} meta.json`);
  checkMetaSchema(meta, `${source} meta.json`);
  const nHand = meta.feature_schema.tier1.length + meta.feature_schema.tier2.length +
    meta.feature_schema.tier3.length;
  const matrix = (name: string, cols: number): NpyArray | undefined => {
    const b = files[name];
    if (!b) return undefined;
    const a = decodeNpyMatrix(b, `${source} ${name}`, rows);
    if (a.shape[1] !== cols) {
      throw new Error(`${source} ${name}: ${a.shape[1]} columns, meta.json says ${cols}`);
    }
    return a;
  };
  return {
    meta,
    embeddings: matrix(ZIP_MEMBERS.embeddings, meta.embedding.dim),
    handcrafted: matrix(ZIP_MEMBERS.handcrafted, nHand),
  };
}
