import assert from "node:assert/strict";
import {
  clauseCount,
  dependencyDistances,
  hasPassive,
  longestPrepositionChain,
  subordinationMarkers,
  verbGroups,
} from "../../../lib/features/handcrafted/syntax_proxies.ts";
import type { AnalysedToken } from "../../../lib/features/handcrafted/text_analysis.ts";

/** Tokens from "word/POS/lemma" triples (hand-tagged, independent of the tagger). */
function tokens(spec: string): AnalysedToken[] {
  return spec.split(" ").map((triple) => {
    const [value, pos, lemma] = triple.split("/");
    return { value, lower: value.toLowerCase(), pos, lemma, stop: false, sentence: 0 };
  });
}

Deno.test("verb groups: auxiliaries join, 'to' + verb opens a non-finite clause", () => {
  const t = tokens(
    "She/PRON/she has/AUX/have been/AUX/be working/VERB/work and/CCONJ/and " +
      "wants/VERB/want to/PART/to rest/VERB/rest ./PUNCT/.",
  );
  assert.deepEqual(verbGroups(t).map((g) => [g.start, g.end, g.head]), [
    [1, 4, 3],
    [5, 6, 5],
    [7, 8, 7],
  ]);
  assert.equal(clauseCount(t), 3);
  assert.equal(clauseCount(tokens("Yes/INTJ/yes ./PUNCT/.")), 1);
  // "do n't like": negation is skipped, so "like" stays in the group of "do".
  assert.equal(clauseCount(tokens("I/PRON/i do/AUX/do n't/PART/not like/VERB/like it/PRON/it")), 1);
});

Deno.test("subordination markers and preposition chains", () => {
  const t = tokens(
    "The/DET/the man/NOUN/man who/PRON/who lives/VERB/live in/ADP/in the/DET/the house/NOUN/house " +
      "near/ADP/near the/DET/the park/NOUN/park left/VERB/leave because/SCONJ/because it/PRON/it " +
      "rained/VERB/rain",
  );
  // who (after a noun) + because = 2; "in the house near the park" = chain of 2.
  assert.equal(subordinationMarkers(t), 2);
  assert.equal(longestPrepositionChain(t), 2);
  // A comma closes the segment.
  const u = tokens("in/ADP/in Paris/PROPN/paris ,/PUNCT/, at/ADP/at night/NOUN/night");
  assert.equal(longestPrepositionChain(u), 1);
});

Deno.test("passive: be/get + past participle, not progressive or present", () => {
  assert.ok(hasPassive(tokens("The/DET/the cake/NOUN/cake was/AUX/be eaten/VERB/eat")));
  assert.ok(hasPassive(tokens("He/PRON/he got/AUX/get not/PART/not paid/VERB/pay")));
  assert.ok(!hasPassive(tokens("He/PRON/he was/AUX/be eating/VERB/eat")));
  assert.ok(!hasPassive(tokens("He/PRON/he is/AUX/be happy/ADJ/happy")));
  assert.ok(!hasPassive(tokens("They/PRON/they have/AUX/have eaten/VERB/eat")));
});

Deno.test("dependency distance proxy on a hand-attached sentence", () => {
  // The→cat 1, cat→sat 1, on→sat 1, the→mat 1, mat→on 2; sat is the root.
  const t = tokens(
    "The/DET/the cat/NOUN/cat sat/VERB/sit on/ADP/on the/DET/the mat/NOUN/mat ./PUNCT/.",
  );
  assert.deepEqual(dependencyDistances(t), { sum: 6, count: 5 });
  assert.deepEqual(dependencyDistances(tokens("Hi/INTJ/hi")), { sum: 0, count: 0 });
});
