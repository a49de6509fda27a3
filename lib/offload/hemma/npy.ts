/**
 * `.npy` float32 files exactly as the original offload server and client write them
 * (HEMMA_PROTOCOL.md §B.3.5): `numpy.save(allow_pickle=False)`, format 1.0, header
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (N, D), }` plus numpy's 21-digit growth
 * spaces and padding so the data starts at a multiple of 64 (byte 128 for every shape used),
 * then little-endian row-major float32.
 *
 * The reader is tolerant, as the spec asks: it parses the header instead of assuming byte 128,
 * accepts format versions 1.0, 2.0 and 3.0, whitespace variations, `<f4`/`<f8`/`>f4`/`>f8`
 * (converted to float32 as the Python client does), and Fortran order (transposed). NaN is a
 * legitimate value.
 *
 * @module
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

/** A decoded `.npy` array: shape and float32 values in row-major (C) order. */
export interface NpyArray {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Python's `repr` of a shape tuple: `()`, `(5,)`, `(2, 25)`. */
export function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(", ")})`;
}

/**
 * The header block (magic … final `\n`) numpy writes for a float32 C-order array of `shape`.
 *
 * @example
 * ```ts
 * npyHeader([2, 25]).length; // 128
 * ```
 */
export function npyHeader(shape: readonly number[]): Uint8Array {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`npy: bad dimension ${d}`);
  }
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) dict += " ".repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const hlen = dict.length + 1; // + the final "\n"
  const padlen = ARRAY_ALIGN - ((6 + 2 + 2 + hlen) % ARRAY_ALIGN);
  const total = hlen + padlen;
  if (total > 0xffff) throw new Error("npy: header too long for format 1.0");
  const out = new Uint8Array(10 + total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = total & 0xff;
  out[9] = total >> 8;
  const text = dict + " ".repeat(padlen) + "\n";
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/**
 * Encode float32 values (row-major) of `shape` as `.npy` bytes.
 *
 * @example
 * ```ts
 * encodeNpy(Float32Array.of(1, 2, 3), [3]).length; // 128 + 12
 * ```
 */
export function encodeNpy(data: ArrayLike<number>, shape: readonly number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) {
    throw new Error(`npy: ${data.length} values do not fill shape ${shapeRepr(shape)}`);
  }
  const header = npyHeader(shape);
  const out = new Uint8Array(header.length + 4 * n);
  out.set(header, 0);
  const view = new DataView(out.buffer, header.length, 4 * n);
  for (let i = 0; i < n; i++) view.setFloat32(4 * i, data[i], true);
  return out;
}

/** Raised when bytes are not a `.npy` array this reader supports. */
export class NpyFormatError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "NpyFormatError";
  }
}

/**
 * Decode `.npy` bytes (see module docs for what is accepted). `source` names the file or
 * member in errors.
 */
export function decodeNpy(bytes: Uint8Array, source = ".npy"): NpyArray {
  const fail = (what: string) => new NpyFormatError(`${source}: ${what}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw fail("not a .npy file (bad magic)");
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw fail("truncated header");
    hlen = view.getUint32(8, true);
    start = 12;
  } else {
    throw fail(`unsupported format version ${major}.${bytes[7]}`);
  }
  if (start + hlen > bytes.length) throw fail("truncated header");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(start, start + hlen),
  );
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw fail(`unreadable header ${JSON.stringify(header.trim())}`);
  }
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw fail(`bad shape (${shapeText})`);
  const m = /^([<>|=])f([48])$/.exec(descr);
  if (!m) throw fail(`dtype ${descr} is not a float32/float64 array`);
  const width = Number(m[2]);
  const little = m[1] !== ">";
  const n = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + hlen;
  if (bytes.length - dataStart !== n * width) {
    throw fail(
      `data has ${bytes.length - dataStart} bytes; shape ${shapeRepr(shape)} of ${descr} needs ${
        n * width
      }`,
    );
  }
  const raw = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    raw[i] = width === 4
      ? view.getFloat32(dataStart + 4 * i, little)
      : view.getFloat64(dataStart + 8 * i, little);
  }
  const data = fortran === "True" && shape.length > 1 ? fortranToC(raw, shape) : raw;
  return { shape, data };
}

function fortranToC(src: Float32Array, shape: readonly number[]): Float32Array {
  const out = new Float32Array(src.length);
  const strideF: number[] = [];
  let s = 1;
  for (const d of shape) {
    strideF.push(s);
    s *= d;
  }
  const idx = new Array(shape.length).fill(0);
  for (let c = 0; c < src.length; c++) {
    let f = 0;
    for (let k = 0; k < shape.length; k++) f += idx[k] * strideF[k];
    out[c] = src[f];
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** Decode a 2-D float32 `.npy` and check it has `rows` rows (any width). */
export function decodeNpyMatrix(bytes: Uint8Array, source: string, rows?: number): NpyArray {
  const a = decodeNpy(bytes, source);
  if (a.shape.length !== 2) throw new NpyFormatError(`${source}: expected a 2-D array`);
  if (rows !== undefined && a.shape[0] !== rows) {
    throw new NpyFormatError(`${source}: ${a.shape[0]} rows, expected ${rows}`);
  }
  return a;
}
