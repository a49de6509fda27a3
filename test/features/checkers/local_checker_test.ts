import assert from "node:assert/strict";
import { categoriseMatch } from "../../../lib/features/checkers/error_categories.ts";
import { harperKindCategory, upperSnake } from "../../../lib/features/checkers/harper_checker.ts";
import {
  LocalErrorChecker,
  mergeCheckerMatches,
} from "../../../lib/features/checkers/local_checker.ts";
import {
  findSpellingErrors,
  NSPELL_RULE_ID,
} from "../../../lib/features/checkers/spelling_checker.ts";
import type { ErrorMatch } from "../../../lib/features/types.ts";

const checker = new LocalErrorChecker();

function covered(text: string, m: ErrorMatch): string {
  return text.slice(m.offset, m.offset + m.length);
}

Deno.test("nspell flags a planted misspelling and spares names, numbers and contractions", () => {
  const text = "Yesterday Maria recieved 3rd prize. She doesn't know what it's for; " +
    "the students' teacher said COVID closed Lincoln High.";
  const hits = findSpellingErrors(text);
  assert.deepEqual(hits.map((m) => covered(text, m)), ["recieved"]);
  assert.equal(hits[0].ruleId, NSPELL_RULE_ID);
  assert.equal(categoriseMatch(hits[0]), "spelling");
});

Deno.test("nspell checks a misspelt capitalised word at a sentence start", () => {
  const text = "It rained. Becuase of that we stayed.\nBecuase again.";
  assert.deepEqual(findSpellingErrors(text).map((m) => covered(text, m)), [
    "Becuase",
    "Becuase",
  ]);
});

Deno.test("local checker finds a planted agreement error (grammar) and misspelling", async () => {
  const text = "He go to school every morning. The teacher recieved our homework.";
  const matches = await checker.check(text, "en-US");
  const agreement = matches.find((m) => covered(text, m) === "go");
  assert.ok(agreement, `no match on "go" in ${JSON.stringify(matches)}`);
  assert.match(agreement.ruleId, /^HARPER_AGREEMENT_/);
  assert.equal(categoriseMatch(agreement), "grammar");
  const spelling = matches.filter((m) => covered(text, m) === "recieved");
  assert.equal(spelling.length, 1, "overlapping spelling hits are counted once");
  assert.equal(categoriseMatch(spelling[0]), "spelling");
  for (let i = 1; i < matches.length; i++) assert.ok(matches[i - 1].offset <= matches[i].offset);
});

Deno.test("local checker maps a punctuation lint to the punctuation category", async () => {
  const text = "I like apples , and I like pears.";
  const matches = await checker.check(text, "en-US");
  assert.ok(matches.some((m) => categoriseMatch(m) === "punctuation"), JSON.stringify(matches));
});

Deno.test("a clean sentence has no matches", async () => {
  assert.deepEqual(await checker.check("The students finished their homework early.", "en-US"), []);
});

Deno.test("mergeCheckerMatches drops nspell hits overlapping harper spelling hits only", () => {
  const m = (offset: number, length: number, ruleId: string, categoryId: string) => ({
    offset,
    length,
    ruleId,
    categoryId,
    message: "",
  });
  const harper = [
    m(10, 5, "HARPER_SPELLING_SPELL_CHECK", "TYPOS"),
    m(30, 4, "HARPER_GRAMMAR_X", "GRAMMAR"),
  ];
  const nspell = [
    m(12, 4, NSPELL_RULE_ID, "TYPOS"), // overlaps the harper spelling hit → dropped
    m(30, 4, NSPELL_RULE_ID, "TYPOS"), // overlaps only a grammar hit → kept
    m(50, 3, NSPELL_RULE_ID, "TYPOS"),
  ];
  const merged = mergeCheckerMatches(harper, nspell);
  assert.deepEqual(merged.map((x) => `${x.offset}:${x.ruleId}`), [
    "10:HARPER_SPELLING_SPELL_CHECK",
    "30:HARPER_GRAMMAR_X",
    `30:${NSPELL_RULE_ID}`,
    `50:${NSPELL_RULE_ID}`,
  ]);
});

Deno.test("harper kinds map to LanguageTool-like categories and rule ids", () => {
  assert.equal(harperKindCategory("Punctuation"), "PUNCTUATION");
  assert.equal(harperKindCategory("Spelling"), "TYPOS");
  assert.equal(harperKindCategory("Typo"), "TYPOS");
  assert.equal(harperKindCategory("Agreement"), "GRAMMAR");
  assert.equal(harperKindCategory("Capitalization"), "GRAMMAR");
  assert.equal(upperSnake("PronounVerbAgreement"), "PRONOUN_VERB_AGREEMENT");
  assert.equal(upperSnake("WordChoice"), "WORD_CHOICE");
});

Deno.test("harper's own spell check is off by default and can be switched on", async () => {
  const text = "The teacher recieved our homework.";
  const off = await checker.check(text, "en-US");
  assert.deepEqual(off.map((m) => m.ruleId), [NSPELL_RULE_ID]);
  const on = await new LocalErrorChecker({ harperSpellCheck: true }).check(text, "en-US");
  assert.deepEqual(on.map((m) => m.ruleId), ["HARPER_SPELLING_SPELL_CHECK"]);
  assert.notEqual(checker.name, new LocalErrorChecker({ harperSpellCheck: true }).name);
});
