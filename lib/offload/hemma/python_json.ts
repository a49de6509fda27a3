/**
 * JSON exactly as Python's `json.dumps` writes it, for the byte-exact parts of the Hemma protocol
 * (HEMMA_PROTOCOL.md): the LanguageTool cache key and entry (§A.9.5) and the server fingerprint
 * (§B.3.8) are hashes or files of Python JSON, so a TypeScript writer must produce the same bytes.
 *
 * Differences from `JSON.stringify` that matter here: a Python float is written with a fraction
 * (`60.0`, not `60`) and with Python's exponent style (`1e-05`, `1e+16`); integers are written
 * without one. JavaScript has one number type, so floats are marked with {@link pyFloat}; every
 * other number must be an integer. Strings are written like `ensure_ascii=False` (non-ASCII raw),
 * which is what `JSON.stringify` does too.
 *
 * @module
 */

/** A number that Python holds as a `float` (written `60.0`, never `60`). */
export class PyFloat {
  /** Wrap `value`. */
  constructor(readonly value: number) {}
}

/** Mark a number as a Python float. */
export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

/**
 * Python's `repr(float)`: shortest round-trip digits, scientific notation when the decimal
 * exponent is < -4 or >= 16, `inf`/`nan` as `Infinity`/`NaN` (json's spelling).
 *
 * @example
 * ```ts
 * pythonFloatRepr(60); // "60.0"
 * pythonFloatRepr(1e-5); // "1e-05"
 * ```
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mant, expText] = Math.abs(x).toExponential().split("e");
  const digits = mant.replace(".", "");
  const exp = Number(expText); // value = 0.d1d2… × 10^(exp+1)
  const decpt = exp + 1;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = exp < 0 ? `-${String(-exp).padStart(2, "0")}` : `+${String(exp).padStart(2, "0")}`;
  return `${sign}${m}e${e}`;
}

/** Options of {@link pythonJson}. */
export interface PythonJsonOptions {
  /** Sort object keys at every level (`sort_keys=True`). Default false (insertion order). */
  readonly sortKeys?: boolean;
  /** `(item, key)` separators; default compact `[",", ":"]`. */
  readonly separators?: readonly [string, string];
  /** Escape non-ASCII as `\uXXXX` (`ensure_ascii=True`, Python's default). Default false. */
  readonly ensureAscii?: boolean;
}

/**
 * Serialise `value` as Python's `json.dumps(value, ensure_ascii=False, separators=…,
 * sort_keys=…)` would. A float with an integral value must be wrapped with {@link pyFloat} (else
 * it is written as an integer); a non-integral number is written as a Python float.
 *
 * @example
 * ```ts
 * pythonJson({ b: pyFloat(60), a: 1 }, { sortKeys: true }); // '{"a":1,"b":60.0}'
 * ```
 */
export function pythonJson(value: unknown, options: PythonJsonOptions = {}): string {
  const [item, key] = options.separators ?? [",", ":"];
  const sortKeys = options.sortKeys ?? false;
  const str = options.ensureAscii ? asciiJsonString : (x: string) => JSON.stringify(x);
  const write = (v: unknown): string => {
    if (v instanceof PyFloat) return pythonFloatRepr(v.value);
    if (v === null) return "null";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") {
      return Number.isInteger(v) ? String(v) : pythonFloatRepr(v);
    }
    if (typeof v === "string") return str(v);
    if (Array.isArray(v)) return `[${v.map(write).join(item)}]`;
    if (typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) =>
        x !== undefined
      );
      if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, x]) => `${str(k)}${key}${write(x)}`).join(item)}}`;
    }
    throw new Error(`pythonJson: cannot serialise ${typeof v}`);
  };
  return write(value);
}

/** Canonical JSON of the spec: sorted keys, compact, non-ASCII raw (then UTF-8 encoded). */
export function canonicalPythonJson(value: unknown): string {
  return pythonJson(value, { sortKeys: true });
}

/**
 * JSON as pydantic v2's `model_dump_json(indent=2)` writes it: two-space indentation, `"key":
 * value`, one element per line, `{}`/`[]` for empty containers, non-ASCII raw, no trailing
 * newline. Floats must be wrapped with {@link pyFloat}.
 */
export function pydanticIndentJson(value: unknown, indent = 2): string {
  const write = (v: unknown, depth: number): string => {
    const pad = " ".repeat(indent * (depth + 1));
    const end = " ".repeat(indent * depth);
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      return `[\n${v.map((x) => pad + write(x, depth + 1)).join(",\n")}\n${end}]`;
    }
    if (v !== null && typeof v === "object" && !(v instanceof PyFloat)) {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) =>
        x !== undefined
      );
      if (entries.length === 0) return "{}";
      return `{\n${
        entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${write(x, depth + 1)}`).join(",\n")
      }\n${end}}`;
    }
    return pythonJson(v);
  };
  return write(value, 0);
}

/** `JSON.stringify(s)` with every non-ASCII UTF-16 unit escaped as `\uxxxx` (Python's style). */
export function asciiJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[\u007f-\uffff]/g,
    (c) => c === "\u007f" ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A JSON body as Flask/Quart's default provider writes it (the LanguageTool service, §A.2):
 * sorted keys, compact, ASCII-escaped, trailing newline.
 */
export function flaskJson(value: unknown): string {
  return pythonJson(value, { sortKeys: true, ensureAscii: true }) + "\n";
}
