/**
 * The handcrafted features that read the essay's prompt (its name or text is embedded and
 * compared with the essay's sentence and paragraph embeddings). Every other feature depends on
 * the essay text alone. `score` uses this list when an essay comes without a prompt: these
 * columns are then set to their training mean and the essay is flagged `prompt_missing`.
 *
 * @module
 */

/** Handcrafted columns computed from the prompt embedding (see `handcrafted/schema.ts`). */
export const PROMPT_DEPENDENT_FEATURES: readonly string[] = [
  "prompt_similarity",
  "intro_prompt_sim",
  "min_para_relevance",
];
