/**
 * harper-core 2.10.0 — the crate harper.js@2.10.0's WebAssembly is built from — compiled natively
 * (`native/harper_checker`, built by `deno task build-native`) and called through Deno FFI. It
 * makes the same calls harper.js's `LocalLinter` makes (curated dictionary, curated rules with
 * `SpellCheck` off, the plain-English parser, `organized_lints`, overlap removal), so its lints
 * are the same; it costs about half the CPU of the WebAssembly build, whose every memory access
 * Deno bounds-checks (docs/features_extraction.md).
 *
 * Backend choice (`WORKBENCH_HARPER`): `auto` (default) uses the native library when it has been
 * built and loads, else harper.js; `native` requires it; `wasm` always uses harper.js. The
 * checker's name and the extractor fingerprint do not change with the backend: the same essays
 * give the same matches (checked on the 1,334 dev-slice essays and, in the tests, on the embedded
 * essays).
 *
 * The library is harper-core with changes that leave every lint as it is (`native/patches/`): a
 * plain-Rust forward pass of harper's noun-phrase chunker that gives burn's values bit for bit
 * ({@link auditNativeChunker} checks it), `organized_lints` without per-chunk bookkeeping, and
 * rules not run on chunks and sentences that lack every word they could match.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { Dialect } from "harper.js";
import { fileURLToPath } from "node:url";

/**
 * One harper lint, span as harper.js returns it: UTF-16 indices of the text (the native library
 * gives code points; {@link nativeHarperLints} converts them).
 */
export interface HarperLint {
  readonly rule: string;
  readonly kind: string;
  readonly start: number;
  readonly end: number;
  readonly message: string;
}

/** Which harper build checks the text. */
export type HarperBackend = "native" | "wasm";

const SYMBOLS = {
  harper_checker_new: { parameters: ["u32", "u32"], result: "pointer" },
  harper_checker_lint: {
    parameters: ["pointer", "buffer", "usize", "buffer"],
    result: "pointer",
  },
  harper_checker_free: { parameters: ["pointer", "usize"], result: "void" },
  harper_checker_chunker_audit: { parameters: ["u32"], result: "void" },
  harper_checker_chunker_counts: { parameters: ["buffer"], result: "void" },
} as const;

type NativeLibrary = Deno.DynamicLibrary<typeof SYMBOLS>;

/** Where `deno task build-native` writes the library (`HARPER_NATIVE_LIB` overrides it). */
export function nativeHarperLibraryPath(): string {
  const fromEnv = Deno.env.get("HARPER_NATIVE_LIB");
  if (fromEnv) return fromEnv;
  const file = Deno.build.os === "darwin"
    ? "libharper_checker.dylib"
    : Deno.build.os === "windows"
    ? "harper_checker.dll"
    : "libharper_checker.so";
  return fileURLToPath(
    new URL(`../../../native/harper_checker/target/release/${file}`, import.meta.url),
  );
}

let library: NativeLibrary | null | undefined;

function loadLibrary(): NativeLibrary | null {
  if (library !== undefined) return library;
  const mode = (Deno.env.get("WORKBENCH_HARPER") ?? "auto").toLowerCase();
  if (mode !== "auto" && mode !== "native" && mode !== "wasm") {
    throw new Error(`WORKBENCH_HARPER must be auto, native or wasm, not "${mode}"`);
  }
  const path = nativeHarperLibraryPath();
  if (mode === "wasm" || (mode === "auto" && !existsSync(path))) return library = null;
  try {
    library = Deno.dlopen(path, SYMBOLS);
  } catch (e) {
    if (mode === "native") {
      throw new Error(
        `WORKBENCH_HARPER=native but ${path} does not load (${(e as Error).message}); ` +
          "build it with `deno task build-native`",
      );
    }
    console.warn(
      `harper: ${path} does not load (${(e as Error).message}); checking with harper.js ` +
        "(the same matches, slower). Rebuild it with `deno task build-native`.",
    );
    library = null;
  }
  return library;
}

/**
 * The harper backend this process uses (`WORKBENCH_HARPER`, and whether the native library has
 * been built).
 *
 * @example
 * ```ts
 * harperBackend(); // "native" after `deno task build-native`, else "wasm"
 * ```
 */
export function harperBackend(): HarperBackend {
  return loadLibrary() ? "native" : "wasm";
}

const checkers = new Map<string, Deno.PointerValue>();
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * harper's dialect for a LanguageTool-style language code (en-GB, en-AU, en-CA; else American).
 * The enum's numbers (American 0, British 1, Australian 2, Canadian 3) are also what the native
 * library's `harper_checker_new` takes.
 *
 * @example
 * ```ts
 * harperDialect("en-GB"); // Dialect.British
 * ```
 */
