import assert from "node:assert/strict";
import {
  describeOverallClass,
  mergeRareClasses,
  overallClass,
} from "../../lib/splits/overall_class.ts";

Deno.test("overallClass / describeOverallClass map scores to 2–10 and back", () => {
  assert.deepEqual([1, 1.5, 3, 4.5, 5].map(overallClass), [2, 3, 6, 9, 10]);
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
