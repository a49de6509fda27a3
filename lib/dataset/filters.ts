/**
 * The runbook's standard filters: the genre scope (when the dataset manifest declares one), the
 * word window (inclusive) and prompt-level exclusions.
 *
 * Filters run in a fixed order — genre scope, excluded prompts, then the word window — and every
 * stage's before/after counts are kept for the integrity report. Letters are excluded only by
 * prompt, never by per-essay detection.
 *
 * @module
 */
import type { Essay } from "./essay.ts";
import { countWords } from "./words.ts";

/** Filter settings (from `ExperimentConfig`). */
export interface FilterSettings {
  readonly minWords: number;
  readonly maxWords: number;
  readonly excludedPrompts: readonly string[];
  /** Genres in scope (the manifest's `genres.inScope`); untagged essays are out of scope too. */
  readonly genresInScope?: readonly string[];
  /** The dataset's language (BCP 47): how words are counted (`words.ts`; default English). */
  readonly language?: string;
}

/** Counts for one filter stage. */
export interface FilterStageCount {
  readonly stage: "genre_scope" | "excluded_prompts" | "word_window";
  readonly before: number;
  readonly after: number;
  readonly removed: number;
  /** Why essays were removed, e.g. `{"below_min_words": 3, "above_max_words": 1}`. */
  readonly removedBy: Readonly<Record<string, number>>;
}

/** Result of filtering one partition. */
export interface FilterResult {
  readonly kept: Essay[];
  readonly stages: readonly FilterStageCount[];
}

/**
 * Apply the excluded-prompt filter, then the inclusive word window.
 *
 * @example
 * ```ts
 * const { kept, stages } = applyStandardFilters(essays, {
 *   minWords: 200, maxWords: 1000, excludedPrompts: ["Letter to employer"],
 * });
 * ```
 */
export function applyStandardFilters(
  input: readonly Essay[],
  settings: FilterSettings,
): FilterResult {
  const genre = settings.genresInScope ? genreScopeStage(input, settings.genresInScope) : null;
  const essays = genre ? genre.kept : input;
  const excluded = new Set(settings.excludedPrompts);
  const afterPrompts = essays.filter((e) => !excluded.has(e.prompt));
  const byPrompt: Record<string, number> = {};
  for (const e of essays) {
    if (excluded.has(e.prompt)) {
      byPrompt[`prompt:${e.prompt}`] = (byPrompt[`prompt:${e.prompt}`] ?? 0) + 1;
    }
  }
  let below = 0;
  let above = 0;
  const kept = afterPrompts.filter((e) => {
    const n = countWords(e.text, settings.language);
    if (n < settings.minWords) below++;
    else if (n > settings.maxWords) above++;
    else return true;
    return false;
  });
  return {
    kept,
    stages: [
      ...(genre ? [genre.stage] : []),
      {
        stage: "excluded_prompts",
        before: essays.length,
        after: afterPrompts.length,
        removed: essays.length - afterPrompts.length,
        removedBy: byPrompt,
      },
      {
        stage: "word_window",
        before: afterPrompts.length,
        after: kept.length,
        removed: afterPrompts.length - kept.length,
        removedBy: { below_min_words: below, above_max_words: above },
      },
    ],
  };
}

/**
 * The genre-scope stage: keep essays whose genre is in scope; count the rest by genre
 * (`genre:<name>`, `untagged`).
 *
 * @example
 * ```ts
 * genreScopeStage(essays, ["argumenterande"]).stage.removedBy; // { "genre:berättande": 12 }
 * ```
 */
export function genreScopeStage(
  essays: readonly Essay[],
  inScope: readonly string[],
): { kept: Essay[]; stage: FilterStageCount } {
  const scope = new Set(inScope);
  const removedBy: Record<string, number> = {};
  const kept = essays.filter((e) => {
    if (e.genre !== undefined && scope.has(e.genre)) return true;
    const key = e.genre === undefined ? "untagged" : `genre:${e.genre}`;
    removedBy[key] = (removedBy[key] ?? 0) + 1;
    return false;
  });
  return {
    kept,
    stage: {
      stage: "genre_scope",
      before: essays.length,
      after: kept.length,
      removed: essays.length - kept.length,
      removedBy,
    },
  };
}
