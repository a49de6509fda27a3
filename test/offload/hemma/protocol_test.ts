/**
 * Golden tests of the Hemma protocol core against HEMMA_PROTOCOL.md's test vectors (Appendices
 * 1–3) and worked examples (§B.3.5 `.npy` bytes, §B.3.6 `meta.json`, §B.3.4 zip).
 */
import assert from "node:assert/strict";
import { zipSync } from "fflate";
import { sha256Hex } from "../../../lib/offload/canonical.ts";
import { decodeNpy, encodeNpy, npyHeader } from "../../../lib/offload/hemma/npy.ts";
import {
  embedEmbeddingKey,
  extractEmbeddingKey,
  handcraftedKey,
  languageToolCacheKey,
  languageToolKeyJson,
  pythonNormalizeWhitespace,
} from "../../../lib/offload/hemma/cache_keys.ts";
import {
  embeddingColumnName,
  embeddingColumnNames,
  type ExtractMeta,
  fingerprintCanonicalJson,
  hemmaServerFingerprint,
  ORIGINAL_HANDCRAFTED_NAMES,
  ORIGINAL_TIER1,
  ORIGINAL_TIER2,
  ORIGINAL_TIER3,
  parseExtractMeta,
  writeExtractMeta,
} from "../../../lib/offload/hemma/meta.ts";
import {
  flaskJson,
  pyFloat,
  pythonFloatRepr,
  pythonJson,
} from "../../../lib/offload/hemma/python_json.ts";
import { readExtractZip, writeExtractZip } from "../../../lib/offload/hemma/archive.ts";

/** Assert `fn` throws an error whose message contains `text`. */
function throwsWith(fn: () => unknown, text: string): void {
  assert.throws(fn, (e: unknown) => e instanceof Error && e.message.includes(text));
}

const ascii = (b: Uint8Array) => new TextDecoder("latin1").decode(b);

Deno.test("npy header of a (2, 25) float32 matrix is numpy's 128 bytes", () => {
  const h = npyHeader([2, 25]);
  assert.deepEqual(h.length, 128);
  assert.deepEqual([...h.subarray(0, 10)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]);
  const text = ascii(h.subarray(10));
  assert.ok(text.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 25), }"));
  assert.deepEqual(text.length, 118);
  assert.deepEqual(text[117], "\n");
  assert.ok(/^ +$/.test(text.slice(61, 117)));
});

Deno.test("npy: 1-D shapes are written (D,); data starts at 128 for every shape used", () => {
  assert.ok(ascii(npyHeader([25])).includes("'shape': (25,), }"));
  for (const shape of [[1, 768], [64, 768], [64, 25], [768], [25], [100000, 1024]]) {
    assert.deepEqual(npyHeader(shape).length, 128, String(shape));
  }
});

Deno.test("npy: exact bytes of a small array and a round trip with NaN", () => {
  const bytes = encodeNpy([1, -2.5, Number.NaN, 3], [2, 2]);
  assert.deepEqual(bytes.length, 128 + 16);
  assert.deepEqual([...bytes.subarray(128, 132)], [0, 0, 0x80, 0x3f]); // 1.0f little-endian
  const back = decodeNpy(bytes);
  assert.deepEqual(back.shape, [2, 2]);
  assert.deepEqual(back.data[1], -2.5);
  assert.ok(Number.isNaN(back.data[2]));
});

Deno.test("npy reader: versions 2.0, float64, Fortran order and whitespace variants", () => {
  const header = "{'descr':'<f8','fortran_order':True,'shape':(2,3)}";
  const pad = 64 - ((12 + header.length + 1) % 64);
  const h = header + " ".repeat(pad) + "\n";
  const out = new Uint8Array(12 + h.length + 48);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0], 0);
  new DataView(out.buffer).setUint32(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[12 + i] = h.charCodeAt(i);
  const dv = new DataView(out.buffer, 12 + h.length);
  // Fortran order: column-major values of [[1,2,3],[4,5,6]]
  [1, 4, 2, 5, 3, 6].forEach((v, i) => dv.setFloat64(8 * i, v, true));
  const a = decodeNpy(out);
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual([...a.data], [1, 2, 3, 4, 5, 6]);
});

