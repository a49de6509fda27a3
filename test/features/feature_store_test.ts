import assert from "node:assert/strict";
import { join } from "node:path";
import {
  FeatureStoreIntegrityError,
  FeatureStoreMismatchError,
  loadFeatureStore,
  rowIdentities,
  writeFeatureStore,
} from "../../lib/features/feature_store.ts";
import type { EssayInput, ExtractedFeatures } from "../../lib/features/types.ts";

const essays: EssayInput[] = [
  { id: "e1", text: "First essay.\nIt has two lines.", prompt: "P" },
  { id: "e2", text: "Second  essay,   odd spacing.", prompt: "P" },
  { id: "e3", text: "Third essay.", prompt: "Q" },
];

// Values chosen to catch any lossy encoding: NaN, ±Infinity, -0, subnormal, max, 0.1.
const handValues = Float64Array.from([
  0.1,
  -0,
  NaN,
  Infinity,
  -Infinity,
  5e-324,
  Number.MAX_VALUE,
  1 / 3,
  -2.5,
  1e-300,
  42,
  Math.PI,
]);

function features(): ExtractedFeatures {
  return {
    ids: essays.map((e) => e.id),
    handcrafted: { names: ["a", "b", "c", "d"], nRows: 3, nCols: 4, values: handValues.slice() },
    embeddings: {
      names: ["emb_000", "emb_001"],
      nRows: 3,
      nCols: 2,
      values: Float64Array.from([0.6, 0.8, -1, 0, 0.25, Math.SQRT1_2]),
    },
  };
}

const expectation = {
  schemaVersion: "handcrafted-test",
  fingerprint: "fx1-test",
  featureSet: "combined" as const,
  handcraftedNames: ["a", "b", "c", "d"],
};

