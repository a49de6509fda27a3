/**
 * Golden values of every handcrafted feature on tiny texts counted by hand.
 */
import assert from "node:assert/strict";
import {
  computeHandcraftedFeatures,
  type EssayAnalysisInput,
  segmentEssay,
} from "../../../lib/features/handcrafted/handcrafted_features.ts";
import {
  HANDCRAFTED_FEATURE_NAMES,
  HANDCRAFTED_FEATURE_SCHEMA,
} from "../../../lib/features/handcrafted/schema.ts";
import type { ErrorMatch } from "../../../lib/features/types.ts";
import { analyseText } from "../../../lib/features/handcrafted/text_analysis.ts";

const v = (...x: number[]) => Float32Array.from(x);

/** Input with constant embeddings (1, 0) everywhere unless given. */
function inputFor(text: string, overrides: Partial<EssayAnalysisInput> = {}): EssayAnalysisInput {
  const seg = segmentEssay(text);
  return {
    text,
    prompt: "Pets",
    errors: [],
    sentenceEmbeddings: seg.sentences.map(() => v(1, 0)),
    paragraphEmbeddings: seg.paragraphs.map(() => v(1, 0)),
    promptEmbedding: v(1, 0),
    ...overrides,
  };
}

function named(row: Float64Array): Record<string, number> {
  return Object.fromEntries(HANDCRAFTED_FEATURE_NAMES.map((n, i) => [n, row[i]]));
}

function close(actual: number, expected: number, name: string, eps = 1e-9): void {
  assert.ok(
    Math.abs(actual - expected) <= eps,
    `${name}: expected ${expected}, got ${actual}`,
  );
}

// Text A: 2 paragraphs, 3 sentences.
//   S1 "The cat sat on the mat."   words The cat sat on the mat        = 6, syllables 6, chars 17
//   S2 "The cat was happy."        words The cat was hap·py            = 4, syllables 5, chars 14
//   S3 "Dogs run fast because they can."  Dogs run fast be·cause they can = 6, syll. 7, chars 25
// W = 16, S = 3, syllables = 18, polysyllables (>= 3) = 0, characters = 56.
const TEXT_A = "The cat sat on the mat. The cat was happy.\nDogs run fast because they can.";

Deno.test("golden Tier 1 values on a 3-sentence text", () => {
  const f = named(computeHandcraftedFeatures(inputFor(TEXT_A)));
  close(f.word_count, 16, "word_count");
  close(f.avg_sentence_length, 16 / 3, "avg_sentence_length");
  // Types: the cat sat on mat was happy dogs run fast because they can = 13 of 16 tokens.
  close(f.ttr, 13 / 16, "ttr");
  close(f.avg_word_length, 56 / 16, "avg_word_length");
  // FK = 0.39·16/3 + 11.8·18/16 − 15.59 = 2.08 + 13.275 − 15.59 = −0.235
  close(f.flesch_kincaid, -0.235, "flesch_kincaid");
  // SMOG = 1.043·√(0·30/3) + 3.1291
  close(f.smog, 3.1291, "smog");
  // CL: L = 100·56/16 = 350, S = 100·3/16 = 18.75 → 0.0588·350 − 0.296·18.75 − 15.8 = −0.77
  close(f.coleman_liau, -0.77, "coleman_liau");
  // ARI = 4.71·56/16 + 0.5·16/3 − 21.43 = 16.485 + 2.6667 − 21.43
  close(f.ari, 16.485 + 8 / 3 - 21.43, "ari");
  // No errors given.
  close(f.grammar_errors_per_100_words, 0, "grammar");
  close(f.spelling_errors_per_100_words, 0, "spelling");
  close(f.punctuation_errors_per_100_words, 0, "punctuation");
});

