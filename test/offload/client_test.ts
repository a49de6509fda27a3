import assert from "node:assert/strict";
import { join } from "node:path";
import { createOffloadFeatureExtractor, createRemoteEncoder } from "../../lib/offload/client.ts";
import { handcraftedKey } from "../../lib/offload/hemma/cache_keys.ts";
import { decodeNpy } from "../../lib/offload/hemma/npy.ts";
import type { FeatureMatrix } from "../../lib/features/types.ts";
import { FeatureStoreMismatchError } from "../../lib/features/feature_store.ts";
import { extractWithStore } from "../../lib/features/store_extraction.ts";
import { ORIGINAL_HANDCRAFTED_NAMES } from "../../lib/offload/hemma/meta.ts";
import { OffloadHttpError, OffloadRequestError } from "../../lib/offload/http_client.ts";
import {
  buildOffloadMetrics,
  OffloadMetricsCollector,
  writeOffloadMetrics,
} from "../../lib/offload/offload_metrics.ts";
import { createOffloadServer, startOffloadServer } from "../../lib/offload/server.ts";
import {
  FIXTURE_HANDCRAFTED,
  fixtureChecker,
  fixtureEncoder,
  fixtureExtractor,
  fixtureVector,
  syntheticEssays,
} from "./fixtures/fixture_components.ts";
import { startTestServer, tempDir } from "./helpers.ts";

const fast = { maxRetries: 2, backoffBaseMs: 10, backoffMaxMs: 40 };

async function cacheFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const f of Deno.readDir(dir)) {
    if (f.isDirectory) out.push(...(await cacheFiles(join(dir, f.name))));
    else out.push(join(dir, f.name));
  }
  return out.sort();
}

/** The values of a matrix as float32 (the wire dtype). */
function f32(m: FeatureMatrix): Float64Array {
  return Float64Array.from(m.values, (v) => Math.fround(v));
}

Deno.test("client extraction equals direct extraction, chunked into <= 64 items", async () => {
  const served = fixtureExtractor();
  const srv = startTestServer({ extractor: served });
  const collector = new OffloadMetricsCollector();
  const client = await createOffloadFeatureExtractor({
    baseUrl: srv.url,
    cacheRoot: await tempDir(),
    collector,
    ...fast,
  });
  try {
    const essays = syntheticEssays(130);
    essays.push({ ...essays[5], id: "dup-of-5" });
    const got = await client.extract(essays, { featureSet: "combined" });
    const want = await fixtureExtractor().extract(essays, { featureSet: "combined" });
    // Our server with this project's schema: the store fingerprint is its local extractor's.
    assert.equal(client.fingerprint, served.fingerprint);
    assert.deepEqual(got.ids, want.ids);
    assert.deepEqual(got.handcrafted!.names, want.handcrafted!.names);
    assert.deepEqual(got.handcrafted!.values, f32(want.handcrafted!));
    assert.deepEqual(got.embeddings!.values, f32(want.embeddings!));
    assert.equal(got.embeddings!.names[0], "embedding_000");
    assert.equal(served.calls, 1 + 3); // the probe, then 130 unique essays: 64 + 64 + 2
    assert.equal(served.items, 1 + 130); // the duplicate is sent once
    const m = buildOffloadMetrics(collector, "hemma");
    assert.equal(m.offload.extract.requests.count, 3); // 3 chunks (healthz not counted)
    assert.equal(m.offload.extract.cache.misses, 130);
    assert.ok(m.offload.extract.requests.latency_s.p95! > 0);
  } finally {
    await client.close();
    await srv.shutdown();
  }
});

Deno.test("client extraction of zero essays returns empty matrices with column names", async () => {
  const srv = startTestServer();
  const client = await createOffloadFeatureExtractor({ baseUrl: srv.url, useCache: false });
  try {
    const got = await client.extract([], { featureSet: "combined" });
    assert.deepEqual(got.ids, []);
    assert.equal(got.handcrafted!.nRows, 0);
    assert.deepEqual(got.handcrafted!.names, FIXTURE_HANDCRAFTED);
    assert.equal(got.embeddings!.nCols, 4);
  } finally {
    await client.close();
    await srv.shutdown();
  }
});

