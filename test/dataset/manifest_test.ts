import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type DatasetManifest,
  ManifestError,
  parseDatasetManifest,
  readDatasetManifest,
} from "../../lib/dataset/manifest.ts";
import { loadCorpus } from "../../lib/dataset/corpus_loader.ts";
import { singleScale } from "../../lib/dataset/per_prompt_scale.ts";
import { DatasetError } from "../../lib/dataset/csv_table.ts";
import { applyStandardFilters } from "../../lib/dataset/filters.ts";
import { loadEllipseTrainTest } from "../../lib/dataset/ellipse_csv.ts";
import { loadDataset } from "../../lib/dataset/load_dataset.ts";
import { resolveExperimentConfig } from "../../lib/run/config.ts";
import { MANIFEST_SCHEMA_PATH, manifestJsonSchemaText } from "../../lib/dataset/manifest_schema.ts";

const TSV_HEADER = "essay_id\tessay_set\tessay\tdomain1_score\tgenre\n";

function tsvManifest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "asap_like",
    language: "en",
    format: "tsv",
    encoding: "windows-1252",
    files: { data: "essays.tsv", split: { kind: "prompt_holdout", testFraction: 0.3, seed: 7 } },
    columns: {
      id: "essay_id",
      text: "essay",
      score: "domain1_score",
      prompt: "essay_set",
      genre: "genre",
    },
    scale: { kind: "numeric", min: 2, max: 12, step: 1 },
    genres: { inScope: ["persuasive"], untagged: "exclude" },
    wordWindow: { min: 1, max: 1000 },
    ...extra,
  };
}

async function writeCorpus(rows: string[], extra: Record<string, unknown> = {}) {
  const dir = await Deno.makeTempDir();
  // windows-1252: "é" is the single byte 0xE9.
  const text = TSV_HEADER + rows.join("\n") + "\n";
  const bytes = Uint8Array.from([...text].map((ch) => (ch === "é" ? 0xe9 : ch.charCodeAt(0))));
  await Deno.writeFile(join(dir, "essays.tsv"), bytes);
  const manifestPath = join(dir, "corpus.json");
  await Deno.writeTextFile(manifestPath, JSON.stringify(tsvManifest(extra)));
  return { dir, manifestPath };
}

const GOOD_ROWS = [
  "1\t1\tA café essay about phones.\t7\tpersuasive",
  "2\t1\tAnother essay about phones.\t9\tpersuasive",
  "3\t2\tA story about a dog.\t4\tnarrative",
  "4\t3\tAn essay about school.\t12\tpersuasive",
  "5\t3\tA second essay about school.\t2\t",
  "6\t4\tAn essay about cars.\t6\tpersuasive",
];

Deno.test("a TSV corpus in windows-1252 with a 2–12 scale loads through the manifest", async () => {
  const { manifestPath } = await writeCorpus(GOOD_ROWS);
  const m = await readDatasetManifest(manifestPath);
  const corpus = await loadCorpus(m);
  const all = [...corpus.train, ...corpus.test];
  assert.equal(all.length, 6);
  assert.equal(all.find((e) => e.id === "1")!.text, "A café essay about phones.");
  assert.equal(all.find((e) => e.id === "4")!.overall, 12);
  assert.equal(singleScale(corpus.scale, "test").nLevels, 11);
  // prompt-grouped: no prompt on both sides
  const testPrompts = new Set(corpus.test.map((e) => e.prompt));
  assert.ok(testPrompts.size >= 1);
  assert.ok(corpus.train.every((e) => !testPrompts.has(e.prompt)));
  assert.deepEqual(corpus.genreCounts, { persuasive: 4, narrative: 1, "": 1 });
  const filtered = applyStandardFilters(all, {
    minWords: 1,
    maxWords: 1000,
    excludedPrompts: [],
    genresInScope: ["persuasive"],
  });
  assert.equal(filtered.kept.length, 4);
  assert.deepEqual(filtered.stages[0].removedBy, { "genre:narrative": 1, untagged: 1 });
  // the same seed gives the same test split
  const again = await loadCorpus(m);
  assert.deepEqual(again.test.map((e) => e.id), corpus.test.map((e) => e.id));
});

