/**
 * Resumable, store-backed extraction: {@link extractWithStore} returns features for essays,
 * reusing a finished store when there is one, and otherwise extracting in chunks that are
 * persisted as they finish (`<storeDir>/chunks/`), so an interrupted run keeps its finished
 * chunks and a rerun extracts only the essays not yet covered. When every essay is covered the
 * chunks are consolidated into one store (`metadata.json` + one `.bin` per matrix) and removed.
 *
 * @module
 */
import { join } from "node:path";
import { HANDCRAFTED_FEATURE_NAMES, HANDCRAFTED_SCHEMA_VERSION } from "./handcrafted/schema.ts";
import {
  checkStoreCompatible,
  FEATURE_STORE_METADATA_FILE,
  type FeatureStoreExpectation,
  FeatureStoreMismatchError,
  loadFeatureStore,
  matricesOf,
  readFeatureStoreMetadata,
  readStoredMatrix,
  roundToStoreValues,
  rowIdentities,
  writeFeatureStore,
} from "./feature_store.ts";
import type { FeatureSet } from "./types.ts";
import type {
  EssayInput,
  ExtractedFeatures,
  FeatureExtractor,
  FeatureMatrix,
  ProgressCallback,
} from "./types.ts";

/** Options of {@link extractWithStore}. */
export interface ExtractWithStoreOptions {
  readonly essays: readonly EssayInput[];
  readonly extractor: FeatureExtractor;
  /** Where this run's store lives (`<run>/cv_feature_store/`). */
  readonly storeDir: string;
  /** A finished store of an earlier run to reuse instead of extracting (refused on mismatch). */
  readonly reuseDir?: string;
  readonly featureSet: FeatureSet;
  readonly onProgress?: ProgressCallback;
  readonly signal?: AbortSignal;
  /** Essays per persisted chunk (default 64). */
  readonly chunkSize?: number;
  /** Chunks extracted concurrently (default 2, keeps both workers busy across chunk ends). */
  readonly concurrentChunks?: number;
  /** Feature schema version recorded and checked (default the handcrafted schema's). */
  readonly schemaVersion?: string;
  /** Handcrafted column names expected (default the handcrafted schema's). */
  readonly handcraftedNames?: readonly string[];
  /** Human-readable notes (reuse, resume counts) for the run log. */
  readonly onLog?: (message: string) => void;
}

const CHUNKS_DIR = "chunks";

interface ChunkRows {
  readonly ids: readonly string[];
  readonly hashes: readonly string[];
  readonly matrices: Partial<Record<"handcrafted" | "embeddings", FeatureMatrix>>;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Read every complete chunk in `dir` (a chunk without its JSON is incomplete and ignored). */
async function readChunks(
  dir: string,
  expected: FeatureStoreExpectation,
): Promise<{ chunks: ChunkRows[]; nextIndex: number }> {
  const chunks: ChunkRows[] = [];
  let nextIndex = 0;
  if (!(await exists(dir))) return { chunks, nextIndex };
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && /^chunk_\d+\.json$/.test(entry.name)) files.push(entry.name);
  }
  files.sort();
  for (const file of files) {
    nextIndex = Math.max(nextIndex, Number(file.match(/\d+/)![0]) + 1);
    const metadata = await readFeatureStoreMetadata(join(dir, file));
    checkStoreCompatible(metadata, expected, `chunk ${join(dir, file)}`);
    const matrices: ChunkRows["matrices"] = {};
    for (const name of matricesOf(expected.featureSet)) {
      const meta = metadata.matrices[name];
      if (!meta) {
        throw new FeatureStoreMismatchError(`feature store chunk ${file}: no ${name} matrix`);
      }
      matrices[name] = await readStoredMatrix(dir, meta);
    }
    chunks.push({
      ids: metadata.rows.map((r) => r.id),
      hashes: metadata.rows.map((r) => r.text_hash),
      matrices,
    });
  }
  return { chunks, nextIndex };
}

