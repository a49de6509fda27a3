/**
 * Prompt-identity input columns of per-prompt corpora (issue 18): one 0/1 indicator column per
 * prompt of the manifest's scale table, `prompt_is_<prompt>`, so that one pooled model on the
 * common grid can learn that the same evidence (length, say) means a different grid score on
 * different prompts. They are built where the model matrix is built (`steps/model_inputs.ts`),
 * never stored in a feature store; the pipeline's input feature names record them, and `score`
 * rebuilds exactly these columns from those names ({@link promptsOfColumnNames}).
 *
 * Single-scale corpora get no such columns: their matrices are unchanged.
 *
 * @module
 */
import type { DenseMatrix } from "../learners/matrix.ts";

/** Prefix of a prompt-identity column's name. */
export const PROMPT_COLUMN_PREFIX = "prompt_is_";

/**
 * The column names of these prompts, in the given order.
 *
 * @example
 * ```ts
 * promptColumnNames(["1", "3"]); // ["prompt_is_1", "prompt_is_3"]
 * ```
 */
export function promptColumnNames(prompts: readonly string[]): string[] {
  return prompts.map((p) => `${PROMPT_COLUMN_PREFIX}${p}`);
}

/**
 * The prompts whose indicator columns a list of input feature names holds, in column order
 * (empty when it holds none: a single-scale pipeline).
 *
 * @example
 * ```ts
 * promptsOfColumnNames(["words", "prompt_is_1", "prompt_is_3"]); // ["1", "3"]
 * ```
 */
export function promptsOfColumnNames(names: readonly string[]): string[] {
  return names.flatMap((n) =>
    n.startsWith(PROMPT_COLUMN_PREFIX) ? [n.slice(PROMPT_COLUMN_PREFIX.length)] : []
  );
}

/**
 * The indicator matrix of essays' prompts: row r has 1 in the column of its prompt and 0
 * elsewhere. Throws naming the row when an essay's prompt is not one of `prompts` (callers refuse
 * such essays earlier with a dataset error; this guards the contract).
 *
 * @example
 * ```ts
 * promptIndicatorMatrix(["1", "3"], ["3", "1"]).X.values; // [0, 1, 1, 0]
 * ```
 */
export function promptIndicatorMatrix(
  prompts: readonly string[],
  essayPrompts: readonly (string | null)[],
): { X: DenseMatrix; names: string[] } {
  if (new Set(prompts).size !== prompts.length || prompts.length === 0) {
    throw new Error(`prompt columns: prompts must be distinct and not empty (${prompts})`);
  }
  const index = new Map(prompts.map((p, j) => [p, j]));
  const nCols = prompts.length;
  const values = new Float64Array(essayPrompts.length * nCols);
  essayPrompts.forEach((p, r) => {
    const j = p === null ? undefined : index.get(p);
    if (j === undefined) {
      throw new Error(
        `prompt columns: row ${r} has prompt ${JSON.stringify(p)}, not one of ${
          prompts.join(", ")
        }`,
      );
    }
    values[r * nCols + j] = 1;
  });
  return { X: { nRows: essayPrompts.length, nCols, values }, names: promptColumnNames(prompts) };
}
