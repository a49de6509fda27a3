/**
 * The offload server running the REAL local components (USE-lite encoder, harper.js + nspell
 * checker, local feature extractor; `workers: 0` to keep the test light) on a free loopback port:
 * `--backend hemma` through the client gives the same matrices as the local extractor, and the
 * LanguageTool and embedding clients return what the local checker and encoder return.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LocalErrorChecker } from "../../lib/features/checkers/local_checker.ts";
import { createLocalFeatureExtractor } from "../../lib/features/extract.ts";
import { extractWithStore } from "../../lib/features/store_extraction.ts";
import { HANDCRAFTED_FEATURE_NAMES } from "../../lib/features/handcrafted/schema.ts";
import type { EssayInput } from "../../lib/features/types.ts";
import { createExtractorForConfig } from "../../lib/offload/backend.ts";
import { createRemoteEncoder } from "../../lib/offload/client.ts";
import { connectLanguageToolChecker } from "../../lib/offload/language_tool_client.ts";
import { pythonNormalizeWhitespace } from "../../lib/offload/hemma/cache_keys.ts";
import { decodeNpy } from "../../lib/offload/hemma/npy.ts";
import type { ErrorChecker } from "../../lib/features/types.ts";
import { createLocalServerComponents } from "../../lib/offload/local_components.ts";
import { createOffloadServer, startOffloadServer } from "../../lib/offload/server.ts";
import { parsePrometheusText, sampleValue, tempDir } from "./helpers.ts";

const ESSAYS: EssayInput[] = [
  {
    id: "a",
    prompt: "Should students wear school uniforms?",
    text: "I think students should wear uniforms. First, uniforms make mornings easyer " +
      "because nobody have to choose clothes.\n\nSecond, uniforms reduce bullying about " +
      "brands. In conclusion, uniforms help students focus on learning.",
  },
  {
    id: "b",
    prompt: "Is online learning better than classes at school?",
    text: "Online classes is flexible, but many students miss there friends. When I studied " +
      "at home last year, I felt alone and my grades droped.\n\nHowever some students like to " +
      "work at there own pace. Overall, a mix of both would be best for most people.",
  },
  {
    id: "c",
    prompt: "Should students wear school uniforms?",
    text: "Uniforms are expensive for some families. Parents must buy several sets, and " +
      "children grow quickly. Schools could offer cheaper options or let students choose " +
      "simple clothes instead.",
  },
];

/** The values as float32 (the wire dtype of the original protocol). */
function f32(a: Float64Array): Float64Array {
  return Float64Array.from(a, (v) => Math.fround(v));
}

Deno.test("real server: hemma extraction equals local extraction; LT and embed clients agree", async () => {
  const components = await createLocalServerComponents({ workers: 0, batchSize: 8 });
  const server = createOffloadServer({ ...components });
  const running = startOffloadServer(server, { port: 0 });
  const local = createLocalFeatureExtractor({ workers: 0 });
  const cacheRoot = await tempDir();
  try {
    const health = await (await fetch(`${running.url}/healthz`)).json();
    assert.equal(health.status, "ok", JSON.stringify(health.issues));
    assert.equal(health.embedding_dim, 512);

    const handle = await createExtractorForConfig({
      backend: "hemma",
      offloadServiceUrl: running.url,
      outputRoot: "unused",
    }, { cacheRoot });
    const viaServer = await handle.extractor.extract(ESSAYS, { featureSet: "combined" });
    const direct = await local.extract(ESSAYS, { featureSet: "combined" });
    assert.deepEqual(viaServer.ids, ["a", "b", "c"]);
    assert.deepEqual(viaServer.handcrafted!.names, [...HANDCRAFTED_FEATURE_NAMES]);
    assert.deepEqual(viaServer.handcrafted!.names, direct.handcrafted!.names);
    assert.deepEqual(viaServer.handcrafted!.values, f32(direct.handcrafted!.values));
    assert.equal(viaServer.embeddings!.names[0], "embedding_000");
    assert.deepEqual(viaServer.embeddings!.names, direct.embeddings!.names);
    assert.equal(viaServer.embeddings!.nCols, direct.embeddings!.nCols);
    assert.deepEqual(viaServer.embeddings!.values, f32(direct.embeddings!.values));
    // Chunked differently (one essay per request), the encoder sees other batches: still
    // bit-identical (USE-lite vectors do not depend on batch composition).
    const chunked = await createExtractorForConfig({
      backend: "hemma",
      offloadServiceUrl: running.url,
      outputRoot: "unused",
    }, { cacheRoot: await tempDir(), client: { maxItemsPerRequest: 1 } });
    const oneByOne = await chunked.extractor.extract(ESSAYS, { featureSet: "combined" });
    await chunked.close();
    assert.deepEqual(oneByOne.embeddings!.values, f32(direct.embeddings!.values));
    assert.deepEqual(oneByOne.handcrafted!.values, f32(direct.handcrafted!.values));
    // One store whichever path extracted it: local and through the server, byte for byte.
    const localStore = join(await tempDir(), "store");
    const serverStore = join(await tempDir(), "store");
    await extractWithStore({
      essays: ESSAYS,
      extractor: local,
      storeDir: localStore,
      featureSet: "combined",
    });
    const storeClient = await createExtractorForConfig({
      backend: "hemma",
      offloadServiceUrl: running.url,
      outputRoot: "unused",
    }, { cacheRoot: await tempDir() });
    await extractWithStore({
      essays: ESSAYS,
      extractor: storeClient.extractor,
      storeDir: serverStore,
      featureSet: "combined",
    });
    await storeClient.close();
    for (const file of ["metadata.json", "handcrafted.f64.bin", "embeddings.f64.bin"]) {
      assert.deepEqual(
        await Deno.readFile(join(serverStore, file)),
        await Deno.readFile(join(localStore, file)),
        `${file} differs between the local and the offload-server store`,
      );
    }
    const provenance = JSON.parse(await Deno.readTextFile(join(serverStore, "provenance.json")));
    assert.equal(provenance.offload_service_url, running.url);

    // rerun: every row from the cache
    await handle.extractor.extract(ESSAYS, { featureSet: "combined" });
    const metrics = handle.buildMetrics();
    assert.equal(metrics.backend, "hemma");
    assert.equal(metrics.offload.extract.requests.count, 1);
    assert.equal(metrics.offload.extract.cache.hits, 3);
    assert.equal(metrics.benchmarks[0].essays, 6);
    assert.ok(metrics.benchmarks[0].essays_per_second > 0);
    const path = await handle.writeMetrics(join(cacheRoot, "run", "artifacts"));
    assert.equal(JSON.parse(await Deno.readTextFile(path)).offload.extract.cache.hit_rate, 0.5);
    await handle.close();

    // The LanguageTool service's /v1/check against the real checker (on the normalised text)
    const lt = await connectLanguageToolChecker({ baseUrl: running.url, cacheRoot });
    assert.equal(lt.protocol, "huleedu");
    const want = await new LocalErrorChecker().check(
      pythonNormalizeWhitespace(ESSAYS[1].text),
      "en-US",
    );
    assert.ok(want.length > 0);
    assert.deepEqual(await lt.check(ESSAYS[1].text, "en-US"), want);
    await lt.close();

    // /v1/embed against the real encoder
    const remote = await createRemoteEncoder({ baseUrl: running.url, cacheRoot });
    const texts = ["I like dogs.", "Uniforms help students focus."];
    const got = await remote.embed(texts);
    const ref = await components.encoder.embed(texts);
    assert.deepEqual(got, ref);
    await remote.close();

    const { samples } = parsePrometheusText(await (await fetch(`${running.url}/metrics`)).text());
    assert.equal(
      sampleValue(samples, "offload_items_processed_total", { endpoint: "/v1/extract" }),
      12, // 3 probes + 3 in one request + 3 one by one + 3 for the store (rerun from cache)
    );
    assert.equal(
      sampleValue(samples, "offload_http_requests_total", {
        endpoint: "/v1/extract",
        status: "200",
      }),
      8,
    );
    assert.equal(sampleValue(samples, "offload_http_requests_total", { endpoint: "/v1/check" }), 1);
  } finally {
    await running.shutdown();
    await components.close();
    await local.close();
  }
});

