/**
 * The harper pass's configuration contract: which rules are off, and why the Readability/Style
 * rules (whose lints are dropped) stay on — harper removes overlapping lints, so a dropped
 * whole-sentence `LongSentences` lint hides the errors inside that sentence.
 */
import assert from "node:assert/strict";
import {
  findHarperErrors,
  harperMatches,
  harperRulesOff,
  newHarperLinter,
} from "../../../lib/features/checkers/harper_checker.ts";

const LONG = "When the long summer holidays finally came to an end and all of the students in " +
  "our small town were getting ready for another year of classes, homework, sports, clubs and " +
  "friends, he go to school every day with a big smile on his face and a heavy bag on his back.";

Deno.test("the checker turns off harper's SpellCheck only (or nothing with spellCheck on)", () => {
  assert.deepEqual(harperRulesOff(false), ["SpellCheck"]);
  assert.deepEqual(harperRulesOff(true), []);
});

Deno.test("a known agreement error in a short sentence is found", async () => {
  const matches = await findHarperErrors("He go to school every day.", "en-US");
  assert.deepEqual(matches.map((m) => [m.offset, m.length, m.ruleId, m.categoryId]), [
    [3, 2, "HARPER_AGREEMENT_PRONOUN_VERB_AGREEMENT", "GRAMMAR"],
  ]);
});

Deno.test("LongSentences (dropped kind) hides the error inside; turning it off would count it", async () => {
  assert.deepEqual(await findHarperErrors(LONG, "en-US"), []);
  const linter = await newHarperLinter("en-US", [...harperRulesOff(false), "LongSentences"]);
  try {
    const matches = harperMatches(
      LONG,
      await linter.organizedLints(LONG, { language: "plaintext" }),
    );
    const go = LONG.indexOf(" go ") + 1;
    assert.ok(
      matches.some((m) => m.offset === go && m.ruleId.startsWith("HARPER_AGREEMENT_")),
      JSON.stringify(matches),
    );
  } finally {
    await linter.dispose();
  }
});
