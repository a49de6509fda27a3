/**
 * The per-batch extraction pipeline shared by the in-process extractor and each extraction Web
 * Worker: segment every essay of a batch, run the error checker, embed all sentences of the
 * batch (and prompts not seen before) in one encoder call (cross-essay batching), then compute
 * each essay's handcrafted row and its essay vector.
 *
 * Essay vector = L2-normalised mean of its sentence embeddings (USE-lite truncates a text at 128
 * tokens, so a whole-essay embedding sees only the first ~100 words; SPEC §5: 0.29 QWK for
 * whole-essay USE vs 0.39 for the sentence mean). Paragraph embeddings (for the handcrafted
 * paragraph-relevance features) are by default the normalised mean of the paragraph's sentence
 * vectors for the same reason and because it costs nothing extra (`"encode"` embeds the
 * paragraph text instead: about twice the encoder time).
 *
 * @module
 */
import type { FeatureSet } from "./types.ts";
import { computeHandcraftedFeatures } from "./handcrafted/handcrafted_features.ts";
import { analyseText } from "./handcrafted/text_analysis.ts";
import { normalisedMean } from "./embeddings/vector_ops.ts";
import type { ErrorChecker, ErrorMatch, SentenceEncoder } from "./types.ts";

/** How paragraph embeddings are made. */
export type ParagraphEmbeddingMode = "sentence_mean" | "encode";

/** Pipeline stages, in order (names used in progress reports and timings). */
export const PIPELINE_STAGES = ["segment", "check", "embed", "handcrafted"] as const;
/** One pipeline stage. */
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/** One essay as the pipeline receives it; `errors` when a caller-side checker already ran. */
export interface PipelineEssay {
  readonly id: string;
  readonly text: string;
  readonly prompt: string;
  readonly errors?: readonly ErrorMatch[];
}

/** What the pipeline runs with. */
export interface PipelineComponents {
  readonly encoder: SentenceEncoder;
  /** Used for essays without precomputed `errors` (required for handcrafted features then). */
  readonly checker?: ErrorChecker;
  /** LanguageTool language code for the checker (e.g. `en-US`). */
  readonly language: string;
  readonly paragraphEmbedding: ParagraphEmbeddingMode;
  /** Prompt embeddings already computed (filled in as prompts are seen). */
  readonly promptCache: Map<string, Float32Array>;
}

/** Rows of one batch: row-major matrices for the batch's essays, in order. */
export interface PipelineBatchResult {
  readonly handcrafted?: Float64Array;
  readonly handcraftedCols: number;
  readonly embeddings?: Float64Array;
  /** Milliseconds spent per stage on this batch. */
  readonly stageMs: Record<PipelineStage, number>;
}

/** Called once a stage finished for the whole batch. */
export type StageCallback = (stage: PipelineStage, essaysDone: number) => void;

/**
 * Run the pipeline over one batch of essays (see module docs).
 *
 * @example
 * ```ts
 * const out = await processEssayBatch(essays, components, "combined");
 * ```
 */
