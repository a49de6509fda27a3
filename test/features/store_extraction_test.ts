import assert from "node:assert/strict";
import { join } from "node:path";
import { FeatureStoreMismatchError } from "../../lib/features/feature_store.ts";
import { extractWithStore } from "../../lib/features/store_extraction.ts";
import type {
  EssayInput,
  ExtractedFeatures,
  ExtractionOptions,
  FeatureExtractor,
} from "../../lib/features/types.ts";

const NAMES = ["n_chars", "n_spaces"];

/** A cheap deterministic extractor that counts how many essays it was asked to extract. */
class CountingExtractor implements FeatureExtractor {
  extracted: string[] = [];
  calls = 0;
  constructor(readonly fingerprint = "fx1-fake", readonly failOnCall = -1) {}
  extract(essays: readonly EssayInput[], options: ExtractionOptions): Promise<ExtractedFeatures> {
    const call = this.calls++;
    if (call === this.failOnCall) return Promise.reject(new Error("simulated interruption"));
    this.extracted.push(...essays.map((e) => e.id));
    const hand = new Float64Array(essays.length * 2);
    const emb = new Float64Array(essays.length * 3);
    essays.forEach((e, i) => {
      hand[i * 2] = e.text.length;
      hand[i * 2 + 1] = e.text.split(" ").length - 1;
      emb.set([e.text.length / 100, e.prompt.length, i], i * 3);
    });
    options.onProgress?.("fake", essays.length, essays.length);
    return Promise.resolve({
      ids: essays.map((e) => e.id),
      handcrafted: options.featureSet === "embeddings"
        ? undefined
        : { names: NAMES, nRows: essays.length, nCols: 2, values: hand },
      embeddings: options.featureSet === "handcrafted"
        ? undefined
        : { names: ["emb_000", "emb_001", "emb_002"], nRows: essays.length, nCols: 3, values: emb },
    });
  }
}

const essays: EssayInput[] = Array.from({ length: 10 }, (_, i) => ({
  id: `essay${i}`,
  text: `Essay number ${i} ${"word ".repeat(i)}`.trim(),
  prompt: i % 2 ? "Odd prompt" : "Even",
}));

function options(storeDir: string, extractor: FeatureExtractor) {
  return {
    essays,
    extractor,
    storeDir,
    featureSet: "combined" as const,
    chunkSize: 3,
    concurrentChunks: 1,
    schemaVersion: "test-v1",
    handcraftedNames: NAMES,
  };
}

Deno.test("extractWithStore resumes after an interruption, extracting only missing essays", async () => {
  const storeDir = join(await Deno.makeTempDir(), "cv_feature_store");
  const interrupted = new CountingExtractor("fx1-fake", 2); // fails on the third chunk
  await assert.rejects(extractWithStore(options(storeDir, interrupted)), /simulated interruption/);
  assert.equal(interrupted.extracted.length, 6);
  const chunkFiles = [...Deno.readDirSync(join(storeDir, "chunks"))].map((e) => e.name).sort();
  assert.deepEqual(chunkFiles.filter((f) => f.endsWith(".json")), [
    "chunk_000000.json",
    "chunk_000001.json",
  ]);

  const resumed = new CountingExtractor();
  const logs: string[] = [];
  const result = await extractWithStore({
    ...options(storeDir, resumed),
    onLog: (m) => logs.push(m),
  });
  assert.deepEqual(resumed.extracted, essays.slice(6).map((e) => e.id));
  assert.ok(logs.some((m) => /6 of 10 essays already extracted in 2 chunks, 4 to extract/.test(m)));

  const fresh = await new CountingExtractor().extract(essays, { featureSet: "combined" });
  assert.deepEqual(result.ids, essays.map((e) => e.id));
  // The store holds float32-rounded values (what the offload wire carries).
  assert.deepEqual(
    Array.from(result.handcrafted!.values),
    Array.from(fresh.handcrafted!.values, Math.fround),
  );
  // Embedding column 2 is the row index inside a chunk: only the stored values are compared.
  for (let i = 0; i < essays.length; i++) {
    assert.equal(result.embeddings!.values[i * 3], Math.fround(fresh.embeddings!.values[i * 3]));
  }
  // Consolidated: metadata + bins, chunks removed.
  const names = [...Deno.readDirSync(storeDir)].map((e) => e.name).sort();
  assert.deepEqual(names, ["embeddings.f64.bin", "handcrafted.f64.bin", "metadata.json"]);

  // A third call loads the finished store without extracting.
  const idle = new CountingExtractor();
  const again = await extractWithStore(options(storeDir, idle));
  assert.equal(idle.calls, 0);
  assert.deepEqual(Array.from(again.handcrafted!.values), Array.from(result.handcrafted!.values));
});

