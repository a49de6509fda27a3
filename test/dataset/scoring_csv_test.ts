/** Essays to score: columns by default and by name, and every bad input named by row/column. */
import assert from "node:assert/strict";
import { DatasetError, parseCsvTable } from "../../lib/dataset/csv_table.ts";
import { scoringEssaysFromTable } from "../../lib/dataset/scoring_csv.ts";

const read = (csv: string, columns = {}) =>
  scoringEssaysFromTable(parseCsvTable(csv, "new.csv"), columns);

Deno.test("scoring CSV: ELLIPSE layout, prompt and Overall used when present", () => {
  const r = read(
    'text_id_kaggle,full_text,prompt,Overall\nA1,"Hello\nworld",Phones and driving,3.5\n' +
      "A2,Text two,,\n",
  );
  assert.deepEqual(r.columns, {
    id: "text_id_kaggle",
    text: "full_text",
    prompt: "prompt",
    label: "Overall",
  });
  assert.deepEqual(r.essays.map((e) => [e.id, e.text, e.prompt, e.label, e.sourceRow]), [
    ["A1", "Hello\nworld", "Phones and driving", 3.5, 1],
    ["A2", "Text two", null, null, 2],
  ]);
});

Deno.test("scoring CSV: named columns; no prompt or label column is fine", () => {
  const r = read("essay_id,essay\nx,Some text\n", { idColumn: "essay_id", textColumn: "essay" });
  assert.deepEqual(r.columns, { id: "essay_id", text: "essay", prompt: null, label: null });
  assert.equal(r.essays[0].prompt, null);
});

Deno.test("scoring CSV: bad input is refused naming file, row, line and column", () => {
  const bad: [string, object, RegExp][] = [
    [
      "id,text\n1,a\n",
      {},
      /new\.csv, column "text_id_kaggle": missing id column.*--id-column.*found: id, text/,
    ],
    ["id,body\n1,a\n", { idColumn: "id" }, /column "full_text": missing text column/],
    [
      "id,text\n1,a\n",
      { idColumn: "id", textColumn: "text", promptColumn: "topic" },
      /column "topic": missing prompt column/,
    ],
    [
      "id,text\n1,a\n2,  \n",
      { idColumn: "id", textColumn: "text" },
      /new\.csv, row 2 \(line 3\), column "text": empty essay text/,
    ],
    [
      "id,text\n1,a\n ,b\n",
      { idColumn: "id", textColumn: "text" },
      /row 2 \(line 3\), column "id": empty essay id/,
    ],
    [
      "id,text\n1,a\n2,b\n1,c\n",
      { idColumn: "id", textColumn: "text" },
      /row 3 \(line 4\), column "id": duplicate essay id "1" \(first seen in row 1\)/,
    ],
    [
      "id,text,Overall\n1,a,3.2\n",
      { idColumn: "id", textColumn: "text" },
      /row 1 \(line 2\), column "Overall": off-step score 3\.2/,
    ],
    [
      "id,text\n1,a,extra\n2,b\n",
      { idColumn: "id", textColumn: "text" },
      /row 1 \(line 2\): ragged row/,
    ],
    ["", {}, /file is empty/],
  ];
  for (const [csv, columns, pattern] of bad) {
    assert.throws(
      () => read(csv, columns),
      (e: Error) => e instanceof DatasetError && pattern.test(e.message),
      `${JSON.stringify(csv)} → ${pattern}`,
    );
  }
});
