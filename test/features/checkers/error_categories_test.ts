import assert from "node:assert/strict";
import {
  categoriseMatch,
  deriveErrorCounts,
  deriveErrorTypeCounts,
  per100Words,
} from "../../../lib/features/checkers/error_categories.ts";
import type { ErrorMatch } from "../../../lib/features/types.ts";

function match(ruleId: string, categoryId: string): ErrorMatch {
  return { offset: 0, length: 1, ruleId, categoryId, message: "" };
}

Deno.test("categoriseMatch implements the original mapping, PUNCT first", () => {
  const cases: [string, string, string][] = [
    ["PUNCTUATION_PARAGRAPH_END", "PUNCTUATION", "punctuation"],
    // PUNCT in the rule id wins over a spelling category.
    ["UNLIKELY_OPENING_PUNCTUATION", "TYPOGRAPHY", "punctuation"],
    // PUNCT in the category wins over SPELL in the rule id.
    ["SPELL_COMMA", "PUNCTUATION", "punctuation"],
    ["MORFOLOGIK_RULE_EN_US", "TYPOS", "spelling"],
    ["COMMA_PARENTHESIS_WHITESPACE", "TYPOGRAPHY", "spelling"],
    ["X", "SPELLING", "spelling"],
    ["X", "MISSPELLING", "spelling"],
    // SPELL is tested in the category id (§A.9.3), not in the rule id.
    ["EN_SPELLING_VARIANT", "GRAMMAR", "grammar"],
    ["X", "BRITISH_SPELLING", "spelling"],
    ["HE_VERB_AGR", "GRAMMAR", "grammar"],
    ["I_LOWERCASE", "CASING", "grammar"],
    ["EN_A_VS_AN", "MISC", "grammar"],
    // Only the four category ids count: a category merely containing TYPO is grammar.
    ["X", "TYPOS_EXTRA", "grammar"],
    // Ids are compared upper-cased.
    ["harper_spell_check", "typos", "spelling"],
  ];
  for (const [ruleId, categoryId, expected] of cases) {
    assert.equal(categoriseMatch(match(ruleId, categoryId)), expected, `${ruleId}/${categoryId}`);
  }
});

Deno.test("deriveErrorCounts counts each category; per100Words is per 100 word tokens", () => {
  const matches = [
    match("HE_VERB_AGR", "GRAMMAR"),
    match("EN_A_VS_AN", "MISC"),
    match("MORFOLOGIK_RULE_EN_US", "TYPOS"),
    match("PUNCTUATION_PARAGRAPH_END", "PUNCTUATION"),
  ];
  assert.deepEqual(deriveErrorCounts(matches), { grammar: 2, spelling: 1, punctuation: 1 });
  assert.deepEqual(deriveErrorCounts([]), { grammar: 0, spelling: 0, punctuation: 0 });
  assert.equal(per100Words(3, 150), 2);
  assert.equal(per100Words(1, 400), 0.25);
  assert.equal(per100Words(5, 0), 0);
});

Deno.test("deriveErrorTypeCounts finds agreement and capitalisation matches", () => {
  const matches = [
    match("HE_VERB_AGR", "GRAMMAR"),
    match("HARPER_AGREEMENT_PRONOUN_VERB_AGREEMENT", "GRAMMAR"),
    match("I_LOWERCASE", "CASING"),
    match("HARPER_CAPITALIZATION_SENTENCE_CAPITALIZATION", "GRAMMAR"),
    match("UPPERCASE_SENTENCE_START", "CASING"),
    match("EN_A_VS_AN", "MISC"),
  ];
  assert.deepEqual(deriveErrorTypeCounts(matches), { agreement: 2, capitalization: 3 });
});
