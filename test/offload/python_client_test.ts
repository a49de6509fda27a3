/**
 * Our server in `--feature-schema original` mode, read by an emulation of the ORIGINAL Python
 * clients (`fixtures/original_client_emulation.py`: urllib, Python's `zipfile`, `numpy.load`,
 * `meta.json` checked with the original model's strictness and schema checks). Skipped, with the
 * reason printed, when `python3` with numpy is not installed.
 */
import assert from "node:assert/strict";
import { numpyDependency, SYSTEM_PYTHON } from "../system_dependencies.ts";
import { startTestServer } from "./helpers.ts";

const SCRIPT = new URL("./fixtures/original_client_emulation.py", import.meta.url).pathname;
const PYTHON = SYSTEM_PYTHON;

const NO_NUMPY = await numpyDependency("python_client_test");

async function runClient(url: string): Promise<Record<string, unknown>> {
  const r = await new Deno.Command(PYTHON, { args: [SCRIPT, url] }).output();
  const text = new TextDecoder().decode(r.stdout).trim();
  const err = new TextDecoder().decode(r.stderr);
  assert.ok(text.length > 0, err);
  return JSON.parse(text.split("\n").at(-1)!);
}

Deno.test({
  name: "the original Python client (emulated) accepts our server in original mode",
  ignore: NO_NUMPY,
  async fn() {
    const srv = startTestServer({ featureSchema: "original" });
    try {
      const out = await runClient(srv.url);
      assert.equal(out.ok, true, JSON.stringify(out));
      assert.equal(out.fingerprint, srv.server.fingerprint);
      assert.deepEqual(out.handcrafted_shape, [2, 25]);
      // fixture columns: whitespace words, characters, prompt characters, words / 3 (float32)
      assert.deepEqual(out.handcrafted_row0, [7, 31, 8, Math.fround(7 / 3)]);
      assert.deepEqual(out.embed_shape, [2, 4]);
      assert.deepEqual(out.check_counts, { grammar: 1, spelling: 1, punctuation: 1 });
    } finally {
      await srv.shutdown();
    }
  },
});

Deno.test({
  name: "…and refuses our default 36-column schema, as the original client would",
  ignore: NO_NUMPY,
  async fn() {
    const srv = startTestServer();
    try {
      const out = await runClient(srv.url);
      assert.equal(out.ok, false);
      assert.match(String(out.error), /tier3 feature schema mismatch/);
    } finally {
      await srv.shutdown();
    }
  },
});
