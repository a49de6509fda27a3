import assert from "node:assert/strict";
import {
  averageRanks,
  spearmanCorrelation,
} from "../../../lib/features/handcrafted/feature_sanity.ts";

Deno.test("average ranks share ties; Spearman of monotone and tied data", () => {
  assert.deepEqual(Array.from(averageRanks([10, 20, 10, 30])), [1.5, 3, 1.5, 4]);
  assert.equal(spearmanCorrelation([1, 2, 3], [10, 20, 15]), 0.5);
  assert.equal(spearmanCorrelation([1, 2, 3, 4], [8, 4, 2, 1]), -1);
  assert.ok(Number.isNaN(spearmanCorrelation([1, 1, 1], [1, 2, 3])));
});
