import assert from "node:assert/strict";
import { HEADERS, OFFLOAD_SCHEMA_VERSION } from "../../lib/offload/protocol.ts";
import { createOffloadServer, serverFingerprint } from "../../lib/offload/server.ts";
import {
  fixtureChecker,
  fixtureEncoder,
  fixtureExtractor,
  syntheticEssays,
} from "./fixtures/fixture_components.ts";
import { parsePrometheusText, sampleValue, startTestServer } from "./helpers.ts";

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { res, json: await res.json() };
}

function assertErrorBody(json: Record<string, unknown>, res: Response, error: string) {
  assert.equal(json.schema_version, OFFLOAD_SCHEMA_VERSION);
  assert.equal(json.error, error);
  assert.equal(typeof json.detail, "string");
  assert.ok((json.detail as string).length > 0);
  assert.equal(json.correlation_id, res.headers.get(HEADERS.correlationId));
}

Deno.test("healthz reports ok, models, limits and the fingerprint", async () => {
  const srv = startTestServer();
  try {
    const res = await fetch(`${srv.url}/healthz`);
    const body = await res.json();
    assert.equal(res.status, 200);
    assert.equal(body.status, "ok");
    assert.equal(body.fingerprint, srv.server.fingerprint);
    assert.equal(body.limits.max_items, 64);
    assert.equal(body.limits.max_bytes, 900_000);
    assert.equal(body.models.encoder.dimension, 4);
    assert.equal(body.models.checker.name, "fixture-checker-v1");
    assert.equal(res.headers.get(HEADERS.fingerprint), srv.server.fingerprint);
  } finally {
    await srv.shutdown();
  }
});

Deno.test("healthz is degraded when start-up problems were recorded", async () => {
  const srv = startTestServer({ problems: ["encoder warm-up failed"] });
  try {
    const body = await (await fetch(`${srv.url}/healthz`)).json();
    assert.equal(body.status, "degraded");
    assert.deepEqual(body.problems, ["encoder warm-up failed"]);
  } finally {
    await srv.shutdown();
  }
});