Deno.test("npy reader refuses other dtypes and truncated data, naming the source", () => {
  const good = encodeNpy([1, 2], [2]);
  throwsWith(() => decodeNpy(good.subarray(0, 130), "x.npy"), "x.npy");
  const int = good.slice();
  int.set(new TextEncoder().encode("'<i4'"), 19);
  throwsWith(() => decodeNpy(int, "y.npy"), "<i4");
  throwsWith(() => decodeNpy(new Uint8Array(20)), "magic");
});

Deno.test("Appendix 1: LanguageTool cache key and file name", () => {
  const text = pythonNormalizeWhitespace(
    "  I recieve your letter yesterday ,\n\n thanks.\tShe go home ",
  );
  assert.deepEqual(text, "I recieve your letter yesterday , thanks. She go home");
  assert.deepEqual(
    sha256Hex(text),
    "acc20b144db7255ec1f389e76b916b729f1621c11967d957a41d2672d240d817",
  );
  const parts = {
    languageToolUrl: "http://127.0.0.1:18085",
    language: "en-US",
    requestTimeoutS: 60,
    normalizedText: text,
  };
  assert.deepEqual(
    languageToolKeyJson(parts),
    '{"language":"en-US","language_tool_url":"http://127.0.0.1:18085","request_options":{},' +
      '"request_timeout_s":60.0,"schema_version":1,"text_sha256":' +
      '"acc20b144db7255ec1f389e76b916b729f1621c11967d957a41d2672d240d817"}',
  );
  assert.deepEqual(
    `${languageToolCacheKey(parts)}.json`,
    "a4dda838d999b391cd3a388e17798575a2f856214d884f87cad8ab8fbdcdd069.json",
  );
});

/** The fingerprint payload of Appendix 2 (D = 2). */
export function appendix2Payload() {
  const combined = [...embeddingColumnNames(2), ...ORIGINAL_HANDCRAFTED_NAMES];
  return {
    schema_version: 1,
    embedding: {
      model_name: "microsoft/deberta-v3-base",
      max_length: 512,
      batch_size: 32,
      pooling: "cls" as const,
      dim: 2,
      torch_device: "cuda",
    },
    language_tool: {
      language: "en-US",
      request_options: {},
      service_url: "http://language_tool_service:8085",
      jar_version: "6.6",
    },
    feature_schema: {
      embedding_dim: 2,
      tier1: ORIGINAL_TIER1,
      tier2: ORIGINAL_TIER2,
      tier3: ORIGINAL_TIER3,
      combined,
    },
    versions: {
      python: "3.12.3",
      numpy: "2.3.5",
      torch: "2.9.1+rocm7.2",
      transformers: "5.1.0",
      spacy: "3.8.11",
      textdescriptives: "2.8.2",
      en_core_web_sm: "3.8.0",
    },
  };
}

Deno.test("Appendix 2: server fingerprint canonical JSON (1,483 bytes) and hash", () => {
  const json = fingerprintCanonicalJson(appendix2Payload());
  assert.deepEqual(new TextEncoder().encode(json).length, 1483);
  assert.ok(json.startsWith('{"embedding":{"batch_size":32,"dim":2,"max_length":512,'));
  assert.ok(json.endsWith('"torch":"2.9.1+rocm7.2","transformers":"5.1.0"}}'));
  assert.deepEqual(
    hemmaServerFingerprint(appendix2Payload()),
    "36261acb94d1e89ff38c6962b0ec13d5af6c69c12d6533a790cec36aa1fb3cb9",
  );
});

Deno.test("Appendix 3: client cache keys", () => {
  const m = "microsoft/deberta-v3-base";
  assert.deepEqual(
    extractEmbeddingKey(m, 512, "Hello world."),
    "8a0700ac4465370474df3b4a615661ddf57a2e93d6c0b084b26d72dd8bf19d6a",
  );
  assert.deepEqual(
    embedEmbeddingKey(m, 512, "Hello world."),
    "59c7c1f30bf1b10a6817c9779588a6e015b96b049f1ee89b69dba62f1d183b11",
  );
  assert.deepEqual(
    handcraftedKey(1, "Hello world.", "Prompt A"),
    "ed360055a2ec9af0f26cedbc8ff9aa4d6e15665807c21662fc3b54a4f8224d06",
  );
});

