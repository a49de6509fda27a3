/**
 * Normalised-text hashing: the identity used for duplicate detection and split grouping.
 *
 * Two essays are "the same text" when they are equal after Unicode NFKC normalisation, collapsing
 * every whitespace run to one space and trimming. The hash is the sha256 hex of that string.
 *
 * @module
 */
import { createHash } from "node:crypto";

/**
 * Normalise a text for identity comparison: NFKC, whitespace runs → one space, trimmed.
 *
 * @example
 * ```ts
 * normaliseText(" a\u00A0 b\r\n"); // "a b"
 * ```
 */
export function normaliseText(text: string): string {
  return text.normalize("NFKC").replace(/\s+/gu, " ").trim();
}

/**
 * sha256 (hex) of the normalised text.
 *
 * @example
 * ```ts
 * normalisedTextHash("a  b") === normalisedTextHash("a b"); // true
 * ```
 */
export function normalisedTextHash(text: string): string {
  return createHash("sha256").update(normaliseText(text), "utf8").digest("hex");
}

/**
 * Whitespace-only normalisation (no NFKC): runs of whitespace → one space, trimmed. Used in
 * cache keys where the runbook says "whitespace-normalised".
 */
export function whitespaceNormalise(text: string): string {
  return text.replace(/\s+/gu, " ").trim();
}