Deno.test("client respects the byte limit when chunking", async () => {
  const served = fixtureExtractor();
  const srv = startTestServer({ extractor: served });
  const client = await createOffloadFeatureExtractor({
    baseUrl: srv.url,
    useCache: false,
    maxBytesPerRequest: 4096,
    ...fast,
  });
  try {
    const essays = Array.from({ length: 6 }, (_, i) => ({
      id: `${i}`,
      text: `${i} ` + "x".repeat(1500),
      prompt: "p",
    }));
    const got = await client.extract(essays, { featureSet: "handcrafted" });
    assert.equal(served.calls, 1 + 3); // the probe; two ~1.5 kB essays per 4 kB request
    assert.equal(got.handcrafted!.nRows, 6);
    await assert.rejects(
      () =>
        client.extract([{ id: "big", text: "y".repeat(5000), prompt: "p" }], {
          featureSet: "handcrafted",
        }),
      /item 0 needs \d+ bytes/,
    );
  } finally {
    await client.close();
    await srv.shutdown();
  }
});

Deno.test("rerun is served from the cache (hit rate 1.0, no extract requests)", async () => {
  const served = fixtureExtractor();
  const srv = startTestServer({ extractor: served });
  const cacheRoot = await tempDir();
  const essays = syntheticEssays(20);
  try {
    const first = await createOffloadFeatureExtractor({ baseUrl: srv.url, cacheRoot, ...fast });
    const a = await first.extract(essays, { featureSet: "combined" });
    await first.close();
    const callsAfterFirst = served.calls;
    const collector = new OffloadMetricsCollector();
    const second = await createOffloadFeatureExtractor({
      baseUrl: srv.url,
      cacheRoot,
      collector,
      ...fast,
    });
    const progress: number[] = [];
    const b = await second.extract(essays, {
      featureSet: "combined",
      onProgress: (_s, done) => progress.push(done),
    });
    await second.close();
    assert.equal(served.calls, callsAfterFirst + 1); // only the second client's probe
    assert.deepEqual(b.handcrafted!.values, a.handcrafted!.values);
    assert.deepEqual(b.embeddings!.values, a.embeddings!.values);
    assert.equal(progress.at(-1), 20);
    const m = buildOffloadMetrics(collector, "hemma");
    assert.equal(m.offload.extract.cache.hit_rate, 1);
    assert.equal(m.offload.extract.cache.hits, 20);
    const dir = await tempDir();
    const path = await writeOffloadMetrics(join(dir, "artifacts"), m);
    const written = JSON.parse(await Deno.readTextFile(path));
    assert.equal(written.offload.extract.cache.hit_rate, 1);
    assert.equal(written.requests_timeout, 0);
    assert.equal(m.offload.embedding.cache.hits, 20);
    // handcrafted rows are shared by `handcrafted` and `combined` (key: schema|text|prompt)
    const third = await createOffloadFeatureExtractor({ baseUrl: srv.url, cacheRoot, ...fast });
    await third.extract(essays, { featureSet: "handcrafted" });
    await third.close();
    assert.equal(served.calls, callsAfterFirst + 2);
    // the original layout: <root>/offload_handcrafted/<fingerprint>/<H>.npy + current_meta.json
    const hand = await cacheFiles(join(cacheRoot, "offload_handcrafted"));
    assert.equal(hand.length, 21);
    assert.ok(hand.includes(join(cacheRoot, "offload_handcrafted", "current_meta.json")));
    assert.ok(
      hand.includes(
        join(
          cacheRoot,
          "offload_handcrafted",
          srv.server.fingerprint,
          `${handcraftedKey(1, essays[0].text, essays[0].prompt)}.npy`,
        ),
      ),
    );
    assert.equal((await cacheFiles(join(cacheRoot, "offload_embeddings"))).length, 20);
  } finally {
    await srv.shutdown();
  }
});

