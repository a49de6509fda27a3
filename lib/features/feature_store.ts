/**
 * On-disk feature store (`<run>/cv_feature_store/`): extracted matrices as raw little-endian
 * float64 `.bin` files of float32-rounded values (a round trip returns `Math.fround` of what was
 * written, exactly; rounding again changes nothing) plus a zod-validated
 * `metadata.json` (store format, feature schema version, extractor fingerprint, feature set,
 * column names, dtype, shape, the sha256 of every `.bin`, and per row the essay id and
 * normalised-text hash).
 *
 * Integrity: every `.bin` is checked on load against the sha256 recorded in its metadata, so a
 * corruption that keeps the size (a flipped byte) is a {@link FeatureStoreIntegrityError} naming
 * the file, never silently different features.
 *
 * The bytes are canonical: they depend only on the essays (in the requested order) and their
 * features — not on how extraction was chunked, batched or interrupted, nor on which path
 * extracted them — so a resumed run and an uninterrupted one, and a local extraction and one
 * through our offload server (or a cluster of them), write byte-identical stores. Values are
 * what the offload wire carries: float32, rounded at the store boundary
 * ({@link roundToStoreValues}; fingerprints `fx3-`), held as float64. The metadata carries no
 * timestamp and no path-specific facts (those go to `provenance.json`, outside the canonical
 * bytes), and every NaN is written with one bit pattern (the quiet NaN `0x7ff8000000000000`).
 *
 * Loading refuses, with a message saying what differs and how many rows, a store whose schema
 * version, fingerprint or column names differ from what is expected, or whose rows do not cover
 * the requested essays (missing ids, or same id with a different text hash). A store may hold
 * more rows than requested; rows are returned in the requested order.
 *
 * The same format is used for the chunk files of a resumable extraction
 * (`chunks/chunk_<n>.json` + its `.bin`s; see `store_extraction.ts`): the `.bin`s are written
 * first, the JSON last, each atomically (temp + rename), so a chunk exists only when complete.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { z } from "zod";
import { normalisedTextHash } from "../dataset/text_hash.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import { FEATURE_SETS, type FeatureSet } from "./types.ts";
import type { EssayInput, ExtractedFeatures, FeatureMatrix } from "./types.ts";

/** Version of this on-disk layout (2: sha256 per `.bin`, no timestamp). */
export const FEATURE_STORE_FORMAT_VERSION = 2;

/** File name of a store's metadata. */
export const FEATURE_STORE_METADATA_FILE = "metadata.json";

const MatrixMetadata = z.object({
  /** `.bin` file name, relative to the metadata file's directory. */
  file: z.string().min(1),
  names: z.array(z.string()),
  /** `[rows, cols]`. */
  shape: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  /** sha256 (hex) of the `.bin` file's bytes, verified on load. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** zod schema of `metadata.json` (and of chunk metadata). */
export const FeatureStoreMetadata = z.object({
  format: z.literal("essay-scoring-feature-store"),
  format_version: z.literal(FEATURE_STORE_FORMAT_VERSION),
  /** `store` for a consolidated store, `chunk` for a resumable-extraction chunk. */
  kind: z.enum(["store", "chunk"]),
  /** Handcrafted feature schema version (e.g. `handcrafted-v1`). */
  schema_version: z.string().min(1),
  /** Extractor fingerprint (`FeatureExtractor.fingerprint`). */
  fingerprint: z.string().min(1),
  feature_set: z.enum(FEATURE_SETS),
  dtype: z.literal("float64"),
  byte_order: z.literal("little-endian"),
  rows: z.array(z.object({
    id: z.string(),
    /** sha256 hex of the NFKC + whitespace-normalised text (`normalisedTextHash`). */
    text_hash: z.string().regex(/^[0-9a-f]{64}$/),
  })),
  matrices: z.object({
    handcrafted: MatrixMetadata.optional(),
    embeddings: MatrixMetadata.optional(),
  }),
  /**
   * Read only (stores written before `fx3-`): what produced the rows. New stores write it to
   * {@link FEATURE_STORE_PROVENANCE_FILE} instead, so the metadata is the same whichever path
   * extracted the rows.
   */
  provenance: z.record(z.string(), z.unknown()).optional(),
  /** The degenerate-feature audit of the rows (`feature_audit.ts`), added by the steps. */
  feature_audit: z.record(z.string(), z.unknown()).optional(),
});

/** Parsed `metadata.json`. */
export type FeatureStoreMetadata = z.infer<typeof FeatureStoreMetadata>;

/** What a loaded store must match. */
export interface FeatureStoreExpectation {
  readonly schemaVersion: string;
  readonly fingerprint: string;
  readonly featureSet: FeatureSet;
  /** Expected handcrafted column names (checked when given). */
  readonly handcraftedNames?: readonly string[];
  /** Expected embedding column names (checked when given). */
  readonly embeddingNames?: readonly string[];
}

/** Raised when a store exists but cannot serve the request; the message says why. */
export class FeatureStoreMismatchError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "FeatureStoreMismatchError";
  }
}

