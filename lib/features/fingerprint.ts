/**
 * Extractor fingerprints: a sha256 over everything that changes extracted features (feature
 * schema version and names, the features' definitions, the pinned versions of the packages they
 * depend on, the digest of their values on reference essays, encoder name and model package
 * version, checker name and versions, extraction options). Feature stores record it and refuse
 * reuse when it differs.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** The parts a fingerprint is computed from. */
export interface FingerprintParts {
  /** Handcrafted schema version (e.g. `handcrafted-v1`). */
  readonly schemaVersion: string;
  /** Handcrafted column names in order. */
  readonly featureNames: readonly string[];
  /** sha256 of the feature definitions (`handcraftedDefinitionsDigest`). */
  readonly featureDefinitions: string;
  /** Pinned digest of the feature values on the reference essays. */
  readonly referenceValues: string;
  /** `{package: version}` of every package the features depend on. */
  readonly dependencies: Readonly<Record<string, string>>;
  /** Sentence encoder identity (name includes model package and version). */
  readonly encoderName: string;
  /** Encoder output dimension. */
  readonly encoderDimension: number;
  /** Error checker identity (name and tool versions). */
  readonly checkerName: string;
  /** Any further options that change the output (plain JSON values). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** JSON with object keys sorted recursively, so equal values always serialise equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/**
 * Fingerprint format version. `fx3-`: store values are rounded to float32 at the store boundary
 * (what the offload wire carries) and embedding columns are named `embedding_000`…; `fx2-`
 * stores held float64 values and `emb_000`… names; `fx1-` fingerprints did not cover
 * definitions, dependencies or reference values.
 */
export const FINGERPRINT_VERSION = "fx3";

/**
 * sha256 hex of the canonical JSON of the parts, prefixed {@link FINGERPRINT_VERSION}.
 *
 * @example
 * ```ts
 * extractorFingerprint({ ...handcraftedFingerprintParts(), encoderName: "use-lite",
 *   encoderDimension: 512, checkerName: "local", options: {} });
 * ```
 */
export function extractorFingerprint(parts: FingerprintParts): string {
  const digest = createHash("sha256").update(canonicalJson(parts), "utf8").digest("hex");
  return `${FINGERPRINT_VERSION}-${digest}`;
}