Deno.test("POST /v1/extract returns named matrices and protocol headers", async () => {
  const extractor = fixtureExtractor();
  const srv = startTestServer({ extractor });
  try {
    const essays = syntheticEssays(3);
    const { res, json } = await postJson(`${srv.url}/v1/extract`, {
      texts: essays.map((e) => e.text),
      prompts: essays.map((e) => e.prompt),
      feature_set: "combined",
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get(HEADERS.schemaVersion), OFFLOAD_SCHEMA_VERSION);
    assert.equal(res.headers.get(HEADERS.fingerprint), srv.server.fingerprint);
    const direct = await fixtureExtractor().extract(essays, { featureSet: "combined" });
    assert.deepEqual(json.handcrafted.names, direct.handcrafted!.names);
    assert.deepEqual(json.handcrafted.rows.flat(), Array.from(direct.handcrafted!.values));
    assert.deepEqual(json.embeddings.rows.flat(), Array.from(direct.embeddings!.values));
    assert.equal(json.n_items, 3);
    const hand = await postJson(`${srv.url}/v1/extract`, {
      texts: ["a b"],
      prompts: ["p"],
      feature_set: "handcrafted",
    });
    assert.equal(hand.json.embeddings, undefined);
    assert.deepEqual(hand.json.handcrafted.rows, [[2, 3, 1, 2 / 3]]);
  } finally {
    await srv.shutdown();
  }
});

Deno.test("POST /v1/embed batches by the configured batch size", async () => {
  const encoder = fixtureEncoder();
  const srv = startTestServer({ encoder, batchSize: 4 });
  try {
    const texts = Array.from({ length: 10 }, (_, i) => `sentence ${i}`);
    const { res, json } = await postJson(`${srv.url}/v1/embed`, { texts });
    assert.equal(res.status, 200);
    assert.deepEqual(encoder.batches, [4, 4, 2]);
    assert.equal(json.vectors.length, 10);
    assert.equal(json.model.dimension, 4);
    assert.equal(json.vectors[3][0], (await encoder.embed(["sentence 3"]))[0][0]);
  } finally {
    await srv.shutdown();
  }
});

Deno.test("OFFLOAD_EMBEDDING_BATCH_SIZE is honoured and validated", () => {
  const prev = Deno.env.get("OFFLOAD_EMBEDDING_BATCH_SIZE");
  try {
    Deno.env.set("OFFLOAD_EMBEDDING_BATCH_SIZE", "7");
    const s = createOffloadServer({
      extractor: fixtureExtractor(),
      checker: fixtureChecker,
      encoder: fixtureEncoder(),
    });
    assert.equal(s.batchSize, 7);
    Deno.env.set("OFFLOAD_EMBEDDING_BATCH_SIZE", "zero");
    assert.throws(
      () =>
        createOffloadServer({
          extractor: fixtureExtractor(),
          checker: fixtureChecker,
          encoder: fixtureEncoder(),
        }),
      /OFFLOAD_EMBEDDING_BATCH_SIZE/,
    );
  } finally {
    if (prev === undefined) Deno.env.delete("OFFLOAD_EMBEDDING_BATCH_SIZE");
    else Deno.env.set("OFFLOAD_EMBEDDING_BATCH_SIZE", prev);
  }
});

Deno.test("fingerprint changes with output-changing parts, not with batch size or limits", () => {
  const base = {
    extractor: fixtureExtractor(),
    checker: fixtureChecker,
    encoder: fixtureEncoder(),
  };
  const fp = serverFingerprint(base);
  assert.equal(fp, serverFingerprint({ ...base }));
  assert.notEqual(
    fp,
    serverFingerprint({ ...base, extractor: fixtureExtractor({ variant: "b" }) }),
  );
  assert.notEqual(fp, serverFingerprint({ ...base, checker: { ...fixtureChecker, name: "x" } }));
  assert.notEqual(fp, serverFingerprint({ ...base, outputOptions: { language: "en-GB" } }));
  const a = createOffloadServer({ ...base, batchSize: 8, limits: { maxConcurrency: 1 } });
  const b = createOffloadServer({ ...base, batchSize: 64, limits: { maxConcurrency: 4 } });
  assert.equal(a.fingerprint, b.fingerprint);
});

Deno.test("POST /v2/check answers in LanguageTool's JSON shape", async () => {
  const srv = startTestServer();
  try {
    const res = await fetch(`${srv.url}/v2/check`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ text: "We are is here , teh end.", language: "en-US" }),
    });
    const json = await res.json();
    assert.equal(res.status, 200);
    assert.equal(typeof json.software.name, "string");
    assert.equal(json.language.code, "en-US");
    assert.deepEqual(
      json.matches.map((m: { offset: number; rule: { id: string; category: { id: string } } }) => [
        m.offset,
        m.rule.id,
        m.rule.category.id,
      ]),
      [
        [3, "AGREEMENT_SENT_START", "GRAMMAR"],
        [14, "COMMA_PARENTHESIS_WHITESPACE", "PUNCTUATION"],
        [17, "MORFOLOGIK_RULE_EN_US", "TYPOS"],
      ],
    );
    assert.equal(json.matches[2].length, 3);
    assert.equal(json.matches[2].rule.category.name, "Possible Typo");
    assert.equal(typeof json.matches[0].message, "string");
    const missing = await fetch(`${srv.url}/v2/check`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ text: "x" }),
    });
    assertErrorBody(await missing.json(), missing, "invalid_request");
    assert.equal(missing.status, 400);
  } finally {
    await srv.shutdown();
  }
});

Deno.test("413 on too many items and too many bytes", async () => {
  const srv = startTestServer();
  try {
    const texts = Array.from({ length: 65 }, (_, i) => `t${i}`);
    const items = await postJson(`${srv.url}/v1/extract`, {
      texts,
      prompts: texts,
      feature_set: "handcrafted",
    });
    assert.equal(items.res.status, 413);
    assertErrorBody(items.json, items.res, "too_many_items");
    const embedItems = await postJson(`${srv.url}/v1/embed`, { texts });
    assert.equal(embedItems.res.status, 413);
    const big = "word ".repeat(185_000); // 925,000 bytes
    const bytes = await postJson(`${srv.url}/v1/extract`, {
      texts: [big],
      prompts: ["p"],
      feature_set: "handcrafted",
    });
    assert.equal(bytes.res.status, 413);
    assertErrorBody(bytes.json, bytes.res, "payload_too_large");
    const checkBytes = await fetch(`${srv.url}/v2/check`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ text: big, language: "en-US" }),
    });
    assert.equal(checkBytes.status, 413);
    await checkBytes.body?.cancel();
    // exactly at the item limit is fine
    const ok = await postJson(`${srv.url}/v1/extract`, {
      texts: texts.slice(0, 64),
      prompts: texts.slice(0, 64),
      feature_set: "handcrafted",
    });
    assert.equal(ok.res.status, 200);
  } finally {
    await srv.shutdown();
  }
});