Deno.test("extractWithStore reuses another run's store and refuses a changed fingerprint", async () => {
  const storeDir = join(await Deno.makeTempDir(), "cv_feature_store");
  await extractWithStore(options(storeDir, new CountingExtractor()));
  const idle = new CountingExtractor();
  const reused = await extractWithStore({
    ...options(join(await Deno.makeTempDir(), "new_run"), idle),
    reuseDir: storeDir,
    featureSet: "handcrafted",
  });
  assert.equal(idle.calls, 0);
  assert.equal(reused.embeddings, undefined);
  assert.equal(reused.handcrafted!.nRows, 10);
  await assert.rejects(
    extractWithStore({
      ...options(join(await Deno.makeTempDir(), "x"), new CountingExtractor("fx1-changed")),
      reuseDir: storeDir,
    }),
    (e: Error) => e instanceof FeatureStoreMismatchError && /fingerprint/.test(e.message),
  );
});

Deno.test("extractWithStore refuses chunks left by a different extractor", async () => {
  const storeDir = join(await Deno.makeTempDir(), "cv_feature_store");
  await assert.rejects(
    extractWithStore(options(storeDir, new CountingExtractor("fx1-a", 1))),
    /simulated interruption/,
  );
  await assert.rejects(
    extractWithStore(options(storeDir, new CountingExtractor("fx1-b"))),
    /chunk .*chunk_000000\.json: extractor fingerprint fx1-a, expected fx1-b/,
  );
});

Deno.test("extractWithStore reports whole-request progress across chunks", async () => {
  const storeDir = join(await Deno.makeTempDir(), "cv_feature_store");
  const seen: [string, number, number][] = [];
  await extractWithStore({
    ...options(storeDir, new CountingExtractor()),
    onProgress: (s, d, t) => seen.push([s, d, t]),
  });
  const fake = seen.filter(([s]) => s === "fake").map(([, d]) => d);
  assert.deepEqual(fake, [3, 6, 9, 10]);
  assert.ok(seen.every(([, , t]) => t === 10));
});

Deno.test("extractWithStore: a resumed store is byte-identical to an uninterrupted one", async () => {
  const handOptions = (storeDir: string, extractor: FeatureExtractor, chunkSize: number) => ({
    ...options(storeDir, extractor),
    featureSet: "handcrafted" as const,
    chunkSize,
  });
  const whole = join(await Deno.makeTempDir(), "cv_feature_store");
  await extractWithStore(handOptions(whole, new CountingExtractor(), 4));
  const resumedDir = join(await Deno.makeTempDir(), "cv_feature_store");
  await assert.rejects(
    extractWithStore(handOptions(resumedDir, new CountingExtractor("fx1-fake", 1), 3)),
    /simulated interruption/,
  );
  await extractWithStore(handOptions(resumedDir, new CountingExtractor(), 2));
  for (const file of ["metadata.json", "handcrafted.f64.bin"]) {
    assert.deepEqual(
      await Deno.readFile(join(resumedDir, file)),
      await Deno.readFile(join(whole, file)),
      file,
    );
  }
});

Deno.test("extractWithStore refuses a corrupt chunk, naming it", async () => {
  const storeDir = join(await Deno.makeTempDir(), "cv_feature_store");
  await assert.rejects(
    extractWithStore(options(storeDir, new CountingExtractor("fx1-fake", 1))),
    /simulated interruption/,
  );
  const bin = join(storeDir, "chunks", "chunk_000000.handcrafted.f64.bin");
  const bytes = await Deno.readFile(bin);
  bytes[3] ^= 0x80;
  await Deno.writeFile(bin, bytes);
  await assert.rejects(
    extractWithStore(options(storeDir, new CountingExtractor())),
    /chunk_000000\.handcrafted\.f64\.bin is corrupt/,
  );
});
