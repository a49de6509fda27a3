/**
 * CRC-32 check of a zip's members against its central directory. `fflate`'s `unzipSync` does not
 * verify CRCs, so a body garbled in transit (a bad proxy, a flipped bit) can inflate into wrong
 * numbers without an error; the offload client runs this on every `/v1/extract` answer before
 * trusting (and caching) its rows.
 *
 * @module
 */
import { unzipSync } from "fflate";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zip uses it) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Name → (CRC-32, uncompressed size) of every central-directory entry. */
function centralDirectory(zip: Uint8Array): Map<string, { crc: number; size: number }> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("no end-of-central-directory record");
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const out = new Map<string, { crc: number; size: number }>();
  for (let k = 0; k < count; k++) {
    if (p + 46 > zip.length || view.getUint32(p, true) !== 0x02014b50) {
      throw new Error(`central directory entry ${k} is malformed`);
    }
    const crc = view.getUint32(p + 16, true);
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const name = new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLen));
    out.set(name, { crc, size });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/**
 * Throw unless every member of `zip` inflates to its recorded size and CRC-32. `source` names the
 * answer in the error.
 */
export function verifyZipIntegrity(zip: Uint8Array, source: string): void {
  let entries: Map<string, { crc: number; size: number }>;
  let files: Record<string, Uint8Array>;
  try {
    entries = centralDirectory(zip);
    files = unzipSync(zip);
  } catch (e) {
    throw new Error(
      `${source}: answer is not a readable zip (${zip.length} bytes): ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
  for (const [name, want] of entries) {
    const data = files[name];
    if (!data) throw new Error(`${source}: zip member ${name} could not be read`);
    if (data.length !== want.size || crc32(data) !== want.crc) {
      throw new Error(`${source}: zip member ${name} fails its CRC-32 check (garbled answer)`);
    }
  }
}
