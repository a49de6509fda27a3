/**
 * Contracts between feature extraction, its backends (local, Hemma offload) and the model.
 *
 * Matrices are dense, row-major `Float64Array`s with named columns; rows follow the order of
 * the essays given to `FeatureExtractor.extract`. The local extractor, the offload client and the
 * offload server all speak these types, so `--backend local|hemma` are interchangeable.
 *
 * @module
 */

/** Feature sets accepted everywhere: handcrafted columns, sentence embeddings, or both. */
export const FEATURE_SETS = ["handcrafted", "embeddings", "combined"] as const;
/** A feature set name. */
export type FeatureSet = (typeof FEATURE_SETS)[number];

/** A dense row-major matrix with named columns (`values[r * nCols + c]`). */
export interface FeatureMatrix {
  /** Column names, in order (for handcrafted features: the schema's names). */
  readonly names: readonly string[];
  readonly nRows: number;
  readonly nCols: number;
  readonly values: Float64Array;
}

/** What an extractor needs of an essay. */
export interface EssayInput {
  readonly id: string;
  readonly text: string;
  /** Prompt name or text; used by the prompt-similarity features. */
  readonly prompt: string;
}

/** Progress callback: `stage` names the pipeline stage, `done` of `total` items finished. */
export type ProgressCallback = (stage: string, done: number, total: number) => void;

/** Options for one extraction call. */
export interface ExtractionOptions {
  readonly featureSet: FeatureSet;
  readonly onProgress?: ProgressCallback;
  /** Abort extraction (e.g. on SIGINT); finished work already persisted is kept. */
  readonly signal?: AbortSignal;
}

/** Result of an extraction: matrices aligned with `ids`. */
export interface ExtractedFeatures {
  readonly ids: readonly string[];
  /** Present for `handcrafted` and `combined`. */
  readonly handcrafted?: FeatureMatrix;
  /** Present for `embeddings` and `combined`. */
  readonly embeddings?: FeatureMatrix;
}

/** Anything that turns essays into feature matrices (local pipeline or offload client). */
export interface FeatureExtractor {
  /** Changes whenever anything that changes the output changes (models, schema, options). */
  readonly fingerprint: string;
  /**
   * Handcrafted column schema when it is not this project's own (e.g. a remote offload server's
   * 25 or 36 columns): the version string and names a feature store records and checks.
   */
  readonly featureSchema?: {
    readonly version: string;
    readonly handcraftedNames: readonly string[];
  };
  /** Facts recorded in the feature store's metadata (e.g. server fingerprint, model, schema). */
  readonly provenance?: Readonly<Record<string, unknown>>;
  extract(
    essays: readonly EssayInput[],
    options: ExtractionOptions,
  ): Promise<ExtractedFeatures>;
}

/** One error found by a checker, in LanguageTool's vocabulary. */
export interface ErrorMatch {
  readonly offset: number;
  readonly length: number;
  readonly ruleId: string;
  readonly categoryId: string;
  readonly message: string;
}

/** A grammar/spelling/punctuation checker (local harper+nspell, or LanguageTool over HTTP). */
export interface ErrorChecker {
  readonly name: string;
  check(text: string, language: string): Promise<readonly ErrorMatch[]>;
}

/** A sentence encoder producing fixed-size vectors. */
export interface SentenceEncoder {
  readonly name: string;
  readonly dimension: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}
