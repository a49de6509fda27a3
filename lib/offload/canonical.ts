/**
 * sha256 of UTF-8 text, the hash of every offload cache key and of the server fingerprint
 * (the canonical JSON they hash is Python-style: `hemma/python_json.ts`).
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Hex sha256 of a UTF-8 string. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