Deno.test("400 on malformed JSON, mismatched texts/prompts and wrong types", async () => {
  const srv = startTestServer();
  try {
    const cases: [unknown, string, RegExp][] = [
      ['{"texts": [', "malformed_json", /not JSON/],
      [
        { texts: ["a", "b"], prompts: ["p"], feature_set: "combined" },
        "invalid_request",
        /same length/,
      ],
      [{ texts: [1], prompts: ["p"], feature_set: "combined" }, "invalid_request", /texts\.0/],
      [
        { texts: ["a"], prompts: ["p"], feature_set: "everything" },
        "invalid_request",
        /feature_set/,
      ],
      [
        { texts: ["a"], prompts: ["p"], feature_set: "combined", extra: 1 },
        "invalid_request",
        /extra/,
      ],
      [[], "invalid_request", /body/],
    ];
    for (const [body, error, detail] of cases) {
      const { res, json } = await postJson(`${srv.url}/v1/extract`, body, {
        [HEADERS.correlationId]: "test-corr-1",
      });
      assert.equal(res.status, 400, JSON.stringify(body));
      assertErrorBody(json, res, error);
      assert.match(json.detail, detail);
      assert.equal(json.correlation_id, "test-corr-1");
    }
    const embed = await postJson(`${srv.url}/v1/embed`, { texts: "not a list" });
    assert.equal(embed.res.status, 400);
    const unknown = await fetch(`${srv.url}/v9/nothing`);
    assert.equal(unknown.status, 404);
    await unknown.body?.cancel();
    const wrongMethod = await fetch(`${srv.url}/v1/extract`);
    assert.equal(wrongMethod.status, 405);
    await wrongMethod.body?.cancel();
  } finally {
    await srv.shutdown();
  }
});

Deno.test("401 on missing or wrong bearer token; /healthz stays open", async () => {
  const srv = startTestServer({ token: "s3cret" });
  try {
    const body = { texts: ["a"], prompts: ["p"], feature_set: "handcrafted" };
    const none = await postJson(`${srv.url}/v1/extract`, body);
    assert.equal(none.res.status, 401);
    assertErrorBody(none.json, none.res, "unauthorized");
    assert.match(none.res.headers.get("www-authenticate") ?? "", /Bearer/);
    const wrong = await postJson(`${srv.url}/v1/extract`, body, { authorization: "Bearer nope" });
    assert.equal(wrong.res.status, 401);
    const metrics = await fetch(`${srv.url}/metrics`);
    assert.equal(metrics.status, 401);
    await metrics.body?.cancel();
    const right = await postJson(`${srv.url}/v1/extract`, body, { authorization: "Bearer s3cret" });
    assert.equal(right.res.status, 200);
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
      postJson(`${srv.url}/v1/extract`, body),
      new Promise((r) => setTimeout(r, 50)).then(() => postJson(`${srv.url}/v1/extract`, body)),
    ]);
    assert.equal(first.res.status, 504);
    assertErrorBody(first.json, first.res, "request_timeout");
    assert.equal(second.res.status, 503);
    assertErrorBody(second.json, second.res, "overloaded");
    assert.equal(second.res.headers.get("retry-after"), "1");
  } finally {
    await srv.shutdown();
  }
});

