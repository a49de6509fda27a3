import assert from "node:assert/strict";
import {
  column,
  dropColumns,
  hconcat,
  matrixFromRows,
  selectColumns,
  selectRows,
} from "../../../lib/model/learners/matrix.ts";

Deno.test("row and column selection copy the right cells", () => {
  const m = matrixFromRows([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  assert.deepEqual(Array.from(selectRows(m, [2, 0]).values), [7, 8, 9, 1, 2, 3]);
  assert.deepEqual(Array.from(selectColumns(m, [2, 0]).values), [3, 1, 6, 4, 9, 7]);
  assert.deepEqual(Array.from(dropColumns(m, [1]).values), [1, 3, 4, 6, 7, 9]);
  assert.deepEqual(Array.from(column(m, 1)), [2, 5, 8]);
  const h = hconcat([selectColumns(m, [0]), selectColumns(m, [2])]);
  assert.equal(h.nCols, 2);
  assert.deepEqual(Array.from(h.values), [1, 3, 4, 6, 7, 9]);
  assert.throws(() => selectRows(m, [3]), /out of range/);
  assert.throws(() => matrixFromRows([[1], [1, 2]]), /row 1 has 2 columns/);
});
