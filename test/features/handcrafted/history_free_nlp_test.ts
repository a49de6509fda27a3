/**
 * Contract of `history_free_nlp.ts`: an essay's tokens depend on its text alone, never on what
 * the process read before (wink-nlp's own instance caches out-of-vocabulary words across
 * documents and tokenizes `life's` differently once an earlier document added it).
 */
import assert from "node:assert/strict";
import winkNLP from "wink-nlp";
import model from "wink-eng-lite-web-model";
import {
  readDocWithoutHistory,
  winkIts,
} from "../../../lib/features/handcrafted/history_free_nlp.ts";

const its = winkIts();

// Two sentences of real ELLIPSE-like essays that showed the bug (kept short, written here).
const EARLIER =
  "If students wait until they graduate they can make a better decision in their life's.";
const LATER =
  "Technology has taken over our life's as we know it and things that we do are performed " +
  "from our smart device.";

// deno-lint-ignore no-explicit-any
const tokensOf = (doc: any): string[] => doc.tokens().out();

Deno.test("plain wink-nlp: an earlier document changes a later one's tokens (the bug)", () => {
  const nlp = winkNLP(model);
  const alone = tokensOf(nlp.readDoc(LATER));
  const fresh = winkNLP(model);
  fresh.readDoc(EARLIER);
  const after = tokensOf(fresh.readDoc(LATER));
  assert.notDeepEqual(after, alone, "if this fails, wink-nlp no longer carries history");
});

Deno.test("readDocWithoutHistory: tokens, POS and lemmas do not depend on earlier documents", () => {
  // deno-lint-ignore no-explicit-any
  const detail = (doc: any) =>
    JSON.stringify(
      [its.value, its.pos, its.lemma].map((property) => doc.tokens().out(property)),
    );
  const before = detail(readDocWithoutHistory(LATER));
  readDocWithoutHistory(EARLIER);
  readDocWithoutHistory(EARLIER + " " + LATER);
  const after = detail(readDocWithoutHistory(LATER));
  assert.equal(after, before);
  const plain = tokensOf(winkNLP(model).readDoc(LATER));
  assert.deepEqual(tokensOf(readDocWithoutHistory(LATER)), plain, "same as a fresh instance");
});