export async function processEssayBatch(
  essays: readonly PipelineEssay[],
  components: PipelineComponents,
  featureSet: FeatureSet,
  onStage?: StageCallback,
): Promise<PipelineBatchResult> {
  const wantHandcrafted = featureSet !== "embeddings";
  const wantEmbeddings = featureSet !== "handcrafted";
  const stageMs: Record<PipelineStage, number> = { segment: 0, check: 0, embed: 0, handcrafted: 0 };
  const { encoder } = components;

  let t = performance.now();
  const analyses = essays.map((e) => {
    const a = analyseText(e.text, components.language);
    return {
      sentences: [...a.sentences],
      paragraphs: [...a.paragraphs],
      sentenceParagraph: Int32Array.from(a.sentenceParagraph),
    };
  });
  stageMs.segment = performance.now() - t;
  onStage?.("segment", essays.length);

  let errors: (readonly ErrorMatch[])[] = [];
  if (wantHandcrafted) {
    t = performance.now();
    errors = [];
    for (const essay of essays) {
      if (essay.errors) {
        errors.push(essay.errors);
        continue;
      }
      if (!components.checker) {
        throw new Error(`essay ${essay.id}: no error checker and no precomputed errors`);
      }
      try {
        errors.push(await components.checker.check(essay.text, components.language));
      } catch (error) {
        throw new Error(
          `essay ${essay.id}: ${components.checker.name} failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    stageMs.check = performance.now() - t;
    onStage?.("check", essays.length);
  }

  // One encoder call for every sentence (and new prompt, and paragraph in "encode" mode).
  t = performance.now();
  const texts: string[] = [];
  const sentenceStart: number[] = [];
  for (const a of analyses) {
    sentenceStart.push(texts.length);
    texts.push(...a.sentences);
  }
  const paragraphStart: number[] = [];
  if (wantHandcrafted && components.paragraphEmbedding === "encode") {
    for (const a of analyses) {
      paragraphStart.push(texts.length);
      texts.push(...a.paragraphs);
    }
  }
  const newPrompts = wantHandcrafted
    ? [...new Set(essays.map((e) => e.prompt))].filter((p) => !components.promptCache.has(p))
    : [];
  const promptStart = texts.length;
  texts.push(...newPrompts);
  const vectors = await encoder.embed(texts);
  if (vectors.length !== texts.length) {
    throw new Error(
      `encoder ${encoder.name} returned ${vectors.length} vectors for ${texts.length} texts`,
    );
  }
  newPrompts.forEach((p, k) => components.promptCache.set(p, vectors[promptStart + k]));
  stageMs.embed = performance.now() - t;
  onStage?.("embed", essays.length);

  const dim = encoder.dimension;
  const embeddings = wantEmbeddings ? new Float64Array(essays.length * dim) : undefined;
  let handcrafted: Float64Array | undefined;
  let handcraftedCols = 0;
  t = performance.now();
  for (let i = 0; i < essays.length; i++) {
    const a = analyses[i];
    const sentenceVectors = vectors.slice(sentenceStart[i], sentenceStart[i] + a.sentences.length);
    if (embeddings) embeddings.set(normalisedMean(sentenceVectors, dim), i * dim);
    if (!wantHandcrafted) continue;
    const paragraphVectors = components.paragraphEmbedding === "encode"
      ? vectors.slice(paragraphStart[i], paragraphStart[i] + a.paragraphs.length)
      : paragraphMeans(a.paragraphs.length, a.sentenceParagraph, sentenceVectors, dim);
    let row: Float64Array;
    try {
      row = computeHandcraftedFeatures({
        text: essays[i].text,
        prompt: essays[i].prompt,
        errors: errors[i],
        sentenceEmbeddings: sentenceVectors,
        paragraphEmbeddings: paragraphVectors,
        promptEmbedding: components.promptCache.get(essays[i].prompt)!,
        language: components.language,
      });
    } catch (error) {
      throw new Error(
        `essay ${essays[i].id}: handcrafted features failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (!handcrafted) {
      handcraftedCols = row.length;
      handcrafted = new Float64Array(essays.length * handcraftedCols);
    } else if (row.length !== handcraftedCols) {
      throw new Error(
        `essay ${essays[i].id}: handcrafted row of ${row.length}, expected ${handcraftedCols}`,
      );
    }
    handcrafted.set(row, i * handcraftedCols);
  }
  if (wantHandcrafted) {
    stageMs.handcrafted = performance.now() - t;
    onStage?.("handcrafted", essays.length);
  } else {
    stageMs.embed += performance.now() - t;
  }
  if (wantHandcrafted && !handcrafted) handcrafted = new Float64Array(0);
  return { handcrafted, handcraftedCols, embeddings, stageMs };
}

/**
 * Paragraph vectors as the normalised mean of their sentences' vectors. A paragraph with no
 * sentence gets the zero vector.
 */
export function paragraphMeans(
  paragraphCount: number,
  sentenceParagraph: Int32Array,
  sentenceVectors: readonly Float32Array[],
  dimension: number,
): Float32Array[] {
  const members: Float32Array[][] = Array.from({ length: paragraphCount }, () => []);
  sentenceParagraph.forEach((p, s) => {
    if (p >= 0 && p < paragraphCount) members[p].push(sentenceVectors[s]);
  });
  return members.map((vs) => Float32Array.from(normalisedMean(vs, dimension)));
}
