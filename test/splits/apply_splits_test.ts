import assert from "node:assert/strict";
import { join } from "node:path";
import { applySplitsToDataset, loadSplitsForDataset } from "../../lib/splits/apply_splits.ts";
import { buildSplitsFile } from "../../lib/splits/build_splits.ts";
import { serializeSplitsFile } from "../../lib/splits/splits_file.ts";
import { syntheticEssays } from "./synthetic_essays.ts";

const FILTERS = { min_words: 200, max_words: 1000, excluded_prompts: ["Letter to employer"] };

function setup() {
  const essays = syntheticEssays(31, { n: 250, nPrompts: 8 });
  const splits = buildSplitsFile({
    essays,
    seed: 42,
    nSplits: 5,
    createdFrom: {
      dataset_kind: "ellipse",
      train_file: "train.csv",
      train_sha256: "a".repeat(64),
      test_file: null,
      test_sha256: null,
    },
    filters: FILTERS,
  });
  return { essays, splits };
}

Deno.test("applySplitsToDataset: row indices follow the caller's essay order", () => {
  const { essays, splits } = setup();
  const reversed = [...essays].reverse();
  const applied = applySplitsToDataset(splits, reversed);
  for (const scheme of ["stratified_text", "prompt_holdout"] as const) {
    const folds = applied.folds(scheme);
    const byFile = splits.schemes[scheme].folds;
    folds.forEach((f, k) => {
      assert.deepEqual(
        f.valIndices.map((i) => reversed[i].id).sort(),
        [...byFile[k].val_ids].sort(),
      );
      assert.equal(f.trainIndices.length + f.valIndices.length, essays.length);
      const val = new Set(f.valIndices);
      assert.ok(f.trainIndices.every((i) => !val.has(i)));
    });
  }
  const run = applied.runSplit();
  assert.deepEqual(
    run.valIndices.map((i) => reversed[i].id).sort(),
    [...splits.run_split.val_ids].sort(),
  );
  assert.equal(run.trainIndices.length + run.valIndices.length, essays.length);
});

Deno.test("loadSplitsForDataset: refuses other data and hints at changed filters", async () => {
  const { essays, splits } = setup();
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "splits.json");
    await Deno.writeTextFile(path, serializeSplitsFile(splits));
    const ok = await loadSplitsForDataset(path, essays, { filters: FILTERS });
    assert.equal(ok.folds("stratified_text").length, 5);
    await assert.rejects(
      () =>
        loadSplitsForDataset(path, essays.slice(10), {
          filters: { ...FILTERS, min_words: 150 },
        }),
      (e: Error) => {
        assert.match(e.message, new RegExp(`^${path}: does not match the dataset`));
        assert.match(e.message, /10 essay ids of the splits file are missing from the dataset/);
        assert.match(e.message, /made with filters 200–1000 words.*this run uses 150–1000 words/);
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
