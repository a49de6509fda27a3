import assert from "node:assert/strict";
import type { Essay } from "../../lib/dataset/essay.ts";
import { applyStandardFilters } from "../../lib/dataset/filters.ts";

function essay(id: string, words: number, prompt: string): Essay {
  return {
    id,
    text: Array.from({ length: words }, (_, i) => `w${i}`).join(" "),
    prompt,
    overall: 3,
    split: "train",
    sourceRow: 1,
    columns: {},
  };
}

Deno.test("prompt exclusion then inclusive word window, with counts per stage", () => {
  const essays = [
    essay("a", 199, "P"),
    essay("b", 200, "P"),
    essay("c", 1000, "P"),
    essay("d", 1001, "P"),
    essay("e", 500, "Letter to employer"),
    essay("f", 10, "Letter to employer"),
    essay("g", 600, "Q"),
  ];
  const r = applyStandardFilters(essays, {
    minWords: 200,
    maxWords: 1000,
    excludedPrompts: ["Letter to employer"],
  });
  assert.deepEqual(r.kept.map((e) => e.id), ["b", "c", "g"]);
  assert.deepEqual(r.stages[0], {
    stage: "excluded_prompts",
    before: 7,
    after: 5,
    removed: 2,
    removedBy: { "prompt:Letter to employer": 2 },
  });
  assert.deepEqual(r.stages[1], {
    stage: "word_window",
    before: 5,
    after: 3,
    removed: 2,
    removedBy: { below_min_words: 1, above_max_words: 1 },
  });
});

Deno.test("the word window counts words in the dataset's language", () => {
  const text = Array.from({ length: 10 }, () => "på").join(" ");
  const e: Essay = { ...essay("sv", 0, "P"), text };
  const settings = { minWords: 10, maxWords: 10, excludedPrompts: [] };
  assert.equal(applyStandardFilters([e], { ...settings, language: "sv" }).kept.length, 1);
  // in English each "på" is one word ("p"): also 10 — but "gå på" differs
  const mixed: Essay = { ...e, text: `${text} å` };
  assert.equal(applyStandardFilters([mixed], { ...settings, language: "sv" }).kept.length, 0);
  assert.equal(applyStandardFilters([mixed], settings).kept.length, 1);
});