/** Raised when a `.bin` file's bytes do not match its recorded size or sha256. */
export class FeatureStoreIntegrityError extends FeatureStoreMismatchError {
  /** Create the error for the corrupt file at `path`. */
  constructor(readonly path: string, message: string) {
    super(message);
    this.name = "FeatureStoreIntegrityError";
  }
}

/** sha256 (hex) of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const IS_LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

function assertLittleEndian(): void {
  if (!IS_LITTLE_ENDIAN) {
    throw new Error("feature store: this platform is big-endian; the .bin format is little-endian");
  }
}

/** Which matrices a feature set has. */
export function matricesOf(featureSet: FeatureSet): ("handcrafted" | "embeddings")[] {
  if (featureSet === "handcrafted") return ["handcrafted"];
  if (featureSet === "embeddings") return ["embeddings"];
  return ["handcrafted", "embeddings"];
}

/** Whether a store extracted as `stored` holds every matrix `requested` needs. */
export function featureSetCovers(stored: FeatureSet, requested: FeatureSet): boolean {
  return matricesOf(requested).every((m) => matricesOf(stored).includes(m));
}

/** Row identities (`id`, normalised-text hash) of essays, in order. */
export function rowIdentities(essays: readonly EssayInput[]): { id: string; text_hash: string }[] {
  return essays.map((e) => ({ id: e.id, text_hash: normalisedTextHash(e.text) }));
}

const CANONICAL_NAN_BITS = 0x7ff8000000000000n;

/**
 * The `.bin` bytes of a matrix: little-endian float64 of the float32-rounded values (what the
 * offload wire carries; see {@link roundToStoreValues}), every NaN written as the canonical quiet
 * NaN (NaNs from different code paths may carry different sign or payload bits).
 */
export function matrixBytes(matrix: FeatureMatrix): Uint8Array {
  const { values } = matrix;
  if (values.length !== matrix.nRows * matrix.nCols) {
    throw new Error(
      `feature store: matrix has ${values.length} values, expected ${matrix.nRows}x${matrix.nCols}`,
    );
  }
  const canonical = Float64Array.from(values, Math.fround);
  const bits = new BigUint64Array(canonical.buffer);
  for (let i = 0; i < canonical.length; i++) {
    if (canonical[i] !== canonical[i]) bits[i] = CANONICAL_NAN_BITS;
  }
  return new Uint8Array(canonical.buffer);
}

/** File next to `metadata.json` recording what extracted a store (not part of its bytes). */
export const FEATURE_STORE_PROVENANCE_FILE = "provenance.json";

/**
 * The features as a store holds them: every value rounded to float32 (`Math.fround`), the dtype
 * of the offload wire, so a local extraction and one through an offload server store the same
 * numbers. Idempotent; NaN stays NaN.
 *
 * @example
 * ```ts
 * roundToStoreValues(features).embeddings!.values[0] === Math.fround(features.embeddings!.values[0]);
 * ```
 */