export function harperDialect(language: string): Dialect {
  const code = language.toLowerCase();
  if (code === "en-gb") return Dialect.British;
  if (code === "en-au") return Dialect.Australian;
  if (code === "en-ca") return Dialect.Canadian;
  return Dialect.American;
}

function checkerFor(lib: NativeLibrary, language: string, spellCheck: boolean): Deno.PointerValue {
  const key = `${harperDialect(language)}:${spellCheck}`;
  let checker = checkers.get(key);
  if (checker === undefined) {
    checker = lib.symbols.harper_checker_new(harperDialect(language), spellCheck ? 1 : 0);
    checkers.set(key, checker);
  }
  return checker;
}

/**
 * Every lint of `text` from the native library, in harper's rule order (overlaps removed, as
 * harper.js does), spans as UTF-16 indices as harper.js gives them. Throws when the library is not in use ({@link harperBackend} is `wasm`).
 *
 * @example
 * ```ts
 * nativeHarperLints("He go to school.", "en-US", false);
 * // [{ rule: "PronounVerbAgreement", kind: "Agreement", start: 3, end: 5, ... }]
 * ```
 */
export function nativeHarperLints(
  text: string,
  language: string,
  spellCheck: boolean,
): HarperLint[] {
  const lib = loadLibrary();
  if (!lib) throw new Error("the native harper library is not in use");
  const bytes = encoder.encode(text);
  const outLength = new BigUint64Array(1);
  const pointer = lib.symbols.harper_checker_lint(
    checkerFor(lib, language, spellCheck),
    bytes,
    BigInt(bytes.length),
    new Uint8Array(outLength.buffer),
  );
  if (pointer === null) throw new Error("the native harper library returned no result");
  const length = Number(outLength[0]);
  const json = decoder.decode(new Deno.UnsafePointerView(pointer).getArrayBuffer(length));
  lib.symbols.harper_checker_free(pointer, BigInt(length));
  const toJs = codePointsToJsIndices(text);
  return (JSON.parse(json) as HarperLint[]).map((l) => ({
    ...l,
    start: toJs(l.start),
    end: toJs(l.end),
  }));
}

/** Counts of the native chunker audit (see {@link auditNativeChunker}). */
export interface ChunkerAuditCounts {
  /** Tokens whose noun-phrase value was computed both ways. */
  readonly compared: number;
  /** Tokens whose value from the plain-Rust forward pass differs from burn's in any bit. */
  readonly bitsDiffer: number;
  /** Tokens whose noun-phrase flag (value > 0.5) differs. */
  readonly flagsDiffer: number;
}

function chunkerCounts(lib: NativeLibrary): ChunkerAuditCounts {
  const out = new BigUint64Array(3);
  lib.symbols.harper_checker_chunker_counts(new Uint8Array(out.buffer));
  return { compared: Number(out[0]), bitsDiffer: Number(out[1]), flagsDiffer: Number(out[2]) };
}

/**
 * Run `fn` with the native library's chunker audit on: every sentence harper parses meanwhile is
 * chunked by the library's plain-Rust BiLSTM forward pass (what it uses) and by burn's (what
 * harper-core ships), and the two are compared value by value. Returns `fn`'s result and the
 * counts of that run. Sentences harper has cached from earlier calls are not chunked again.
 * Throws when the library is not in use.
 *
 * @example
 * ```ts
 * const { counts } = auditNativeChunker(() => nativeHarperLints("He go home.", "en-US", false));
 * counts.bitsDiffer; // 0
 * ```
 */
export function auditNativeChunker<T>(fn: () => T): { result: T; counts: ChunkerAuditCounts } {
  const lib = loadLibrary();
  if (!lib) throw new Error("the native harper library is not in use");
  const before = chunkerCounts(lib);
  lib.symbols.harper_checker_chunker_audit(1);
  try {
    const result = fn();
    const after = chunkerCounts(lib);
    return {
      result,
      counts: {
        compared: after.compared - before.compared,
        bitsDiffer: after.bitsDiffer - before.bitsDiffer,
        flagsDiffer: after.flagsDiffer - before.flagsDiffer,
      },
    };
  } finally {
    lib.symbols.harper_checker_chunker_audit(0);
  }
}

/**
 * Code-point index → UTF-16 index of `text` (what harper.js's wasm glue returns).
 *
 * @example
 * ```ts
 * codePointsToJsIndices("😀 a")(2); // 3
 * ```
 */
export function codePointsToJsIndices(text: string): (index: number) => number {
  if (!/[\uD800-\uDFFF]/.test(text)) return (i) => i;
  const offsets: number[] = [];
  let u = 0;
  for (const ch of text) {
    offsets.push(u);
    u += ch.length;
  }
  offsets.push(u);
  return (i) => offsets[Math.min(i, offsets.length - 1)];
}
