import assert from "node:assert/strict";
import type { Notebook } from "../../notebooks/tools/ipynb.ts";
import { cellSource, cellTags, parseNotebook } from "../../notebooks/tools/ipynb.ts";
import {
  coerceParameter,
  injectParameters,
  notebookParameters,
  parseParameterCell,
  parseParamFlags,
} from "../../notebooks/tools/parameters.ts";

function notebook(paramSource: string): Notebook {
  return parseNotebook(
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "markdown", source: "# t", metadata: {} },
        { cell_type: "code", source: paramSource, metadata: { tags: ["parameters"] }, outputs: [] },
        { cell_type: "code", source: "runName;", metadata: {}, outputs: [] },
      ],
    }),
    "test.ipynb",
  );
}

Deno.test("parseParameterCell reads const/let declarations and their kinds", () => {
  const decls = parseParameterCell([
    'const runName = "nb";',
    "const nEstimators: number = 40; // small",
    "let useShap = true;",
    'const backend: "local" | "hemma" = "local";',
    'const offloadUrl: string = "";',
    "const folds = [0, 1];",
    "({ runName });",
  ].join("\n"));
  assert.deepEqual(decls.map((d) => [d.name, d.kind]), [
    ["runName", "string"],
    ["nEstimators", "number"],
    ["useShap", "boolean"],
    ["backend", "string"],
    ["offloadUrl", "string"],
    ["folds", "json"],
  ]);
  assert.equal(decls[1].defaultSource, "40");
});

Deno.test("parseParameterCell reads multi-line values and strips comments", () => {
  const decls = parseParameterCell([
    "const excluded: string[] = [",
    '  "Community service", // a letter prompt',
    '  "Letter to employer",',
    "];",
    'const url = "http://x//y"; // not a comment inside the string',
    "const n = 3;",
  ].join("\n"));
  assert.deepEqual(decls.map((d) => [d.name, d.kind]), [
    ["excluded", "json"],
    ["url", "string"],
    ["n", "number"],
  ]);
  assert.deepEqual(JSON.parse(decls[0].defaultSource.replace(/,\s*]$/, "]")), [
    "Community service",
    "Letter to employer",
  ]);
  assert.equal(decls[1].defaultSource, '"http://x//y"');
});

Deno.test("coerceParameter keeps kinds and rejects values that do not fit", () => {
  const decl = (kind: "string" | "number" | "boolean" | "json") => ({
    name: "p",
    kind,
    defaultSource: "",
  });
  assert.equal(coerceParameter(decl("string"), "123"), "123");
  assert.equal(coerceParameter(decl("number"), "12.5"), 12.5);
  assert.equal(coerceParameter(decl("boolean"), "false"), false);
  assert.deepEqual(coerceParameter(decl("json"), "[1,2]"), [1, 2]);
  assert.throws(() => coerceParameter(decl("number"), "abc"), /parameter p: expected a finite/);
  assert.throws(() => coerceParameter(decl("number"), ""), /expected a number/);
  assert.throws(() => coerceParameter(decl("boolean"), "yes"), /true or false/);
  assert.throws(() => coerceParameter(decl("json"), "[1,"), /JSON value/);
});

Deno.test("injectParameters inserts one tagged cell after the parameters cell", () => {
  const nb = notebook('const runName = "a";\nconst k: number = 5;');
  const once = injectParameters(nb, { runName: 123, k: "7" });
  assert.equal(once.cells.length, 4);
  assert.deepEqual(cellTags(once.cells[2]), ["injected-parameters"]);
  const src = cellSource(once.cells[2]);
  assert.match(src, /const runName = "123";/);
  assert.match(src, /const k = 7;/);
  // Re-injecting replaces the previous injected cell instead of stacking.
  const twice = injectParameters(once, { k: 9 });
  assert.equal(twice.cells.length, 4);
  assert.match(cellSource(twice.cells[2]), /const k = 9;/);
  assert.doesNotMatch(cellSource(twice.cells[2]), /runName/);
  // The source notebook is not modified.
  assert.equal(nb.cells.length, 3);
  // No values: no injected cell.
  assert.equal(injectParameters(once, {}).cells.length, 3);
});

Deno.test("injectParameters rejects unknown names and notebooks without parameters", () => {
  const nb = notebook('const runName = "a";');
  assert.throws(
    () => injectParameters(nb, { nope: 1 }, "x.ipynb"),
    /x\.ipynb: unknown parameter "nope"; declared: runName/,
  );
  const bare = { ...nb, cells: [nb.cells[0]] };
  assert.throws(() => injectParameters(bare, { runName: "b" }), /no cell tagged "parameters"/);
  assert.deepEqual(notebookParameters(bare), []);
});

Deno.test("parseParamFlags splits at the first '='", () => {
  assert.deepEqual(parseParamFlags(["a=1", "url=http://x/?q=1"]), { a: "1", url: "http://x/?q=1" });
  assert.throws(() => parseParamFlags(["novalue"]), /key=value/);
});
