/**
 * What of the handcrafted features goes into an extractor fingerprint: the schema version and
 * column names, the digest of the definitions, the pinned digest of the values on the reference
 * essays, and the exact versions of the packages the features depend on.
 *
 * @module
 */
import type { FingerprintParts } from "../fingerprint.ts";
import { featurePackageVersions } from "./dependencies.ts";
import {
  HANDCRAFTED_FEATURE_NAMES,
  HANDCRAFTED_REFERENCE_DIGEST,
  HANDCRAFTED_SCHEMA_VERSION,
  handcraftedDefinitionsDigest,
} from "./schema.ts";

/** The handcrafted part of {@linkcode FingerprintParts}. */
export type HandcraftedFingerprintParts = Pick<
  FingerprintParts,
  "schemaVersion" | "featureNames" | "featureDefinitions" | "referenceValues" | "dependencies"
>;

/**
 * The handcrafted features' share of an extractor fingerprint (computed once).
 *
 * @example
 * ```ts
 * extractorFingerprint({ ...handcraftedFingerprintParts(), encoderName, encoderDimension,
 *   checkerName, options });
 * ```
 */
export function handcraftedFingerprintParts(): HandcraftedFingerprintParts {
  cached ??= {
    schemaVersion: HANDCRAFTED_SCHEMA_VERSION,
    featureNames: HANDCRAFTED_FEATURE_NAMES,
    featureDefinitions: handcraftedDefinitionsDigest(),
    referenceValues: HANDCRAFTED_REFERENCE_DIGEST,
    dependencies: featurePackageVersions(),
  };
  return cached;
}

let cached: HandcraftedFingerprintParts | undefined;
