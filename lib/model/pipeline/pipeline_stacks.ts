/**
 * The stacking stage of the scoring pipeline: the out-of-fold ridge columns that replace or join
 * the input columns (SPEC §5), fitted on the training part only, and the one function that
 * assembles the learner's matrix from input columns plus stacked columns — for the training rows
 * (out-of-fold stack values) and for any other rows (values of the ridges fitted on the whole
 * training part).
 *
 * Three stacks, always in this order (it is the column order and the blend's member order):
 * 1. `embedding_ridge_oof` (kind `dense`): the embedding columns replaced by one ridge prediction;
 * 2. `tfidf_ridge_oof` (kind `text`): a ridge over word 1–2-gram TF-IDF, appended;
 * 3. `char_tfidf_ridge_oof` (kind `char`): a ridge over `char_wb` 2–5-gram TF-IDF, appended.
 *
 * Every inner split is grouped by the training rows' text hashes (`inner_folds.ts`).
 *
 * @module
 */
import { type DenseMatrix, dropColumns, hconcat, selectColumns } from "../learners/matrix.ts";
import {
  type DenseStackModel,
  predictTextStack,
  STACKED_CHAR_TEXT_FEATURE,
  STACKED_EMBEDDING_FEATURE,
  STACKED_TEXT_FEATURE,
  stackedDenseFeature,
  stackedTextFeature,
  type TextStackModel,
} from "./stacking.ts";

/** The three stacks, in column order. */
export const STACK_KINDS = ["dense", "text", "char"] as const;
/** A stack kind. */
export type StackKind = (typeof STACK_KINDS)[number];

/** The model column each stack kind writes. */
export const STACK_FEATURE: Readonly<Record<StackKind, string>> = {
  dense: STACKED_EMBEDDING_FEATURE,
  text: STACKED_TEXT_FEATURE,
  char: STACKED_CHAR_TEXT_FEATURE,
};

/** Stack values of some rows, per stack kind (absent = that stack is off). */
export type StackValues = Partial<Record<StackKind, Float64Array>>;

/**
 * Stack columns computed earlier for one training part and one held-out part (what `cv` caches
 * per fold so that `drop-column` and `sweep` refit only the learner). Plain data: it crosses
 * worker borders.
 */
export type StackedColumns = Partial<
  Record<StackKind, { readonly train: Float64Array; readonly heldOut: Float64Array }>
>;

/** One fitted stack: its kind and the ridge fitted on the whole training part. */
export interface FittedStack {
  readonly kind: StackKind;
  /** Null when the training values came from a cache: then rows must bring their values. */
  readonly model: TextStackModel | DenseStackModel | null;
}

/** Which stacks to fit and with which penalties. */
export interface StackSettings {
  readonly seed: number;
  /** Input columns the embedding stack replaces (empty/undefined = off). */
  readonly denseStackColumns?: readonly number[];
  /** Ridge penalty of the embedding stack (on standardised columns). */
  readonly denseStackAlpha?: number;
  readonly textStacking: boolean;
  readonly textStackingAlpha?: number;
  readonly charTextStacking?: boolean;
  readonly charTextStackingAlpha?: number;
}

/** The stacks fitted on a training part and their out-of-fold values on its rows. */
export interface StackFit {
  readonly stacks: readonly FittedStack[];
  readonly train: StackValues;
}

/**
 * Fit the enabled stacks on the training rows (`X` with its texts and text-hash groups), or take
 * their training values from `precomputed`.
 *
 * @example
 * ```ts
 * const { stacks, train } = fitStacks(X, texts, groups, y, { seed: 42, textStacking: true });
 * ```
 */