function checkExtracted(
  features: ExtractedFeatures,
  essays: readonly EssayInput[],
  featureSet: FeatureSet,
  handcraftedNames: readonly string[] | undefined,
): void {
  const names = features.handcrafted?.names;
  if (
    names && handcraftedNames &&
    (names.length !== handcraftedNames.length || names.some((n, i) => n !== handcraftedNames[i]))
  ) {
    throw new FeatureStoreMismatchError(
      `extractor produced ${names.length} handcrafted columns that differ from the ${handcraftedNames.length} expected schema names`,
    );
  }
  if (features.ids.length !== essays.length || features.ids.some((id, i) => id !== essays[i].id)) {
    throw new Error("extractor returned rows that do not match the essays it was given");
  }
  for (const name of matricesOf(featureSet)) {
    const matrix = features[name];
    if (!matrix || matrix.nRows !== essays.length) {
      throw new Error(`extractor returned no ${name} matrix with ${essays.length} rows`);
    }
  }
}

/** Sums per-chunk progress of each stage into whole-request progress. */
class ProgressAggregator {
  readonly #done = new Map<string, Map<number, number>>();
  constructor(
    readonly base: number,
    readonly total: number,
    readonly callback?: ProgressCallback,
  ) {}

  report(stage: string, chunk: number, done: number): void {
    if (!this.callback) return;
    let perChunk = this.#done.get(stage);
    if (!perChunk) this.#done.set(stage, perChunk = new Map());
    perChunk.set(chunk, done);
    let sum = this.base;
    for (const value of perChunk.values()) sum += value;
    this.callback(stage, sum, this.total);
  }
}

/**
 * Features for `essays` (in their order), from a reused store, this run's finished store, or
 * resumable chunked extraction (see module docs). Refuses mismatched stores with
 * {@link FeatureStoreMismatchError}.
 *
 * @example
 * ```ts
 * const features = await extractWithStore({
 *   essays, extractor, storeDir: join(runDir, "cv_feature_store"), featureSet: "combined",
 *   onProgress: (stage, done, total) => logger.progress(stage, done, total),
 * });
 * ```
 */
