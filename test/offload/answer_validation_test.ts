import assert from "node:assert/strict";
import { InvalidAnswerError, validateExtractAnswer } from "../../lib/offload/answer_validation.ts";
import { createOffloadFeatureExtractor } from "../../lib/offload/client.ts";
import { buildOffloadMetrics, OffloadMetricsCollector } from "../../lib/offload/offload_metrics.ts";
import { createOffloadServer, type OffloadServer } from "../../lib/offload/server.ts";
import {
  FIXTURE_DIM,
  fixtureChecker,
  fixtureEncoder,
  fixtureExtractor,
  syntheticEssays,
} from "./fixtures/fixture_components.ts";
import { tempDir } from "./helpers.ts";
import { readExtractZip, writeExtractZip } from "../../lib/offload/hemma/archive.ts";
import type { ExtractMeta } from "../../lib/offload/hemma/meta.ts";
import type { NpyArray } from "../../lib/offload/hemma/npy.ts";

const hand = { rows: 2, allowNaN: true, what: "handcrafted" };

Deno.test("validateExtractAnswer: shape, width, names and value types", () => {
  const ok = validateExtractAnswer(
    { names: ["a", "b"], nRows: 2, nCols: 2, values: Float32Array.of(1, NaN, 0.5, -2) },
    { ...hand, width: 2 },
  );
  assert.ok(ok.values instanceof Float64Array);
  assert.ok(Number.isNaN(ok.values[1]));
  assert.equal(ok.values[2], 0.5);
  const bad = (m: Parameters<typeof validateExtractAnswer>[0], e = {}, re: RegExp) =>
    assert.throws(() => validateExtractAnswer(m, { ...hand, ...e }), (err: unknown) => {
      assert.ok(err instanceof InvalidAnswerError);
      assert.match((err as Error).message, re);
      return true;
    });
  const m = (nRows: number, nCols: number, values: ArrayLike<unknown>, names?: string[]) => ({
    names,
    nRows,
    nCols,
    values,
  });
  bad(undefined, {}, /no handcrafted matrix/);
  bad(m(1, 2, [1, 2]), {}, /1 rows for 2 essays/);
  bad(m(2, 2, [1, 2, 3, 4]), { width: 3 }, /2 wide, expected 3/);
  bad(m(2, 2, [1, 2, 3, 4], ["a"]), {}, /1 column names for 2 columns/);
  bad(m(2, 2, [1, 2, 3]), {}, /3 values for 2x2/);
  bad(m(2, 2, [1, "x", 3, 4], ["a", "b"]), {}, /row 0, column "b": "x" is not a number/);
  bad(m(2, 2, [1, 2, Infinity, 4]), {}, /row 1, column 0: Infinity \(not a finite number\)/);
  bad(m(2, 2, [1, 2, NaN, 4]), { allowNaN: false, what: "embeddings" }, /NaN \(embeddings/);
});

/** A float32 matrix a test may spoil. */
interface MutableMatrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** The decoded matrices of one /v1/extract answer, for a test to spoil. */
interface AnswerParts {
  meta: ExtractMeta;
  handcrafted?: MutableMatrix;
  embeddings?: MutableMatrix;
}
type Mangle = (parts: AnswerParts) => void;

function matrixOf(a: NpyArray | undefined): MutableMatrix | undefined {
  return a ? { rows: a.shape[0], cols: a.shape[1], data: Float32Array.from(a.data) } : undefined;
}

/** The fixture offload server, its /v1/extract zips decoded, passed through `mangle`, re-zipped. */
function startManglingServer(mangle: Mangle) {
  const server: OffloadServer = createOffloadServer({
    extractor: fixtureExtractor(),
    checker: fixtureChecker,
    encoder: fixtureEncoder(),
    batchSize: 32,
  });
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const res = await server.handler(req);
    if (!new URL(req.url).pathname.endsWith("/v1/extract") || res.status !== 200) return res;
    const body = new Uint8Array(await res.arrayBuffer());
    const archive = readExtractZip(body, "fixture");
    // the client's connection probe asks for embeddings only: pass it through unspoilt
    if (!archive.handcrafted) return new Response(body, { status: 200, headers: res.headers });
    const parts: AnswerParts = {
      meta: archive.meta,
      handcrafted: matrixOf(archive.handcrafted),
      embeddings: matrixOf(archive.embeddings),
    };
    mangle(parts);
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    return new Response(writeExtractZip(parts) as Uint8Array<ArrayBuffer>, {
      status: 200,
      headers,
    });
  });
  return { url: `http://127.0.0.1:${http.addr.port}`, shutdown: () => http.shutdown() };
}

