import assert from "node:assert/strict";
import {
  measureOfTextualLexicalDiversity,
  typeTokenRatio,
} from "../../../lib/features/handcrafted/lexical_diversity.ts";

Deno.test("typeTokenRatio counts distinct tokens", () => {
  assert.equal(typeTokenRatio(["a", "b", "a", "c"]), 3 / 4);
  assert.equal(typeTokenRatio([]), 0);
});

Deno.test("MTLD counts factors at TTR <= 0.72 both ways, with a partial last factor", () => {
  // "a b a b a b": running TTR 1, 1, 2/3 → factor at the 3rd token (both directions are the
  // same pattern); then b a b: 1, 1 (b,a), 2/3 → second factor; ends exactly: partial 0.
  // 6 tokens / 2 factors = 3 each way.
  assert.equal(measureOfTextualLexicalDiversity(["a", "b", "a", "b", "a", "b"]), 3);
  // "a a": TTR 1 then 1/2 → factor; partial 0 → 2/1 = 2 both ways.
  assert.equal(measureOfTextualLexicalDiversity(["a", "a"]), 2);
  // All distinct, "a b c d": no factor, TTR stays 1 → pass value = word count = 4.
  assert.equal(measureOfTextualLexicalDiversity(["a", "b", "c", "d"]), 4);
  // "a b c a": TTR 1,1,1,3/4 → no factor; partial (1 − 0.75)/0.28 → 4/0.892857 = 4.48.
  assert.ok(
    Math.abs(measureOfTextualLexicalDiversity(["a", "b", "c", "a"]) - 4 / (0.25 / 0.28)) < 1e-12,
  );
  assert.equal(measureOfTextualLexicalDiversity([]), 0);
});
