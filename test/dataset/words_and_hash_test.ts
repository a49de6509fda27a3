import assert from "node:assert/strict";
import { countWords, wordsOf } from "../../lib/dataset/words.ts";
import { normalisedTextHash, normaliseText } from "../../lib/dataset/text_hash.ts";

Deno.test("words are runs of [A-Za-z0-9]+", () => {
  assert.equal(countWords(""), 0);
  assert.equal(countWords("It's 5 o'clock!"), 5);
  assert.deepEqual(wordsOf("e-mail, café 2nd"), ["e", "mail", "caf", "2nd"]);
  assert.equal(countWords("  \n\t "), 0);
  assert.equal(countWords("one\ntwo\r\nthree"), 3);
  // Calls do not share state through the global regex.
  assert.equal(countWords("a b c"), 3);
  assert.equal(countWords("a b c"), 3);
});

Deno.test("non-English words are runs of Unicode letters, marks and digits", () => {
  // in English "på" is two words (p, å dropped) — the bug of issue 18 for Swedish
  assert.deepEqual(wordsOf("Vi går på bio."), ["Vi", "g", "r", "p", "bio"]);
  assert.deepEqual(wordsOf("Vi går på bio.", "sv"), ["Vi", "går", "på", "bio"]);
  assert.equal(countWords("Översättningen är klar, 2 år senare!", "sv-SE"), 6);
  // a decomposed å (a + U+030A) stays inside its word
  assert.deepEqual(wordsOf("får", "sv"), ["får"]);
  // an apostrophe splits, as in English; English tags keep the ASCII rule
  assert.equal(countWords("Anna's bok", "sv"), 3);
  assert.equal(countWords("café", "en-GB"), 1);
  assert.deepEqual(wordsOf("café", "en-GB"), ["caf"]);
  assert.equal(countWords("café", "fr"), 1);
  assert.equal(countWords("å ä ö", "sv"), 3);
  assert.equal(countWords("å ä ö", "sv"), 3);
});

Deno.test("text hash normalises NFKC and whitespace, nothing else", () => {
  assert.equal(normaliseText(" a\u00A0 b\r\n\tc "), "a b c");
  assert.equal(normalisedTextHash("ﬁne  day"), normalisedTextHash("fine day")); // NFKC ligature
  assert.equal(normalisedTextHash("Ａ b"), normalisedTextHash("A b")); // full-width
  assert.notEqual(normalisedTextHash("A b"), normalisedTextHash("a b")); // case kept
  assert.notEqual(normalisedTextHash("a b."), normalisedTextHash("a b"));
  assert.match(normalisedTextHash("x"), /^[0-9a-f]{64}$/);
});
