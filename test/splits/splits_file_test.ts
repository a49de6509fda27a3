import assert from "node:assert/strict";
import { join } from "node:path";
import { buildSplitsFile } from "../../lib/splits/build_splits.ts";
import {
  loadSplitsFile,
  parseSplitsFile,
  schemeFolds,
  serializeSplitsFile,
  type SplitsFile,
  verifySplitsMatchDataset,
} from "../../lib/splits/splits_file.ts";
import { syntheticEssays } from "./synthetic_essays.ts";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);

function build(seed: number, dataSeed = 11, nSplits = 5): SplitsFile {
  return buildSplitsFile({
    essays: syntheticEssays(dataSeed, { n: 300, nPrompts: 9 }),
    seed,
    nSplits,
    createdFrom: {
      dataset_kind: "ellipse",
      train_file: "train.csv",
      train_sha256: SHA_A,
      test_file: "test.csv",
      test_sha256: SHA_B,
    },
    filters: { min_words: 200, max_words: 1000, excluded_prompts: ["Letter to employer"] },
  });
}

const clone = (s: SplitsFile): SplitsFile => JSON.parse(JSON.stringify(s));

Deno.test("splits.json: same inputs + seed → identical bytes; other seed → different folds", () => {
  const a = serializeSplitsFile(build(42));
  const b = serializeSplitsFile(build(42));
  assert.equal(a, b);
  const c = build(43);
  assert.notEqual(serializeSplitsFile(c), a);
  const foldsA = JSON.parse(a).schemes.stratified_text.folds;
  assert.notDeepEqual(foldsA, c.schemes.stratified_text.folds);
  assert.ok(!a.includes(new Date().getUTCFullYear() + "-"), "no timestamp inside");
});

Deno.test("splits.json: serialise → parse round trip, stable key order, derived train ids", () => {
  const splits = build(42);
  const text = serializeSplitsFile(splits);
  const parsed = parseSplitsFile(JSON.parse(text), "mem");
  assert.deepEqual(parsed, splits);
  assert.equal(serializeSplitsFile(parsed), text);
  assert.deepEqual(Object.keys(JSON.parse(text)), [
    "schema_version",
    "seed",
    "n_splits",
    "rare_classes",
    "created_from",
    "filters",
    "n_essays",
    "essays",
    "schemes",
    "run_split",
  ]);
  // Key order does not depend on the order the object was built in.
  const shuffled = Object.fromEntries(Object.entries(splits).reverse()) as SplitsFile;
  assert.equal(serializeSplitsFile(shuffled), text);

  for (const scheme of ["stratified_text", "prompt_holdout"] as const) {
    const folds = schemeFolds(parsed, scheme);
    assert.equal(folds.length, 5);
    const validated = folds.flatMap((f) => f.valIds).sort();
    assert.deepEqual(validated, parsed.essays.map((e) => e.id).sort());
    for (const f of folds) {
      assert.equal(f.trainIds.length + f.valIds.length, parsed.n_essays);
      const val = new Set(f.valIds);
      assert.ok(f.trainIds.every((id) => !val.has(id)));
    }
  }
});

Deno.test("splits.json: run split is a leak-free partition near 82.35/17.65", () => {
  const splits = build(42);
  const { train_ids, val_ids } = splits.run_split;
  assert.equal(train_ids.length + val_ids.length, splits.n_essays);
  assert.ok(Math.abs(val_ids.length / splits.n_essays - 0.1765) < 0.02);
  const hash = new Map(splits.essays.map((e) => [e.id, e.text_sha256]));
  const valHashes = new Set(val_ids.map((id) => hash.get(id)));
  assert.ok(train_ids.every((id) => !valHashes.has(hash.get(id))));
});

