/**
 * The runbook's standard filters: the word window (inclusive) and prompt-level exclusions.
 *
 * Filters run in a fixed order — excluded prompts first, then the word window — and every
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
}

/** Counts for one filter stage. */
export interface FilterStageCount {
  readonly stage: "excluded_prompts" | "word_window";
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
  essays: readonly Essay[],
  settings: FilterSettings,
): FilterResult {
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
    const n = countWords(e.text);
    if (n < settings.minWords) below++;
    else if (n > settings.maxWords) above++;
    else return true;
    return false;
  });
  return {
    kept,
    stages: [
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
