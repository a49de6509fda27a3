/**
 * Our offload server on the original protocol (HEMMA_PROTOCOL.md Part B, and Part A's
 * `/v1/check`): zip and `.npy` answers, headers, the original error envelopes, `/healthz`
 * fields, `--feature-schema original`, and our extras (token, backpressure, timeouts, metrics).
 */
import assert from "node:assert/strict";
import { EMBEDDING_POOLING, HEADERS } from "../../lib/offload/protocol.ts";
import { createOffloadServer, embeddingBatchSizeFromEnv } from "../../lib/offload/server.ts";
import { readExtractZip } from "../../lib/offload/hemma/archive.ts";
import { decodeNpy } from "../../lib/offload/hemma/npy.ts";
import {
  hemmaServerFingerprint,
  ORIGINAL_HANDCRAFTED_NAMES,
} from "../../lib/offload/hemma/meta.ts";
import { HANDCRAFTED_FEATURE_NAMES } from "../../lib/features/handcrafted/schema.ts";
import {
  fixtureChecker,
  fixtureEncoder,
  fixtureExtractor,
  fixtureVector,
} from "./fixtures/fixture_components.ts";
import { parsePrometheusText, sampleValue, startTestServer } from "./helpers.ts";

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch { /* binary */ }
  return { res, bytes, text, json };
}