Deno.test("parseSplitsFile refuses schema errors and broken invariants, naming the source", () => {
  const good = build(42);
  const cases: [string, (s: SplitsFile) => void, RegExp][] = [
    [
      "schema",
      (s) => ((s as { seed: unknown }).seed = "x"),
      /f\.json: not a valid splits\.json[\s\S]*seed/,
    ],
    ["version", (s) => ((s as { schema_version: number }).schema_version = 3), /schema_version/],
    ["n_essays", (s) => (s.n_essays += 1), /n_essays is 301 but 300 essays are listed/],
    [
      "fold count",
      (s) => s.schemes.prompt_holdout.folds.pop(),
      /prompt_holdout: 4 folds, expected n_splits = 5/,
    ],
    [
      "twice",
      (s) =>
        s.schemes.stratified_text.folds[1].val_ids.push(
          s.schemes.stratified_text.folds[0].val_ids[0],
        ),
      /stratified_text: 1 ids validated in more than one fold/,
    ],
    [
      "never",
      (s) => s.schemes.stratified_text.folds[0].val_ids.pop(),
      /stratified_text: 1 essays never validated/,
    ],
    [
      "unknown",
      (s) => s.run_split.val_ids.push("nope"),
      /run_split: 1 unknown ids \(nope\)/,
    ],
    [
      "straddling hash",
      (s) => {
        // Give an essay of fold 1 the text hash of an essay in fold 0.
        const f = s.schemes.stratified_text.folds;
        const e0 = s.essays.find((e) => e.id === f[0].val_ids[0])!;
        const e1 = s.essays.find((e) => e.id === f[1].val_ids[0])!;
        e1.text_sha256 = e0.text_sha256;
      },
      /stratified_text: 1 text groups straddle folds/,
    ],
    [
      "straddling prompt",
      (s) => {
        const f = s.schemes.prompt_holdout.folds;
        const e1 = s.essays.find((e) => e.id === f[1].val_ids[0])!;
        e1.prompt = s.essays.find((e) => e.id === f[0].val_ids[0])!.prompt;
      },
      /prompt_holdout: 1 prompts straddle folds/,
    ],
  ];
  for (const [name, mutate, pattern] of cases) {
    const s = clone(good);
    mutate(s);
    assert.throws(() => parseSplitsFile(s, "f.json"), pattern, name);
    assert.throws(() => parseSplitsFile(s, "f.json"), /^Error: f\.json/, name);
  }
});

