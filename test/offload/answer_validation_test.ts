import assert from "node:assert/strict";
import {
  decodeWireAnswerMatrix,
  InvalidAnswerError,
  validateEmbedAnswer,
  validateExtractAnswer,
} from "../../lib/offload/answer_validation.ts";
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

Deno.test("decodeWireAnswerMatrix: JSON rows, null/'NaN' carried as NaN, ragged and junk refused", () => {
  const got = decodeWireAnswerMatrix({ names: ["a"], rows: [[null], ["NaN"]] }, hand);
  assert.ok(got.values.every(Number.isNaN));
  assert.throws(
    () => decodeWireAnswerMatrix({ names: ["a", "b"], rows: [[1, 2], [3]] }, hand),
    /row 1 has 1 values for 2 columns/,
  );
  assert.throws(
    () => decodeWireAnswerMatrix({ names: ["a"], rows: [[1], [{}]] }, hand),
    /row 1, column "a": \{\} is not a number/,
  );
  assert.throws(() => decodeWireAnswerMatrix({ names: "a", rows: [] }, hand), /"names"/);
  assert.deepEqual(Array.from(validateEmbedAnswer([[0.5, 1]], 1, 2)[0]), [0.5, 1]);
  assert.throws(() => validateEmbedAnswer([[0.5]], 1, 2), /1 values, expected 2/);
  assert.throws(() => validateEmbedAnswer([[0.5, 1]], 2, 2), /1 rows for 2 essays/);
});

type Mangle = (body: Record<string, unknown>) => void;

/** The fixture offload server, its /v1/extract answers passed through `mangle`. */
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
    const body = await res.json();
    mangle(body);
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    return new Response(JSON.stringify(body), { status: 200, headers });
  });
  return { url: `http://127.0.0.1:${http.addr.port}`, shutdown: () => http.shutdown() };
}

type Rows = { names: string[]; rows: unknown[][] };
const handOf = (b: Record<string, unknown>) => b.handcrafted as Rows;
const embOf = (b: Record<string, unknown>) => b.embeddings as Rows;

const MALFORMED: [string, Mangle, RegExp][] = [
  ["a row too few", (b) => {
    handOf(b).rows.pop();
  }, /handcrafted: 4 rows for 5 essays/],
  ["a ragged row", (b) => {
    handOf(b).rows[2].pop();
  }, /handcrafted row 2 has 3 values for 4 columns/],
  ["a non-numeric value", (b) => {
    handOf(b).rows[1][2] = "abc";
  }, /handcrafted row 1, column "prompt_chars": "abc" is not a number/],
  ["embeddings wider than the encoder", (b) => {
    embOf(b).names.push("emb_extra");
    for (const r of embOf(b).rows) r.push(0.5);
  }, new RegExp(`embeddings: rows are ${FIXTURE_DIM + 1} wide, expected ${FIXTURE_DIM}`)],
  ["a NaN embedding value", (b) => {
    embOf(b).rows[0][1] = null;
  }, /embeddings row 0, column "emb_1": NaN/],
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
  const srv = startManglingServer((b) => {
    handOf(b).rows[3][1] = null;
    handOf(b).rows[4][0] = "NaN";
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
