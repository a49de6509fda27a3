import assert from "node:assert/strict";
import {
  deriveErrorCounts,
  deriveErrorTypeCounts,
} from "../../../lib/features/checkers/error_categories.ts";
import { parseLanguageToolResponse } from "../../../lib/features/checkers/language_tool_response.ts";

const FIXTURE = new URL("../../fixtures/languagetool_check_response.json", import.meta.url);
// The checked text of the recorded response (also in its matches' context).
const TEXT = "He go to school. It is a exemple ,and i like it .Its fine";

Deno.test("a recorded /v2/check response maps to ErrorMatches and categories", async () => {
  const json = JSON.parse(await Deno.readTextFile(FIXTURE));
  const matches = parseLanguageToolResponse(json, "fixture");
  assert.equal(matches.length, 9);
  assert.deepEqual(matches[0], {
    offset: 3,
    length: 2,
    ruleId: "HE_VERB_AGR",
    categoryId: "GRAMMAR",
    message: "The pronoun ‘He’ is usually used with a third-person or a past tense verb.",
  });
  assert.equal(TEXT.slice(matches[2].offset, matches[2].offset + matches[2].length), "exemple");
  // grammar: HE_VERB_AGR, EN_A_VS_AN (MISC), I_LOWERCASE (CASING), IT_IS;
  // spelling: MORFOLOGIK (TYPOS), 2 × COMMA_PARENTHESIS_WHITESPACE + SENTENCE_WHITESPACE
  // (TYPOGRAPHY); punctuation: PUNCTUATION_PARAGRAPH_END.
  assert.deepEqual(deriveErrorCounts(matches), { grammar: 4, spelling: 4, punctuation: 1 });
  assert.deepEqual(deriveErrorTypeCounts(matches), { agreement: 1, capitalization: 1 });
});

Deno.test("an empty match list is valid; malformed responses are refused with the field", () => {
  assert.deepEqual(parseLanguageToolResponse({ matches: [] }), []);
  assert.throws(() => parseLanguageToolResponse({}, "http://lt"), /http:\/\/lt.*matches/);
  assert.throws(
    () =>
      parseLanguageToolResponse({
        matches: [{ message: "m", offset: 1, length: 2, rule: { id: "R" } }],
      }),
    /matches\.0\.rule\.category/,
  );
  assert.throws(
    () =>
      parseLanguageToolResponse({
        matches: [{
          message: "m",
          offset: -1,
          length: 2,
          rule: { id: "R", category: { id: "C" } },
        }],
      }),
    /matches\.0\.offset/,
  );
});
