/**
 * The project's lint rule `workbench/max-function-lines` (tools/lint/function_length.ts): a
 * function in lib/steps or lib/offload longer than 80 lines is reported, a shorter one and one in
 * another folder are not.
 */
import assert from "node:assert/strict";
import plugin, { MAX_FUNCTION_LINES } from "../../tools/lint/function_length.ts";

function source(bodyLines: number): string {
  const body = Array.from({ length: bodyLines }, (_, i) => `  const v${i} = ${i};`).join("\n");
  return `export function f(): void {\n${body}\n}\n\nconst g = () => {\n${body}\n};\n`;
}

Deno.test("max-function-lines reports functions over the limit in lib/steps and lib/offload", () => {
  const long = source(MAX_FUNCTION_LINES - 1); // body + 2 brace lines = limit + 1
  const diagnostics = Deno.lint.runPlugin(plugin, "/repo/lib/steps/x.ts", long);
  assert.equal(diagnostics.length, 2);
  assert.match(diagnostics[0].message, /81 lines long/);
  assert.equal(Deno.lint.runPlugin(plugin, "/repo/lib/offload/y.ts", long).length, 2);
});

Deno.test("max-function-lines accepts functions at the limit and other folders", () => {
  const atLimit = source(MAX_FUNCTION_LINES - 2);
  assert.equal(Deno.lint.runPlugin(plugin, "/repo/lib/steps/x.ts", atLimit).length, 0);
  const long = source(MAX_FUNCTION_LINES + 20);
  assert.equal(Deno.lint.runPlugin(plugin, "/repo/lib/model/x.ts", long).length, 0);
});
