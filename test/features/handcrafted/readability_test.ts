import assert from "node:assert/strict";
import {
  automatedReadabilityIndex,
  colemanLiauIndex,
  fleschKincaidGrade,
  smogGrade,
} from "../../../lib/features/handcrafted/readability.ts";

// 2 sentences, 20 words, 30 syllables, 3 polysyllables, 90 characters.
const C = { sentences: 2, words: 20, syllables: 30, polysyllables: 3, characters: 90 };

Deno.test("readability formulas on hand-computed counts", () => {
  // 0.39·10 + 11.8·1.5 − 15.59 = 3.9 + 17.7 − 15.59 = 6.01
  assert.ok(Math.abs(fleschKincaidGrade(C) - 6.01) < 1e-12);
  // 1.043·√(3·30/2) + 3.1291 = 1.043·√45 + 3.1291
  assert.ok(Math.abs(smogGrade(C) - (1.043 * Math.sqrt(45) + 3.1291)) < 1e-12);
  // L = 450, S = 10: 0.0588·450 − 0.296·10 − 15.8 = 26.46 − 2.96 − 15.8 = 7.7
  assert.ok(Math.abs(colemanLiauIndex(C) - 7.7) < 1e-12);
  // 4.71·4.5 + 0.5·10 − 21.43 = 21.195 + 5 − 21.43 = 4.765
  assert.ok(Math.abs(automatedReadabilityIndex(C) - 4.765) < 1e-12);
});

Deno.test("readability formulas are 0 without words or sentences", () => {
  const empty = { sentences: 0, words: 0, syllables: 0, polysyllables: 0, characters: 0 };
  for (const f of [fleschKincaidGrade, smogGrade, colemanLiauIndex, automatedReadabilityIndex]) {
    assert.equal(f(empty), 0);
  }
});