Deno.test("golden Tier 2/3 and extra values on the same text", () => {
  const f = named(computeHandcraftedFeatures(inputFor(TEXT_A)));
  // Verb groups: S1 {sat}, S2 {was}, S3 {run}, {can} → 4 clauses.
  close(f.clause_count, 4, "clause_count");
  close(f.clauses_per_sentence, 4 / 3, "clauses_per_sentence");
  // Depth proxy: S1 2 + 0 + chain(on)=1 → 3; S2 2; S3 2 + SCONJ(because)=1 → 3; mean 8/3.
  close(f.parse_tree_depth, 8 / 3, "parse_tree_depth");
  close(f.passive_ratio, 0, "passive_ratio");
  // Heads: S1 The→cat 1, cat→sat 1, on→sat 1, the→mat 1, mat→on 2 (sum 6, 5 arcs);
  // S2 The→cat 1, cat→was 1, happy→was 1 (3, 3); S3 Dogs→run 1, fast→run 1,
  // because→they 1, they→can 1, can→run 4 (8, 5). 17 / 13.
  close(f.dep_distance, 17 / 13, "dep_distance");
  // Connectives: "because" only.
  close(f.connective_diversity, 1, "connective_diversity");
  close(f.connective_density, 100 / 16, "connective_density");
  close(f.paragraph_count, 2, "paragraph_count");
  close(f.has_intro, 0, "has_intro");
  close(f.has_conclusion, 0, "has_conclusion");
  // Content lemmas: S1 {cat, sit, mat}, S2 {cat, happy}, S3 {dogs, run, fast}:
  // Jaccard 1/4 and 0 → mean 1/8.
  close(f.lexical_overlap, 1 / 8, "lexical_overlap");
  // PRON: they (1); NOUN/PROPN: cat, mat, cat, Dogs (4).
  close(f.pronoun_noun_ratio, 1 / 4, "pronoun_noun_ratio");
  // MTLD forward: TTR hits 5/7 ≤ 0.72 at the 7th word → 1 factor, rest all new (partial 0)
  // → 16/1 = 16. Backward: no full factor, final TTR 13/16 → partial (1 − 0.8125)/0.28
  // → 16/0.669643 = 23.8933. Mean 19.9467.
  close(f.mtld, (16 + 16 / (0.1875 / 0.28)) / 2, "mtld");
  close(f.mean_word_syllables, 18 / 16, "mean_word_syllables");
  close(f.polysyllabic_word_ratio, 0, "polysyllabic_word_ratio");
  close(f.long_word_ratio, 1 / 16, "long_word_ratio"); // "because"
  // Sentence lengths 6, 4, 6: mean 16/3, variance (4/9 + 16/9 + 4/9)/3 = 8/9.
  close(f.sentence_length_std, Math.sqrt(8 / 9), "sentence_length_std");
});

// Text B: 3 paragraphs with an opening stance cue, a passive and a concluding cue.
const TEXT_B = "In my opinion, homework helps.\nIt is done by students.\nIn conclusion, I agree.";

Deno.test("intro/conclusion cues, passive sentences and multi-word connectives", () => {
  const f = named(computeHandcraftedFeatures(inputFor(TEXT_B)));
  close(f.paragraph_count, 3, "paragraph_count");
  close(f.has_intro, 1, "has_intro"); // "in my opinion"
  close(f.has_conclusion, 1, "has_conclusion"); // "in conclusion"
  close(f.passive_ratio, 1 / 3, "passive_ratio"); // "is done"
  close(f.connective_diversity, 1, "connective_diversity"); // "in conclusion"
  close(f.word_count, 14, "word_count");
  // One paragraph: no intro/conclusion even with cues.
  const one = named(computeHandcraftedFeatures(inputFor("In my opinion, in conclusion, yes.")));
  close(one.has_intro, 0, "has_intro (1 paragraph)");
  close(one.has_conclusion, 0, "has_conclusion (1 paragraph)");
});

Deno.test("error densities are per 100 word tokens, punctuation excluded", () => {
  const m = (ruleId: string, categoryId: string): ErrorMatch => ({
    offset: 0,
    length: 1,
    ruleId,
    categoryId,
    message: "",
  });
  const errors = [
    m("HE_VERB_AGR", "GRAMMAR"),
    m("I_LOWERCASE", "CASING"),
    m("MORFOLOGIK_RULE_EN_US", "TYPOS"),
    m("PUNCTUATION_PARAGRAPH_END", "PUNCTUATION"),
  ];
  // 16 words (the 3 full stops and the line break are not words).
  const f = named(computeHandcraftedFeatures(inputFor(TEXT_A, { errors })));
  close(f.grammar_errors_per_100_words, 200 / 16, "grammar");
  close(f.spelling_errors_per_100_words, 100 / 16, "spelling");
  close(f.punctuation_errors_per_100_words, 100 / 16, "punctuation");
  close(f.agreement_errors_per_100_words, 100 / 16, "agreement");
  close(f.capitalization_errors_per_100_words, 100 / 16, "capitalization");
});

Deno.test("embedding features from tiny hand-made vectors", () => {
  const f = named(computeHandcraftedFeatures(inputFor(TEXT_A, {
    sentenceEmbeddings: [v(1, 0), v(1, 1), v(-1, 1)],
    paragraphEmbeddings: [v(1, 0), v(0, 2)],
    promptEmbedding: v(1, 0),
  })));
  // Consecutive cosines: (1,0)·(1,1) = 1/√2; (1,1)·(−1,1) = 0 → variance (1/√2 / 2)² = 1/8.
  close(f.sent_similarity_variance, 1 / 8, "sent_similarity_variance", 1e-7);
  // Mean sentence vector (1/3, 2/3) vs (1, 0): (1/3)/√(5/9) = 1/√5.
  close(f.prompt_similarity, 1 / Math.sqrt(5), "prompt_similarity", 1e-7);
  close(f.intro_prompt_sim, 1, "intro_prompt_sim", 1e-7);
  close(f.min_para_relevance, 0, "min_para_relevance", 1e-7);
});

