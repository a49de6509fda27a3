/** `compareMatchLists`: essays whose lists differ and the per-category count change. */
import assert from "node:assert/strict";
import { compareMatchLists } from "../../lib/bench/harper_bench.ts";
import type { ErrorMatch } from "../../lib/features/types.ts";

const m = (ruleId: string, categoryId: string, offset = 0): ErrorMatch => ({
  offset,
  length: 2,
  ruleId,
  categoryId,
  message: "",
});

Deno.test("identical lists differ nowhere; an extra agreement match is counted once", () => {
  const a = [[m("HARPER_PUNCTUATION_X", "PUNCTUATION")], []];
  assert.deepEqual(compareMatchLists(a, a), { essaysDiffering: 0, countDelta: {} });
  const b = [a[0], [m("HARPER_AGREEMENT_PRONOUN_VERB_AGREEMENT", "GRAMMAR", 3)]];
  assert.deepEqual(compareMatchLists(a, b), {
    essaysDiffering: 1,
    countDelta: { grammar: 1, spelling: 0, punctuation: 0, agreement: 1, capitalization: 0 },
  });
});
