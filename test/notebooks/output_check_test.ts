import assert from "node:assert/strict";
import { parseNotebook } from "../../notebooks/tools/ipynb.ts";
import { checkExecutedNotebook } from "../../notebooks/tools/output_check.ts";

function executed(cells: unknown[]) {
  return parseNotebook(
    JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells }),
    "t.ipynb",
  );
}
const out = { output_type: "execute_result", data: { "text/plain": "1" }, metadata: {} };

Deno.test("checkExecutedNotebook flags silent, failed and unexecuted cells", () => {
  const nb = executed([
    { cell_type: "markdown", source: "x", metadata: {} },
    { cell_type: "code", source: "1", metadata: {}, outputs: [out], execution_count: 1 },
    { cell_type: "code", source: "const a = 1;", metadata: {}, outputs: [], execution_count: 2 },
    {
      cell_type: "code",
      source: "const b = 1;",
      metadata: { tags: ["no-output"] },
      outputs: [],
      execution_count: 3,
    },
    {
      cell_type: "code",
      source: "throw 1",
      metadata: {},
      outputs: [{ output_type: "error", ename: "Error", evalue: "boom", traceback: [] }],
      execution_count: 4,
    },
    { cell_type: "code", source: "2", metadata: {}, outputs: [], execution_count: null },
    { cell_type: "code", source: "  ", metadata: {}, outputs: [], execution_count: null },
  ]);
  const check = checkExecutedNotebook(nb);
  assert.equal(check.codeCells, 5);
  assert.equal(check.cellsWithOutput, 2);
  assert.deepEqual(check.problems.map((p) => [p.cellIndex, p.kind]), [
    [2, "missing_output"],
    [4, "error_output"],
    [5, "not_executed"],
  ]);
  assert.match(check.problems[1].detail, /raised Error: boom/);
});

Deno.test("checkExecutedNotebook passes a fully executed notebook", () => {
  const nb = executed([
    { cell_type: "code", source: "1", metadata: {}, outputs: [out], execution_count: 1 },
  ]);
  assert.deepEqual(checkExecutedNotebook(nb).problems, []);
});
