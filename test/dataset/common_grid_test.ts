import assert from "node:assert/strict";
import {
  gridLabelOfIndex,
  gridScale,
  gridSize,
  gridSizeProblem,
  gridToLevelIndex,
  gridToRaw,
  gridToValue,
  lcm,
  MAX_GRID_SIZE,
} from "../../lib/dataset/common_grid.ts";
import { scaleValue, scoreScale } from "../../lib/dataset/score_scale.ts";

const ASAP_LIKE = {
  p1: scoreScale({ kind: "numeric", min: 2, max: 12, step: 1 }),
  p2: scoreScale({ kind: "numeric", min: 0, max: 3, step: 1 }),
  p3: scoreScale({ kind: "numeric", min: 1, max: 6, step: 1 }),
  grades: scoreScale({ kind: "ordinal", levels: ["F", "E", "D", "C", "B", "A"] }),
  halves: scoreScale({ kind: "numeric", min: 1, max: 5, step: 0.5 }),
};

Deno.test("common grid: lcm and L over the prompts' levels − 1", () => {
  assert.equal(lcm([]), 1);
  assert.equal(lcm([10, 3, 5]), 30);
  assert.equal(lcm([4, 6]), 12);
  assert.equal(lcm([7, 11, 13]), 1001);
  assert.equal(gridSize([11, 4, 6]), 30); // ASAP-like 2–12, 0–3, 1–6
  assert.equal(gridSize([11, 4, 6, 6, 9]), 120); // + F–A (5 steps) + 1–5 by 0.5 (8 steps)
  // real ASAP: 2–12, 1–6, 0–3, 0–3, 0–4, 0–4, 0–30, 0–60
  assert.equal(gridSize([11, 6, 4, 4, 5, 5, 31, 61]), 60);
  const g = gridScale(30);
  assert.deepEqual([g.min, g.max, g.step, g.nLevels, g.levelNames], [0, 30, 1, 31, null]);
});

Deno.test("common grid: every level of every prompt goes to an exact grid label and back", () => {
  const scales = Object.values(ASAP_LIKE);
  const L = gridSize(scales.map((s) => s.nLevels));
  assert.equal(L, 120);
  for (const s of scales) {
    const labels: number[] = Array.from({ length: s.nLevels }, (_, j) => gridLabelOfIndex(s, L, j));
    assert.equal(labels[0], 0);
    assert.equal(labels[s.nLevels - 1], L); // every prompt spans the whole grid
    for (const [k, x] of labels.entries()) {
      assert.ok(Number.isInteger(x), `${x} is a whole number`);
      assert.equal(gridToLevelIndex(s, L, x), k);
      assert.equal(gridToValue(s, L, x), scaleValue(s, k));
      assert.equal(gridToRaw(s, L, x), s.min + k * s.step);
    }
  }
});

Deno.test("common grid: mapping back rounds halves up and clips to the prompt's levels", () => {
  const { p1, p2 } = ASAP_LIKE;
  const L = 30;
  // p2 (0–3): levels at 0, 10, 20, 30 on the grid; the half between 1 and 2 is 15
  assert.equal(gridToValue(p2, L, 14.999), 1);
  assert.equal(gridToValue(p2, L, 15), 2); // an exact half goes up
  assert.equal(gridToValue(p2, L, 4.999), 0);
  assert.equal(gridToValue(p2, L, 5), 1);
  // p1 (2–12): levels 3 grid steps apart; 1.5 steps is a half
  assert.equal(gridToValue(p1, L, 16.4), 7);
  assert.equal(gridToValue(p1, L, 16.5), 8);
  assert.equal(gridToValue(p1, L, -4), 2); // clipped below
  assert.equal(gridToValue(p1, L, 31.7), 12); // clipped above
  assert.equal(gridToValue(ASAP_LIKE.grades, L, 29), 5); // "A" (level index)
  assert.throws(() => gridToLevelIndex(p1, L, NaN), /NaN/);
});

Deno.test("common grid: a grid above the cap names the prompts and their level counts", () => {
  assert.equal(gridSizeProblem(new Map([["p1", 11], ["p2", 4]])), null);
  const msg = gridSizeProblem(new Map([["a", 8], ["b", 12], ["c", 14]]));
  assert.ok(msg !== null);
  assert.match(msg, /L = lcm\(levels − 1\) = 1001 steps, more than 600/);
  assert.match(msg, /\(a: 8 levels, b: 12 levels, c: 14 levels\)/);
  assert.equal(MAX_GRID_SIZE, 600);
});
