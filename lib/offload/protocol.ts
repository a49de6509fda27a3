/**
 * Wire protocol of the Hemma offload service, shared by our server (`server.ts`) and client
 * (`client.ts`): the original offload server's protocol (HEMMA_PROTOCOL.md Part B), so our client
 * talks to the user's real Hemma server and our server is a drop-in for it.
 *
 * - `POST /v1/extract` `{texts, prompts, feature_set}` (unknown keys refused) → 200
 *   `application/zip` (`meta.json`, `embeddings.npy`, `handcrafted.npy`; see `hemma/archive.ts`)
 *   with `X-Schema-Version` and `X-Server-Fingerprint`;
 * - `POST /v1/embed` `{texts, model_name?, max_length?, batch_size?}` → 200 raw float32 `.npy`;
 * - errors: extract `{schema_version, error, detail, correlation_id, extra}`, embed `{error,
 *   detail, correlation_id}`;
 * - `GET /healthz`: the original's fields (`status`, `issues`, `model_name`, `max_length`,
 *   `batch_size`, `extract{…}`), read tolerantly.
 *
 * The client's limits are the original client's: ≤ 64 items and ≤ 900,000 estimated bytes per
 * extract request (§B.8.1 step 4).
 *
 * @module
 */
import { z } from "zod";
import { FEATURE_SETS } from "../features/types.ts";

/** `schema_version` of `meta.json` and the extract envelope (`OFFLOAD_EXTRACT_SCHEMA_VERSION`). */
export const EXTRACT_SCHEMA_VERSION = 1;

/** Most items one extract request may carry (client and default server limit). */
export const MAX_ITEMS_PER_REQUEST = 64;

/** Most (estimated) bytes one extract request may have. */
export const MAX_BYTES_PER_REQUEST = 900_000;

/** aiohttp's default raw body cap of the original server (1 MiB). */
export const MAX_RAW_BODY_BYTES = 1_048_576;

/** Default zip size limit (`OFFLOAD_EXTRACT_MAX_RESPONSE_BYTES`). */
export const MAX_RESPONSE_BYTES = 8_000_000;

/** Header names used by the service. */
export const HEADERS = {
  schemaVersion: "X-Schema-Version",
  fingerprint: "X-Server-Fingerprint",
  correlationId: "X-Correlation-ID",
  embeddingModel: "X-Embedding-Model",
  embeddingDtype: "X-Embedding-DType",
  /** Ours only: how the answer's embedding vectors were pooled (see {@link EMBEDDING_POOLING}). */
  embeddingPooling: "X-Embedding-Pooling",
} as const;

/**
 * How our server's two embedding answers are made — they differ on purpose, and each answer says
 * which it is (header `X-Embedding-Pooling`; `/v1/extract` also in `meta.json` `versions`): the
 * embedding part of `/v1/extract` is the essay vector of local extraction, the L2-normalised mean
 * of the essay's sentence vectors (USE-lite reads only 128 tokens of a text, so a whole-essay
 * vector would see ≈ 100 words; SPEC §5); `/v1/embed` embeds each text as given (what a sentence
 * encoder client — `--embedding-service-url` — needs). For a one-sentence text they agree up to the
 * normalisation. The original server's two answers are one pooling (CLS of the whole text).
 */
export const EMBEDDING_POOLING = {
  extract: "sentence-mean (L2-normalised mean of the text's sentence vectors)",
  embed: "text (each text embedded as given; the model reads its first 128 tokens)",
} as const;

/** `POST /v1/extract` request body (extra = forbid, at least one item, as many prompts). */
export const ExtractRequestSchema = z.strictObject({
  texts: z.array(z.string()).min(1),
  prompts: z.array(z.string()).min(1),
  feature_set: z.enum(FEATURE_SETS),
}).refine((b) => b.texts.length === b.prompts.length, {
  message: "texts and prompts must have the same length",
  path: ["prompts"],
});
/** Extract request. */
export type ExtractRequest = z.infer<typeof ExtractRequestSchema>;

/** `POST /v1/embed` request body. */
export const EmbedRequestSchema = z.strictObject({
  texts: z.array(z.string()).min(1),
  model_name: z.string().nullable().optional(),
  max_length: z.number().int().min(8).max(4096).nullable().optional(),
  batch_size: z.number().int().min(1).max(256).nullable().optional(),
});
/** Embed request. */
export type EmbedRequest = z.infer<typeof EmbedRequestSchema>;

/**
 * `GET /healthz`, read tolerantly: the original's fields (only `status` required) plus anything a
 * server adds (ours adds `server_fingerprint`, `feature_schema`, `limits`, …).
 */
export const HealthResponseSchema = z.object({
  status: z.string(),
  issues: z.array(z.string()).optional(),
  model_name: z.string().optional(),
  max_length: z.number().int().optional(),
  batch_size: z.number().int().optional(),
  extract: z.object({
    schema_version: z.number().int().optional(),
    max_items: z.number().int().optional(),
    max_request_bytes: z.number().int().optional(),
    max_response_bytes: z.number().int().optional(),
    language_tool_url: z.string().optional(),
    language_tool_jar_version: z.string().optional(),
  }).loose().optional(),
}).loose();
/** Health response. */
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

/** UTF-8 byte size of `JSON.stringify(s)` (compact, non-ASCII raw, as the Python client). */
export function jsonStringBytes(s: string): number {
  return new TextEncoder().encode(JSON.stringify(s)).length;
}

/**
 * The original client's size estimate of an extract request: 50 bytes for
 * `{"texts":[],"prompts":[],"feature_set":"combined"}` plus, per item, the JSON lengths of its
 * text and prompt plus 2.
 */
export function extractBodyBytes(texts: readonly string[], prompts: readonly string[]): number {
  let bytes = 50;
  for (let i = 0; i < texts.length; i++) {
    bytes += jsonStringBytes(texts[i]) + jsonStringBytes(prompts[i]) + 2;
  }
  return bytes;
}