export async function extractWithStore(
  options: ExtractWithStoreOptions,
): Promise<ExtractedFeatures> {
  const { essays, extractor, storeDir, featureSet } = options;
  const includesHandcrafted = matricesOf(featureSet).includes("handcrafted");
  // An extractor with its own column schema (a remote offload server: 25 or 36 columns) names it.
  const schema = extractor.featureSchema;
  const expected: FeatureStoreExpectation = {
    schemaVersion: options.schemaVersion ?? schema?.version ?? HANDCRAFTED_SCHEMA_VERSION,
    fingerprint: extractor.fingerprint,
    featureSet,
    handcraftedNames: includesHandcrafted
      ? (options.handcraftedNames ?? schema?.handcraftedNames ?? HANDCRAFTED_FEATURE_NAMES)
      : undefined,
  };
  const provenance = extractor.provenance;
  const log = options.onLog ?? (() => {});

  if (options.reuseDir !== undefined) {
    const features = await loadFeatureStore(options.reuseDir, essays, expected);
    log(`feature store: reused ${essays.length} rows from ${options.reuseDir}`);
    options.onProgress?.("store_load", essays.length, essays.length);
    return features;
  }
  if (await exists(join(storeDir, FEATURE_STORE_METADATA_FILE))) {
    const features = await loadFeatureStore(storeDir, essays, expected);
    log(`feature store: loaded ${essays.length} rows from finished store ${storeDir}`);
    options.onProgress?.("store_load", essays.length, essays.length);
    return features;
  }

  const chunkDir = join(storeDir, CHUNKS_DIR);
  const { chunks, nextIndex } = await readChunks(chunkDir, expected);
  const identities = rowIdentities(essays);
  // Where each essay's row is: [chunk, row], from finished chunks first.
  const located = new Map<string, [number, number]>();
  chunks.forEach((chunk, c) =>
    chunk.ids.forEach((id, r) => located.set(`${id}\u0000${chunk.hashes[r]}`, [c, r]))
  );
  const keyOf = (i: number) => `${identities[i].id}\u0000${identities[i].text_hash}`;
  const missing: number[] = [];
  for (let i = 0; i < essays.length; i++) if (!located.has(keyOf(i))) missing.push(i);
  const reused = essays.length - missing.length;
  if (chunks.length > 0) {
    log(
      `feature store: resuming: ${reused} of ${essays.length} essays already extracted in ${chunks.length} chunks, ${missing.length} to extract`,
    );
  }

  const chunkSize = Math.max(1, options.chunkSize ?? 64);
  const pending: number[][] = [];
  for (let i = 0; i < missing.length; i += chunkSize) {
    pending.push(missing.slice(i, i + chunkSize));
  }
  const progress = new ProgressAggregator(reused, essays.length, options.onProgress);
  let written = 0;
  let nextChunk = nextIndex;
  const runChunk = async (indices: number[]): Promise<void> => {
    options.signal?.throwIfAborted();
    const chunkIndex = nextChunk++;
    const chunkEssays = indices.map((i) => essays[i]);
    const features = roundToStoreValues(
      await extractor.extract(chunkEssays, {
        featureSet,
        signal: options.signal,
        onProgress: (stage, done) => progress.report(stage, chunkIndex, done),
      }),
    );
    checkExtracted(features, chunkEssays, featureSet, expected.handcraftedNames);
    const name = `chunk_${String(chunkIndex).padStart(6, "0")}`;
    const rows = indices.map((i) => identities[i]);
    await writeFeatureStore({
      dir: chunkDir,
      metadataFile: `${name}.json`,
      binPrefix: `${name}.`,
      kind: "chunk",
      schemaVersion: expected.schemaVersion,
      fingerprint: expected.fingerprint,
      featureSet,
      rows,
      features,
      provenance,
    });
    const c = chunks.length;
    chunks.push({
      ids: rows.map((r) => r.id),
      hashes: rows.map((r) => r.text_hash),
      matrices: { handcrafted: features.handcrafted, embeddings: features.embeddings },
    });
    rows.forEach((row, r) => located.set(`${row.id}\u0000${row.text_hash}`, [c, r]));
    written += indices.length;
    progress.report("store_write", -1, written);
  };
  const concurrency = Math.max(1, options.concurrentChunks ?? 2);
  let cursor = 0;
  const lanes = Array.from({ length: Math.min(concurrency, pending.length) }, async () => {
    while (cursor < pending.length) {
      const next = pending[cursor++];
      await runChunk(next);
    }
  });
  await Promise.all(lanes);

  const result = assemble(essays, featureSet, chunks, (i) => located.get(keyOf(i))!);
  await writeFeatureStore({
    dir: storeDir,
    kind: "store",
    schemaVersion: expected.schemaVersion,
    fingerprint: expected.fingerprint,
    featureSet,
    rows: identities,
    features: result,
    provenance,
  });
  await Deno.remove(chunkDir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  log(
    `feature store: wrote ${essays.length} rows to ${storeDir} (${missing.length} extracted, ${reused} resumed)`,
  );
  return result;
}

/** Gather every essay's row from the chunks into matrices in essay order. */
function assemble(
  essays: readonly EssayInput[],
  featureSet: FeatureSet,
  chunks: readonly ChunkRows[],
  locate: (i: number) => [number, number],
): ExtractedFeatures {
  const result: { ids: string[]; handcrafted?: FeatureMatrix; embeddings?: FeatureMatrix } = {
    ids: essays.map((e) => e.id),
  };
  for (const name of matricesOf(featureSet)) {
    const first = chunks.find((c) => c.matrices[name])?.matrices[name];
    if (!first) {
      if (essays.length === 0) {
        result[name] = { names: [], nRows: 0, nCols: 0, values: new Float64Array(0) };
        continue;
      }
      throw new Error(`feature store: no ${name} matrix in any chunk`);
    }
    const { names, nCols } = first;
    for (const chunk of chunks) {
      const m = chunk.matrices[name]!;
      if (m.nCols !== nCols || m.names.some((n, i) => n !== names[i])) {
        throw new FeatureStoreMismatchError(
          `feature store: chunks disagree on ${name} columns (${m.nCols} vs ${nCols})`,
        );
      }
    }
    const values = new Float64Array(essays.length * nCols);
    for (let i = 0; i < essays.length; i++) {
      const [c, r] = locate(i);
      const source = chunks[c].matrices[name]!.values;
      values.set(source.subarray(r * nCols, (r + 1) * nCols), i * nCols);
    }
    result[name] = { names, nRows: essays.length, nCols, values };
  }
  return result;
}
