import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DatasetError,
  decodeUtf8Strict,
  parseCsvTable,
  readCsvTable,
} from "../../lib/dataset/csv_table.ts";
import {
  ellipseEssaysFromTable,
  loadEllipseTrainTest,
  parseHalfPointScore,
} from "../../lib/dataset/ellipse_csv.ts";

const HEADER = "text_id_kaggle,full_text,prompt,Overall,Cohesion";

function table(body: string, file = "t.csv") {
  return parseCsvTable(`${HEADER}\n${body}`, file);
}

function expectDatasetError(
  fn: () => unknown,
  parts: { row?: number; column?: string; includes: string },
) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DatasetError, `expected DatasetError, got ${error}`);
    if (parts.row !== undefined) assert.equal(error.row, parts.row);
    if (parts.column !== undefined) assert.equal(error.column, parts.column);
    assert.match(error.message, new RegExp(parts.includes));
    return error;
  }
  assert.fail("expected a DatasetError");
}

Deno.test("BOM, CRLF line ends and quoted newlines are read correctly", () => {
  const csv = "\uFEFF" + HEADER + "\r\n" +
    'A1,"First line.\r\nSecond line, with comma and ""quotes"".",Topic,3.5,3\r\n' +
    "A2,Plain text,Topic,4,4\r\n";
  const t = parseCsvTable(csv, "bom.csv");
  assert.deepEqual(t.header, HEADER.split(","));
  assert.equal(t.rows.length, 2);
  assert.equal(t.rows[0].full_text, 'First line.\nSecond line, with comma and "quotes".');
  assert.deepEqual(t.rowLines, [2, 4]);
  const essays = ellipseEssaysFromTable(t, "train");
  assert.equal(essays[0].overall, 3.5);
  assert.equal(essays[1].text, "Plain text");
});

Deno.test("ragged rows are rejected with row and line", () => {
  expectDatasetError(() => table('A1,"x\ny",T,3,3\nA2,x,T,3\n'), {
    row: 2,
    includes: "row 2 \\(line 4\\): ragged row: 4 fields, expected 5",
  });
});

Deno.test("a header with a name missing is named as such, not as ragged rows", () => {
  expectDatasetError(
    () => parseCsvTable("text_id_kaggle,full_text,Overall\nA1,x,T,3\nA2,y,T,4\n", "h.csv"),
    {
      includes:
        "^h.csv: the header has 3 column names but every data row has 4 fields: a header name is missing",
    },
  );
});

Deno.test("empty file, header-only file and non-UTF-8 bytes are rejected", () => {
  expectDatasetError(() => parseCsvTable("", "e.csv"), { includes: "e.csv: file is empty" });
  expectDatasetError(() => parseCsvTable(HEADER + "\n", "h.csv"), { includes: "no data rows" });
  const bytes = new Uint8Array([
    ...new TextEncoder().encode(HEADER + "\nA1,caf"),
    0xe9,
    ...new TextEncoder().encode(",T,3,3\n"),
  ]);
  expectDatasetError(() => decodeUtf8Strict(bytes, "latin1.csv"), {
    includes: "latin1.csv: file is not valid UTF-8.*line 2",
  });
});

Deno.test("missing column names the column and what was expected", () => {
  const t = parseCsvTable("text_id_kaggle,full_text,prompt\nA1,x,T\n", "m.csv");
  expectDatasetError(() => ellipseEssaysFromTable(t, "train"), {
    column: "Overall",
    includes: 'column "Overall": missing column',
  });
});

Deno.test("score validation: missing, non-numeric, off-scale, off-step", () => {
  expectDatasetError(() => ellipseEssaysFromTable(table("A1,x,T,,3\n"), "train"), {
    row: 1,
    column: "Overall",
    includes: "missing score",
  });
  expectDatasetError(() => ellipseEssaysFromTable(table("A1,x,T,3,abc\n"), "train"), {
    row: 1,
    column: "Cohesion",
    includes: "non-numeric",
  });
  expectDatasetError(() => ellipseEssaysFromTable(table("A1,x,T,3,3\nA2,y,T,5.5,3\n"), "train"), {
    row: 2,
    column: "Overall",
    includes: "off-scale score 5.5",
  });
  expectDatasetError(() => ellipseEssaysFromTable(table("A1,x,T,3.25,3\n"), "train"), {
    row: 1,
    column: "Overall",
    includes: "off-step",
  });
  assert.deepEqual(parseHalfPointScore(" 2.0 "), { value: 2 });
  assert.ok(parseHalfPointScore("1e0").error);
  assert.ok(parseHalfPointScore("0.5").error);
});

Deno.test("empty text, empty prompt and duplicate ids are rejected", () => {
  expectDatasetError(() => ellipseEssaysFromTable(table('A1,"   ",T,3,3\n'), "train"), {
    row: 1,
    column: "full_text",
    includes: "empty essay text",
  });
  expectDatasetError(() => ellipseEssaysFromTable(table("A1,x,,3,3\n"), "train"), {
    row: 1,
    column: "prompt",
    includes: "empty prompt",
  });
  expectDatasetError(() => ellipseEssaysFromTable(table("A1,x,T,3,3\nA1,y,T,3,3\n"), "train"), {
    row: 2,
    column: "text_id_kaggle",
    includes: 'duplicate essay id "A1" \\(first seen in row 1\\)',
  });
});

Deno.test("ids must be unique across train and test files", async () => {
  const dir = await Deno.makeTempDir();
  const train = join(dir, "train.csv");
  const test = join(dir, "test.csv");
  await Deno.writeTextFile(train, `${HEADER}\nA1,x,T,3,3\n`);
  await Deno.writeTextFile(test, `${HEADER}\nB1,y,T,3,3\nA1,z,T,3,3\n`);
  await assert.rejects(() => loadEllipseTrainTest(train, test), (e: unknown) => {
    assert.ok(e instanceof DatasetError);
    assert.equal(e.row, 2);
    assert.match(e.message, /also appears in the train file/);
    return true;
  });
  await assert.rejects(() => readCsvTable(join(dir, "nope.csv")), /file not found/);
  await Deno.remove(dir, { recursive: true });
});
