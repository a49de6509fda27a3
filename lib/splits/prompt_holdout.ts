/**
 * Prompt-holdout k-fold: the `prompt_holdout` scheme's splitter (unseen-prompt generalisation).
 *
 * Contract: each prompt appears in exactly one validation fold. When `groups` (text hashes) are
 * given, prompts that share an identical text are held out together, so no text group straddles
 * a split either. Fold sizes are as even as the prompts allow: prompt units are shuffled with the
 * seed, stably sorted largest first, and each goes to the currently smallest fold (ties: lower
 * fold index). Fewer prompt units than folds is an error naming both counts.
 *
 * @module
 */
import { denseGroupIndex, seededPermutation, stableSortDescending } from "./seeded_order.ts";
import {
  assertFoldCount,
  type FoldIndices,
  foldsFromAssignment,
} from "./stratified_group_kfold.ts";

/** Input of {@linkcode promptHoldoutKFold}. */
export interface PromptHoldoutInput {
  /** Prompt name per sample. */
  readonly prompts: ArrayLike<string>;
  /** Optional group key per sample (text hash); prompts sharing a key are held out together. */
  readonly groups?: ArrayLike<string>;
  /** Number of folds, ≥ 2. */
  readonly nSplits: number;
  /** Seed for the order among equally large prompt units. */
  readonly seed: number;
}

/** One prompt-holdout fold: index lists plus the prompts validated in it. */
export interface PromptFold extends FoldIndices {
  /** Prompts in the validation part, sorted. */
  readonly valPrompts: string[];
}

/**
 * Split samples into `nSplits` folds, each prompt (unit) validated in exactly one fold.
 *
 * @example
 * ```ts
 * const folds = promptHoldoutKFold({ prompts: ["a", "a", "b", "c"], nSplits: 2, seed: 42 });
 * folds.map((f) => f.valPrompts); // [["a"], ["b", "c"]]
 * ```
 */
export function promptHoldoutKFold(input: PromptHoldoutInput): PromptFold[] {
  const { prompts, groups, nSplits, seed } = input;
  assertFoldCount(nSplits);
  const n = prompts.length;
  if (n === 0) throw new Error("cannot split an empty data set");
  if (groups !== undefined && groups.length !== n) {
    throw new Error(`prompts (${n}) and groups (${groups.length}) must have the same length`);
  }
  const { index: promptOf, keys: promptNames } = denseGroupIndex(prompts);
  const nPrompts = promptNames.length;

  // Union-find over prompts: prompts sharing a text group form one holdout unit.
  const parent = Int32Array.from({ length: nPrompts }, (_, i) => i);
  const find = (p: number): number => {
    while (parent[p] !== p) {
      parent[p] = parent[parent[p]];
      p = parent[p];
    }
    return p;
  };
  if (groups !== undefined) {
    const firstPromptOfGroup = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const seen = firstPromptOfGroup.get(groups[i]);
      if (seen === undefined) firstPromptOfGroup.set(groups[i], promptOf[i]);
      else {
        const a = find(seen);
        const b = find(promptOf[i]);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  const unitKeys = Array.from({ length: nPrompts }, (_, p) => String(find(p)));
  const { index: unitOfPrompt, keys: units } = denseGroupIndex(unitKeys);
  const nUnits = units.length;
  if (nUnits < nSplits) {
    let linked = "";
    if (nUnits < nPrompts) {
      const members = units.map((_, u) =>
        promptNames.filter((_, p) => unitOfPrompt[p] === u).sort()
      ).filter((m) => m.length > 1);
      const shown = members.slice(0, 3).map((m) => `{${m.join(" + ")}}`).join(", ");
      linked = ` (${nPrompts} prompts, linked into ${nUnits} units by identical texts: ` +
        `${shown}${members.length > 3 ? ", …" : ""})`;
    }
    throw new Error(
      `only ${nUnits} prompt${nUnits === 1 ? "" : "s"}${linked} for ${nSplits} prompt-holdout ` +
        `folds (need >= ${nSplits} prompts)`,
    );
  }

  const unitOf = new Int32Array(n);
  const unitSizes = new Float64Array(nUnits);
  for (let i = 0; i < n; i++) {
    unitOf[i] = unitOfPrompt[promptOf[i]];
    unitSizes[unitOf[i]]++;
  }
  const order = stableSortDescending(
    seededPermutation(nUnits, seed, "prompt_holdout"),
    (u) => unitSizes[u],
  );
  const foldSizes = new Float64Array(nSplits);
  const foldOfUnit = new Int32Array(nUnits);
  for (const u of order) {
    let best = 0;
    for (let f = 1; f < nSplits; f++) if (foldSizes[f] < foldSizes[best]) best = f;
    foldOfUnit[u] = best;
    foldSizes[best] += unitSizes[u];
  }
  return foldsFromAssignment(unitOf, foldOfUnit, nSplits).map((fold) => ({
    ...fold,
    valPrompts: [...new Set(fold.valIndices.map((i) => prompts[i]))].sort(),
  }));
}