/** The original extract envelope: `{schema_version, error, detail, correlation_id, extra}`. */
function assertExtractError(
  r: { res: Response; json: Record<string, unknown>; text: string },
  status: number,
  error: string,
) {
  assert.equal(r.res.status, status, r.text);
  assert.deepEqual(Object.keys(r.json), [
    "schema_version",
    "error",
    "detail",
    "correlation_id",
    "extra",
  ]);
  assert.equal(r.json.schema_version, 1);
  assert.equal(r.json.error, error);
  assert.deepEqual(r.json.extra, {});
  assert.equal(r.json.correlation_id, r.res.headers.get(HEADERS.correlationId));
  assert.match(r.res.headers.get("content-type") ?? "", /^application\/json; charset=utf-8$/);
  assert.match(r.text, /^\{"schema_version": 1, "error": /); // aiohttp/json.dumps separators
}

const item = { texts: ["Hello world.", "This is a test ."], prompts: ["Prompt A", "Prompt B"] };

Deno.test("/v1/extract answers the zip: meta.json + float32 matrices, headers", async () => {
  const srv = startTestServer();
  try {
    const r = await post(`${srv.url}/v1/extract`, { ...item, feature_set: "combined" }, {
      [HEADERS.correlationId]: "abc-123",
    });
    assert.equal(r.res.status, 200);
    assert.equal(r.res.headers.get("content-type"), "application/zip");
    assert.equal(r.res.headers.get(HEADERS.schemaVersion), "1");
    assert.equal(r.res.headers.get(HEADERS.fingerprint), srv.server.fingerprint);
    assert.equal(r.res.headers.get(HEADERS.correlationId), "abc-123");
    const zip = readExtractZip(r.bytes, "test", 2);
    assert.equal(zip.meta.server_fingerprint, srv.server.fingerprint);
    assert.equal(hemmaServerFingerprint(srv.server.identity.payload), srv.server.fingerprint);
    assert.deepEqual(zip.handcrafted!.shape, [2, 36]);
    assert.deepEqual(zip.embeddings!.shape, [2, 4]);
    assert.deepEqual(
      [
        ...zip.meta.feature_schema.tier1,
        ...zip.meta.feature_schema.tier2,
        ...zip.meta.feature_schema.tier3,
      ],
      HANDCRAFTED_FEATURE_NAMES,
    );
    assert.deepEqual([...zip.embeddings!.data.slice(0, 4)], [...fixtureVector("Hello world.")]);
    assert.equal(zip.handcrafted!.data[3], Math.fround(2 / 3)); // words / 3 as float32
    const hand = await post(`${srv.url}/v1/extract`, { ...item, feature_set: "handcrafted" });
    const z2 = readExtractZip(hand.bytes, "test", 2);
    assert.equal(z2.embeddings, undefined);
    assert.equal(z2.meta.server_fingerprint, srv.server.fingerprint); // same for every set
  } finally {
    await srv.shutdown();
  }
});

Deno.test("--feature-schema original serves exactly the original's 25 columns", async () => {
  const srv = startTestServer({ featureSchema: "original" });
  try {
    const r = await post(`${srv.url}/v1/extract`, { ...item, feature_set: "handcrafted" });
    const zip = readExtractZip(r.bytes, "test", 2);
    assert.deepEqual(zip.handcrafted!.shape, [2, 25]);
    const fs = zip.meta.feature_schema;
    assert.deepEqual([...fs.tier1, ...fs.tier2, ...fs.tier3], ORIGINAL_HANDCRAFTED_NAMES);
    assert.deepEqual(fs.combined.slice(0, 5), [
      "embedding_000",
      "embedding_001",
      "embedding_002",
      "embedding_003",
      "grammar_errors_per_100_words",
    ]);
    // meta.json carries only the original's keys (its client forbids extra keys)
    assert.deepEqual(Object.keys(zip.meta), [
      "schema_version",
      "server_fingerprint",
      "git_sha",
      "versions",
      "embedding",
      "language_tool",
      "feature_schema",
    ]);
    const ours = startTestServer();
    assert.notEqual(ours.server.fingerprint, srv.server.fingerprint);
    await ours.shutdown();
  } finally {
    await srv.shutdown();
  }
});

Deno.test("/v1/extract errors use the original envelope and codes", async () => {
  const srv = startTestServer({ limits: { maxItems: 2, maxBytes: 10_000 } });
  const url = `${srv.url}/v1/extract`;
  try {
    assertExtractError(await post(url, "{bad"), 400, "invalid_request");
    assertExtractError(
      await post(url, { ...item, feature_set: "combined", extra: 1 }),
      400,
      "invalid_request",
    );
    assertExtractError(
      await post(url, { texts: ["a"], prompts: ["p", "q"], feature_set: "combined" }),
      400,
      "invalid_request",
    );
    assertExtractError(
      await post(url, { texts: [], prompts: [], feature_set: "combined" }),
      400,
      "invalid_request",
    );
    const many = await post(url, {
      texts: ["a", "b", "c"],
      prompts: ["p", "p", "p"],
      feature_set: "combined",
    });
    assertExtractError(many, 413, "too_many_items");
    assert.equal(many.json.detail, "Too many items in request n=3 limit=2");
    const big = await post(url, {
      texts: ["x".repeat(12_000)],
      prompts: ["p"],
      feature_set: "combined",
    });
    assertExtractError(big, 413, "request_too_large");
    assert.match(big.json.detail as string, /^Request body exceeds limit bytes=\d+ limit=10000$/);
    const huge = await post(url, {
      texts: ["y".repeat(1_100_000)],
      prompts: ["p"],
      feature_set: "combined",
    });
    assertExtractError(huge, 400, "invalid_request");
    assert.equal(huge.json.detail, "Request Entity Too Large");
  } finally {
    await srv.shutdown();
  }
});

Deno.test("a failing LanguageTool dependency is 503 dependency_unavailable", async () => {
  const failing = fixtureExtractor();
  const srv = startTestServer({
    extractor: {
      ...failing,
      extract: () => Promise.reject(new Error("LanguageTool offload connection error: refused")),
    },
  });
  try {
    const r = await post(`${srv.url}/v1/extract`, { ...item, feature_set: "handcrafted" });
    assertExtractError(r, 503, "dependency_unavailable");
    const other = startTestServer({
      extractor: { ...failing, extract: () => Promise.reject(new Error("boom")) },
    });
    assertExtractError(
      await post(`${other.url}/v1/extract`, { ...item, feature_set: "handcrafted" }),
      500,
      "internal_error",
    );
    await other.shutdown();
  } finally {
    await srv.shutdown();
  }
});

Deno.test("/v1/embed answers a raw .npy with its headers; mismatches are 400", async () => {
  const encoder = fixtureEncoder();
  const srv = startTestServer({ encoder, batchSize: 2 });
  const url = `${srv.url}/v1/embed`;
  try {
    const r = await post(url, { texts: ["a", "bb", "ccc"], model_name: "fixture-encoder-v1" });
    assert.equal(r.res.status, 200);
    assert.equal(r.res.headers.get("content-type"), "application/octet-stream");
    assert.equal(r.res.headers.get(HEADERS.embeddingModel), "fixture-encoder-v1");
    assert.equal(r.res.headers.get(HEADERS.embeddingDtype), "float32");
    // The answer names its pooling, which differs from /v1/extract's essay vector (and says so).
    assert.equal(r.res.headers.get(HEADERS.embeddingPooling), EMBEDDING_POOLING.embed);
    assert.notEqual(EMBEDDING_POOLING.embed, EMBEDDING_POOLING.extract);
    assert.equal(
      srv.server.identity.meta.versions.embed_embedding_pooling,
      EMBEDDING_POOLING.embed,
    );
    assert.equal(
      srv.server.identity.meta.versions.extract_embedding_pooling,
      EMBEDDING_POOLING.extract,
    );
    const npy = decodeNpy(r.bytes);
    assert.deepEqual(npy.shape, [3, 4]);
    assert.deepEqual([...npy.data.slice(8)], [...fixtureVector("ccc")]);
    assert.deepEqual(encoder.batches, [2, 1]);
    const bad = await post(url, { texts: ["a"], model_name: "microsoft/deberta-v3-base" });
    assert.equal(bad.res.status, 400);
    assert.deepEqual(Object.keys(bad.json), ["error", "detail", "correlation_id"]);
    assert.equal(bad.json.error, "unsupported_model");
    assert.equal(
      bad.json.detail,
      "Requested model_name does not match server configuration. " +
        "requested=microsoft/deberta-v3-base configured=fixture-encoder-v1",
    );
    assert.equal(
      (await post(url, { texts: ["a"], max_length: 512 })).json.error,
      "unsupported_max_length",
    );
    assert.equal(
      (await post(url, { texts: ["a"], batch_size: 7 })).json.error,
      "unsupported_batch_size",
    );
    assert.equal((await post(url, { texts: ["a"], max_length: "" })).json.error, "invalid_request");
    // empty/null model_name, max_length and batch_size mean "not given"
    assert.equal(
      (await post(url, { texts: ["a"], model_name: "", batch_size: null })).res.status,
      200,
    );
  } finally {
    await srv.shutdown();
  }
});

Deno.test("/healthz carries the original's fields plus ours; degraded on start-up problems", async () => {
  const srv = startTestServer({ problems: ["encoder warm-up failed"] });
  try {
    await post(`${srv.url}/v1/extract`, { ...item, feature_set: "handcrafted" });
    const res = await fetch(`${srv.url}/healthz`);
    const body = await res.json();
    assert.equal(res.status, 200);
    assert.equal(body.status, "degraded");
    assert.deepEqual(body.issues, ["encoder warm-up failed"]);
    assert.equal(body.model_name, "fixture-encoder-v1");
    assert.equal(body.max_length, 128);
    assert.equal(body.batch_size, 32);
    assert.equal(body.gpu.torch.available, false);
    assert.deepEqual(body.extract, {
      schema_version: 1,
      max_items: 64,
      max_request_bytes: 900_000,
      max_response_bytes: 8_000_000,
      language_tool_url: "local:fixture-checker-v1",
      language_tool_jar_version: "none (harper.js + nspell)",
    });
    const ep = body.metrics.endpoints.find((e: { endpoint: string }) =>
      e.endpoint === "/v1/extract"
    );
    assert.equal(ep.requests_total, 1);
    assert.equal(ep.items_total, 2);
    assert.deepEqual(ep.status_counts, { "200": 1 });
    assert.equal(body.server_fingerprint, srv.server.fingerprint);
    assert.equal(body.handcrafted_columns, 36);
  } finally {
    await srv.shutdown();
  }
});

Deno.test("/v1/check: the LanguageTool service's JSON answer and error envelope", async () => {
  const srv = startTestServer();
  const url = `${srv.url}/v1/check`;
  try {
    const r = await post(url, {
      text: "I read teh book , and we are is happy.",
      language: "en-US",
    });
    assert.equal(r.res.status, 200);
    assert.equal(r.res.headers.get("content-type"), "application/json");
    assert.ok(r.text.endsWith("}\n"));
    assert.deepEqual(Object.keys(r.json), [
      "errors",
      "grammar_category_counts",
      "grammar_rule_counts",
      "language",
      "processing_time_ms",
      "total_grammar_errors",
    ]);
    assert.equal(r.json.total_grammar_errors, 3);
    assert.deepEqual(r.json.grammar_category_counts, { GRAMMAR: 1, PUNCTUATION: 1, TYPOS: 1 });
    const e0 = (r.json.errors as Record<string, unknown>[])[0];
    assert.deepEqual(Object.keys(e0).sort(), [
      "category",
      "category_id",
      "category_name",
      "context",
      "context_offset",
      "length",
      "message",
      "offset",
      "replacements",
      "rule_id",
      "severity",
      "short_message",
    ]);
    const bad = await post(url, { text: "", language: "en-US" });
    assert.equal(bad.res.status, 400);
    const err = bad.json.error as Record<string, unknown>;
    assert.equal(err.code, "VALIDATION_ERROR");
    assert.deepEqual(err.details, { field: "request_format" });
    assert.equal(err.service, "language-tool-service");
    assert.match(err.timestamp as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
    for (const body of ["{}", "[]", "null", "not json"]) {
      const j = await post(url, body);
      assert.equal(j.res.status, 400, body);
      assert.deepEqual((j.json.error as Record<string, unknown>).details, { field: "json_body" });
    }
    const lang = await post(url, { text: "x", language: "en" });
    assert.equal(lang.res.status, 400);
    const snake = await post(url, { text: "teh", enabled_only: "yes" });
    assert.equal(snake.res.status, 200);
    assert.equal(snake.json.language, "en-US");
  } finally {
    await srv.shutdown();
  }
});

Deno.test("unknown path and wrong method answer like aiohttp (plain text)", async () => {
  const srv = startTestServer();
  try {
    const nf = await fetch(`${srv.url}/nope`);
    assert.equal(nf.status, 404);
    assert.equal(await nf.text(), "404: Not Found");
    const wm = await fetch(`${srv.url}/v1/extract`);
    assert.equal(wm.status, 405);
    assert.equal(wm.headers.get("allow"), "POST");
    assert.equal(await wm.text(), "405: Method Not Allowed");
    assert.ok(wm.headers.get(HEADERS.correlationId));
  } finally {
    await srv.shutdown();
  }
});

Deno.test("401 on missing or wrong bearer token; /healthz stays open", async () => {
  const srv = startTestServer({ token: "s3cret" });
  try {
    const body = { texts: ["a"], prompts: ["p"], feature_set: "handcrafted" };
    const none = await post(`${srv.url}/v1/extract`, body);
    assertExtractError(none, 401, "unauthorized");
    assert.match(none.res.headers.get("www-authenticate") ?? "", /Bearer/);
    assert.equal(
      (await post(`${srv.url}/v1/extract`, body, { authorization: "Bearer no" })).res.status,
      401,
    );
    const metrics = await fetch(`${srv.url}/metrics`);
    assert.equal(metrics.status, 401);
    await metrics.body?.cancel();
    assert.equal(
      (await post(`${srv.url}/v1/extract`, body, { authorization: "Bearer s3cret" })).res.status,
      200,
    );
    const health = await fetch(`${srv.url}/healthz`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    await srv.shutdown();
  }
});

Deno.test("503 with Retry-After when the queue is full; 504 past the request timeout", async () => {
  const srv = startTestServer({
    extractor: fixtureExtractor({ delayMs: 300 }),
    limits: { maxConcurrency: 1, maxQueue: 0, requestTimeoutMs: 150 },
  });
  try {
    const body = { texts: ["a"], prompts: ["p"], feature_set: "handcrafted" };
    const [first, second] = await Promise.all([
      post(`${srv.url}/v1/extract`, body),
      new Promise((r) => setTimeout(r, 50)).then(() => post(`${srv.url}/v1/extract`, body)),
    ]);
    assertExtractError(first, 504, "request_timeout");
    assertExtractError(second, 503, "overloaded");
    assert.equal(second.res.headers.get("retry-after"), "1");
  } finally {
    await srv.shutdown();
  }
});

Deno.test("/metrics is Prometheus text (prom-client) counting what happened", async () => {
  const srv = startTestServer();
  try {
    for (let i = 0; i < 3; i++) {
      await post(`${srv.url}/v1/extract`, { ...item, feature_set: "combined" });
    }
    await post(`${srv.url}/v1/extract`, "{bad");
    await post(`${srv.url}/v1/embed`, { texts: ["x"] });
    const res = await fetch(`${srv.url}/metrics`);
    assert.match(res.headers.get("content-type") ?? "", /text\/plain; version=0\.0\.4/);
    const { samples, types } = parsePrometheusText(await res.text());
    assert.equal(types.get("offload_http_requests_total"), "counter");
    assert.equal(types.get("offload_http_request_duration_seconds"), "histogram");
    const req = (endpoint: string, status: string) =>
      sampleValue(samples, "offload_http_requests_total", { endpoint, status });
    assert.equal(req("/v1/extract", "200"), 3);
    assert.equal(req("/v1/extract", "400"), 1);
    assert.equal(req("/v1/embed", "200"), 1);
    assert.equal(
      sampleValue(samples, "offload_http_request_errors_total", {
        endpoint: "/v1/extract",
        error: "invalid_request",
      }),
      1,
    );
    assert.equal(
      sampleValue(samples, "offload_http_request_duration_seconds_count", {
        endpoint: "/v1/extract",
      }),
      4,
    );
    assert.equal(
      sampleValue(samples, "offload_items_processed_total", { endpoint: "/v1/extract" }),
      6,
    );
    assert.equal(sampleValue(samples, "offload_http_requests_in_flight"), 1);
    assert.ok(sampleValue(samples, "process_resident_memory_bytes") > 1e6);
    assert.equal(
      sampleValue(samples, "offload_server_info", { fingerprint: srv.server.fingerprint }),
      1,
    );
  } finally {
    await srv.shutdown();
  }
});

Deno.test("fingerprint: stable, changes with output-changing parts, not with limits", () => {
  const make = (o: Record<string, unknown> = {}) =>
    createOffloadServer({
      extractor: fixtureExtractor(),
      checker: fixtureChecker,
      encoder: fixtureEncoder(),
      batchSize: 32,
      ...o,
    }).fingerprint;
  const base = make();
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.equal(make(), base);
  assert.equal(make({ limits: { maxConcurrency: 1, maxQueue: 3 } }), base);
  assert.notEqual(make({ extractor: fixtureExtractor({ variant: "b" }) }), base);
  assert.notEqual(make({ batchSize: 16 }), base); // batch_size is hashed, as in the original
  assert.notEqual(make({ languageTool: { url: "http://127.0.0.1:8081", version: "6.6" } }), base);
});

Deno.test("OFFLOAD_EMBEDDING_BATCH_SIZE is honoured and validated", () => {
  const env = (v?: string) => ({ get: () => v });
  assert.equal(embeddingBatchSizeFromEnv(env()), 32);
  assert.equal(embeddingBatchSizeFromEnv(env("8")), 8);
  assert.throws(() => embeddingBatchSizeFromEnv(env("0")), /positive integer/);
});

Deno.test("graceful shutdown (in-process) finishes an in-flight request", async () => {
  const srv = startTestServer({ extractor: fixtureExtractor({ delayMs: 300 }) });
  const pending = post(`${srv.url}/v1/extract`, {
    texts: ["a"],
    prompts: ["p"],
    feature_set: "handcrafted",
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(srv.server.inFlight(), 1);
  await srv.shutdown();
  const r = await pending;
  assert.equal(r.res.status, 200);
  assert.equal(readExtractZip(r.bytes, "t", 1).handcrafted!.data[0], 1);
  await assert.rejects(() => fetch(`${srv.url}/healthz`));
});