async function loadError(rows: string[], extra: Record<string, unknown> = {}): Promise<Error> {
  const { manifestPath } = await writeCorpus(rows, extra);
  try {
    await loadCorpus(await readDatasetManifest(manifestPath));
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

Deno.test("bad manifests give one error naming the manifest field", async () => {
  const bad = (extra: Record<string, unknown>) =>
    assert.throws(() => parseDatasetManifest(tsvManifest(extra), "m.json"), ManifestError);
  bad({ encoding: "klingon-8" });
  bad({ scale: { kind: "numeric", min: 1, max: 5, step: 0.3 } });
  bad({ language: "not a tag!" });
  bad({ format: "xlsx" });
  bad({ columns: { id: "a", text: "a", score: "s", prompt: "p" } });
  const e = await loadError(GOOD_ROWS, { encoding: "klingon-8" });
  assert.ok(e instanceof ManifestError);
  assert.match(e.message, /encoding: unknown encoding/);
  const s = await loadError(GOOD_ROWS, { scale: { kind: "numeric", min: 1, max: 5, step: 0.3 } });
  assert.match(s.message, /scale\.step: step 0\.3 does not divide the range 1–5/);
});

Deno.test("bad data gives one error naming file, row and column", async () => {
  const unknown = await loadError(GOOD_ROWS, {
    columns: { id: "essay_id", text: "essay", score: "score", prompt: "essay_set", genre: "genre" },
  });
  assert.ok(unknown instanceof DatasetError);
  assert.match(unknown.message, /essays\.tsv, column "score": missing column; .*columns\.score/);
  const off = await loadError([...GOOD_ROWS, "7\t4\tText.\t13\tpersuasive"]);
  assert.match(off.message, /row 7 \(line 8\), column "domain1_score": off-scale score 13/);
  const step = await loadError([...GOOD_ROWS, "7\t4\tText.\t6.5\tpersuasive"]);
  assert.match(step.message, /row 7 .*off-step score 6\.5/);
  const ordinal = await loadError(["1\t1\tText.\tG\tpersuasive", "2\t2\tText.\tA\tpersuasive"], {
    scale: { kind: "ordinal", levels: ["F", "E", "D", "C", "B", "A"] },
  });
  assert.match(ordinal.message, /row 1 .*"domain1_score": level "G" is not in the scale/);
});

Deno.test("a genre mix without a declared scope stops, listing genres and counts", async () => {
  const e = await loadError(GOOD_ROWS, { genres: undefined });
  assert.ok(e instanceof DatasetError);
  assert.match(e.message, /mixes genres \(persuasive: 4, \(untagged\): 1, narrative: 1\)/);
  assert.match(e.message, /--allow-genre-mix/);
  const { manifestPath } = await writeCorpus(GOOD_ROWS, { genres: undefined });
  const m = await readDatasetManifest(manifestPath);
  assert.equal((await loadCorpus(m, { allowGenreMix: true })).genreCounts.narrative, 1);
  const untagged = await loadError(GOOD_ROWS, {
    genres: { inScope: ["persuasive"], untagged: "error" },
  });
  assert.match(untagged.message, /essay "5" has no genre tag/);
});

Deno.test("the ELLIPSE flags map onto the built-in manifest: same essays as before", async () => {
  const train = "data/embedded/ellipse_embedded_train.csv";
  const test = "data/embedded/ellipse_embedded_test.csv";
  const viaFlags = await loadDataset(resolveExperimentConfig(undefined, {}));
  const direct = await loadEllipseTrainTest(train, test);
  assert.deepEqual(viaFlags.train, direct.train);
  assert.equal(singleScale(viaFlags.scale, "test").nLevels, 9);
  const m: DatasetManifest = parseDatasetManifest({
    name: "ellipse",
    language: "en",
    files: { train, test },
    columns: { id: "text_id_kaggle", text: "full_text", score: "Overall", prompt: "prompt" },
    scale: { kind: "numeric", min: 1, max: 5, step: 0.5 },
  }, "inline");
  const viaManifest = await loadCorpus(m);
  assert.deepEqual(viaManifest.train, direct.train);
});

Deno.test("docs/dataset_manifest.schema.json is the zod schema's JSON Schema", async () => {
  assert.equal(await Deno.readTextFile(MANIFEST_SCHEMA_PATH), manifestJsonSchemaText());
  const schema = JSON.parse(manifestJsonSchemaText());
  assert.deepEqual(schema.required, ["name", "language", "files", "columns", "scale"]);
});
