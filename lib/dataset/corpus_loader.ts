/**
 * The one loading path of every corpus: a dataset manifest (`manifest.ts`) in, validated essays
 * out. Reads CSV, TSV or JSON Lines in the manifest's encoding (strict UTF-8, or a legacy
 * single-byte encoding such as Windows-1252 through `TextDecoder`), maps the columns, parses
 * every score on the manifest's scale (off-scale, off-step and unknown-level errors), splits
 * into train and test (two files, a split column, a seeded prompt-grouped test split, or a seeded
 * random test split stratified by level, `random_test_split.ts`), reads
 * the genre of each essay and refuses a genre mix the manifest does not scope.
 *
 * Every data error names the file, the row and the column (`DatasetError`).
 *
 * @module
 */
import { type CsvTable, DatasetError, decodeUtf8Strict, parseCsvTable } from "./csv_table.ts";
import type { Essay, OfficialSplit } from "./essay.ts";
import { type DatasetManifest, manifestInputPaths } from "./manifest.ts";
import { parseScoreCell, type ScoreScale } from "./score_scale.ts";
import {
  type DatasetScale,
  datasetScale,
  gridLabel,
  isPerPromptScale,
} from "./per_prompt_scale.ts";
import { randomTestSplit } from "./random_test_split.ts";
import { seededPermutation } from "../splits/seeded_order.ts";

/** A loaded corpus: the official partitions, the scale and where they came from. */
export interface LoadedCorpus {
  readonly train: Essay[];
  readonly test: Essay[];
  /** Column order for writing prepared CSVs (the source's own). */
  readonly header: readonly string[];
  readonly inputPaths: readonly string[];
  /** One scale, or one per prompt (then `overall` is the label on the common grid 0…L). */
  readonly scale: DatasetScale;
  readonly manifest: DatasetManifest;
  /** Essays per genre tag over train + test ("" = untagged); empty without a genre source. */
  readonly genreCounts: Readonly<Record<string, number>>;
}

/** Options of {@link loadCorpus}. */
export interface LoadCorpusOptions {
  /** Allow a corpus that mixes genres without a declared scope (`--allow-genre-mix`). */
  readonly allowGenreMix?: boolean;
}

/**
 * Decode a file's bytes in an encoding: strict UTF-8 (naming the line of the first invalid
 * byte), or any other WHATWG label through `TextDecoder`.
 *
 * @example
 * ```ts
 * decodeBytes(new Uint8Array([0x76, 0xe4, 0x67]), "windows-1252", "x.csv"); // "väg"
 * ```
 */
export function decodeBytes(bytes: Uint8Array, encoding: string, file: string): string {
  const label = encoding.toLowerCase();
  if (label === "utf-8" || label === "utf8") return decodeUtf8Strict(bytes, file);
  try {
    return new TextDecoder(label).decode(bytes);
  } catch (error) {
    throw new DatasetError(file, `cannot decode as ${encoding}: ${(error as Error).message}`);
  }
}

/**
 * Parse JSON Lines into a table: one JSON object per non-empty line, the header from the first
 * object's keys; every line must have exactly those keys (values are read as text).
 *
 * @example
 * ```ts
 * parseJsonLinesTable('{"id":"a","text":"x"}\n', "x.jsonl").rows[0].id; // "a"
 * ```
 */
export function parseJsonLinesTable(content: string, file: string): CsvTable {
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const lines = text.split(/\r?\n/);
  let header: string[] | null = null;
  const rows: Record<string, string>[] = [];
  const rowLines: number[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const fail = (detail: string): never => {
      throw new DatasetError(file, detail, rows.length + 1, undefined, i + 1);
    };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      fail(`not valid JSON (${(error as Error).message}); expected one JSON object per line`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      fail("expected a JSON object on the line");
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    header ??= keys;
    const missing = header.filter((k) => !(k in record));
    if (missing.length > 0) fail(`missing key(s) ${missing.join(", ")} (as in the first line)`);
    const out: Record<string, string> = {};
    for (const k of keys) {
      const v = record[k];
      out[k] = v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
    }
    rows.push(out);
    rowLines.push(i + 1);
  });
  if (header === null) {
    throw new DatasetError(file, "file is empty; expected one JSON object per line");
  }
  return { file, header, rows, rowLines };
}

