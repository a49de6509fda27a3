/**
 * The per-prompt figures of `bench quality-corpus` (issue 18): per fold the mean per-prompt QWK
 * (Fisher z) of the project and the reference on the same essays and Δ; each prompt's QWK on
 * its own scale, undefined below 10 essays or with one true level, as in the headline.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type PairedGridRow,
  pairPerPromptFolds,
  promptPairs,
} from "../../lib/bench/quality_corpus_per_prompt.ts";
import { perPromptScale } from "../../lib/dataset/per_prompt_scale.ts";
import { meanPerPromptQwk } from "../../lib/model/evaluation/per_prompt_evaluation.ts";
import { fisherZMean } from "../../lib/model/evaluation/prompt_table.ts";

// grid L = lcm(10, 3) = 30: prompt "a" 2–12 (grid step 3), prompt "b" 0–3 (grid step 10)
const pp = perPromptScale({
  kind: "per_prompt",
  prompts: {
    a: { kind: "numeric", min: 2, max: 12, step: 1 },
    b: { kind: "numeric", min: 0, max: 3, step: 1 },
  },
  training: "normalise",
});

/** Rows of two folds: the project exact on "a", the reference one level high on half of them. */
function rows(): PairedGridRow[] {
  const out: PairedGridRow[] = [];
  for (let i = 0; i < 48; i++) {
    const prompt = i % 2 === 0 ? "a" : "b";
    const step = prompt === "a" ? 3 : 10;
    const levels = prompt === "a" ? 11 : 4;
    const k = i % levels;
    const y = k * step;
    out.push({
      id: `e${i}`,
      prompt,
      fold: i < 24 ? 0 : 1,
      yGrid: y,
      project: prompt === "a" ? y : Math.min(30, y + (i % 3 === 0 ? 10 : 0)),
      reference: Math.min(30, y + (i % 4 === 0 ? step : 0)),
    });
  }
  return out;
}

Deno.test("pairPerPromptFolds: per-fold headlines of both systems on the same essays, Δ", () => {
  const rs = rows();
  const { folds, outOfFold } = pairPerPromptFolds(rs, pp, (f, p) => (p === "a" ? f + 1 : 0.3));
  assert.deepEqual(folds.map((f) => [f.fold, f.nVal]), [[0, 24], [1, 24]]);
  for (const f of folds) {
    const fr = rs.filter((r) => r.fold === f.fold);
    const head = (pick: (r: PairedGridRow) => number) =>
      meanPerPromptQwk(fr.map((r) => r.yGrid), fr.map(pick), fr.map((r) => r.prompt), pp);
    assert.equal(f.project, head((r) => r.project));
    assert.equal(f.reference, head((r) => r.reference));
    assert.equal(f.delta, f.project - f.reference);
    assert.deepEqual(f.prompts.map((p) => [p.prompt, p.referenceAlpha]), [
      ["a", f.fold + 1],
      ["b", 0.3],
    ]);
    // "a" is exact for the project
    assert.equal(f.prompts[0].project, 1);
  }
  const oof = outOfFold.prompts.map((p) => [p.project, p.reference]);
  assert.equal(outOfFold.project, fisherZMean(oof.map((x) => x[0]!)));
  assert.equal(outOfFold.reference, fisherZMean(oof.map((x) => x[1]!)));
  assert.ok(outOfFold.project !== outOfFold.reference);
});

Deno.test("promptPairs: a prompt below 10 essays or with one true level has no QWK", () => {
  const few = rows().filter((r) => r.prompt === "a").slice(0, 9);
  assert.deepEqual(promptPairs(few, pp), [{ prompt: "a", n: 9, project: null, reference: null }]);
  const flat = rows().filter((r) => r.prompt === "b").map((r) => ({ ...r, yGrid: 10 }));
  assert.equal(promptPairs(flat, pp)[0].project, null);
  assert.throws(
    () => pairPerPromptFolds(few, pp, () => undefined),
    /fold 0: no prompt has 10 essays and two true levels/,
  );
});
