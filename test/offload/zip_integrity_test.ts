/** CRC-32 integrity check of extract zips (`lib/offload/zip_integrity.ts`). */
import assert from "node:assert/strict";
import { crc32, verifyZipIntegrity } from "../../lib/offload/zip_integrity.ts";
import { silentGarble } from "./fixtures/fault_proxy.ts";
import { unzipSync, zipSync } from "fflate";

Deno.test("crc32: the standard check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array()), 0);
});

Deno.test("verifyZipIntegrity: accepts an intact zip, rejects a silently garbled one", () => {
  const data = new Float32Array(64 * 36).map((_, i) => Math.sin(i));
  const npy = new Uint8Array(data.buffer);
  const zip = zipSync({ "a.npy": npy, "meta.json": new TextEncoder().encode("{}") }, { level: 6 });
  verifyZipIntegrity(zip, "intact");
  const bad = silentGarble(zip);
  // fflate alone inflates it without complaint, to different bytes…
  const files = unzipSync(bad);
  assert.notDeepEqual(files["a.npy"], npy);
  // …the CRC check does not.
  assert.throws(() => verifyZipIntegrity(bad, "garbled"), /a\.npy fails its CRC-32 check/);
  assert.throws(
    () => verifyZipIntegrity(zip.subarray(0, zip.length >> 1), "cut"),
    /cut: answer is not a readable zip/,
  );
});
