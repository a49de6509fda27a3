/**
 * Pure pieces of scoring new essays with a model bundle: filling the prompt-dependent features
 * of essays that came without a prompt, the per-essay flags (outside the training word window,
 * no prompt, a prompt the model never saw or one the run excluded), and each essay's top SHAP
 * contributions (the SHAP values themselves come from the pipeline: `ScoringPipeline.explain`).
 *
 * @module
 */
import type { BundleMeta, ModelBundle } from "./bundle.ts";
import type { DenseMatrix } from "../learners/matrix.ts";
import type { ShapResult } from "../learners/tree_shap.ts";

/** Flag: fewer words than the training word window. */
export const FLAG_BELOW_WINDOW = "below_word_window";
/** Flag: more words than the training word window. */
export const FLAG_ABOVE_WINDOW = "above_word_window";
/** Flag: no prompt given, prompt-dependent features set to their training mean. */
export const FLAG_PROMPT_MISSING = "prompt_missing";
/** Flag: a prompt none of the training essays had. */
export const FLAG_PROMPT_UNSEEN = "prompt_unseen";
/** Flag: a prompt the run's filters excluded from training (e.g. letter-dominated). */
export const FLAG_PROMPT_EXCLUDED = "prompt_excluded";

/**
 * A copy of the input matrix where, in the given rows, each prompt-dependent column is set to
 * its training mean (`meta.prompt_feature_fill`). Other columns are untouched.
 *
 * @example
 * ```ts
 * const Xfilled = fillPromptFeatures(bundle, X, [0, 3]);
 * ```
 */
export function fillPromptFeatures(
  bundle: ModelBundle,
  X: DenseMatrix,
  rows: readonly number[],
): DenseMatrix {
  const names = bundle.pipeline.inputFeatureNames;
  const cols = Object.entries(bundle.meta.prompt_feature_fill).map(
    ([name, value]) => [names.indexOf(name), value] as const,
  ).filter(([c]) => c >= 0);
  if (rows.length === 0 || cols.length === 0) return X;
  const values = X.values.slice();
  for (const r of rows) for (const [c, v] of cols) values[r * X.nCols + c] = v;
  return { nRows: X.nRows, nCols: X.nCols, values };
}

/** What the flags of one essay are computed from. */
export interface EssayFlagInput {
  readonly words: number;
  /** `null` = no prompt given. */
  readonly prompt: string | null;
}

/**
 * Flags of one essay (empty = nothing unusual). Essays are scored either way.
 *
 * @example
 * ```ts
 * essayFlags(meta, { words: 150, prompt: null }); // ["below_word_window", "prompt_missing"]
 * ```
 */
export function essayFlags(meta: BundleMeta, essay: EssayFlagInput): string[] {
  const flags: string[] = [];
  if (essay.words < meta.word_window.min_words) flags.push(FLAG_BELOW_WINDOW);
  if (essay.words > meta.word_window.max_words) flags.push(FLAG_ABOVE_WINDOW);
  const usesPrompt = Object.keys(meta.prompt_feature_fill).length > 0;
  if (essay.prompt === null) {
    if (usesPrompt) flags.push(FLAG_PROMPT_MISSING);
  } else if (meta.excluded_prompts.includes(essay.prompt)) {
    flags.push(FLAG_PROMPT_EXCLUDED);
  } else if (usesPrompt && !meta.training_prompts.includes(essay.prompt)) {
    flags.push(FLAG_PROMPT_UNSEEN);
  }
  return flags;
}

/** One feature's contribution to one essay's prediction. */
export interface Contribution {
  readonly feature: string;
  readonly value: number;
}

/**
 * The `k` largest contributions (by |SHAP|) of each row, largest first.
 *
 * @example
 * ```ts
 * topContributions(shap, bundle.pipeline.modelFeatureNames, 5)[0][0].feature;
 * ```
 */
export function topContributions(
  shap: ShapResult,
  names: readonly string[],
  k: number,
): Contribution[][] {
  const p = shap.nFeatures;
  const out: Contribution[][] = [];
  for (let r = 0; r < shap.nRows; r++) {
    const row = Array.from({ length: p }, (_, f) => ({
      feature: names[f],
      value: shap.values[r * p + f],
    }));
    row.sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || (a.feature < b.feature ? -1 : 1));
    out.push(row.slice(0, k));
  }
  return out;
}
