import assert from "node:assert/strict";
import seedrandom from "seedrandom";
import {
  describeOverallClass,
  mergeRareClasses,
  minStratumForValFraction,
  overallClass,
} from "../../lib/splits/overall_class.ts";

Deno.test("overallClass / describeOverallClass map scores to 2–10 and back", () => {
  assert.deepEqual([1, 1.5, 3, 4.5, 5].map((y) => overallClass(y)), [2, 3, 6, 9, 10]);
  assert.equal(describeOverallClass(2), "Overall 1.0");
  assert.equal(describeOverallClass(9), "Overall 4.5");
});

Deno.test("mergeRareClasses folds rare tails towards the median, chaining if needed", () => {
  const labels = [2, 3, 3, ...Array(10).fill(6), ...Array(8).fill(7), 10];
  const { labels: merged, merges } = mergeRareClasses(labels, 5);
  // 10 (1 essay) → 7; 2 (1) → 3; then 3 (3 essays incl. the 2) → 6.
  assert.deepEqual(merges, [
    { from: 2, into: 6, count: 1 },
    { from: 3, into: 6, count: 2 },
    { from: 10, into: 7, count: 1 },
  ]);
  assert.equal(merged.length, labels.length);
  assert.deepEqual([...new Set(merged)].sort(), [6, 7]);
  const counts = new Map<number, number>();
  for (const l of merged) counts.set(l, (counts.get(l) ?? 0) + 1);
  assert.ok([...counts.values()].every((c) => c >= 5));
});

Deno.test("mergeRareClasses leaves well-populated classes alone", () => {
  const labels = [...Array(5).fill(4), ...Array(5).fill(6)];
  const { labels: merged, merges } = mergeRareClasses(labels, 5);
  assert.deepEqual(merges, []);
  assert.deepEqual([...merged], labels);
});

Deno.test("mergeRareClasses: the nearer neighbour wins; equally near → towards the median", () => {
  // 4 (2 essays) sits between 2 (distance 2) and 5 (distance 1): joins 5.
  const a = mergeRareClasses([...Array(9).fill(2), 4, 4, ...Array(6).fill(5)], 5);
  assert.deepEqual(a.merges, [{ from: 4, into: 5, count: 2 }]);
  // 5 (1 essay) between 4 and 6, equally near; the median label is 6 → joins 6.
  const b = mergeRareClasses([...Array(6).fill(4), 5, ...Array(20).fill(6)], 5);
  assert.deepEqual(b.merges, [{ from: 5, into: 6, count: 1 }]);
  // …and with the bulk below, it joins 4.
  const c = mergeRareClasses([...Array(20).fill(4), 5, ...Array(6).fill(6)], 5);
  assert.deepEqual(c.merges, [{ from: 5, into: 4, count: 1 }]);
  // Nothing big enough: everything ends in one stratum.
  const d = mergeRareClasses([2, 4, 6], 5);
  assert.equal(new Set(d.labels).size, 1);
});

Deno.test("mergeRareClasses: properties over 200 random label sets", () => {
  const rng = seedrandom("merge-property");
  for (let t = 0; t < 200; t++) {
    const n = 1 + Math.floor(rng() * 60);
    const k = 1 + Math.floor(rng() * 8);
    const labels = Array.from({ length: n }, () => 2 + Math.floor(rng() * 9));
    const { labels: strata, merges } = mergeRareClasses(labels, k);
    const reversed = mergeRareClasses([...labels].reverse(), k);
    assert.deepEqual(reversed.merges, merges, "independent of sample order");
    const sizes = new Map<number, number>();
    for (const s of strata) sizes.set(s, (sizes.get(s) ?? 0) + 1);
    if (sizes.size > 1) { for (const c of sizes.values()) assert.ok(c >= k, "every stratum >= k"); }
    const counts = new Map<number, number>();
    for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    for (const [c, m] of counts) {
      const record = merges.find((x) => x.from === c);
      if (m >= k) assert.equal(record, undefined, `class ${c} with ${m} >= k never merged`);
      if (record) assert.equal(record.count, m);
      // A rare class either is recorded as merged or became a stratum others joined.
      if (m < k && !record && sizes.size > 1) assert.ok(sizes.get(c)! >= k);
    }
    labels.forEach((l, i) => {
      const record = merges.find((x) => x.from === l);
      assert.equal(strata[i], record ? record.into : l, "stratum = recorded target");
    });
  }
});

Deno.test("minStratumForValFraction: one expected validation essay", () => {
  assert.equal(minStratumForValFraction(0.1765), 6);
  assert.equal(minStratumForValFraction(0.2), 5);
  assert.equal(minStratumForValFraction(0.5), 2);
});