/**
 * Read one corpus file as a table in the manifest's format and encoding.
 *
 * @example
 * ```ts
 * const table = await readCorpusTable("essays.tsv", manifest);
 * ```
 */
export async function readCorpusTable(file: string, m: DatasetManifest): Promise<CsvTable> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new DatasetError(
        file,
        `file not found; expected a ${m.format.toUpperCase()} file here`,
      );
    }
    throw new DatasetError(file, `cannot read file: ${(error as Error).message}`);
  }
  const text = decodeBytes(bytes, m.encoding, file);
  if (m.format === "jsonl") return parseJsonLinesTable(text, file);
  return parseCsvTable(text, file, m.format === "tsv" ? "\t" : ",");
}

/** The columns a manifest requires of its files, with the field that names each. */
function requiredColumns(m: DatasetManifest): [string, string][] {
  const c = m.columns;
  const out: [string, string][] = [
    ["columns.id", c.id],
    ["columns.text", c.text],
    ["columns.prompt", c.prompt],
    ["columns.score", c.score],
  ];
  if (c.genre) out.push(["columns.genre", c.genre]);
  if (!m.traitsIfPresent) c.traits?.forEach((t, i) => out.push([`columns.traits.${i}`, t]));
  if ("data" in m.files && m.files.split.kind === "column") {
    out.push(["files.split.column", m.files.split.column]);
  }
  return out;
}

function checkColumns(table: CsvTable, m: DatasetManifest): void {
  for (const [field, column] of requiredColumns(m)) {
    if (!table.header.includes(column)) {
      throw new DatasetError(
        table.file,
        `missing column; the manifest "${m.name}" maps ${field} to "${column}", which the file ` +
          `does not have (found: ${table.header.join(", ")})`,
        undefined,
        column,
      );
    }
  }
}

/**
 * The score (and trait) scale of a row's prompt, and how a parsed value becomes `overall`: the
 * value itself on one scale; on per-prompt scales the prompt's scale (an error naming the
 * prompt when it has none) and the label on the common grid (`common_grid.ts`).
 */
function rowScale(
  scale: DatasetScale,
  prompt: string,
  fail: (detail: string) => never,
): { scale: ScoreScale; overall: (v: number) => number; where: string } {
  if (!isPerPromptScale(scale)) return { scale, overall: (v) => v, where: "" };
  const s = scale.byPrompt.get(prompt);
  if (s === undefined) {
    return fail(
      `prompt "${prompt}" has no scale in the manifest's scale.prompts (scales are given for: ` +
        `${[...scale.byPrompt.keys()].join(", ")}); expected a scale for every prompt`,
    );
  }
  return {
    scale: s,
    overall: (v) => gridLabel(scale, s, v),
    where: ` (prompt "${prompt}"'s scale)`,
  };
}

/**
 * Turn a parsed table into validated essays under a manifest: ids unique and non-empty, texts
 * and prompts non-empty, every score (and trait score) on the scale (on per-prompt scales, on
 * the essay's prompt's scale; `overall` is then the label on the common grid 0…L), the genre read.
 *
 * @example
 * ```ts
 * const essays = essaysFromTable(table, manifest, scale, () => "train");
 * ```
 */