Deno.test("loadSplitsFile reads and validates a file; bad JSON names the path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "splits.json");
    await Deno.writeTextFile(path, serializeSplitsFile(build(42)));
    const loaded = await loadSplitsFile(path);
    assert.equal(loaded.n_essays, 300);
    await Deno.writeTextFile(path, "{ truncated");
    await assert.rejects(() => loadSplitsFile(path), new RegExp(`${path}: not valid JSON`));
    await assert.rejects(
      () => loadSplitsFile(join(dir, "missing.json")),
      /cannot read splits file/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("verifySplitsMatchDataset accepts its dataset and refuses a mismatch clearly", () => {
  const essays = syntheticEssays(11, { n: 300, nPrompts: 9 });
  const splits = build(42);
  verifySplitsMatchDataset(splits, essays);
  // Whitespace-only edits keep the normalised hash.
  verifySplitsMatchDataset(splits, essays.map((e) => ({ ...e, text: ` ${e.text}\n` })));

  const changed = essays.slice(3).map((e, i) => i === 0 ? { ...e, text: e.text + " edited" } : e);
  changed.push({ id: "NEW1", text: "new", prompt: "Prompt A", overall: 3 });
  assert.throws(
    () => verifySplitsMatchDataset(splits, changed, "runs/x/splits.json"),
    (e: Error) => {
      assert.match(e.message, /^runs\/x\/splits\.json: does not match the dataset/);
      assert.match(e.message, /3 essay ids of the splits file are missing from the dataset/);
      assert.match(e.message, new RegExp(essays[0].id));
      assert.match(e.message, /1 dataset essay ids are not in the splits file \(NEW1\)/);
      assert.match(
        e.message,
        new RegExp(`1 essays have a different text hash \\(${essays[3].id}\\)`),
      );
      return true;
    },
  );
  const otherPrompt = essays.map((e, i) => (i === 5 ? { ...e, prompt: "Prompt Z" } : e));
  assert.throws(
    () => verifySplitsMatchDataset(splits, otherPrompt),
    /1 essays have a different prompt/,
  );
});

Deno.test("buildSplitsFile: rare classes merged and recorded by default, an error when strict", () => {
  const essays = syntheticEssays(5, { n: 200, rareClassCount: 3 });
  const input = {
    essays,
    seed: 1,
    nSplits: 5,
    createdFrom: {
      dataset_kind: "ellipse" as const,
      train_file: "t.csv",
      train_sha256: SHA_A,
      test_file: null,
      test_sha256: null,
    },
    filters: { min_words: 0, max_words: 1000, excluded_prompts: [] },
  };
  assert.throws(
    () => buildSplitsFile({ ...input, rareClasses: "strict" }),
    /Overall 1\.0 has \d essays?.*need >= 5 per class.*--strict-classes/,
  );
  const merged = buildSplitsFile(input);
  assert.equal(merged.rare_classes, "merge");
  assert.ok(merged.schemes.stratified_text.class_merges.some((m) => m.overall === 1));
  assert.ok(merged.run_split.class_merges.some((m) => m.overall === 1));
  parseSplitsFile(merged, "merged");
  assert.throws(() => buildSplitsFile({ ...input, essays: [] }), /no essays left to split/);
});

Deno.test("buildSplitsFile: property over 30 random data sets with rare classes", () => {
  for (let seed = 0; seed < 30; seed++) {
    const rareClassCount = 1 + (seed % 4);
    const nSplits = 2 + (seed % 5);
    const essays = syntheticEssays(100 + seed, { n: 150 + 7 * seed, rareClassCount });
    const splits = buildSplitsFile({
      essays,
      seed,
      nSplits,
      createdFrom: {
        dataset_kind: "ellipse",
        train_file: "t.csv",
        train_sha256: SHA_A,
        test_file: null,
        test_sha256: null,
      },
      filters: { min_words: 0, max_words: 1000, excluded_prompts: [] },
    });
    // Schema + invariants: every essay validated once, no text group straddles folds, run split
    // a leak-free partition.
    const parsed = parseSplitsFile(JSON.parse(serializeSplitsFile(splits)), `seed ${seed}`);
    const counts = new Map<number, number>();
    for (const e of essays) counts.set(e.overall, (counts.get(e.overall) ?? 0) + 1);
    // Recorded merges: a class is merged only when it had fewer than n_splits essays (a rare
    // class may instead stay as the stratum others joined), with its own count.
    for (const m of parsed.schemes.stratified_text.class_merges) {
      assert.equal(m.n_essays, counts.get(m.overall), `seed ${seed}: recorded count`);
      assert.ok(m.n_essays < nSplits, `seed ${seed}: ${m.overall} merged with ${m.n_essays}`);
      assert.ok(counts.has(m.stratified_with) && m.stratified_with !== m.overall);
    }
    // Every stratum of the folds has >= n_splits essays.
    const stratum = new Map(counts.keys().map((o) => [o, o]));
    for (const m of parsed.schemes.stratified_text.class_merges) {
      stratum.set(m.overall, m.stratified_with);
    }
    const sizes = new Map<number, number>();
    for (const [o, c] of counts) sizes.set(stratum.get(o)!, (sizes.get(stratum.get(o)!) ?? 0) + c);
    for (const [s, c] of sizes) assert.ok(c >= nSplits, `seed ${seed}: stratum ${s} has ${c}`);
    // No leak: a text group's essays are all validated in one fold.
    const foldOfHash = new Map<string, number>();
    const hashOf = new Map(parsed.essays.map((e) => [e.id, e.text_sha256]));
    for (const f of parsed.schemes.stratified_text.folds) {
      for (const id of f.val_ids) {
        const h = hashOf.get(id)!;
        assert.equal(foldOfHash.get(h) ?? f.fold, f.fold, `seed ${seed}: group straddles folds`);
        foldOfHash.set(h, f.fold);
      }
    }
  }
});

Deno.test("parseSplitsFile: a schema_version 1 file is still read (upgraded in memory)", () => {
  const v2 = build(42);
  const { rare_classes: _r, ...rest } = clone(v2);
  const { class_merges: _c, ...runSplit } = rest.run_split;
  const v1 = { ...rest, schema_version: 1, run_split: runSplit };
  const parsed = parseSplitsFile(v1, "old.json");
  assert.equal(parsed.schema_version, 2);
  assert.equal(parsed.rare_classes, "strict");
  assert.deepEqual(parsed.run_split.class_merges, []);
  assert.deepEqual(parsed.schemes, v2.schemes);
  assert.deepEqual(parsed.run_split.val_ids, v2.run_split.val_ids);
  // A v1 file with v2 keys, or an unknown version, is refused.
  assert.throws(() => parseSplitsFile({ ...v1, rare_classes: "merge" }, "x"), /schema v1/);
  assert.throws(() => parseSplitsFile({ ...v2, schema_version: 3 }, "x"), /schema v2/);
});
