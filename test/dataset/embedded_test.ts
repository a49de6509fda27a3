import assert from "node:assert/strict";
import { readDatasetManifest } from "../../lib/dataset/manifest.ts";
import { loadCorpus } from "../../lib/dataset/corpus_loader.ts";
import { generateSwedishDataset } from "../../lib/dataset/embedded/swedish.ts";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import {
  ELLIPSE_COLUMNS,
  EMBEDDED_DATASET_SEED,
  EMBEDDED_PROMPTS,
  type EmbeddedDataset,
  embeddedRowsToCsv,
  generateEmbeddedDataset,
  nearDuplicateVariant,
} from "../../lib/dataset/embedded/dataset.ts";
import { EMBEDDED_FILE_NAMES, writeEmbeddedDataset } from "../../lib/dataset/embedded/generate.ts";
import { MISSPELLINGS, MISSPELT_FORMS } from "../../lib/dataset/embedded/errors.ts";
import * as sharedBanks from "../../lib/dataset/embedded/prompt_bank.ts";
import { SeededRandom } from "../../lib/dataset/embedded/random.ts";
import { expandTemplate } from "../../lib/dataset/embedded/template.ts";
import { mtld, textStatColumns } from "../../lib/dataset/embedded/text_stats.ts";

const DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../data/embedded");
const EXCLUDED_PROMPTS = new Set([
  "Community service",
  "Grades for extracurricular activities",
  "Cell phones at school",
  "Letter to employer",
]);
const SCORE_VALUES = ["1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5"];

let cached: EmbeddedDataset | undefined;
function dataset(): EmbeddedDataset {
  cached ??= generateEmbeddedDataset(EMBEDDED_DATASET_SEED);
  return cached;
}

const wordCount = (t: string) => (t.match(/[A-Za-z0-9]+/g) ?? []).length;
const normalise = (t: string) => t.normalize("NFKC").replace(/\s+/gu, " ").trim();

