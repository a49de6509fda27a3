import assert from "node:assert/strict";
import { join } from "node:path";
import { loadCorpus } from "../../lib/dataset/corpus_loader.ts";
import { DatasetError } from "../../lib/dataset/csv_table.ts";
import type { Essay } from "../../lib/dataset/essay.ts";
import {
  ManifestError,
  parseDatasetManifest,
  readDatasetManifest,
} from "../../lib/dataset/manifest.ts";
import { randomTestSplit } from "../../lib/dataset/random_test_split.ts";
import { scoreScale } from "../../lib/dataset/score_scale.ts";
import { normalisedTextHash } from "../../lib/dataset/text_hash.ts";

const SCALE = scoreScale({ kind: "numeric", min: 2, max: 12, step: 1 });

/** One ASAP-like prompt: scores 2–12 with a skewed distribution, and some duplicate texts. */
function rows(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 200; i++) {
    const score = 2 + ((i * 7) % 11 < 6 ? (i * 7) % 11 : (i * 3) % 11);
    // every 10th essay repeats the previous text with other whitespace (a duplicate group)
    const text = i % 10 === 9
      ? `Essay  number ${i - 1} about   phones.`
      : `Essay number ${i} about phones.`;
    out.push(`e${i}\t1\t${text}\t${score}`);
  }
  return out;
}

async function writeCorpus(split: unknown, lines = rows()): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    join(dir, "one_prompt.tsv"),
    "essay_id\tessay_set\tessay\tdomain1_score\n" + lines.join("\n") + "\n",
  );
  const path = join(dir, "corpus.json");
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      name: "one_prompt",
      language: "en",
      format: "tsv",
      files: { data: "one_prompt.tsv", split },
      columns: { id: "essay_id", text: "essay", score: "domain1_score", prompt: "essay_set" },
      scale: { kind: "numeric", min: 2, max: 12, step: 1 },
      wordWindow: { min: 1, max: 1000 },
    }),
  );
  return path;
}

const RANDOM = { kind: "random", testFraction: 0.25, seed: 7 };

Deno.test("random test split of a one-prompt file: stratified by level, duplicates on one side", async () => {
  const corpus = await loadCorpus(await readDatasetManifest(await writeCorpus(RANDOM)));
  const all = [...corpus.train, ...corpus.test];
  assert.equal(all.length, 200);
  assert.equal(corpus.test.length, 50);
  // stratified: every level's test share is within one essay of 25 %
  for (let y = 2; y <= 12; y++) {
    const n = all.filter((e) => e.overall === y).length;
    const t = corpus.test.filter((e) => e.overall === y).length;
    assert.ok(Math.abs(t - 0.25 * n) <= 1.5, `level ${y}: ${t} of ${n} in test`);
  }
  // grouped: no normalised text on both sides
  const testHashes = new Set(corpus.test.map((e) => normalisedTextHash(e.text)));
  assert.ok(corpus.train.every((e) => !testHashes.has(normalisedTextHash(e.text))));
  const dupPairs = all.filter((e) => /Essay {2}number/.test(e.text));
  assert.equal(dupPairs.length, 20);
});

Deno.test("random test split is deterministic (same file + seed → same split) and seed-dependent", async () => {
  const path = await writeCorpus(RANDOM);
  const a = await loadCorpus(await readDatasetManifest(path));
  const b = await loadCorpus(await readDatasetManifest(path));
  assert.deepEqual(b.test.map((e) => e.id), a.test.map((e) => e.id));
  assert.deepEqual(b.train.map((e) => e.id), a.train.map((e) => e.id));
  const other = await loadCorpus(
    await readDatasetManifest(await writeCorpus({ ...RANDOM, seed: 8 })),
  );
  assert.notDeepEqual(other.test.map((e) => e.id), a.test.map((e) => e.id));
  // the pure function agrees with the loader
  const essays: Essay[] = [...a.train, ...a.test].sort((x, y) => x.sourceRow - y.sourceRow);
  const again = randomTestSplit(essays, 0.25, 7, "x.tsv", SCALE);
  assert.deepEqual(
    again.filter((e) => e.split === "test").map((e) => e.id),
    [...a.test].sort((x, y) => x.sourceRow - y.sourceRow).map((e) => e.id),
  );
});

Deno.test("random split where prompt_holdout cannot: a single prompt", async () => {
  const path = await writeCorpus({ kind: "prompt_holdout", testFraction: 0.25, seed: 7 });
  await assert.rejects(
    () => readDatasetManifest(path).then((m) => loadCorpus(m)),
    DatasetError,
    "needs at least 2 prompts",
  );
});

Deno.test("random split: a bad fraction is a manifest error; too few essays a data error", async () => {
  for (const testFraction of [0, 1, 1.5, -0.2]) {
    assert.throws(
      () =>
        parseDatasetManifest({
          name: "x",
          language: "en",
          files: { data: "a.csv", split: { kind: "random", testFraction, seed: 1 } },
          columns: { id: "i", text: "t", score: "s", prompt: "p" },
          scale: { kind: "numeric", min: 1, max: 5, step: 1 },
        }, "m.json"),
      (e: Error) => e instanceof ManifestError && /files\.split\.testFraction/.test(e.message),
    );
  }
  const seedless = await writeCorpus({ kind: "random", testFraction: 0.2 });
  await assert.rejects(
    () => readDatasetManifest(seedless),
    (e: Error) => e instanceof ManifestError && /files\.split\.seed/.test(e.message),
  );
  const tiny = await writeCorpus(
    { kind: "random", testFraction: 0.1, seed: 1 },
    rows().slice(0, 4),
  );
  await assert.rejects(
    () => readDatasetManifest(tiny).then((m) => loadCorpus(m)),
    (e: Error) =>
      e instanceof DatasetError && /files\.split random .*cannot split 4 essays/.test(e.message),
  );
});
