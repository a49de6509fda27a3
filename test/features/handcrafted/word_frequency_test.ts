import assert from "node:assert/strict";
import { frequencyRank, zipfFrequency } from "../../../lib/features/handcrafted/word_frequency.ts";

Deno.test("SUBTLEX-US Zipf values and ranks order common before rare words", () => {
  assert.ok(zipfFrequency("the") > 7 && zipfFrequency("the") < 8);
  assert.ok(zipfFrequency("house") > zipfFrequency("domicile"));
  assert.ok(zipfFrequency("doctor") > zipfFrequency("physician"));
  assert.equal(zipfFrequency("House"), zipfFrequency("house"));
  assert.ok(frequencyRank("the") <= 5);
  assert.ok(frequencyRank("school") < 2000);
  assert.ok(frequencyRank("ubiquitous") > 2000);
  assert.equal(frequencyRank("qwzxv"), Number.POSITIVE_INFINITY);
  // Unseen: Laplace-smoothed count 0, below any seen word.
  assert.ok(zipfFrequency("qwzxv") < zipfFrequency("ubiquitous"));
});