Deno.test("/metrics parses as Prometheus text and counts what happened", async () => {
  const srv = startTestServer();
  try {
    const ok = { texts: ["a b", "c"], prompts: ["p", "q"], feature_set: "combined" };
    for (let i = 0; i < 3; i++) await postJson(`${srv.url}/v1/extract`, ok);
    await postJson(`${srv.url}/v1/extract`, "{bad");
    await postJson(`${srv.url}/v1/embed`, { texts: ["x"] });
    const res = await fetch(`${srv.url}/metrics`);
    assert.match(res.headers.get("content-type") ?? "", /text\/plain; version=0\.0\.4/);
    const { samples, types } = parsePrometheusText(await res.text());
    assert.equal(types.get("offload_http_requests_total"), "counter");
    assert.equal(types.get("offload_http_request_duration_seconds"), "histogram");
    assert.equal(types.get("offload_http_requests_in_flight"), "gauge");
    const req = (endpoint: string, status: string) =>
      sampleValue(samples, "offload_http_requests_total", { endpoint, status });
    assert.equal(req("/v1/extract", "200"), 3);
    assert.equal(req("/v1/extract", "400"), 1);
    assert.equal(req("/v1/embed", "200"), 1);
    assert.equal(
      sampleValue(samples, "offload_http_request_errors_total", {
        endpoint: "/v1/extract",
        error: "malformed_json",
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
      sampleValue(samples, "offload_http_request_duration_seconds_bucket", {
        endpoint: "/v1/extract",
        le: "+Inf",
      }),
      4,
    );
    assert.equal(
      sampleValue(samples, "offload_items_processed_total", { endpoint: "/v1/extract" }),
      6,
    );
    // the scrape itself is in flight while the body is rendered
    assert.equal(sampleValue(samples, "offload_http_requests_in_flight"), 1);
    assert.ok(sampleValue(samples, "process_resident_memory_bytes") > 1e6);
    assert.ok(sampleValue(samples, "process_heap_used_bytes") > 0);
    assert.equal(
      sampleValue(samples, "offload_server_info", { fingerprint: srv.server.fingerprint }),
      1,
    );
  } finally {
    await srv.shutdown();
  }
});

Deno.test("prometheus parser rejects malformed exposition", () => {
  assert.throws(() => parsePrometheusText("x 1\n"), /without TYPE/);
  assert.throws(() => parsePrometheusText('# TYPE x counter\nx{a="b} 1\n'), /bad/);
  assert.throws(() => parsePrometheusText("# TYPE x counter\nx one\n"), /bad value/);
  assert.throws(() => parsePrometheusText("# TYPE x counter\nx 1"), /newline/);
});

Deno.test("graceful shutdown (in-process) finishes an in-flight request", async () => {
  const srv = startTestServer({ extractor: fixtureExtractor({ delayMs: 300 }) });
  const pending = postJson(`${srv.url}/v1/extract`, {
    texts: ["a"],
    prompts: ["p"],
    feature_set: "handcrafted",
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(srv.server.inFlight(), 1);
  await srv.shutdown();
  const { res, json } = await pending;
  assert.equal(res.status, 200);
  assert.deepEqual(json.handcrafted.rows, [[1, 1, 1, 1 / 3]]);
  await assert.rejects(() => fetch(`${srv.url}/healthz`));
});

Deno.test("request timeout covers the queue wait; slots come back after timed-out work", async () => {
  const srv = startTestServer({
    extractor: fixtureExtractor({ delayMs: 300 }),
    limits: { maxConcurrency: 1, maxQueue: 1, requestTimeoutMs: 120 },
  });
  try {
    const body = { texts: ["a"], prompts: ["p"], feature_set: "handcrafted" };
    const [running, queued] = await Promise.all([
      postJson(`${srv.url}/v1/extract`, body),
      new Promise((r) => setTimeout(r, 30)).then(() => postJson(`${srv.url}/v1/extract`, body)),
    ]);
    assert.equal(running.res.status, 504);
    assert.equal(queued.res.status, 504);
    assert.match(queued.json.detail, /queue wait included/);
    // the fixture extractor honours the abort signal, so the slot frees quickly
    await new Promise((r) => setTimeout(r, 100));
    const health = await (await fetch(`${srv.url}/healthz`)).json();
    assert.equal(health.queued, 0);
    const { samples } = parsePrometheusText(await (await fetch(`${srv.url}/metrics`)).text());
    assert.equal(sampleValue(samples, "offload_processing_active"), 0);
    assert.equal(
      sampleValue(samples, "offload_http_requests_total", {
        endpoint: "/v1/extract",
        status: "504",
      }),
      2,
    );
  } finally {
    await srv.shutdown();
  }
});