export function roundToStoreValues(features: ExtractedFeatures): ExtractedFeatures {
  const round = (m: FeatureMatrix | undefined): FeatureMatrix | undefined =>
    m && { ...m, values: Float64Array.from(m.values, Math.fround) };
  return {
    ...features,
    handcrafted: round(features.handcrafted),
    embeddings: round(features.embeddings),
  };
}

/** Options for {@link writeFeatureStore}. */
export interface WriteFeatureStoreOptions {
  readonly dir: string;
  /** Metadata file name inside `dir` (default `metadata.json`; chunks use their own). */
  readonly metadataFile?: string;
  /** Prefix for the `.bin` file names (default none). */
  readonly binPrefix?: string;
  readonly kind: "store" | "chunk";
  readonly schemaVersion: string;
  readonly fingerprint: string;
  readonly featureSet: FeatureSet;
  readonly rows: readonly { id: string; text_hash: string }[];
  readonly features: ExtractedFeatures;
  /** Written to `provenance.json` next to a store's metadata (not for chunks). */
  readonly provenance?: Readonly<Record<string, unknown>>;
}

/**
 * Write matrices (`.bin`, atomically) then the metadata (atomically, last). Returns the metadata.
 *
 * @example
 * ```ts
 * await writeFeatureStore({ dir, kind: "store", schemaVersion, fingerprint,
 *   featureSet: "combined", rows: rowIdentities(essays), features });
 * ```
 */
export async function writeFeatureStore(
  options: WriteFeatureStoreOptions,
): Promise<FeatureStoreMetadata> {
  assertLittleEndian();
  const { dir, features, rows } = options;
  if (features.ids.length !== rows.length) {
    throw new Error(`feature store: ${features.ids.length} feature rows for ${rows.length} essays`);
  }
  for (let i = 0; i < rows.length; i++) {
    if (features.ids[i] !== rows[i].id) {
      throw new Error(
        `feature store: row ${i} has id ${features.ids[i]}, expected ${rows[i].id}`,
      );
    }
  }
  const prefix = options.binPrefix ?? "";
  const matrices: FeatureStoreMetadata["matrices"] = {};
  for (const name of matricesOf(options.featureSet)) {
    const matrix = features[name];
    if (!matrix) {
      throw new Error(`feature store: feature set ${options.featureSet} needs a ${name} matrix`);
    }
    if (matrix.nRows !== rows.length) {
      throw new Error(`feature store: ${name} has ${matrix.nRows} rows, expected ${rows.length}`);
    }
    const file = `${prefix}${name}.f64.bin`;
    const bytes = matrixBytes(matrix);
    await writeFileAtomic(join(dir, file), bytes);
    matrices[name] = {
      file,
      names: [...matrix.names],
      shape: [matrix.nRows, matrix.nCols],
      sha256: sha256Hex(bytes),
    };
  }
  const metadata: FeatureStoreMetadata = {
    format: "essay-scoring-feature-store",
    format_version: FEATURE_STORE_FORMAT_VERSION,
    kind: options.kind,
    schema_version: options.schemaVersion,
    fingerprint: options.fingerprint,
    feature_set: options.featureSet,
    dtype: "float64",
    byte_order: "little-endian",
    rows: rows.map((r) => ({ id: r.id, text_hash: r.text_hash })),
    matrices,
  };
  if (options.provenance && options.kind === "store") {
    await writeJsonAtomic(join(dir, FEATURE_STORE_PROVENANCE_FILE), options.provenance);
  }
  await writeJsonAtomic(join(dir, options.metadataFile ?? FEATURE_STORE_METADATA_FILE), metadata);
  return metadata;
}

