import assert from "node:assert/strict";
import {
  displayTable,
  formatCell,
  tableFromDataFrame,
  tableFromRecords,
  tableHtml,
  tableText,
} from "../../lib/report/table.ts";

Deno.test("tableFromRecords unions keys in first-seen order", () => {
  const t = tableFromRecords([{ a: 1 }, { b: "x", a: 2 }]);
  assert.deepEqual(t.columns, ["a", "b"]);
  assert.deepEqual(t.rows, [[1, undefined], [2, "x"]]);
});

Deno.test("formatCell rounds non-integers and blanks missing values", () => {
  assert.equal(formatCell(0.123456), "0.1235");
  assert.equal(formatCell(12), "12");
  assert.equal(formatCell(NaN), "");
  assert.equal(formatCell(null), "");
  assert.equal(formatCell(true), "true");
});

Deno.test("tableHtml escapes cells and tableText aligns columns", () => {
  const t = { columns: ["name", "n"], rows: [["<b>", 3], ["long name", 12]], caption: "c" };
  const html = tableHtml(t);
  assert.ok(html.includes("&lt;b&gt;"));
  assert.ok(html.includes('<td style="text-align:right">12</td>'));
  assert.ok(html.startsWith('<table class="dataframe"><caption>c</caption>'));
  assert.equal(
    tableText(t),
    ["c", "name       n", "---------  --", "<b>        3", "long name  12"].join("\n"),
  );
});

Deno.test("a danfojs-shaped frame displays with its index", () => {
  const frame = { columns: ["qwk"], values: [[0.5], [0.7]], index: ["mean", "max"] };
  const t = tableFromDataFrame(frame);
  assert.deepEqual(t.index, ["mean", "max"]);
  const bundle = displayTable(frame)[Symbol.for("Jupyter.display")]();
  assert.ok(String(bundle["text/html"]).includes("<th>mean</th><td"));
  assert.ok(String(bundle["text/plain"]).includes("max   0.7"));
});