export function fitStacks(
  X: DenseMatrix,
  texts: readonly string[] | undefined,
  groups: readonly string[],
  y: ArrayLike<number>,
  settings: StackSettings,
  precomputed?: StackedColumns,
): StackFit {
  const stacks: FittedStack[] = [];
  const train: StackValues = {};
  const take = (kind: StackKind, fit: () => ReturnType<typeof stackedTextFeature>) => {
    const pre = precomputed?.[kind];
    const s = pre ? { train: pre.train, model: null } : fit();
    if (s.train.length !== X.nRows) {
      throw new Error(`${STACK_FEATURE[kind]}: stacked column does not match the training rows`);
    }
    train[kind] = s.train;
    stacks.push({ kind, model: s.model ?? null });
  };
  const dense = settings.denseStackColumns ?? [];
  if (dense.length > 0) {
    take("dense", () =>
      stackedDenseFeature(selectColumns(X, dense), y, {
        nRows: 0,
        nCols: dense.length,
        values: new Float64Array(0),
      }, { seed: settings.seed, alpha: settings.denseStackAlpha, groups }));
  }
  const textOf = (analyzer: "word" | "char_wb", alpha: number | undefined) => {
    if (!texts) throw new Error("scoring pipeline: text stacking needs the training texts");
    return stackedTextFeature(texts, y, [], { seed: settings.seed, alpha, analyzer, groups });
  };
  if (settings.textStacking) take("text", () => textOf("word", settings.textStackingAlpha));
  if (settings.charTextStacking) {
    take("char", () => textOf("char_wb", settings.charTextStackingAlpha));
  }
  return { stacks, train };
}

/**
 * Stack values for rows that were not fitted on: from each stack's full-fit ridge, or from
 * `given` (cached values of exactly these rows).
 *
 * @example
 * ```ts
 * const values = stackValues(stacks, denseColumns, X, texts);
 * ```
 */
export function stackValues(
  stacks: readonly FittedStack[],
  denseColumns: readonly number[],
  X: DenseMatrix,
  texts: readonly string[] | undefined,
  given?: StackValues,
): StackValues {
  const out: StackValues = {};
  for (const { kind, model } of stacks) {
    const pre = given?.[kind];
    if (pre) {
      if (pre.length !== X.nRows) throw new Error(`${STACK_FEATURE[kind]}: wrong row count`);
      out[kind] = pre;
    } else if (model === null) {
      throw new Error(`${STACK_FEATURE[kind]}: fitted from cached values; pass the rows' values`);
    } else if (model.kind === "dense") {
      out[kind] = X.nRows > 0
        ? model.ridge.predict(selectColumns(X, denseColumns))
        : new Float64Array(0);
    } else {
      if (!texts || texts.length !== X.nRows) {
        throw new Error(`${STACK_FEATURE[kind]}: one text per row expected`);
      }
      out[kind] = predictTextStack(model, texts);
    }
  }
  return out;
}

function withColumn(X: DenseMatrix, col: Float64Array): DenseMatrix {
  return hconcat([X, { nRows: X.nRows, nCols: 1, values: col }]);
}

/**
 * The learner's matrix: the embedding columns replaced by `embedding_ridge_oof`, then the text
 * stacks appended — the same assembly for training rows and for any other rows.
 *
 * @example
 * ```ts
 * const modelX = assembleModelMatrix(X, denseColumns, values);
 * ```
 */
export function assembleModelMatrix(
  X: DenseMatrix,
  denseColumns: readonly number[],
  values: StackValues,
): DenseMatrix {
  let M = X;
  if (values.dense) M = withColumn(dropColumns(M, denseColumns), values.dense);
  if (values.text) M = withColumn(M, values.text);
  if (values.char) M = withColumn(M, values.char);
  return M;
}

/**
 * The learner's column names implied by the input names and the stacks (same order as
 * {@link assembleModelMatrix}).
 *
 * @example
 * ```ts
 * modelFeatureNames(["a", "emb_0"], [1], ["dense", "text"]); // ["a", "embedding_ridge_oof", "tfidf_ridge_oof"]
 * ```
 */
export function modelFeatureNames(
  inputNames: readonly string[],
  denseColumns: readonly number[],
  kinds: readonly StackKind[],
): string[] {
  const drop = new Set(kinds.includes("dense") ? denseColumns : []);
  return [
    ...inputNames.filter((_, j) => !drop.has(j)),
    ...STACK_KINDS.filter((k) => kinds.includes(k)).map((k) => STACK_FEATURE[k]),
  ];
}