/** Read and validate a metadata file; clear errors for a missing, unreadable or invalid file. */
export async function readFeatureStoreMetadata(path: string): Promise<FeatureStoreMetadata> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new FeatureStoreMismatchError(`feature store: no metadata at ${path}`);
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FeatureStoreMismatchError(
      `feature store: ${path} is not valid JSON (${(error as Error).message})`,
    );
  }
  const version = (json as { format_version?: unknown } | null)?.format_version;
  if (typeof version === "number" && version < FEATURE_STORE_FORMAT_VERSION) {
    throw new FeatureStoreMismatchError(
      `feature store: ${path} has format version ${version} (no checksums); this version reads ` +
        `format ${FEATURE_STORE_FORMAT_VERSION}: re-extract (delete the store or run without reusing it)`,
    );
  }
  const parsed = FeatureStoreMetadata.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FeatureStoreMismatchError(
      `feature store: ${path} is not a feature-store metadata file: ${
        issue.path.join(".") || "(root)"
      }: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** Refuse metadata that does not match the expectation (schema, fingerprint, set, names). */
export function checkStoreCompatible(
  metadata: FeatureStoreMetadata,
  expected: FeatureStoreExpectation,
  where: string,
): void {
  if (metadata.schema_version !== expected.schemaVersion) {
    throw new FeatureStoreMismatchError(
      `feature store ${where}: schema version ${metadata.schema_version}, expected ${expected.schemaVersion} (features were computed under another definition; re-extract)`,
    );
  }
  if (metadata.fingerprint !== expected.fingerprint) {
    throw new FeatureStoreMismatchError(
      `feature store ${where}: extractor fingerprint ${metadata.fingerprint}, expected ${expected.fingerprint} (encoder, checker, schema or options changed; re-extract)`,
    );
  }
  if (!featureSetCovers(metadata.feature_set, expected.featureSet)) {
    throw new FeatureStoreMismatchError(
      `feature store ${where}: holds feature set ${metadata.feature_set}, which lacks what ${expected.featureSet} needs`,
    );
  }
  const checks: ["handcrafted" | "embeddings", readonly string[] | undefined][] = [
    ["handcrafted", expected.handcraftedNames],
    ["embeddings", expected.embeddingNames],
  ];
  for (const [name, names] of checks) {
    const stored = metadata.matrices[name];
    if (!names || !stored || !matricesOf(expected.featureSet).includes(name)) continue;
    if (stored.names.length !== names.length || stored.names.some((n, i) => n !== names[i])) {
      const firstDiff = stored.names.findIndex((n, i) => n !== names[i]);
      throw new FeatureStoreMismatchError(
        `feature store ${where}: ${name} columns differ (${stored.names.length} stored vs ${names.length} expected; first difference at column ${
          firstDiff < 0 ? Math.min(stored.names.length, names.length) : firstDiff
        }: ${JSON.stringify(stored.names[firstDiff])} vs ${JSON.stringify(names[firstDiff])})`,
      );
    }
  }
}

/**
 * Read one `.bin` matrix described by its metadata, checking its byte length and sha256
 * ({@link FeatureStoreIntegrityError} naming the file on a mismatch).
 */
export async function readStoredMatrix(
  dir: string,
  meta: z.infer<typeof MatrixMetadata>,
): Promise<FeatureMatrix> {
  assertLittleEndian();
  const path = join(dir, meta.file);
  const bytes = await Deno.readFile(path);
  const [nRows, nCols] = meta.shape;
  const expectedBytes = nRows * nCols * 8;
  if (bytes.byteLength !== expectedBytes) {
    throw new FeatureStoreIntegrityError(
      path,
      `feature store: ${path} has ${bytes.byteLength} bytes, expected ${expectedBytes} (${nRows}x${nCols} float64); the file is truncated or corrupt`,
    );
  }
  const actual = sha256Hex(bytes);
  if (actual !== meta.sha256) {
    throw new FeatureStoreIntegrityError(
      path,
      `feature store: ${path} is corrupt: its sha256 is ${actual}, but the metadata recorded ` +
        `${meta.sha256} when it was written; delete the store (or this run's chunks) and re-extract`,
    );
  }
  const values = bytes.byteOffset % 8 === 0
    ? new Float64Array(bytes.buffer, bytes.byteOffset, nRows * nCols)
    : new Float64Array(bytes.slice().buffer);
  return { names: meta.names, nRows, nCols, values };
}

function describeIds(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).join(", ");
  return ids.length > 5 ? `${shown}, … (${ids.length - 5} more)` : shown;
}