function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(x.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const ma = ra.reduce((s, v) => s + v, 0) / n;
  const mb = rb.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) ** 2;
    sbb += (rb[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

Deno.test("embedded: regenerating in memory reproduces the committed CSV bytes", async () => {
  const d = dataset();
  for (const split of ["train", "test"] as const) {
    const committed = await Deno.readFile(join(DATA_DIR, EMBEDDED_FILE_NAMES[split]));
    const regenerated = new TextEncoder().encode(embeddedRowsToCsv(d[split]));
    assert.equal(committed.length, regenerated.length, `${split}: byte length differs`);
    assert.deepEqual(committed, regenerated, `${split}: bytes differ`);
    assert.notEqual(committed[0], 0xef, `${split}: must not start with a BOM`);
    assert.ok(!committed.includes(0x0d), `${split}: must use LF line ends only`);
  }
});

Deno.test("embedded: the generator is deterministic and the seed matters", () => {
  const again = generateEmbeddedDataset(EMBEDDED_DATASET_SEED);
  assert.equal(embeddedRowsToCsv(again.train), embeddedRowsToCsv(dataset().train));
  const other = generateEmbeddedDataset("another-seed");
  assert.notEqual(embeddedRowsToCsv(other.train), embeddedRowsToCsv(dataset().train));
});

Deno.test("embedded: CLI writer produces the committed bytes atomically", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const written = await writeEmbeddedDataset(dir, EMBEDDED_DATASET_SEED);
    for (const split of ["train", "test", "swedish"] as const) {
      assert.deepEqual(
        await Deno.readFile(written[split]),
        await Deno.readFile(join(DATA_DIR, EMBEDDED_FILE_NAMES[split])),
      );
    }
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, Object.values(EMBEDDED_FILE_NAMES).sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("embedded: committed CSVs have the 26 ELLIPSE columns and valid rows", async () => {
  const ids = new Set<string>();
  for (const split of ["train", "test"] as const) {
    const text = await Deno.readTextFile(join(DATA_DIR, EMBEDDED_FILE_NAMES[split]));
    const records = parse(text, { relax_column_count: false }) as string[][];
    assert.deepEqual(records[0], [...ELLIPSE_COLUMNS]);
    const rows = records.slice(1);
    assert.equal(rows.length, dataset()[split].length);
    for (const [i, row] of rows.entries()) {
      const where = `${split} row ${i + 1}`;
      assert.equal(row.length, 26, where);
      const r = Object.fromEntries(ELLIPSE_COLUMNS.map((c, j) => [c, row[j]]));
      assert.match(r.text_id_kaggle, /^[0-9A-F]{12}$/, where);
      assert.ok(!ids.has(r.text_id_kaggle), `${where}: duplicate id`);
      ids.add(r.text_id_kaggle);
      assert.equal(r.set, split, where);
      assert.ok(r.full_text.trim().length > 0, where);
      assert.equal(r.Token, String(wordCount(r.full_text)), `${where}: Token`);
      assert.equal(r.num_words2, r.Token, where);
      for (const c of ["Overall", "Cohesion", "Syntax", "Vocabulary", "Phraseology", "Grammar"]) {
        assert.ok(SCORE_VALUES.includes(r[c]), `${where}: ${c}=${r[c]}`);
        assert.ok(Math.abs(Number(r[c]) - Number(r.Overall)) <= 0.5, `${where}: ${c} too far`);
      }
      assert.ok(SCORE_VALUES.includes(r.Conventions), where);
    }
  }
  const d = dataset();
  assert.ok(d.train.length + d.test.length >= 480);
});

Deno.test("embedded: prompts, letters and the ~60/40 split within each prompt", () => {
  const d = dataset();
  assert.ok(EMBEDDED_PROMPTS.length >= 7);
  assert.ok(EMBEDDED_PROMPTS.some((p) => EXCLUDED_PROMPTS.has(p.name)), "an excluded prompt");
  for (const p of EMBEDDED_PROMPTS) {
    const nTrain = d.train.filter((r) => r.prompt === p.name).length;
    const nTest = d.test.filter((r) => r.prompt === p.name).length;
    const share = nTrain / (nTrain + nTest);
    assert.ok(share > 0.55 && share < 0.65, `${p.name}: train share ${share}`);
  }
  const letters = d.train.filter((r) => r.prompt === "Letter to employer");
  assert.ok(letters.every((r) => /^(Dear|Hello) /.test(r.full_text)), "letters open with Dear");
  const signed = letters.filter((r) => /(sincerely|regards|thank you),\n[A-Z]/i.test(r.full_text));
  assert.ok(signed.length > letters.length / 2, "most letters have a sign-off");
});

Deno.test("embedded: Overall covers 1.0–5.0, bell-shaped around 3", () => {
  const d = dataset();
  const count = (rows: typeof d.train, s: string) => rows.filter((r) => r.Overall === s).length;
  for (const s of SCORE_VALUES) assert.ok(count(d.train, s) >= 8, `train Overall ${s}`);
  for (const s of SCORE_VALUES) assert.ok(count(d.test, s) >= 5, `test Overall ${s}`);
  assert.ok(count(d.train, "3") > count(d.train, "2"));
  assert.ok(count(d.train, "3") > count(d.train, "4.5"));
  assert.ok(count(d.train, "2") > count(d.train, "1"));
});

Deno.test("embedded: filters drop 3–12% and every class keeps >= 5 essays for 5 folds", () => {
  const d = dataset();
  const all = [...d.train, ...d.test];
  const inWindow = (r: (typeof all)[number]) => {
    const w = wordCount(r.full_text);
    return w >= 200 && w <= 1000;
  };
  const dropped = all.filter((r) => !inWindow(r)).length;
  assert.ok(all.some((r) => wordCount(r.full_text) < 200));
  assert.ok(all.some((r) => wordCount(r.full_text) > 1000));
  assert.ok(dropped / all.length >= 0.03 && dropped / all.length <= 0.12, `dropped ${dropped}`);
  const kept = d.train.filter((r) => inWindow(r) && !EXCLUDED_PROMPTS.has(r.prompt));
  for (const s of SCORE_VALUES) {
    const n = kept.filter((r) => r.Overall === s).length;
    assert.ok(n >= 5, `prepared train Overall ${s}: ${n}`);
  }
});

Deno.test("embedded: length rises and planted errors fall with Overall", () => {
  const d = dataset();
  for (const split of ["train", "test"] as const) {
    const rows = d[split];
    const overall = rows.map((r) => Number(r.Overall));
    const words = rows.map((r) => wordCount(r.full_text));
    const planted = rows.map((r, i) => {
      const p = d.planted.get(r.text_id_kaggle)!;
      return (100 * (p.spelling + p.grammar + p.punctuation)) / words[i];
    });
    // Independent of the generator's bookkeeping: misspelt forms visible in the text.
    const visible = rows.map((r, i) =>
      (100 * (r.full_text.match(/[A-Za-z]+/g) ?? [])
        .filter((w) => MISSPELT_FORMS.has(w.toLowerCase())).length) / words[i]
    );
    const rWords = spearman(overall, words);
    const rPlanted = spearman(overall, planted);
    const rVisible = spearman(overall, visible);
    assert.ok(rWords > 0.4, `${split}: Spearman(Overall, words) = ${rWords}`);
    assert.ok(rPlanted < -0.4, `${split}: Spearman(Overall, planted) = ${rPlanted}`);
    assert.ok(rVisible < -0.3, `${split}: Spearman(Overall, misspellings) = ${rVisible}`);
    assert.ok(rPlanted > -0.9, `${split}: relation must stay noisy, got ${rPlanted}`);
  }
});

Deno.test("embedded: planted duplicates exist and are the only ones", () => {
  const d = dataset();
  const byId = new Map([...d.train, ...d.test].map((r) => [r.text_id_kaggle, r]));
  const { withinTrain, acrossSplits, nearDuplicate } = d.duplicates;
  assert.equal(withinTrain.length, 3);
  for (const [a, b] of withinTrain) {
    assert.notEqual(a, b);
    assert.equal(byId.get(a)!.set, "train");
    assert.equal(byId.get(b)!.set, "train");
    assert.equal(byId.get(a)!.full_text, byId.get(b)!.full_text);
  }
  assert.equal(acrossSplits.length, 2);
  for (const [a, b] of acrossSplits) {
    assert.equal(byId.get(a)!.set, "train");
    assert.equal(byId.get(b)!.set, "test");
    assert.equal(byId.get(a)!.full_text, byId.get(b)!.full_text);
  }
  const [orig, variant] = nearDuplicate;
  assert.notEqual(byId.get(orig)!.full_text, byId.get(variant)!.full_text);
  assert.equal(normalise(byId.get(orig)!.full_text), normalise(byId.get(variant)!.full_text));

  const groups = new Map<string, string[]>();
  for (const r of byId.values()) {
    const key = normalise(r.full_text);
    groups.set(key, [...(groups.get(key) ?? []), r.text_id_kaggle]);
  }
  const dupGroups = [...groups.values()].filter((g) => g.length > 1);
  for (const id of dupGroups.flat()) {
    const r = byId.get(id)!;
    const w = wordCount(r.full_text);
    assert.ok(!EXCLUDED_PROMPTS.has(r.prompt) && w >= 200 && w <= 1000, `${id} survives filters`);
  }
  assert.equal(dupGroups.length, 6, "3 within-train + 2 cross-split + 1 near-duplicate");
  assert.ok(dupGroups.every((g) => g.length === 2));
});

Deno.test("embedded: nearDuplicateVariant differs only in whitespace and NFKC forms", () => {
  const t = "The final point. It is fine.";
  const v = nearDuplicateVariant(t);
  assert.notEqual(v, t);
  assert.ok(v.includes("\uFB01") && v.includes("\u00A0"));
  assert.equal(normalise(v), normalise(t));
});

Deno.test("embedded: templates expand alternatives and slots, and reject unknown slots", () => {
  const rng = new SeededRandom("t");
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    seen.add(expandTemplate("{a|b{c|d}} [x]", { x: ["y", "[Z]"], z: ["w"] }, rng));
  }
  assert.deepEqual([...seen].sort(), ["a W", "a y", "bc W", "bc y", "bd W", "bd y"]);
  assert.throws(() => expandTemplate("[nope]", {}, rng), /unknown template slot \[nope\]/);
  assert.throws(() => expandTemplate("{a|b", {}, rng), /unclosed/);
});

Deno.test("embedded: every misspelling is a different non-empty form", () => {
  for (const [word, forms] of Object.entries(MISSPELLINGS)) {
    assert.ok(forms.length > 0, word);
    for (const f of forms) assert.notEqual(f, word);
  }
});

Deno.test("embedded: text statistics columns", () => {
  const s = textStatColumns("One two two.\n\nThree, four! Five?");
  assert.equal(s.Token, "6");
  assert.equal(s.Type, "5");
  assert.equal(s.TTR, "83.33333333");
  assert.equal(s.num_sent, "3");
  assert.equal(s.num_para, "2");
  assert.equal(s.num_words3, "6");
  assert.equal(s.num_word_div_para, "3");
  // "a a | a a": TTR falls to 0.5 after every second token, so two full factors: 4 / 2.
  assert.equal(mtld(["a", "a", "a", "a"]), 2);
  // All-distinct tokens never complete a factor and the partial factor is 0: MTLD = length.
  assert.equal(mtld(["a", "b", "c", "d"]), 4);
});

Deno.test("embedded: every bank template expands (no unknown slot, balanced braces)", () => {
  const rng = new SeededRandom("banks");
  const shared = Object.entries(sharedBanks)
    .filter(([name, v]) => name !== "SHARED_SLOTS" && Array.isArray(v))
    .flatMap(([, v]) => (v as readonly (string | readonly string[])[]).flat());
  let n = 0;
  for (const bank of EMBEDDED_PROMPTS) {
    const slots = {
      ...sharedBanks.SHARED_SLOTS,
      topic: bank.topic,
      position: ["p"],
      gist: ["g"],
      gist2: ["g2"],
      counter: ["c"],
    };
    const own = [
      ...bank.hooks,
      ...bank.context,
      ...bank.examples,
      ...(bank.thesis ?? []),
      ...(bank.conclusions ?? []),
      ...[bank.sides.a, bank.sides.b].flatMap((side) => [
        ...side.position,
        ...side.ideas.flatMap((i) => [...i.gist, ...i.claims, ...i.details]),
      ]),
    ];
    for (const t of [...own, ...shared]) {
      const text = expandTemplate(t.replace(/^[+-]/, ""), slots, rng);
      assert.ok(!/[{}[\]|]/.test(text), `leftover template syntax in: ${text}`);
      n++;
    }
  }
  assert.ok(n > 1000);
});

Deno.test("embedded Swedish: grades F–A, three prompts, two genres, Windows-1252, grade-dependent", async () => {
  const m = await readDatasetManifest(join(DATA_DIR, "swedish_embedded.json"));
  const corpus = await loadCorpus(m);
  const all = [...corpus.train, ...corpus.test];
  assert.equal(new Set(all.map((e) => e.prompt)).size, 3);
  assert.deepEqual(corpus.genreCounts, { argumenterande: 102, "berättande": 52, "": 2 });
  assert.ok(all.some((e) => e.text.includes("ö")), "Windows-1252 decoded");
  const meanWords = (g: number) => {
    const texts = all.filter((e) => e.overall === g).map((e) => e.text.split(/\s+/).length);
    return texts.reduce((a, b) => a + b, 0) / texts.length;
  };
  assert.ok(meanWords(5) > meanWords(0) * 1.5, "A essays are clearly longer than F essays");
  assert.deepEqual(generateSwedishDataset(), generateSwedishDataset());
});