Deno.test("a corrupt or truncated cache entry is a logged miss and gets rewritten", async () => {
  const served = fixtureExtractor();
  const srv = startTestServer({ extractor: served });
  const cacheRoot = await tempDir();
  const essays = syntheticEssays(5);
  try {
    const first = await createOffloadFeatureExtractor({ baseUrl: srv.url, cacheRoot, ...fast });
    const want = await first.extract(essays, { featureSet: "combined" });
    const rowFile = join(
      cacheRoot,
      "offload_handcrafted",
      first.meta.server_fingerprint,
      `${handcraftedKey(1, essays[2].text, essays[2].prompt)}.npy`,
    );
    await first.close();
    const full = await Deno.readFile(rowFile);
    await Deno.writeFile(rowFile, full.slice(0, 140));
    const warnings: string[] = [];
    const collector = new OffloadMetricsCollector();
    const second = await createOffloadFeatureExtractor({
      baseUrl: srv.url,
      cacheRoot,
      collector,
      log: (l) => warnings.push(l),
      ...fast,
    });
    const got = await second.extract(essays, { featureSet: "combined" });
    await second.close();
    assert.deepEqual(got.handcrafted!.values, want.handcrafted!.values);
    assert.equal(collector.service("extract").corrupt, 1);
    assert.equal(collector.service("extract").hits, 4);
    assert.equal(served.items, 1 + 5 + 1 + 1); // probe, 5, probe, then only the corrupt one
    assert.ok(warnings.some((w) => w.includes(rowFile) && w.includes("miss")));
    assert.deepEqual(decodeNpy(await Deno.readFile(rowFile)).shape, [36]);
    const files = await cacheFiles(cacheRoot);
    assert.ok(files.every((f) => f.endsWith(".npy") || f.endsWith(".json")), "no temp files");
  } finally {
    await srv.shutdown();
  }
});

Deno.test("slow responses: client timeouts are counted, retried, then fail clearly", async () => {
  const srv = startTestServer({ extractor: fixtureExtractor({ delayMs: 400 }) });
  const collector = new OffloadMetricsCollector();
  const client = await createOffloadFeatureExtractor({
    baseUrl: srv.url,
    useCache: false,
    collector,
    timeoutMs: 100,
    maxRetries: 1,
    backoffBaseMs: 10,
  });
  try {
    const err = await client.extract(syntheticEssays(2), { featureSet: "handcrafted" }).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(err instanceof OffloadRequestError, String(err));
    assert.equal(err.kind, "timeout");
    assert.equal(err.attempts, 2);
    assert.match(err.message, new RegExp(`${srv.url}/v1/extract failed after 2 attempt`));
    const m = buildOffloadMetrics(collector, "hemma");
    assert.equal(m.requests_timeout, 2);
    assert.equal(m.retries, 1);
    assert.equal(m.requests_connection_error, 0);
  } finally {
    await client.close();
    await srv.shutdown();
  }
});

Deno.test("5xx (server timeout 504) is retried; 4xx is not", async () => {
  const srv = startTestServer({
    extractor: fixtureExtractor({ delayMs: 200 }),
    limits: { requestTimeoutMs: 50 },
    token: "tok",
  });
  try {
    const collector = new OffloadMetricsCollector();
    const client = await createOffloadFeatureExtractor({
      baseUrl: srv.url,
      useCache: false,
      collector,
      token: "tok",
      ...fast,
    });
    const err = await client.extract(syntheticEssays(1), { featureSet: "handcrafted" }).then(
      () => undefined,
      (e) => e,
    );
    await client.close();
    assert.ok(err instanceof OffloadRequestError);
    assert.equal(err.kind, "http_error");
    assert.match(err.message, /HTTP 504 request_timeout/);
    assert.equal(collector.service("extract").httpError, 3);
    assert.equal(collector.service("extract").retries, 2);

    // a 4xx at the connection probe: not retried, reported with its cause
    const e2 = await createOffloadFeatureExtractor({
      baseUrl: srv.url,
      useCache: false,
      token: "wrong",
      ...fast,
    }).then(() => undefined, (e) => e);
    assert.match(String(e2?.message), /connection probe .* HTTP 401 unauthorized/);
    assert.ok(e2.cause instanceof OffloadHttpError);
    assert.equal(e2.cause.status, 401);
  } finally {
    await srv.shutdown();
  }
});

Deno.test("connection refused: retried, then a clear error naming the URL", async () => {
  const srv = startTestServer();
  const client = await createOffloadFeatureExtractor({
    baseUrl: srv.url,
    useCache: false,
    ...fast,
  });
  await srv.shutdown();
  const err = await client.extract(syntheticEssays(1), { featureSet: "handcrafted" }).then(
    () => undefined,
    (e) => e,
  );
  await client.close();
  assert.ok(err instanceof OffloadRequestError);
  assert.equal(err.kind, "connection_error");
  assert.match(err.message, /after 3 attempt\(s\).*ECONNREFUSED/);
  assert.ok(err.message.includes(`${srv.url}/v1/extract`));
});

