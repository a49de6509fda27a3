import assert from "node:assert/strict";
import { normalisedTextHash } from "../../lib/dataset/text_hash.ts";
import { promptHoldoutKFold } from "../../lib/splits/prompt_holdout.ts";
import { syntheticEssays } from "./synthetic_essays.ts";

Deno.test("promptHoldoutKFold: properties over 40 random data sets", () => {
  for (let s = 0; s < 40; s++) {
    const essays = syntheticEssays(s);
    const prompts = essays.map((e) => e.prompt);
    const groups = essays.map((e) => normalisedTextHash(e.text));
    const k = Math.min(2 + (s % 5), unitCount(prompts, groups));
    const folds = promptHoldoutKFold({ prompts, groups, nSplits: k, seed: s });
    const n = essays.length;
    const times = new Int32Array(n);
    for (const f of folds) for (const i of f.valIndices) times[i]++;
    assert.ok(times.every((t) => t === 1), `seed ${s}: not validated exactly once`);

    // Each prompt and each text group in exactly one validation fold.
    for (const keys of [prompts, groups]) {
      const foldOf = new Map<string, number>();
      for (const f of folds) {
        for (const i of f.valIndices) {
          const seen = foldOf.get(keys[i]);
          assert.ok(seen === undefined || seen === f.fold, `seed ${s}: ${keys[i]} straddles`);
          foldOf.set(keys[i], f.fold);
        }
      }
    }
    for (const f of folds) {
      assert.deepEqual(f.valPrompts, [...new Set(f.valIndices.map((i) => prompts[i]))].sort());
      assert.ok(f.valIndices.length > 0, `seed ${s}: empty fold`);
    }

    // Even sizes as the prompts allow: greedy largest-first keeps the spread of fold sizes
    // within the largest holdout unit (a prompt, or prompts linked by an identical text).
    const sizes = folds.map((f) => f.valIndices.length);
    const spread = Math.max(...sizes) - Math.min(...sizes);
    assert.ok(spread <= largestUnit(prompts, groups), `seed ${s}: spread ${spread}`);
  }
});

Deno.test("promptHoldoutKFold: largest prompt first into the smallest fold", () => {
  // Sizes A=6, B=5, C=4, D=3, E=2 into 2 folds: A→0, B→1, C→1 (5<6), D→0 (6<9), E→0 (tie).
  const sizes: Record<string, number> = { A: 6, B: 5, C: 4, D: 3, E: 2 };
  const prompts = Object.entries(sizes).flatMap(([p, c]) => Array(c).fill(p));
  const folds = promptHoldoutKFold({ prompts, nSplits: 2, seed: 42 });
  assert.deepEqual(folds.map((f) => f.valPrompts), [["A", "D", "E"], ["B", "C"]]);
  assert.deepEqual(folds.map((f) => f.valIndices.length), [11, 9]);
});

Deno.test("promptHoldoutKFold: prompts sharing an identical text are held out together", () => {
  const prompts = ["A", "A", "B", "B", "C", "C", "D", "D"];
  const groups = ["a1", "same", "b1", "same", "c1", "c2", "d1", "d2"];
  for (let seed = 0; seed < 10; seed++) {
    const folds = promptHoldoutKFold({ prompts, groups, nSplits: 3, seed });
    const withA = folds.find((f) => f.valPrompts.includes("A"))!;
    assert.ok(withA.valPrompts.includes("B"), `seed ${seed}`);
  }
  assert.throws(
    () => promptHoldoutKFold({ prompts, groups, nSplits: 4, seed: 1 }),
    /only 3 prompts \(4 prompts, linked into 3 units by identical texts: \{A \+ B\}\) for 4 prompt-holdout folds/,
  );
});

Deno.test("promptHoldoutKFold: deterministic for a seed; seeds reorder equally large prompts", () => {
  const prompts = ["A", "B", "C", "D", "E", "F"].flatMap((p) => [p, p, p]);
  const a = promptHoldoutKFold({ prompts, nSplits: 3, seed: 1 });
  assert.deepEqual(a, promptHoldoutKFold({ prompts, nSplits: 3, seed: 1 }));
  const layouts = new Set<string>();
  for (let seed = 0; seed < 10; seed++) {
    layouts.add(
      JSON.stringify(promptHoldoutKFold({ prompts, nSplits: 3, seed }).map((f) => f.valPrompts)),
    );
  }
  assert.ok(layouts.size > 1, "seed has no effect on ties");
});

Deno.test("promptHoldoutKFold: fewer prompts than folds is an error naming the counts", () => {
  assert.throws(
    () => promptHoldoutKFold({ prompts: ["A", "B", "B", "C"], nSplits: 5, seed: 1 }),
    /only 3 prompts for 5 prompt-holdout folds \(need >= 5 prompts\)/,
  );
});

/** Holdout units computed independently: prompts linked through shared text groups. */
function promptUnits(prompts: readonly string[], groups: readonly string[]): Map<string, string> {
  const parent = new Map<string, string>(prompts.map((p) => [p, p]));
  const find = (p: string): string => (parent.get(p) === p ? p : find(parent.get(p)!));
  const promptOfGroup = new Map<string, string>();
  groups.forEach((g, i) => {
    const other = promptOfGroup.get(g);
    if (other === undefined) promptOfGroup.set(g, prompts[i]);
    else parent.set(find(prompts[i]), find(other));
  });
  return new Map(prompts.map((p) => [p, find(p)]));
}

function unitCount(prompts: readonly string[], groups: readonly string[]): number {
  return new Set(promptUnits(prompts, groups).values()).size;
}

function largestUnit(prompts: readonly string[], groups: readonly string[]): number {
  const units = promptUnits(prompts, groups);
  const sizes = new Map<string, number>();
  for (const p of prompts) sizes.set(units.get(p)!, (sizes.get(units.get(p)!) ?? 0) + 1);
  return Math.max(...sizes.values());
}
