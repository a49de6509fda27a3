/** Essays to score: columns by default and by name, and every bad input named by row/column. */
import assert from "node:assert/strict";
import { DatasetError, parseCsvTable } from "../../lib/dataset/csv_table.ts";
import { scoringEssaysFromTable } from "../../lib/dataset/scoring_csv.ts";
import { perPromptScale } from "../../lib/dataset/per_prompt_scale.ts";

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

Deno.test("scoring CSV on per-prompt scales: a human score on its prompt's scale, as a grid label", () => {
  const pp = perPromptScale({
    kind: "per_prompt",
    prompts: {
      p1: { kind: "numeric", min: 2, max: 12, step: 1 },
      p2: { kind: "ordinal", levels: ["low", "mid", "high", "top"] },
    },
    training: "normalise",
  }); // L = lcm(10, 3) = 30
  const table = (rows: string) => parseCsvTable(`id,text,prompt,score\n${rows}`, "new.csv");
  const cols = { idColumn: "id", textColumn: "text", promptColumn: "prompt", labelColumn: "score" };
  const ok = scoringEssaysFromTable(table("a,Text,p1,7\nb,Text,p2,high\nc,Text,p1,\n"), cols, pp);
  assert.deepEqual(ok.essays.map((e) => e.label), [15, 20, null]);
  const bad: [string, RegExp][] = [
    [
      "a,Text,p2,7\n",
      /row 1 \(line 2\), column "score": level "7" is not in the scale.*\(prompt "p2"'s scale\)/,
    ],
    [
      "a,Text,p1,13\n",
      /row 1 \(line 2\), column "score": off-scale score 13; expected 2–12 \(prompt "p1"'s/,
    ],
    [
      "a,Text,p9,3\n",
      /row 1 \(line 2\), column "prompt": prompt "p9" has no scale in the model bundle/,
    ],
    ["a,Text,,3\n", /row 1 \(line 2\), column "prompt": a human score needs the essay's prompt/],
  ];
  for (const [rows, pattern] of bad) {
    assert.throws(
      () => scoringEssaysFromTable(table(rows), cols, pp),
      (e: Error) => e instanceof DatasetError && pattern.test(e.message),
      rows,
    );
  }
});