Deno.test("python floats: repr rules and json.dumps of a mixed object", () => {
  const cases: [number, string][] = [
    [60, "60.0"],
    [0.1, "0.1"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [1e16, "1e+16"],
    [1234567890123456, "1234567890123456.0"],
    [11.11111111111111, "11.11111111111111"],
    [-2.5e-7, "-2.5e-07"],
    [1.5e300, "1.5e+300"],
    [0, "0.0"],
  ];
  for (const [x, want] of cases) assert.deepEqual(pythonFloatRepr(x), want, String(x));
  assert.deepEqual(pythonJson({ b: pyFloat(2), a: [1, "é"] }), '{"b":2.0,"a":[1,"é"]}');
  assert.deepEqual(pythonJson({ a: 0.5, b: 2 }), '{"a":0.5,"b":2}');
  assert.deepEqual(
    flaskJson({ m: "The pronoun \u2018She\u2019", a: 1 }),
    '{"a":1,"m":"The pronoun \\u2018She\\u2019"}\n',
  );
});

Deno.test("embedding column names: at least 3 digits, never truncated", () => {
  assert.deepEqual(embeddingColumnName(0), "embedding_000");
  assert.deepEqual(embeddingColumnName(767), "embedding_767");
  assert.deepEqual(embeddingColumnName(1000), "embedding_1000");
  assert.deepEqual(ORIGINAL_HANDCRAFTED_NAMES.length, 25);
});

function appendixMeta(): ExtractMeta {
  const p = appendix2Payload();
  return {
    schema_version: 1,
    server_fingerprint: hemmaServerFingerprint(p),
    git_sha: null,
    versions: p.versions,
    embedding: { model_name: p.embedding.model_name, max_length: 512, pooling: "cls", dim: 2 },
    language_tool: { ...p.language_tool },
    feature_schema: {
      tier1: [...ORIGINAL_TIER1],
      tier2: [...ORIGINAL_TIER2],
      tier3: [...ORIGINAL_TIER3],
      combined: [...p.feature_schema.combined],
    },
  };
}

Deno.test("meta.json: pydantic indent-2 layout, strict parse, extra keys refused", () => {
  const text = writeExtractMeta(appendixMeta());
  assert.ok(text.startsWith('{\n  "schema_version": 1,\n  "server_fingerprint": "36261acb'));
  assert.ok(text.includes('  "git_sha": null,\n  "versions": {\n    "python": "3.12.3",'));
  assert.ok(text.includes('"request_options": {},'));
  assert.ok(text.includes('"tier1": [\n      "grammar_errors_per_100_words",\n'));
  assert.ok(!text.endsWith("\n"));
  assert.deepEqual(parseExtractMeta(text), appendixMeta());
  const extra = JSON.parse(text);
  extra.embedding.extra = 1;
  throwsWith(() => parseExtractMeta(JSON.stringify(extra)), "embedding");
  const top = { ...JSON.parse(text), server_version: "x" };
  throwsWith(() => parseExtractMeta(JSON.stringify(top)), "meta.json");
});

Deno.test("extract zip: members in order, DEFLATE, shapes checked at decode", () => {
  const meta = appendixMeta();
  const zip = writeExtractZip({
    meta,
    embeddings: { rows: 2, cols: 2, data: [1, 2, 3, 4] },
    handcrafted: { rows: 2, cols: 25, data: new Array(50).fill(0.5) },
  });
  // local file headers in order, compression method 8 (DEFLATE)
  const names: string[] = [];
  for (let i = 0; i + 30 < zip.length; i++) {
    if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 3 && zip[i + 3] === 4) {
      assert.deepEqual(zip[i + 8], 8);
      const n = zip[i + 26] | (zip[i + 27] << 8);
      names.push(ascii(zip.subarray(i + 30, i + 30 + n)));
    }
  }
  assert.deepEqual(names, ["meta.json", "embeddings.npy", "handcrafted.npy"]);
  const back = readExtractZip(zip, "test", 2);
  assert.deepEqual(back.meta, meta);
  assert.deepEqual(back.handcrafted?.shape, [2, 25]);
  assert.deepEqual([...back.embeddings!.data], [1, 2, 3, 4]);
  throwsWith(() => readExtractZip(zip, "test", 3), "rows");
  const wrongWidth = zipSync({
    "meta.json": new TextEncoder().encode(writeExtractMeta(meta)),
    "handcrafted.npy": encodeNpy(new Array(24).fill(0), [1, 24]),
  });
  throwsWith(() => readExtractZip(wrongWidth, "w", 1), "24 columns");
  throwsWith(() => readExtractZip(new Uint8Array([1, 2, 3]), "junk"), "not a readable zip");
});
