/**
 * Canonical JSON (sorted object keys, no whitespace) and its sha256: the key function of the
 * offload disk caches and of the server fingerprint.
 *
 * @module
 */
import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every depth, so equal values always give equal strings.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Hex sha256 of a UTF-8 string. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Hex sha256 of the canonical JSON of `value`. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** Whitespace-normalised text: trimmed, every whitespace run collapsed to one space. */
export function normaliseWhitespace(text: string): string {
  return text.trim().replace(/\s+/g, " ");
}
