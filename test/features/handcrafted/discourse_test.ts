import assert from "node:assert/strict";
import {
  adjacentLemmaOverlap,
  connectiveMatcher,
  jaccard,
  PhraseMatcher,
} from "../../../lib/features/handcrafted/discourse.ts";
import type { AnalysedToken } from "../../../lib/features/handcrafted/text_analysis.ts";

Deno.test("PhraseMatcher takes the longest phrase and does not overlap", () => {
  const m = new PhraseMatcher(["for", "for example", "example"]);
  assert.deepEqual(m.find(["for", "example", "for", "x", "example"]), [
    "for example",
    "for",
    "example",
  ]);
  const words = "however on the other hand i think so because of that".split(" ");
  assert.deepEqual(connectiveMatcher.find(words), [
    "however",
    "on the other hand",
    "so",
    "because of",
  ]);
});

Deno.test("lexical overlap: mean Jaccard of content lemmas of adjacent sentences", () => {
  const t = (lemma: string, pos = "NOUN", stop = false): AnalysedToken => ({
    value: lemma,
    lower: lemma,
    pos,
    lemma,
    stop,
    sentence: 0,
  });
  assert.equal(jaccard(new Set(["a", "b"]), new Set(["b", "c"])), 1 / 3);
  assert.equal(jaccard(new Set(), new Set()), 0);
  const s1 = [t("dog"), t("run", "VERB"), t("the", "DET", true)];
  const s2 = [t("dog"), t("bark", "VERB"), t("be", "AUX", true)];
  const s3 = [t("it", "PRON", true)];
  // {dog, run} vs {dog, bark} = 1/3; {dog, bark} vs {} = 0 → 1/6.
  assert.equal(adjacentLemmaOverlap([s1, s2, s3]), 1 / 6);
  assert.equal(adjacentLemmaOverlap([s1]), 0);
});
