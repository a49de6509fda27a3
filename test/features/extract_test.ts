import assert from "node:assert/strict";
import { createLocalFeatureExtractor } from "../../lib/features/extract.ts";
import { analyseText } from "../../lib/features/handcrafted/text_analysis.ts";
import { HANDCRAFTED_FEATURE_NAMES } from "../../lib/features/handcrafted/schema.ts";
import { normalisedMean } from "../../lib/features/embeddings/vector_ops.ts";
import type {
  ErrorChecker,
  ErrorMatch,
  EssayInput,
  SentenceEncoder,
} from "../../lib/features/types.ts";

/** Test double: counts of the letters a–z in the first 26 dims (NOT an embedding model). */
class LetterCountTestEncoder implements SentenceEncoder {
  readonly name = "letter-count-test-double";
  readonly dimension = 32;
  calls = 0;
  texts: string[] = [];
  embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls++;
    this.texts.push(...texts);
    return Promise.resolve(texts.map((t) => {
      const v = new Float32Array(this.dimension);
      for (const ch of t.toLowerCase()) {
        const c = ch.charCodeAt(0) - 97;
        if (c >= 0 && c < 26) v[c]++;
      }
      v[31] = 1;
      return v;
    }));
  }
}

/** Test double checker: one spelling error at every "teh". */
class TehChecker implements ErrorChecker {
  readonly name = "teh-test-checker";
  checked = 0;
  check(text: string): Promise<readonly ErrorMatch[]> {
    this.checked++;
    const out: ErrorMatch[] = [];
    for (const m of text.matchAll(/\bteh\b/g)) {
      out.push({
        offset: m.index!,
        length: 3,
        ruleId: "MORFOLOGIK_RULE_EN_US",
        categoryId: "TYPOS",
        message: "typo",
      });
    }
    return Promise.resolve(out);
  }
}

const essays: EssayInput[] = [
  {
    id: "a",
    text:
      "I think teh school day should start later. Students are tired.\n\nIn conclusion, later is better.",
    prompt: "School start times",
  },
  {
    id: "b",
    text: "Phones help students learn. They can look things up quickly.",
    prompt: "Phones",
  },
  {
    id: "c",
    text: "Teachers matter most. A good teacher changes lives.",
    prompt: "School start times",
  },
];

Deno.test("local extractor (in-process) returns named matrices aligned with the essays", async () => {
  const encoder = new LetterCountTestEncoder();
  const checker = new TehChecker();
  const extractor = createLocalFeatureExtractor({ workers: 0, encoder, checker, taskSize: 2 });
  const progress: string[] = [];
  const features = await extractor.extract(essays, {
    featureSet: "combined",
    onProgress: (stage, done, total) => progress.push(`${stage} ${done}/${total}`),
  });
  assert.deepEqual(features.ids, ["a", "b", "c"]);
  const hand = features.handcrafted!;
  assert.deepEqual(hand.names, HANDCRAFTED_FEATURE_NAMES);
  assert.equal(hand.nRows, 3);
  assert.equal(hand.values.length, 3 * HANDCRAFTED_FEATURE_NAMES.length);
  const emb = features.embeddings!;
  assert.equal(emb.nCols, 32);
  assert.equal(emb.names[0], "embedding_000");
  assert.equal(emb.names[31], "embedding_031");
  // Essay vector = normalised mean of its sentence vectors.
  const sentences = analyseText(essays[1].text).sentences;
  const expected = normalisedMean(await new LetterCountTestEncoder().embed(sentences), 32);
  for (let k = 0; k < 32; k++) assert.ok(Math.abs(emb.values[32 + k] - expected[k]) < 1e-12);
  // Error density reaches the handcrafted row: only essay a has a "teh".
  const spelling = HANDCRAFTED_FEATURE_NAMES.indexOf("spelling_errors_per_100_words");
  assert.ok(hand.values[spelling] > 0);
  assert.equal(hand.values[hand.nCols + spelling], 0);
  // Cross-essay batching: one encoder call per task (2 tasks), each distinct prompt once.
  assert.equal(encoder.calls, 2);
  assert.equal(encoder.texts.filter((t) => t === "School start times").length, 1);
  assert.equal(checker.checked, 3);
  assert.ok(progress.includes("handcrafted 3/3") && progress.includes("embed 3/3"));
  assert.equal(extractor.stats.essays, 3);
});

Deno.test("local extractor honours the feature set", async () => {
  const encoder = new LetterCountTestEncoder();
  const checker = new TehChecker();
  const extractor = createLocalFeatureExtractor({ workers: 0, encoder, checker });
  const onlyEmb = await extractor.extract(essays, { featureSet: "embeddings" });
  assert.equal(onlyEmb.handcrafted, undefined);
  assert.equal(onlyEmb.embeddings!.nRows, 3);
  assert.equal(checker.checked, 0);
  const onlyHand = await extractor.extract(essays, { featureSet: "handcrafted" });
  assert.equal(onlyHand.embeddings, undefined);
  assert.equal(onlyHand.handcrafted!.nRows, 3);
});

Deno.test("local extractor fingerprint changes with the checker, encoder and options", () => {
  const encoder = new LetterCountTestEncoder();
  const base = createLocalFeatureExtractor({ workers: 0, encoder, checker: new TehChecker() });
  const same = createLocalFeatureExtractor({
    workers: 0,
    encoder,
    checker: new TehChecker(),
    taskSize: 5,
  });
  const otherChecker = createLocalFeatureExtractor({
    workers: 0,
    encoder,
    checker: { name: "languagetool@http://x", check: () => Promise.resolve([]) },
  });
  const otherParagraphs = createLocalFeatureExtractor({
    workers: 0,
    encoder,
    checker: new TehChecker(),
    paragraphEmbedding: "encode",
  });
  assert.equal(base.fingerprint, same.fingerprint);
  assert.notEqual(base.fingerprint, otherChecker.fingerprint);
  assert.notEqual(base.fingerprint, otherParagraphs.fingerprint);
  assert.match(base.fingerprint, /^fx3-[0-9a-f]{64}$/);
});

Deno.test("local extractor stops on an aborted signal", async () => {
  const extractor = createLocalFeatureExtractor({
    workers: 0,
    encoder: new LetterCountTestEncoder(),
    checker: new TehChecker(),
  });
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    extractor.extract(essays, { featureSet: "combined", signal: controller.signal }),
  );
});
