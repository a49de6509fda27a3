import assert from "node:assert/strict";
import { normalisedTextHash } from "../../lib/dataset/text_hash.ts";
import { overallClass } from "../../lib/splits/overall_class.ts";
import { stratifiedGroupKFold } from "../../lib/splits/stratified_group_kfold.ts";
import { syntheticEssays } from "./synthetic_essays.ts";

function dataset(seed: number) {
  const essays = syntheticEssays(seed);
  return {
    essays,
    labels: essays.map((e) => overallClass(e.overall)),
    groups: essays.map((e) => normalisedTextHash(e.text)),
  };
}

Deno.test("synthetic data sets really contain duplicate text groups and small classes", () => {
  let withDuplicates = 0;
  for (let s = 0; s < 20; s++) {
    const { labels, groups } = dataset(s);
    if (new Set(groups).size < groups.length) withDuplicates++;
    assert.ok(labels.filter((l) => l === 2).length <= 8, "Overall 1.0 stays a small class");
  }
  assert.ok(withDuplicates >= 18, `only ${withDuplicates}/20 data sets have duplicates`);
});

Deno.test("stratifiedGroupKFold: properties over 40 random data sets and fold counts 2–5", () => {
  for (let s = 0; s < 40; s++) {
    const { labels, groups } = dataset(s);
    const k = 2 + (s % 4); // Overall 1.0 has 5 planted members: k = 5 sits at the limit.
    const folds = stratifiedGroupKFold({ labels, groups, nSplits: k, seed: 100 + s });
    assert.equal(folds.length, k);
    const n = labels.length;

    // Every index in exactly one validation fold; train = complement.
    const times = new Int32Array(n);
    for (const f of folds) {
      for (const i of f.valIndices) times[i]++;
      assert.equal(f.trainIndices.length + f.valIndices.length, n);
      const val = new Set(f.valIndices);
      assert.ok(f.trainIndices.every((i) => !val.has(i)));
      assert.deepEqual([...f.valIndices].sort((a, b) => a - b), f.valIndices, "ascending");
    }
    assert.ok(times.every((t) => t === 1), `seed ${s}: some index not validated exactly once`);

    // No group straddles folds.
    const foldOfGroup = new Map<string, number>();
    for (const f of folds) {
      for (const i of f.valIndices) {
        const seen = foldOfGroup.get(groups[i]);
        assert.ok(seen === undefined || seen === f.fold, `seed ${s}: group ${groups[i]} straddles`);
        foldOfGroup.set(groups[i], f.fold);
      }
    }

    // Label balance: per-class fold counts within the largest group size of n_c / k, and
    // per-fold class shares within (largest group + 1) / fold size of the overall shares.
    const groupSize = new Map<string, number>();
    for (const g of groups) groupSize.set(g, (groupSize.get(g) ?? 0) + 1);
    const maxGroup = Math.max(...groupSize.values());
    for (const c of new Set(labels)) {
      const nc = labels.filter((l) => l === c).length;
      for (const f of folds) {
        const fc = f.valIndices.filter((i) => labels[i] === c).length;
        assert.ok(
          Math.abs(fc - nc / k) <= maxGroup,
          `seed ${s}, class ${c}, fold ${f.fold}: ${fc} vs ${nc / k} (max group ${maxGroup})`,
        );
        const dev = Math.abs(fc / f.valIndices.length - nc / n);
        assert.ok(dev <= (maxGroup + 1) / f.valIndices.length, `seed ${s}: share dev ${dev}`);
      }
    }
  }
});

Deno.test("stratifiedGroupKFold: same seed → same folds, other seed → different folds", () => {
  const { labels, groups } = dataset(3);
  const a = stratifiedGroupKFold({ labels, groups, nSplits: 5, seed: 42 });
  const b = stratifiedGroupKFold({ labels, groups, nSplits: 5, seed: 42 });
  const c = stratifiedGroupKFold({ labels, groups, nSplits: 5, seed: 43 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((f) => f.valIndices), c.map((f) => f.valIndices));
});

Deno.test("stratifiedGroupKFold: a duplicated text with two scores stays in one fold", () => {
  const labels = [4, 6, 6, 6, 6, 6, 4, 4, 4, 4, 8, 8, 8, 8, 8];
  const groups = labels.map((_, i) => (i < 2 ? "dup" : `g${i}`));
  const folds = stratifiedGroupKFold({ labels, groups, nSplits: 5, seed: 1 });
  const holding = folds.filter((f) => f.valIndices.includes(0));
  assert.equal(holding.length, 1);
  assert.ok(holding[0].valIndices.includes(1));
  assert.deepEqual(folds.map((f) => f.valIndices.length), [3, 3, 3, 3, 3]);
});

Deno.test("stratifiedGroupKFold: a class smaller than the fold count is an error naming it", () => {
  const labels = [2, 2, 2, 6, 6, 6, 6, 6, 6, 10, 7, 7, 7, 7, 7];
  const groups = labels.map((_, i) => `g${i}`);
  assert.throws(
    () => stratifiedGroupKFold({ labels, groups, nSplits: 5, seed: 42 }),
    (e: Error) => {
      assert.match(e.message, /Overall 1\.0 has 3 essays/);
      assert.match(e.message, /Overall 5\.0 has 1 essay\b/);
      assert.match(e.message, /need >= 5 per class for 5 folds/);
      assert.doesNotMatch(e.message, /Overall 3\.0/);
      return true;
    },
  );
  // The same data splits fine into 3 folds once Overall 5.0 is gone.
  const ok = stratifiedGroupKFold({
    labels: labels.filter((l) => l !== 10),
    groups: groups.filter((_, i) => labels[i] !== 10),
    nSplits: 3,
    seed: 42,
  });
  assert.equal(ok.length, 3);
});

Deno.test("stratifiedGroupKFold: n_splits above every class says so", () => {
  const labels = [4, 4, 4, 6, 6, 6, 6];
  const groups = labels.map((_, i) => `g${i}`);
  assert.throws(
    () => stratifiedGroupKFold({ labels, groups, nSplits: 6, seed: 1 }),
    /Overall 2\.0 has 3 essays, Overall 3\.0 has 4 essays \(need >= 6 per class for 6 folds\); n_splits exceeds every class \(the largest has 4 essays\); lower n_splits$/,
  );
});

Deno.test("stratifiedGroupKFold: fewer text groups than folds is an error with both counts", () => {
  const labels = [6, 6, 6, 6, 6, 6];
  const groups = ["a", "a", "b", "b", "c", "c"];
  assert.throws(
    () => stratifiedGroupKFold({ labels, groups, nSplits: 5, seed: 1 }),
    /only 3 distinct text groups among 6 essays for 5 folds \(need >= 5 groups\)/,
  );
});

Deno.test("stratifiedGroupKFold: bad arguments are refused", () => {
  assert.throws(
    () => stratifiedGroupKFold({ labels: [1], groups: ["a"], nSplits: 1, seed: 1 }),
    /n_splits must be an integer >= 2 \(got 1\)/,
  );
  assert.throws(
    () => stratifiedGroupKFold({ labels: [1, 2], groups: ["a"], nSplits: 2, seed: 1 }),
    /same length/,
  );
  assert.throws(
    () => stratifiedGroupKFold({ labels: [], groups: [], nSplits: 2, seed: 1 }),
    /empty/,
  );
});
