/**
 * Wire protocol of the Hemma offload service, shared by the server (`server.ts`) and the client
 * (`client.ts`): limits, header names, zod schemas of every request and response body, the JSON
 * error body, and the encoding of feature matrices on the wire.
 *
 * Matrices travel as `{names, rows}` with one JSON array per essay. JSON cannot carry `NaN` or
 * `±Infinity`, so those are sent as `null`, `"Infinity"` and `"-Infinity"`; every finite double
 * round-trips exactly (JSON numbers are printed in shortest round-trip form), so a matrix
 * crosses the wire unchanged (the transport adds no rounding).
 *
 * @module
 */
import { z } from "zod";
import { FEATURE_SETS } from "../run/config.ts";
import type { FeatureMatrix } from "../features/types.ts";

/** Version of this wire protocol; sent as `X-Schema-Version` and in every JSON body. */
export const OFFLOAD_SCHEMA_VERSION = "offload-v1";

/** Most items (texts) one request may carry. */
export const MAX_ITEMS_PER_REQUEST = 64;

/** Most bytes one request body may have. */
export const MAX_BYTES_PER_REQUEST = 900_000;

/** Header names used by the service. */
export const HEADERS = {
  schemaVersion: "X-Schema-Version",
  fingerprint: "X-Server-Fingerprint",
  correlationId: "X-Correlation-Id",
} as const;

/** One matrix cell on the wire: a finite number, `null` for NaN, or a signed infinity. */
export const WireFloatSchema = z.union([
  z.number(),
  z.null(),
  z.enum(["NaN", "Infinity", "-Infinity"]),
]);
/** A wire cell. */
export type WireFloat = z.infer<typeof WireFloatSchema>;

/** A matrix on the wire: column names and one row array per item. */
export const WireMatrixSchema = z.object({
  names: z.array(z.string()),
  rows: z.array(z.array(WireFloatSchema)),
}).refine((m) => m.rows.every((r) => r.length === m.names.length), {
  message: "every row must have one value per column name",
});
/** A wire matrix. */
export type WireMatrix = z.infer<typeof WireMatrixSchema>;

/** Encode one double for JSON. */
export function encodeFloat(x: number): WireFloat {
  if (Number.isFinite(x)) return x;
  if (Number.isNaN(x)) return null;
  return x > 0 ? "Infinity" : "-Infinity";
}

/** Decode one wire cell back to a double. */
export function decodeFloat(x: WireFloat): number {
  if (typeof x === "number") return x;
  if (x === null || x === "NaN") return Number.NaN;
  return x === "Infinity" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/**
 * Encode a row-major matrix for the wire.
 *
 * @example
 * ```ts
 * encodeMatrix({ names: ["a"], nRows: 1, nCols: 1, values: Float64Array.of(NaN) });
 * // { names: ["a"], rows: [[null]] }
 * ```
 */
export function encodeMatrix(m: FeatureMatrix): WireMatrix {
  const rows: WireFloat[][] = [];
  for (let r = 0; r < m.nRows; r++) {
    const row: WireFloat[] = new Array(m.nCols);
    for (let c = 0; c < m.nCols; c++) row[c] = encodeFloat(m.values[r * m.nCols + c]);
    rows.push(row);
  }
  return { names: [...m.names], rows };
}

/** Decode one wire row into `out` starting at `offset`. */
export function decodeRowInto(row: readonly WireFloat[], out: Float64Array, offset: number): void {
  for (let c = 0; c < row.length; c++) out[offset + c] = decodeFloat(row[c]);
}

/** Decode a wire matrix into a row-major `FeatureMatrix`. */
export function decodeMatrix(m: WireMatrix): FeatureMatrix {
  const nCols = m.names.length;
  const values = new Float64Array(m.rows.length * nCols);
  m.rows.forEach((row, r) => decodeRowInto(row, values, r * nCols));
  return { names: m.names, nRows: m.rows.length, nCols, values };
}

/** `POST /v1/extract` request body. */
export const ExtractRequestSchema = z.object({
  texts: z.array(z.string()),
  prompts: z.array(z.string()),
  feature_set: z.enum(FEATURE_SETS),
}).strict().refine((b) => b.texts.length === b.prompts.length, {
  message: "texts and prompts must have the same length",
  path: ["prompts"],
});
/** Extract request. */
export type ExtractRequest = z.infer<typeof ExtractRequestSchema>;

/** `POST /v1/extract` response body. */
export const ExtractResponseSchema = z.object({
  schema_version: z.string(),
  fingerprint: z.string(),
  feature_set: z.enum(FEATURE_SETS),
  n_items: z.number().int().min(0),
  handcrafted: WireMatrixSchema.optional(),
  embeddings: WireMatrixSchema.optional(),
  seconds: z.number().min(0),
});
/** Extract response. */
export type ExtractResponse = z.infer<typeof ExtractResponseSchema>;

/** `POST /v1/embed` request body. */
export const EmbedRequestSchema = z.object({ texts: z.array(z.string()) }).strict();
/** Embed request. */
export type EmbedRequest = z.infer<typeof EmbedRequestSchema>;

/** `POST /v1/embed` response body. */
export const EmbedResponseSchema = z.object({
  schema_version: z.string(),
  fingerprint: z.string(),
  model: z.object({ name: z.string(), dimension: z.number().int().positive() }),
  vectors: z.array(z.array(z.number())),
  seconds: z.number().min(0),
});
/** Embed response. */
export type EmbedResponse = z.infer<typeof EmbedResponseSchema>;

/** Server limits, reported by `/healthz`. */
export const LimitsSchema = z.object({
  max_items: z.number().int().positive(),
  max_bytes: z.number().int().positive(),
  max_concurrency: z.number().int().positive(),
  max_queue: z.number().int().min(0),
  request_timeout_ms: z.number().int().positive(),
});
/** Server limits. */
export type Limits = z.infer<typeof LimitsSchema>;

/** `GET /healthz` response body. */
export const HealthResponseSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  schema_version: z.string(),
  fingerprint: z.string(),
  server_version: z.string(),
  models: z.object({
    extractor: z.object({ fingerprint: z.string() }),
    encoder: z.object({ name: z.string(), dimension: z.number().int().positive() }),
    checker: z.object({ name: z.string() }),
  }),
  limits: LimitsSchema,
  embedding_batch_size: z.number().int().positive(),
  in_flight: z.number().int().min(0),
  queued: z.number().int().min(0),
  uptime_s: z.number().min(0),
  problems: z.array(z.string()),
});
/** Health response. */
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

/** The JSON error body of every non-2xx response. */
export const ErrorBodySchema = z.object({
  schema_version: z.string(),
  error: z.string(),
  detail: z.string(),
  correlation_id: z.string(),
});
/** Error body. */
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/**
 * UTF-8 byte size of the JSON `/v1/extract` body for these items, computed without building it.
 */
export function extractBodyBytes(
  texts: readonly string[],
  prompts: readonly string[],
  featureSet: string,
): number {
  const enc = new TextEncoder();
  let bytes = enc.encode(JSON.stringify({ texts: [], prompts: [], feature_set: featureSet }))
    .length;
  for (let i = 0; i < texts.length; i++) {
    bytes += jsonStringBytes(texts[i]) + jsonStringBytes(prompts[i]) + (i > 0 ? 2 : 0);
  }
  return bytes;
}

/** UTF-8 byte size of `JSON.stringify(s)`. */
export function jsonStringBytes(s: string): number {
  return new TextEncoder().encode(JSON.stringify(s)).length;
}