async function writtenStore(): Promise<string> {
  const dir = join(await Deno.makeTempDir(), "cv_feature_store");
  await writeFeatureStore({
    dir,
    kind: "store",
    schemaVersion: expectation.schemaVersion,
    fingerprint: expectation.fingerprint,
    featureSet: "combined",
    rows: rowIdentities(essays),
    features: features(),
  });
  return dir;
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

const f32 = (values: Float64Array) => Float64Array.from(values, Math.fround);

Deno.test("feature store round trip is bit-exact on float32 values and keeps names and ids", async () => {
  const dir = await writtenStore();
  const loaded = await loadFeatureStore(dir, essays, expectation);
  assert.deepEqual(loaded.ids, ["e1", "e2", "e3"]);
  // The store holds what the offload wire carries: float32-rounded values, NaN canonical.
  assert.ok(sameBits(loaded.handcrafted!.values, f32(handValues)));
  assert.ok(!sameBits(loaded.handcrafted!.values, handValues), "0.1 is not a float32");
  assert.ok(sameBits(loaded.embeddings!.values, f32(features().embeddings!.values)));
  // Rounding again changes nothing: a store written from loaded values has the same bytes.
  const again = join(await Deno.makeTempDir(), "again");
  await writeFeatureStore({
    dir: again,
    kind: "store",
    schemaVersion: expectation.schemaVersion,
    fingerprint: expectation.fingerprint,
    featureSet: "combined",
    rows: rowIdentities(essays),
    features: loaded,
  });
  assert.deepEqual(
    await Deno.readFile(join(again, "handcrafted.f64.bin")),
    await Deno.readFile(join(dir, "handcrafted.f64.bin")),
  );
  assert.deepEqual(loaded.handcrafted!.names, ["a", "b", "c", "d"]);
  assert.equal(loaded.embeddings!.nCols, 2);
  const bytes = await Deno.readFile(join(dir, "handcrafted.f64.bin"));
  assert.equal(bytes.byteLength, 3 * 4 * 8);
});

Deno.test("feature store returns a requested subset in the requested order", async () => {
  const dir = await writtenStore();
  const loaded = await loadFeatureStore(dir, [essays[2], essays[0]], {
    ...expectation,
    featureSet: "embeddings",
  });
  assert.deepEqual(loaded.ids, ["e3", "e1"]);
  assert.equal(loaded.handcrafted, undefined);
  assert.deepEqual(
    Array.from(loaded.embeddings!.values),
    [0.25, Math.SQRT1_2, 0.6, 0.8].map(Math.fround),
  );
});

Deno.test("feature store text hash ignores whitespace differences only", async () => {
  const dir = await writtenStore();
  const respaced = essays.map((e) => ({ ...e, text: `  ${e.text.replace(/ +/g, "\t")}  ` }));
  const loaded = await loadFeatureStore(dir, respaced, expectation);
  assert.equal(loaded.ids.length, 3);
});

Deno.test("feature store refuses a different fingerprint, schema version or names", async () => {
  const dir = await writtenStore();
  await assert.rejects(
    loadFeatureStore(dir, essays, { ...expectation, fingerprint: "fx1-other" }),
    (e: Error) => e instanceof FeatureStoreMismatchError && /fingerprint fx1-test/.test(e.message),
  );
  await assert.rejects(
    loadFeatureStore(dir, essays, { ...expectation, schemaVersion: "handcrafted-v9" }),
    /schema version handcrafted-test, expected handcrafted-v9/,
  );
  await assert.rejects(
    loadFeatureStore(dir, essays, { ...expectation, handcraftedNames: ["a", "b", "x", "d"] }),
    /handcrafted columns differ .*column 2/,
  );
});

Deno.test("feature store refuses missing ids and changed texts, saying which and how many", async () => {
  const dir = await writtenStore();
  const extra = [...essays, { id: "e9", text: "Not stored.", prompt: "P" }];
  await assert.rejects(
    loadFeatureStore(dir, extra, expectation),
    /1 of 4 requested essay ids are not in it \(e9\)/,
  );
  const changed = essays.map((e, i) => i === 1 ? { ...e, text: "Edited text." } : e);
  await assert.rejects(
    loadFeatureStore(dir, changed, expectation),
    /1 essays have a different text hash than stored \(e2\)/,
  );
});

Deno.test("feature store refuses a handcrafted request against an embeddings-only store", async () => {
  const dir = join(await Deno.makeTempDir(), "store");
  const f = features();
  await writeFeatureStore({
    dir,
    kind: "store",
    schemaVersion: expectation.schemaVersion,
    fingerprint: expectation.fingerprint,
    featureSet: "embeddings",
    rows: rowIdentities(essays),
    features: { ids: f.ids, embeddings: f.embeddings },
  });
  await assert.rejects(
    loadFeatureStore(dir, essays, expectation),
    /holds feature set embeddings, which lacks what combined needs/,
  );
});

Deno.test("feature store refuses a truncated matrix file and invalid metadata", async () => {
  const dir = await writtenStore();
  const bin = join(dir, "embeddings.f64.bin");
  const bytes = await Deno.readFile(bin);
  await Deno.writeFile(bin, bytes.subarray(0, bytes.length - 8));
  await assert.rejects(loadFeatureStore(dir, essays, expectation), /truncated or corrupt/);
  await Deno.writeTextFile(join(dir, "metadata.json"), JSON.stringify({ format: "other" }));
  await assert.rejects(
    loadFeatureStore(dir, essays, expectation),
    /is not a feature-store metadata file/,
  );
  await assert.rejects(
    loadFeatureStore(join(dir, "nope"), essays, expectation),
    /no metadata at/,
  );
});

Deno.test("feature store: a same-size corruption (one flipped byte) is an error naming the file", async () => {
  const dir = await writtenStore();
  const meta = JSON.parse(await Deno.readTextFile(join(dir, "metadata.json")));
  assert.match(meta.matrices.handcrafted.sha256, /^[0-9a-f]{64}$/);
  assert.match(meta.matrices.embeddings.sha256, /^[0-9a-f]{64}$/);
  const bin = join(dir, "handcrafted.f64.bin");
  const bytes = await Deno.readFile(bin);
  bytes[17] ^= 0x01;
  await Deno.writeFile(bin, bytes);
  const error = await loadFeatureStore(dir, essays, expectation).then(
    () => assert.fail("a corrupt store was loaded"),
    (e) => e,
  );
  assert.ok(error instanceof FeatureStoreIntegrityError, String(error));
  assert.ok(error instanceof FeatureStoreMismatchError);
  assert.equal(error.path, bin);
  assert.match(error.message, /handcrafted\.f64\.bin is corrupt: its sha256 is [0-9a-f]{64}/);
  // Restoring the byte makes it load again: the check is on content, not on timestamps.
  bytes[17] ^= 0x01;
  await Deno.writeFile(bin, bytes);
  await loadFeatureStore(dir, essays, expectation);
});

Deno.test("feature store bytes are canonical: no timestamp, one NaN bit pattern", async () => {
  const a = await writtenStore();
  await new Promise((r) => setTimeout(r, 5));
  // Same features, but the NaN has another sign and payload (as 0/0 can give on some paths).
  const f = features();
  const odd = new Float64Array(1);
  new BigUint64Array(odd.buffer)[0] = 0xfff8000000000001n;
  f.handcrafted!.values[2] = odd[0];
  assert.ok(Number.isNaN(f.handcrafted!.values[2]));
  const b = join(await Deno.makeTempDir(), "cv_feature_store");
  await writeFeatureStore({
    dir: b,
    kind: "store",
    schemaVersion: expectation.schemaVersion,
    fingerprint: expectation.fingerprint,
    featureSet: "combined",
    rows: rowIdentities(essays),
    features: f,
  });
  for (const file of ["metadata.json", "handcrafted.f64.bin", "embeddings.f64.bin"]) {
    assert.deepEqual(await Deno.readFile(join(a, file)), await Deno.readFile(join(b, file)), file);
  }
  // The writer did not modify the caller's matrix.
  assert.equal(new BigUint64Array(f.handcrafted!.values.buffer)[2], 0xfff8000000000001n);
});

Deno.test("feature store refuses a store of an older format, saying so", async () => {
  const dir = await writtenStore();
  const meta = JSON.parse(await Deno.readTextFile(join(dir, "metadata.json")));
  await Deno.writeTextFile(
    join(dir, "metadata.json"),
    JSON.stringify({ ...meta, format_version: 1 }),
  );
  await assert.rejects(
    loadFeatureStore(dir, essays, expectation),
    /format version 1 \(no checksums\).*re-extract/,
  );
});
