import assert from "node:assert/strict";
import { normalisedTextHash } from "../../lib/dataset/text_hash.ts";
import { overallClass } from "../../lib/splits/overall_class.ts";
import {
  RUN_VAL_FRACTION,
  stratifiedGroupTrainValSplit,
} from "../../lib/splits/train_val_split.ts";
import { syntheticEssays } from "./synthetic_essays.ts";

Deno.test("stratifiedGroupTrainValSplit: properties over 40 random data sets", () => {
  for (let s = 0; s < 40; s++) {
    const essays = syntheticEssays(s);
    const labels = essays.map((e) => overallClass(e.overall));
    const groups = essays.map((e) => normalisedTextHash(e.text));
    const n = essays.length;
    const { trainIndices, valIndices } = stratifiedGroupTrainValSplit({ labels, groups, seed: s });
    const side = new Int32Array(n).fill(-1);
    for (const i of trainIndices) side[i] = 0;
    for (const i of valIndices) {
      assert.equal(side[i], -1, "index on both sides");
      side[i] = 1;
    }
    assert.ok(side.every((v) => v !== -1), "index on no side");
    const sideOfGroup = new Map<string, number>();
    groups.forEach((g, i) => {
      const seen = sideOfGroup.get(g);
      assert.ok(seen === undefined || seen === side[i], `seed ${s}: group ${g} on both sides`);
      sideOfGroup.set(g, side[i]);
    });
    const groupSize = new Map<string, number>();
    for (const g of groups) groupSize.set(g, (groupSize.get(g) ?? 0) + 1);
    const maxGroup = Math.max(...groupSize.values());
    assert.ok(
      Math.abs(valIndices.length - RUN_VAL_FRACTION * n) <= maxGroup + 1,
      `seed ${s}: val size ${valIndices.length} vs ${RUN_VAL_FRACTION * n}`,
    );
    for (const c of new Set(labels)) {
      const nc = labels.filter((l) => l === c).length;
      const vc = valIndices.filter((i) => labels[i] === c).length;
      assert.ok(Math.abs(vc - RUN_VAL_FRACTION * nc) <= maxGroup + 1, `seed ${s} class ${c}`);
    }
  }
});

Deno.test("stratifiedGroupTrainValSplit: singleton groups hit the per-class targets exactly", () => {
  // 60 of class 6 → 10.59 → 11; 40 of class 8 → 7.06 → 7; total round(17.65) = 18.
  const labels = [...Array(60).fill(6), ...Array(40).fill(8)];
  const groups = labels.map((_, i) => `g${i}`);
  const { valIndices } = stratifiedGroupTrainValSplit({ labels, groups, seed: 9 });
  assert.equal(valIndices.length, 18);
  assert.equal(valIndices.filter((i) => labels[i] === 6).length, 11);
  assert.equal(valIndices.filter((i) => labels[i] === 8).length, 7);
});

Deno.test("stratifiedGroupTrainValSplit: deterministic per seed, different across seeds", () => {
  const labels = Array.from({ length: 200 }, (_, i) => 4 + (i % 5));
  const groups = labels.map((_, i) => `g${Math.floor(i / 2)}`);
  const a = stratifiedGroupTrainValSplit({ labels, groups, seed: 42 });
  assert.deepEqual(a, stratifiedGroupTrainValSplit({ labels, groups, seed: 42 }));
  assert.notDeepEqual(
    a.valIndices,
    stratifiedGroupTrainValSplit({ labels, groups, seed: 7 }).valIndices,
  );
});

Deno.test("stratifiedGroupTrainValSplit: too few essays or a bad fraction is an error", () => {
  assert.throws(
    () => stratifiedGroupTrainValSplit({ labels: [6, 6], groups: ["a", "b"], seed: 1 }),
    /2 essays are too few for a 17\.65% validation split/,
  );
  assert.throws(
    () => stratifiedGroupTrainValSplit({ labels: [6], groups: ["a"], seed: 1, valFraction: 1 }),
    /val fraction must be in \(0, 1\)/,
  );
  // One text group for everything: it cannot be split without a leak.
  assert.throws(
    () =>
      stratifiedGroupTrainValSplit({
        labels: Array(20).fill(6),
        groups: Array(20).fill("same"),
        seed: 1,
      }),
    /cannot form a 17\.65% validation split from 1 text groups of 20 essays/,
  );
});