export function essaysFromTable(
  table: CsvTable,
  m: DatasetManifest,
  scale: DatasetScale,
  splitOf: (
    cells: Readonly<Record<string, string>>,
    fail: (c: string, d: string) => never,
  ) => OfficialSplit,
): Essay[] {
  checkColumns(table, m);
  const { file } = table;
  const c = m.columns;
  const traits = (c.traits ?? []).filter((t) => table.header.includes(t));
  const firstRowOfId = new Map<string, number>();
  return table.rows.map((cells, index) => {
    const row = index + 1;
    const fail = (column: string, detail: string): never => {
      throw new DatasetError(file, detail, row, column, table.rowLines[index]);
    };
    const id = cells[c.id].trim();
    if (id === "") fail(c.id, "empty essay id; expected a non-empty id");
    const previous = firstRowOfId.get(id);
    if (previous !== undefined) {
      fail(c.id, `duplicate essay id "${id}" (first seen in row ${previous})`);
    }
    firstRowOfId.set(id, row);
    const text = cells[c.text];
    if (text.trim() === "") fail(c.text, "empty essay text; expected the essay");
    const prompt = cells[c.prompt].trim();
    if (prompt === "") fail(c.prompt, "empty prompt; expected the prompt name");
    const rs = rowScale(scale, prompt, (d) => fail(c.prompt, d));
    const score = parseScoreCell(rs.scale, cells[c.score]);
    if (score.error) fail(c.score, score.error + rs.where);
    for (const t of traits) {
      const parsed = parseScoreCell(rs.scale, cells[t]);
      if (parsed.error) fail(t, parsed.error + rs.where);
    }
    const genre = genreOf(cells, prompt, m);
    return {
      id,
      text,
      prompt,
      overall: rs.overall(score.value!),
      split: splitOf(cells, fail),
      sourceRow: row,
      columns: cells,
      ...(genre !== undefined ? { genre } : {}),
    };
  });
}

function genreOf(
  cells: Readonly<Record<string, string>>,
  prompt: string,
  m: DatasetManifest,
): string | undefined {
  const fromColumn = m.columns.genre ? cells[m.columns.genre].trim() : "";
  if (fromColumn !== "") return fromColumn;
  const fromPrompt = m.genres?.byPrompt?.[prompt];
  return fromPrompt === undefined || fromPrompt === "" ? undefined : fromPrompt;
}

/** Whether the manifest gives essays a genre at all (a column or a per-prompt table). */
export function hasGenreSource(m: DatasetManifest): boolean {
  return m.columns.genre !== undefined || m.genres?.byPrompt !== undefined;
}

/**
 * Load a corpus as its manifest describes it; throws a `DatasetError` naming file, row and
 * column on bad data, and on a genre mix the manifest does not scope.
 *
 * @example
 * ```ts
 * const corpus = await loadCorpus(await readDatasetManifest("corpus.json"));
 * corpus.train.length;
 * ```
 */
export async function loadCorpus(
  m: DatasetManifest,
  options: LoadCorpusOptions = {},
): Promise<LoadedCorpus> {
  const scale = datasetScale(m.scale);
  let train: Essay[];
  let test: Essay[];
  let header: readonly string[];
  if ("data" in m.files) {
    const table = await readCorpusTable(m.files.data, m);
    header = table.header;
    const split = m.files.split;
    const all = essaysFromTable(table, m, scale, (cells, fail) => {
      if (split.kind !== "column") return "train";
      const v = cells[split.column].trim();
      if (split.train.includes(v)) return "train";
      if (split.test.includes(v)) return "test";
      return fail(
        split.column,
        `split value "${v}" is neither a train value (${split.train.join(", ")}) nor a test ` +
          `value (${split.test.join(", ")}) of files.split`,
      );
    });
    const parts = split.kind === "prompt_holdout"
      ? promptHoldoutTestSplit(all, split.testFraction, split.seed, m.files.data)
      : split.kind === "random"
      ? randomTestSplit(all, split.testFraction, split.seed, m.files.data, scale)
      : all;
    train = parts.filter((e) => e.split === "train");
    test = parts.filter((e) => e.split === "test");
  } else {
    const trainTable = await readCorpusTable(m.files.train, m);
    header = trainTable.header;
    train = essaysFromTable(trainTable, m, scale, () => "train");
    test = essaysFromTable(await readCorpusTable(m.files.test, m), m, scale, () => "test");
    checkIdsAcrossFiles(train, test, m.files.train, m.files.test, m.columns.id);
  }
  const genreCounts = countGenres([...train, ...test], m);
  checkGenreScope(m, genreCounts, [...train, ...test], options);
  return {
    train,
    test,
    header,
    inputPaths: manifestInputPaths(m),
    scale,
    manifest: m,
    genreCounts,
  };
}

