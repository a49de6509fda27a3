/**
 * What our offload server says about itself in the original protocol: its `meta.json` and
 * `server_fingerprint` (HEMMA_PROTOCOL.md §B.3.6–B.3.8), for either column schema:
 *
 * - `ours` (default): our 36 handcrafted columns; tier 1–3 as in our schema, the 11 extras
 *   appended to tier 3, so tier1 + tier2 + tier3 is our matrix order;
 * - `original`: exactly the original's 25 columns in its order (our first 25 columns bear the
 *   same names), so the original Python client's strict schema check accepts the server.
 *
 * `meta.json` carries only the original's keys (the Python client forbids extra keys); our extras
 * go to `/healthz`. `versions` holds our runtime's versions (the spec allows any content) plus the
 * extractor fingerprint, so the fingerprint changes whenever anything that changes the output does.
 *
 * @module
 */
import { HANDCRAFTED_FEATURE_SCHEMA } from "../features/handcrafted/schema.ts";
import { EMBEDDING_POOLING, EXTRACT_SCHEMA_VERSION } from "./protocol.ts";
import {
  embeddingColumnNames,
  type ExtractMeta,
  type FingerprintPayload,
  hemmaServerFingerprint,
  ORIGINAL_TIER1,
  ORIGINAL_TIER2,
  ORIGINAL_TIER3,
} from "./hemma/meta.ts";

/** Column schema modes of `--feature-schema`. */
export const FEATURE_SCHEMA_MODES = ["ours", "original"] as const;
/** A column schema mode. */
export type FeatureSchemaMode = (typeof FEATURE_SCHEMA_MODES)[number];

/** Version of the server implementation (in `versions` and `/healthz`). */
export const OFFLOAD_SERVER_VERSION = "2.0.0";

/** The tiers of a schema mode. */
export function schemaTiers(
  mode: FeatureSchemaMode,
): { tier1: string[]; tier2: string[]; tier3: string[] } {
  if (mode === "original") {
    return { tier1: [...ORIGINAL_TIER1], tier2: [...ORIGINAL_TIER2], tier3: [...ORIGINAL_TIER3] };
  }
  const of = (t: number | "extra") =>
    HANDCRAFTED_FEATURE_SCHEMA.filter((f) => f.tier === t).map((f) => f.name);
  return { tier1: of(1), tier2: of(2), tier3: [...of(3), ...of("extra")] };
}

/** Everything the meta and fingerprint are built from. */
export interface ServerIdentityParts {
  readonly mode: FeatureSchemaMode;
  readonly encoder: { readonly name: string; readonly dimension: number };
  /** Tokens the encoder reads (`embedding.max_length`). */
  readonly maxLength: number;
  readonly batchSize: number;
  /** Tier 1 checker: LanguageTool URL or a description of the local checker. */
  readonly languageToolUrl: string;
  readonly languageToolVersion: string;
  readonly checkerName: string;
  readonly extractorFingerprint: string;
  readonly gitSha?: string | null;
}

/** The server's meta, fingerprint and handcrafted column names. */
export interface ServerIdentity {
  readonly meta: ExtractMeta;
  readonly fingerprint: string;
  readonly handcraftedNames: readonly string[];
  readonly payload: FingerprintPayload;
}

/** Build the identity (pure; stable for equal parts). */
export function serverIdentity(p: ServerIdentityParts): ServerIdentity {
  const tiers = schemaTiers(p.mode);
  const handcraftedNames = [...tiers.tier1, ...tiers.tier2, ...tiers.tier3];
  const combined = [...embeddingColumnNames(p.encoder.dimension), ...handcraftedNames];
  const versions: Record<string, string> = {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    offload_server: OFFLOAD_SERVER_VERSION,
    encoder: p.encoder.name,
    checker: p.checkerName,
    extractor_fingerprint: p.extractorFingerprint,
    // The two embedding answers differ on purpose; say so where a client can read it.
    extract_embedding_pooling: EMBEDDING_POOLING.extract,
    embed_embedding_pooling: EMBEDDING_POOLING.embed,
  };
  const languageTool = {
    language: "en-US",
    request_options: {},
    service_url: p.languageToolUrl,
    jar_version: p.languageToolVersion,
  };
  const payload: FingerprintPayload = {
    schema_version: EXTRACT_SCHEMA_VERSION,
    embedding: {
      model_name: p.encoder.name,
      max_length: p.maxLength,
      batch_size: p.batchSize,
      pooling: "cls",
      dim: p.encoder.dimension,
      torch_device: null,
    },
    language_tool: languageTool,
    feature_schema: { embedding_dim: p.encoder.dimension, ...tiers, combined },
    versions,
  };
  const fingerprint = hemmaServerFingerprint(payload);
  const meta: ExtractMeta = {
    schema_version: EXTRACT_SCHEMA_VERSION,
    server_fingerprint: fingerprint,
    git_sha: p.gitSha ?? null,
    versions,
    embedding: {
      model_name: p.encoder.name,
      max_length: p.maxLength,
      pooling: "cls",
      dim: p.encoder.dimension,
    },
    language_tool: languageTool,
    feature_schema: { ...tiers, combined },
  };
  return { meta, fingerprint, handcraftedNames, payload };
}
