/**
 * Reference essays for versioning the handcrafted features: three small essays (with fixed
 * checker matches and fixed pseudo-embeddings, so no encoder or checker runs) whose feature
 * values are hashed into one digest. `HANDCRAFTED_REFERENCE_DIGEST` in `schema.ts` pins that
 * digest and is part of the extractor fingerprint; the schema-version test recomputes it, so a
 * code change that moves any feature value cannot go unnoticed.
 *
 * The essays exercise every feature: several paragraphs, intro and conclusion cues,
 * connectives, passives, subordinate clauses, numbers, rare and misspelt words, and every error
 * category (grammar, spelling, punctuation, agreement, capitalisation).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { ErrorMatch } from "../types.ts";
import {
  computeHandcraftedFeatures,
  type EssayAnalysisInput,
  segmentEssay,
} from "./handcrafted_features.ts";
import { HANDCRAFTED_FEATURE_NAMES } from "./schema.ts";

/** One reference essay with its fixed checker matches. */
interface ReferenceEssay {
  readonly prompt: string;
  readonly text: string;
  readonly errors: readonly ErrorMatch[];
}

const match = (
  offset: number,
  length: number,
  ruleId: string,
  categoryId: string,
): ErrorMatch => ({ offset, length, ruleId, categoryId, message: ruleId });

/** The reference essays (never change them without re-pinning the digest and the version). */
export const REFERENCE_ESSAYS: readonly ReferenceEssay[] = [
  {
    prompt: "Should students be required to do community service?",
    text: "In my opinion, students should do community service because it teaches " +
      "responsibility.\nFirst, volunteers learn skills that are useful later. For example, a " +
      "student who was helped by a mentor can become a mentor himself. The park was cleaned by " +
      "twenty students in 2019, and nobody complained.\nHowever, some people think that schools " +
      "already demand too much. They is worried about homework, and there time is limited.\nIn " +
      "conclusion, i believe the benefits outweigh the costs, therefore service should be " +
      "required.",
    errors: [
      match(0, 2, "UPPERCASE_SENTENCE_START", "CASING"),
      match(250, 7, "MORFOLOGIK_RULE_EN_US", "TYPOS"),
      match(300, 6, "SUBJECT_VERB_AGREEMENT", "GRAMMAR"),
      match(320, 1, "COMMA_PARENTHESIS_WHITESPACE", "PUNCTUATION"),
      match(400, 1, "I_LOWERCASE", "CASING"),
    ],
  },
  {
    prompt: "Is technology good for learning?",
    text: "Technology is everywhere nowadays. Students use phones, laptops and tablets to " +
      "research, write and collaborate on projects that would have been impossible twenty " +
      "years ago; consequently, learning has become faster, although not always deeper.\nTo " +
      "sum up, technology is a tool, and its value depends on how thoughtfully we use it.",
    errors: [match(12, 10, "EN_A_VS_AN", "GRAMMAR")],
  },
  {
    prompt: "Describe your favourite place.",
    text: "my favourite place is the libary. it is quiet and I can read their for hours " +
      "without being disturbed by anybody",
    errors: [
      match(0, 2, "UPPERCASE_SENTENCE_START", "CASING"),
      match(26, 6, "MORFOLOGIK_RULE_EN_US", "TYPOS"),
      match(60, 5, "CONFUSION_RULE", "GRAMMAR"),
      match(108, 0, "PUNCTUATION_PARAGRAPH_END", "PUNCTUATION"),
    ],
  },
];

/** A fixed 16-d pseudo-embedding of a string (sha256 bytes, centred), not a real encoder. */
export function pseudoEmbedding(text: string): Float32Array {
  const bytes = createHash("sha256").update(text, "utf8").digest();
  return Float32Array.from({ length: 16 }, (_, i) => (bytes[i] - 127.5) / 127.5);
}

/** The full input of a reference essay (fixed errors, pseudo-embeddings). */
export function referenceInput(essay: ReferenceEssay): EssayAnalysisInput {
  const seg = segmentEssay(essay.text);
  return {
    text: essay.text,
    prompt: essay.prompt,
    errors: essay.errors,
    sentenceEmbeddings: seg.sentences.map(pseudoEmbedding),
    paragraphEmbeddings: seg.paragraphs.map(pseudoEmbedding),
    promptEmbedding: pseudoEmbedding(essay.prompt),
  };
}

/**
 * The feature values of the reference essays, `{feature: [value per essay]}`, each rounded to
 * 10 significant digits (robust to last-bit differences of math functions across machines).
 */
export function handcraftedReferenceValues(): Record<string, string[]> {
  const rows = REFERENCE_ESSAYS.map((e) => computeHandcraftedFeatures(referenceInput(e)));
  return Object.fromEntries(
    HANDCRAFTED_FEATURE_NAMES.map((name, j) => [name, rows.map((r) => r[j].toPrecision(10))]),
  );
}

/**
 * sha256 of {@linkcode handcraftedReferenceValues} (names in schema order): what
 * `HANDCRAFTED_REFERENCE_DIGEST` pins.
 *
 * @example
 * ```ts
 * handcraftedReferenceDigest() === HANDCRAFTED_REFERENCE_DIGEST; // true unless a value moved
 * ```
 */
export function handcraftedReferenceDigest(): string {
  return createHash("sha256").update(JSON.stringify(handcraftedReferenceValues()), "utf8").digest(
    "hex",
  );
}