function checkIdsAcrossFiles(
  train: readonly Essay[],
  test: readonly Essay[],
  trainPath: string,
  testPath: string,
  idColumn: string,
): void {
  const trainIds = new Map(train.map((e) => [e.id, e.sourceRow]));
  for (const essay of test) {
    const trainRow = trainIds.get(essay.id);
    if (trainRow !== undefined) {
      throw new DatasetError(
        testPath,
        `essay id "${essay.id}" also appears in the train file ${trainPath} (row ${trainRow}); ` +
          "expected ids unique across train and test",
        essay.sourceRow,
        idColumn,
      );
    }
  }
}

/**
 * A seeded, prompt-grouped test split of one file: prompts in a seeded order go to test until
 * the test part holds at least `testFraction` of the essays; at least one prompt stays in train.
 *
 * @example
 * ```ts
 * promptHoldoutTestSplit(essays, 0.25, 42, "all.csv").filter((e) => e.split === "test");
 * ```
 */
export function promptHoldoutTestSplit(
  essays: readonly Essay[],
  testFraction: number,
  seed: number,
  file: string,
): Essay[] {
  const prompts = [...new Set(essays.map((e) => e.prompt))].sort();
  if (prompts.length < 2) {
    throw new DatasetError(
      file,
      `files.split prompt_holdout needs at least 2 prompts; the file has ${prompts.length}`,
    );
  }
  const order = seededPermutation(prompts.length, seed, "manifest_test_split");
  const perPrompt = new Map<string, number>();
  for (const e of essays) perPrompt.set(e.prompt, (perPrompt.get(e.prompt) ?? 0) + 1);
  const testPrompts = new Set<string>();
  let nTest = 0;
  for (const k of order) {
    if (nTest >= testFraction * essays.length || testPrompts.size === prompts.length - 1) break;
    testPrompts.add(prompts[k]);
    nTest += perPrompt.get(prompts[k])!;
  }
  return essays.map((e) => ({ ...e, split: testPrompts.has(e.prompt) ? "test" : "train" }));
}

function countGenres(essays: readonly Essay[], m: DatasetManifest): Record<string, number> {
  if (!hasGenreSource(m)) return {};
  const counts: Record<string, number> = {};
  for (const e of essays) counts[e.genre ?? ""] = (counts[e.genre ?? ""] ?? 0) + 1;
  return counts;
}

function describeCounts(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([g, n]) => `${g === "" ? "(untagged)" : g}: ${n}`).join(", ");
}

function checkGenreScope(
  m: DatasetManifest,
  counts: Readonly<Record<string, number>>,
  essays: readonly Essay[],
  options: LoadCorpusOptions,
): void {
  const file = manifestInputPaths(m).join(" + ");
  if (m.genres) {
    if (m.genres.untagged === "error") {
      const untagged = essays.find((e) => e.genre === undefined);
      if (untagged) {
        throw new DatasetError(
          file,
          `essay "${untagged.id}" has no genre tag and the manifest says untagged essays are an ` +
            `error (genres.untagged = "error"); genres: ${describeCounts(counts)}`,
          untagged.sourceRow,
          m.columns.genre,
        );
      }
    }
    return;
  }
  const tagged = Object.keys(counts).filter((g) => g !== "");
  if (tagged.length > 1 && !options.allowGenreMix) {
    throw new DatasetError(
      file,
      `the corpus mixes genres (${describeCounts(counts)}) and the manifest "${m.name}" declares ` +
        "no genre scope; add genres.inScope to the manifest (the construct's genres), or pass " +
        "--allow-genre-mix to run on the mix (every report then says so)",
    );
  }
}