/** Drop the last row of a matrix (the zip then holds one row fewer than essays sent). */
function dropLastRow(m: AnswerParts["handcrafted"]) {
  m!.rows -= 1;
  m!.data = m!.data.slice(0, m!.rows * m!.cols);
}

const MALFORMED: [string, Mangle, RegExp][] = [
  ["a row too few", (p) => dropLastRow(p.handcrafted), /handcrafted\.npy/],
  ["an infinite value", (p) => {
    p.handcrafted!.data[1 * p.handcrafted!.cols + 2] = Infinity;
  }, /handcrafted row 1, column 2: Infinity \(not a finite number\)/],
  ["embeddings wider than meta.json says", (p) => {
    const m = p.embeddings!;
    const wider = new Float32Array(m.rows * (m.cols + 1));
    for (let r = 0; r < m.rows; r++) {
      wider.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), r * (m.cols + 1));
    }
    p.embeddings = { rows: m.rows, cols: m.cols + 1, data: wider };
  }, new RegExp(`embeddings\\.npy: ${FIXTURE_DIM + 1} columns, meta.json says ${FIXTURE_DIM}`)],
  ["a NaN embedding value", (p) => {
    p.embeddings!.data[1] = NaN;
  }, /embeddings row 0, column 1: NaN/],
];

for (const [name, mangle, message] of MALFORMED) {
  Deno.test(`offload client refuses an answer with ${name}: error, counted, nothing cached`, async () => {
    const srv = startManglingServer(mangle);
    const cacheRoot = await tempDir();
    const collector = new OffloadMetricsCollector();
    const client = await createOffloadFeatureExtractor({
      baseUrl: srv.url,
      cacheRoot,
      collector,
      maxRetries: 0,
    });
    try {
      await assert.rejects(
        client.extract(syntheticEssays(5), { featureSet: "combined" }),
        (err: unknown) => {
          assert.ok(err instanceof InvalidAnswerError, String(err));
          assert.match(
            (err as Error).message,
            /\/v1\/extract: malformed answer, not used or cached/,
          );
          assert.match((err as Error).message, message);
          return true;
        },
      );
      const m = buildOffloadMetrics(collector, "hemma");
      assert.equal(m.offload.extract.requests.invalid_answer, 1);
      assert.equal(m.requests_invalid_answer, 1);
      const files: string[] = [];
      for await (const e of Deno.readDir(cacheRoot)) files.push(e.name);
      for (const dir of files) {
        for await (const shard of Deno.readDir(`${cacheRoot}/${dir}`)) {
          assert.fail(`cache entry written: ${dir}/${shard.name}`);
        }
      }
    } finally {
      await client.close();
      await srv.shutdown();
    }
  });
}

Deno.test("offload client carries NaN in handcrafted columns (and caches it as NaN)", async () => {
  const srv = startManglingServer((p) => {
    const k = p.handcrafted!.cols;
    p.handcrafted!.data[3 * k + 1] = NaN;
    p.handcrafted!.data[4 * k] = NaN;
  });
  const cacheRoot = await tempDir();
  const essays = syntheticEssays(5);
  try {
    for (const pass of ["network", "cache"]) {
      const collector = new OffloadMetricsCollector();
      const client = await createOffloadFeatureExtractor({
        baseUrl: srv.url,
        cacheRoot,
        collector,
      });
      try {
        const got = await client.extract(essays, { featureSet: "combined" });
        const k = got.handcrafted!.nCols;
        assert.ok(Number.isNaN(got.handcrafted!.values[3 * k + 1]), pass);
        assert.ok(Number.isNaN(got.handcrafted!.values[4 * k]), pass);
        assert.equal(got.handcrafted!.values.filter(Number.isNaN).length, 2, pass);
        const m = buildOffloadMetrics(collector, "hemma");
        assert.equal(m.requests_invalid_answer, 0);
        if (pass === "cache") assert.equal(m.offload.extract.cache.hits, 5);
      } finally {
        await client.close();
      }
    }
  } finally {
    await srv.shutdown();
  }
});