Deno.test("a changed server fingerprint mid-run is refused", async () => {
  const a = startTestServer();
  const client = await createOffloadFeatureExtractor({ baseUrl: a.url, useCache: false, ...fast });
  await a.shutdown();
  const b = startOffloadServer(
    createOffloadServer({
      extractor: fixtureExtractor({ variant: "-other-model" }),
      checker: fixtureChecker,
      encoder: fixtureEncoder(),
    }),
    { port: a.port },
  );
  try {
    await assert.rejects(
      () => client.extract(syntheticEssays(1), { featureSet: "handcrafted" }),
      /fingerprint changed/,
    );
  } finally {
    await client.close();
    await b.shutdown();
  }
});

Deno.test("remote encoder: vectors over /v1/embed equal the server's encoder, cached", async () => {
  const encoder = fixtureEncoder();
  const srv = startTestServer({ encoder, batchSize: 3 });
  const cacheRoot = await tempDir();
  const collector = new OffloadMetricsCollector();
  const remote = await createRemoteEncoder({
    baseUrl: srv.url,
    cacheRoot,
    collector,
    maxItemsPerRequest: 5,
    ...fast,
  });
  try {
    assert.equal(remote.dimension, 4);
    assert.match(remote.name, /fixture-encoder-v1/);
    encoder.batches.length = 0; // forget the dimension probe
    const texts = Array.from({ length: 12 }, (_, i) => `sentence number ${i % 10}`);
    const got = await remote.embed(texts);
    assert.equal(got.length, 12);
    got.forEach((v, i) => assert.deepEqual(v, fixtureVector(texts[i])));
    assert.deepEqual(encoder.batches, [3, 2, 3, 2]); // 10 unique: requests of 5, batches of 3
    await remote.embed(texts);
    assert.equal(encoder.batches.length, 4);
    const m = buildOffloadMetrics(collector, "local");
    assert.equal(m.offload.embedding.cache.hits, 10);
    assert.equal(m.offload.embedding.requests.count, 3); // the probe, then 2 requests of <= 5
  } finally {
    await remote.close();
    await srv.shutdown();
  }
});

Deno.test("our client against our server in original mode: 25 columns into a feature store", async () => {
  const srv = startTestServer({ featureSchema: "original" });
  const cacheRoot = await tempDir();
  const storeDir = join(await tempDir(), "cv_feature_store");
  const essays = syntheticEssays(6);
  const client = await createOffloadFeatureExtractor({ baseUrl: srv.url, cacheRoot, ...fast });
  try {
    assert.equal(client.fingerprint, srv.server.fingerprint);
    assert.deepEqual(client.handcraftedNames, ORIGINAL_HANDCRAFTED_NAMES);
    const got = await extractWithStore({
      essays,
      extractor: client,
      storeDir,
      featureSet: "combined",
    });
    assert.deepEqual(got.handcrafted!.names, ORIGINAL_HANDCRAFTED_NAMES);
    assert.equal(got.handcrafted!.nCols, 25);
    assert.equal(got.embeddings!.nCols, 4);
    const want = await fixtureExtractor().extract(essays, { featureSet: "handcrafted" });
    assert.equal(got.handcrafted!.values[1], Math.fround(want.handcrafted!.values[1]));
    const meta = JSON.parse(await Deno.readTextFile(join(storeDir, "metadata.json")));
    assert.equal(meta.fingerprint, srv.server.fingerprint);
    assert.equal(meta.schema_version, "hemma-offload-schema-v1");
    assert.equal(meta.provenance, undefined, "path-specific facts stay out of the metadata");
    const provenance = JSON.parse(await Deno.readTextFile(join(storeDir, "provenance.json")));
    assert.equal(provenance.server_fingerprint, srv.server.fingerprint);
    assert.equal(provenance.embedding.model_name, "fixture-encoder-v1");
    assert.deepEqual(provenance.feature_schema.tier3, [
      "paragraph_count",
      "has_intro",
      "has_conclusion",
      "lexical_overlap",
      "pronoun_noun_ratio",
    ]);
  } finally {
    await client.close();
    await srv.shutdown();
  }
  // A server of another configuration (ours: 36 columns, another fingerprint) may not reuse it.
  const other = startTestServer();
  const c2 = await createOffloadFeatureExtractor({ baseUrl: other.url, cacheRoot, ...fast });
  const fresh = join(await tempDir(), "s");
  try {
    await assert.rejects(
      () =>
        extractWithStore({
          essays,
          extractor: c2,
          storeDir: fresh,
          reuseDir: storeDir,
          featureSet: "combined",
        }),
      FeatureStoreMismatchError,
    );
  } finally {
    await c2.close();
    await other.shutdown();
  }
});
