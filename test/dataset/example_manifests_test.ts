/**
 * The manifest of the ASAP worked example (`docs/examples/asap_set1.json`, shown in
 * `docs/corpus_asap.md`) is valid: TSV, Windows-1252, the 2–12 scale, a random test split, the
 * genre declared per prompt.
 */
import assert from "node:assert/strict";
import { parseDatasetManifest } from "../../lib/dataset/manifest.ts";
import { scoreScale } from "../../lib/dataset/score_scale.ts";

Deno.test("docs/examples/asap_set1.json is a valid dataset manifest", async () => {
  const path = "docs/examples/asap_set1.json";
  const m = parseDatasetManifest(JSON.parse(await Deno.readTextFile(path)), path);
  assert.equal(m.format, "tsv");
  assert.equal(m.encoding, "windows-1252");
  assert.equal(scoreScale(m.scale).nLevels, 11);
  assert.ok("data" in m.files && m.files.split?.kind === "random");
  assert.deepEqual(m.genres?.byPrompt, { "1": "persuasive" });
});

Deno.test("the manifest block of docs/corpus_asap.md is the example file", async () => {
  const md = await Deno.readTextFile("docs/corpus_asap.md");
  const block = md.split("```json\n")[1].split("```")[0];
  const file = JSON.parse(await Deno.readTextFile("docs/examples/asap_set1.json"));
  const { description: _, ...rest } = file;
  assert.deepEqual(JSON.parse(block), rest);
});