Deno.test("local backend with remote checker and encoder equals plain local extraction", async () => {
  const components = await createLocalServerComponents({ workers: 0 });
  const running = startOffloadServer(createOffloadServer({ ...components }), { port: 0 });
  const cacheRoot = await tempDir();
  try {
    const handle = await createExtractorForConfig({
      backend: "local",
      languageToolServiceUrl: running.url,
      embeddingServiceUrl: running.url,
      outputRoot: "unused",
    }, { cacheRoot, local: { workers: 0 } });
    const got = await handle.extractor.extract(ESSAYS, { featureSet: "combined" });
    // Tier 1 over LanguageTool checks the whitespace-normalised text, as the original does
    const local = new LocalErrorChecker();
    const normalising: ErrorChecker = {
      name: "normalised-local",
      check: (text, language) => local.check(pythonNormalizeWhitespace(text), language),
    };
    const plain = createLocalFeatureExtractor({ workers: 0, checker: normalising });
    const want = await plain.extract(ESSAYS, { featureSet: "combined" });
    await plain.close();
    assert.deepEqual(got.handcrafted!.values, want.handcrafted!.values);
    assert.deepEqual(got.embeddings!.values, want.embeddings!.values);
    const m = handle.buildMetrics();
    assert.equal(m.offload.language_tool.requests.count, 3);
    assert.ok(m.offload.embedding.requests.count >= 1);
    assert.equal(m.offload.extract.requests.count, 0);
    assert.notEqual(handle.extractor.fingerprint, plain.fingerprint); // checker/encoder named
    await handle.close();
  } finally {
    await running.shutdown();
    await components.close();
  }
});

Deno.test("serve-offload CLI: real models, token, healthz, SIGTERM exits 0", async () => {
  const cli = new URL("../../lib/offload/serve.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "--port", "0", "--workers", "0", "--token", "cli-token"],
    stdout: "piped",
    stderr: "piped",
    env: { OFFLOAD_EMBEDDING_BATCH_SIZE: "16" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let out = "";
    const deadline = Date.now() + 120_000;
    while (!out.includes("\n")) {
      assert.ok(Date.now() < deadline, "server did not start within 120 s");
      const { done, value } = await reader.read();
      if (done) throw new Error(`serve.ts exited early: ${out} ${await stderr}`);
      out += value;
    }
    const url = /^LISTENING (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    assert.ok(url, out);
    const health = await (await fetch(`${url}/healthz`)).json();
    assert.equal(health.status, "ok", JSON.stringify(health.issues));
    assert.equal(health.batch_size, 16);
    const denied = await fetch(`${url}/v1/embed`, {
      method: "POST",
      body: JSON.stringify({ texts: ["x"] }),
    });
    assert.equal(denied.status, 401);
    await denied.body?.cancel();
    const ok = await fetch(`${url}/v1/embed`, {
      method: "POST",
      headers: { authorization: "Bearer cli-token", "content-type": "application/json" },
      body: JSON.stringify({ texts: ["A short sentence."] }),
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(decodeNpy(new Uint8Array(await ok.arrayBuffer())).shape, [1, 512]);
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0);
    assert.match(await stderr, /stopped/);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
    await reader.cancel().catch(() => {});
  }
});