Deno.test("misaligned embeddings are refused", () => {
  assert.throws(
    () => computeHandcraftedFeatures(inputFor(TEXT_A, { sentenceEmbeddings: [v(1, 0)] })),
    /1 sentence embeddings for 3 sentences/,
  );
  assert.throws(
    () => computeHandcraftedFeatures(inputFor(TEXT_A, { paragraphEmbeddings: [] })),
    /0 paragraph embeddings for 2 paragraphs/,
  );
  assert.throws(
    () => computeHandcraftedFeatures(inputFor(TEXT_A, { promptEmbedding: v(1, 0, 0) })),
    /dimension 2, prompt has 3/,
  );
});

Deno.test("segmentEssay: paragraphs are non-blank lines; sentences never cross them", () => {
  const seg = segmentEssay("First line no stop\r\n\r\n  Second one. Third here!\n\n\nLast");
  assert.deepEqual(seg.paragraphs, ["First line no stop", "Second one. Third here!", "Last"]);
  assert.deepEqual(seg.sentences, ["First line no stop", "Second one.", "Third here!", "Last"]);
  assert.deepEqual(segmentEssay("  \n "), { sentences: [], paragraphs: [] });
});

Deno.test("word_count equals the number of /[A-Za-z0-9]+/g matches", () => {
  const text = "It's 5 o'clock—e-mail me at x@y.com!\nDon't   stop; 3.5% of U.S. kids… naïve café";
  const expected = text.match(/[A-Za-z0-9]+/g)?.length ?? 0;
  const f = named(computeHandcraftedFeatures(inputFor(text)));
  assert.equal(f.word_count, expected);
  // It s 5 o clock e mail me at x y com (12) Don t stop 3 5 of U S kids (9) na ve caf (3)
  assert.equal(expected, 24);
});

Deno.test("empty text gives an all-zero, finite row", () => {
  const row = computeHandcraftedFeatures(inputFor(""));
  assert.equal(row.length, HANDCRAFTED_FEATURE_NAMES.length);
  assert.ok(row.every((x) => x === 0), String(row));
});

Deno.test("the schema holds every SPEC §3 name once, in tier order, each defined", () => {
  const spec = [
    "grammar_errors_per_100_words",
    "spelling_errors_per_100_words",
    "punctuation_errors_per_100_words",
    "flesch_kincaid",
    "smog",
    "coleman_liau",
    "ari",
    "avg_sentence_length",
    "ttr",
    "word_count",
    "avg_word_length",
    "parse_tree_depth",
    "clause_count",
    "passive_ratio",
    "dep_distance",
    "connective_diversity",
    "sent_similarity_variance",
    "prompt_similarity",
    "intro_prompt_sim",
    "min_para_relevance",
    "paragraph_count",
    "has_intro",
    "has_conclusion",
    "lexical_overlap",
    "pronoun_noun_ratio",
  ];
  assert.deepEqual(HANDCRAFTED_FEATURE_NAMES.slice(0, spec.length), spec);
  assert.equal(new Set(HANDCRAFTED_FEATURE_NAMES).size, HANDCRAFTED_FEATURE_NAMES.length);
  for (const f of HANDCRAFTED_FEATURE_SCHEMA) assert.ok(f.definition.length > 10, f.name);
  assert.ok(HANDCRAFTED_FEATURE_SCHEMA.slice(spec.length).every((f) => f.tier === "extra"));
});

Deno.test("docs/features.md documents every schema feature", async () => {
  const doc = await Deno.readTextFile(new URL("../../../docs/features.md", import.meta.url));
  for (const name of HANDCRAFTED_FEATURE_NAMES) {
    const row = new RegExp(`\\|\\s*\`${name}\`\\s*\\|`);
    assert.match(doc, row, `docs/features.md lacks a row for ${name}`);
  }
});

Deno.test("Swedish words: the analysis counts Unicode words, English text keeps its words", () => {
  const text = "Vi går på bio i kväll.\n\nDet blir så roligt att se filmen.";
  const sv = analyseText(text, "sv");
  assert.deepEqual(sv.words.slice(0, 4), ["Vi", "går", "på", "bio"]);
  assert.equal(sv.words.length, 13);
  assert.equal(sv.sentenceWordCounts.reduce((a, b) => a + b, 0), 13);
  // the same text in English (the default, and en-US) is cached apart and counted in ASCII runs
  const en = analyseText(text);
  assert.equal(en.words.length, 15);
  assert.equal(analyseText(text, "en-US"), en);
  assert.equal(analyseText(text, "sv"), sv);
  // the language-neutral word features follow: 13 words, all distinct
  const f = named(computeHandcraftedFeatures({ ...inputFor(text), language: "sv" }));
  close(f.word_count, 13, "word_count");
  close(f.ttr, 13 / 13, "ttr");
  // characters: Vi går på bio i kväll Det blir så roligt att se filmen = 2+3+2+3+1+5+3+4+2+6+3+2+6
  close(f.avg_word_length, 42 / 13, "avg_word_length");
  close(f.long_word_ratio, 0, "long_word_ratio");
  close(named(computeHandcraftedFeatures(inputFor(text))).word_count, 15, "word_count (en)");
});