/**
 * Map requested rows to stored row indices; refuses (naming ids and counts) when ids are
 * missing or texts differ.
 */
export function matchStoredRows(
  stored: readonly { id: string; text_hash: string }[],
  requested: readonly { id: string; text_hash: string }[],
  where: string,
): Int32Array {
  const indexById = new Map<string, number>();
  stored.forEach((row, i) => indexById.set(row.id, i));
  const missing: string[] = [];
  const changed: string[] = [];
  const rowIndex = new Int32Array(requested.length);
  requested.forEach((row, i) => {
    const at = indexById.get(row.id);
    if (at === undefined) missing.push(row.id);
    else if (stored[at].text_hash !== row.text_hash) changed.push(row.id);
    else rowIndex[i] = at;
  });
  if (missing.length > 0 || changed.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) {
      parts.push(
        `${missing.length} of ${requested.length} requested essay ids are not in it (${
          describeIds(missing)
        })`,
      );
    }
    if (changed.length > 0) {
      parts.push(
        `${changed.length} essays have a different text hash than stored (${describeIds(changed)})`,
      );
    }
    throw new FeatureStoreMismatchError(`feature store ${where}: ${parts.join("; ")}`);
  }
  return rowIndex;
}

/** Gather rows `rowIndex` of a matrix into a new matrix (same columns). */
export function selectRows(matrix: FeatureMatrix, rowIndex: Int32Array): FeatureMatrix {
  const { nCols } = matrix;
  const values = new Float64Array(rowIndex.length * nCols);
  for (let r = 0; r < rowIndex.length; r++) {
    const from = rowIndex[r] * nCols;
    values.set(matrix.values.subarray(from, from + nCols), r * nCols);
  }
  return { names: matrix.names, nRows: rowIndex.length, nCols, values };
}

function isIdentity(rowIndex: Int32Array, nStored: number): boolean {
  if (rowIndex.length !== nStored) return false;
  for (let i = 0; i < rowIndex.length; i++) if (rowIndex[i] !== i) return false;
  return true;
}

/**
 * Load a consolidated store for `essays`, refusing any mismatch (see module docs). Returns
 * features in the order of `essays`, holding exactly the matrices `expected.featureSet` needs.
 *
 * @example
 * ```ts
 * const features = await loadFeatureStore(dir, essays, {
 *   schemaVersion: HANDCRAFTED_SCHEMA_VERSION, fingerprint: extractor.fingerprint,
 *   featureSet: "combined" });
 * ```
 */
export async function loadFeatureStore(
  dir: string,
  essays: readonly EssayInput[],
  expected: FeatureStoreExpectation,
): Promise<ExtractedFeatures> {
  const metadataPath = join(dir, FEATURE_STORE_METADATA_FILE);
  const metadata = await readFeatureStoreMetadata(metadataPath);
  if (metadata.kind !== "store") {
    throw new FeatureStoreMismatchError(`feature store: ${metadataPath} is a chunk, not a store`);
  }
  checkStoreCompatible(metadata, expected, dir);
  const rowIndex = matchStoredRows(metadata.rows, rowIdentities(essays), dir);
  const identity = isIdentity(rowIndex, metadata.rows.length);
  const result: { ids: string[]; handcrafted?: FeatureMatrix; embeddings?: FeatureMatrix } = {
    ids: essays.map((e) => e.id),
  };
  for (const name of matricesOf(expected.featureSet)) {
    const meta = metadata.matrices[name];
    if (!meta) {
      throw new FeatureStoreMismatchError(`feature store ${dir}: no ${name} matrix in metadata`);
    }
    if (meta.shape[0] !== metadata.rows.length) {
      throw new FeatureStoreMismatchError(
        `feature store ${dir}: ${name} has ${
          meta.shape[0]
        } rows but metadata lists ${metadata.rows.length}`,
      );
    }
    const matrix = await readStoredMatrix(dir, meta);
    result[name] = identity ? matrix : selectRows(matrix, rowIndex);
  }
  return result;
}
