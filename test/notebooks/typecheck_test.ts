import assert from "node:assert/strict";
import { join } from "node:path";
import { parseNotebook } from "../../notebooks/tools/ipynb.ts";
import { listNotebooks } from "../../notebooks/tools/run_notebooks.ts";
import {
  cellOfLine,
  extractCodeCells,
  typecheckNotebook,
} from "../../notebooks/tools/typecheck_notebooks.ts";

function nb(cells: unknown[]) {
  return parseNotebook(
    JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells }),
    "t.ipynb",
  );
}

Deno.test("extractCodeCells keeps code cells in order and skips injected parameters", () => {
  const m = extractCodeCells(nb([
    { cell_type: "markdown", source: "# x", metadata: {} },
    { cell_type: "code", source: "const a = 1;", metadata: { tags: ["parameters"] } },
    { cell_type: "code", source: "const a = 2;", metadata: { tags: ["injected-parameters"] } },
    { cell_type: "code", source: ["const b = a;\n", "b;"], metadata: {} },
  ]));
  assert.ok(m.source.includes("const a = 1;"));
  assert.ok(!m.source.includes("const a = 2;"));
  const lines = m.source.split("\n");
  const bLine = lines.indexOf("const b = a;") + 1;
  assert.equal(cellOfLine(m, bLine), 3);
  assert.equal(cellOfLine(m, 1), undefined);
});

Deno.test("typecheckNotebook reports a type error with its notebook cell", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "bad.ipynb");
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
        cells: [
          { cell_type: "code", source: 'import { tableText } from "@lib/report/table.ts";' },
          { cell_type: "code", source: "const n: number = tableText({ columns: [], rows: [] });" },
        ].map((c) => ({ ...c, metadata: {}, outputs: [], execution_count: null })),
      }),
    );
    const r = await typecheckNotebook(path);
    assert.equal(r.ok, false);
    assert.match(r.output, /TS2322/);
    assert.match(r.output, /notebook cell 1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const path of await listNotebooks()) {
  Deno.test(`notebook code type-checks: ${path.split("/").pop()}`, async () => {
    const r = await typecheckNotebook(path);
    assert.ok(r.ok, r.output);
  });
}
