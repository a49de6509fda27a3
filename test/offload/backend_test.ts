import assert from "node:assert/strict";
import { createExtractorForConfig } from "../../lib/offload/backend.ts";
import { OffloadRequestError } from "../../lib/offload/http_client.ts";
import { fixtureExtractor, syntheticEssays } from "./fixtures/fixture_components.ts";
import { startTestServer, tempDir } from "./helpers.ts";

Deno.test("--backend hemma without --offload-service-url is a clear error", async () => {
  await assert.rejects(
    () => createExtractorForConfig({ backend: "hemma", outputRoot: "unused" }),
    /--backend hemma needs --offload-service-url/,
  );
});

Deno.test("hemma backend fails clearly when the server is not reachable", async () => {
  const srv = startTestServer();
  const url = srv.url;
  await srv.shutdown();
  const err = await createExtractorForConfig(
    { backend: "hemma", offloadServiceUrl: url, outputRoot: "unused" },
    { client: { maxRetries: 1, backoffBaseMs: 5 } },
  ).then(() => undefined, (e) => e);
  assert.ok(err instanceof OffloadRequestError);
  assert.match(err.message, new RegExp(`${url}/healthz failed after 2 attempt`));
});

Deno.test("hemma handle records throughput without double-counting concurrent calls", async () => {
  const srv = startTestServer({ extractor: fixtureExtractor({ delayMs: 100 }) });
  const notes: string[] = [];
  const handle = await createExtractorForConfig({
    backend: "hemma",
    offloadServiceUrl: srv.url,
    languageToolServiceUrl: "http://127.0.0.1:9",
    outputRoot: "unused",
  }, { cacheRoot: await tempDir(), log: (l) => notes.push(l) });
  try {
    const t0 = performance.now();
    await Promise.all([
      handle.extractor.extract(syntheticEssays(4, "a"), { featureSet: "combined" }),
      handle.extractor.extract(syntheticEssays(4, "b"), { featureSet: "combined" }),
    ]);
    const wall = (performance.now() - t0) / 1000;
    const m = handle.buildMetrics();
    assert.equal(m.benchmarks.length, 1);
    assert.equal(m.benchmarks[0].name, "feature_extraction_hemma_combined");
    assert.equal(m.benchmarks[0].essays, 8);
    assert.ok(m.benchmarks[0].seconds <= wall + 1e-3, `${m.benchmarks[0].seconds} vs ${wall}`);
    assert.ok(m.benchmarks[0].seconds >= 0.1);
    assert.ok(
      notes.some((n) => n.includes("--language-tool-service-url") && n.includes("not used")),
    );
    assert.equal(handle.extractor.fingerprint, fixtureExtractor().fingerprint);
  } finally {
    await handle.close();
    await srv.shutdown();
  }
});
