/**
 * The embedded ELLIPSE-shaped data set: a pure, seeded generator of train and test rows in the
 * real corpus's 26-column layout, plus CSV serialisation.
 *
 * Design (documented in `data/embedded/README.md`): 7 argumentative prompts (one letter-dominated,
 * "Letter to employer", which the default prompt filter excludes); fixed Overall quotas per split
 * covering 1.0–5.0 in half steps, bell-shaped around 3; prompts assigned round-robin over the
 * sorted scores so every prompt gets a similar score mix and a ~60/40 train/test split; analytic
 * scores within ±0.5 of Overall; essay text written by `essay_writer.ts` with length, errors,
 * vocabulary and organisation driven by the scores plus noise; planted exact and near duplicates.
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import { type PlantedErrors, type ScoreProfile, writeEssay } from "./essay_writer.ts";
import type { PromptBank } from "./prompt_bank.ts";
import {
  EXTRACURRICULAR,
  FOUR_DAY_WEEK,
  ONLINE_LEARNING,
  SUMMER_PROJECTS,
} from "./prompts_school.ts";
import { LETTER_TO_EMPLOYER, MULTIPLE_OPINIONS, PHONES_AND_DRIVING } from "./prompts_life.ts";
import { SeededRandom } from "./random.ts";
import { countAlnumWords, formatCorpusNumber, textStatColumns } from "./text_stats.ts";

/** The 26 ELLIPSE columns, in the corpus's order. */
export const ELLIPSE_COLUMNS = [
  "text_id_kaggle",
  "full_text",
  "gender",
  "grade",
  "race_ethnicity",
  "num_words",
  "num_words2",
  "num_words3",
  "num_sent",
  "num_para",
  "num_word_div_para",
  "MTLD",
  "TTR",
  "Type",
  "Token",
  "task",
  "SES",
  "prompt",
  "Overall",
  "Cohesion",
  "Syntax",
  "Vocabulary",
  "Phraseology",
  "Grammar",
  "Conventions",
  "set",
] as const;

/** One of the 26 column names. */
export type EllipseColumn = (typeof ELLIPSE_COLUMNS)[number];

/** One CSV row of the embedded data set: every column as its CSV string. */
export type EmbeddedRow = Readonly<Record<EllipseColumn, string>>;

/** The seed the committed files were generated with. */
export const EMBEDDED_DATASET_SEED = "42";

/** The prompt banks, in a fixed order. */
export const EMBEDDED_PROMPTS: readonly PromptBank[] = [
  ONLINE_LEARNING,
  FOUR_DAY_WEEK,
  EXTRACURRICULAR,
  SUMMER_PROJECTS,
  MULTIPLE_OPINIONS,
  PHONES_AND_DRIVING,
  LETTER_TO_EMPLOYER,
];

/** Number of essays per Overall score (1.0, 1.5, …, 5.0) in the train split, before duplicates. */
export const TRAIN_SCORE_QUOTA: readonly number[] = [15, 14, 26, 45, 62, 59, 45, 25, 11];
/** Number of essays per Overall score in the test split, before duplicates. */
export const TEST_SCORE_QUOTA: readonly number[] = [7, 8, 17, 30, 44, 40, 30, 17, 7];

/** Ids of the planted duplicates (see `data/embedded/README.md`). */
export interface PlantedDuplicates {
  /** Pairs of train ids with byte-identical texts: [original, copy]. */
  readonly withinTrain: readonly (readonly [string, string])[];
  /** Pairs [train id, test id] with byte-identical texts. */
  readonly acrossSplits: readonly (readonly [string, string])[];
  /** Train pair [original, variant] equal only after NFKC + whitespace normalisation. */
  readonly nearDuplicate: readonly [string, string];
}

/** The generated data set with the generator's own annotations. */
export interface EmbeddedDataset {
  readonly train: readonly EmbeddedRow[];
  readonly test: readonly EmbeddedRow[];
  /** Planted error counts per essay id (duplicates carry their original's counts). */
  readonly planted: ReadonlyMap<string, PlantedErrors>;
  readonly duplicates: PlantedDuplicates;
}

const SCORES = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];

const clipScore = (x: number) => Math.min(5, Math.max(1, Math.round(x * 2) / 2));

function analyticScores(overall: number, rng: SeededRandom): ScoreProfile {
  const near = () => clipScore(overall + rng.pick([-0.5, 0, 0, 0, 0.5]));
  return {
    overall,
    cohesion: near(),
    syntax: near(),
    vocabulary: near(),
    phraseology: near(),
    grammar: near(),
    conventions: near(),
  };
}

/**
 * Rater noise: the writer composes from "apparent" scores shifted by one shared per-essay offset
 * (sd `APPARENT_SCORE_SD` score points), so the text's properties disagree with the recorded
 * scores jointly, as two human raters would, and no feature combination recovers them exactly.
 */
export const APPARENT_SCORE_SD = 0.6;

function apparentScores(s: ScoreProfile, rng: SeededRandom): ScoreProfile {
  const shift = APPARENT_SCORE_SD * rng.normal();
  const move = (x: number) => Math.min(5.5, Math.max(0.5, x + shift));
  return {
    overall: move(s.overall),
    cohesion: move(s.cohesion),
    syntax: move(s.syntax),
    vocabulary: move(s.vocabulary),
    phraseology: move(s.phraseology),
    grammar: move(s.grammar),
    conventions: move(s.conventions),
  };
}

/** Target length in words: rises with Overall, lognormal noise, plus rare very long essays. */
function targetWords(overall: number, rng: SeededRandom): number {
  const mean = Math.max(255, 225 + 80 * (overall - 1));
  const noisy = mean * Math.exp(0.28 * rng.normal());
  if (overall >= 3 && rng.chance(0.03)) return 1000 + rng.int(20, 220);
  return Math.round(Math.max(60, noisy));
}

interface Demographics {
  readonly gender: string;
  readonly grade: string;
  readonly race_ethnicity: string;
  readonly SES: string;
}

function demographics(rng: SeededRandom): Demographics {
  const weighted = (pairs: readonly (readonly [string, number])[]) => {
    let u = rng.uniform() * pairs.reduce((a, [, w]) => a + w, 0);
    for (const [v, w] of pairs) {
      u -= w;
      if (u < 0) return v;
    }
    return pairs[pairs.length - 1][0];
  };
  return {
    gender: weighted([["Male", 55], ["Female", 45]]),
    grade: weighted([["8", 25], ["9", 5], ["10", 10], ["11", 35], ["12", 30]]),
    race_ethnicity: weighted([
      ["Hispanic/Latino", 70],
      ["Asian/Pacific Islander", 11],
      ["Black/African American", 9],
      ["White", 8],
      ["Two or more races/Other", 2],
    ]),
    SES: weighted([["Economically disadvantaged", 70], ["Not economically disadvantaged", 30]]),
  };
}

interface Draft {
  readonly id: string;
  readonly bank: PromptBank;
  readonly scores: ScoreProfile;
  readonly text: string;
  readonly demo: Demographics;
  readonly split: "train" | "test";
}

function toRow(d: Draft): EmbeddedRow {
  const s = d.scores;
  return {
    text_id_kaggle: d.id,
    full_text: d.text,
    gender: d.demo.gender,
    grade: d.demo.grade,
    race_ethnicity: d.demo.race_ethnicity,
    ...textStatColumns(d.text),
    task: "Independent",
    SES: d.demo.SES,
    prompt: d.bank.name,
    Overall: formatCorpusNumber(s.overall),
    Cohesion: formatCorpusNumber(s.cohesion),
    Syntax: formatCorpusNumber(s.syntax),
    Vocabulary: formatCorpusNumber(s.vocabulary),
    Phraseology: formatCorpusNumber(s.phraseology),
    Grammar: formatCorpusNumber(s.grammar),
    Conventions: formatCorpusNumber(s.conventions),
    set: d.split,
  };
}

/** Make a text that differs from `text` only in whitespace and Unicode compatibility forms. */
export function nearDuplicateVariant(text: string): string {
  let out = text.replace(" ", "\u00A0"); // first space → no-break space
  out = out.replace(/\. /, ".  "); // one doubled space after a full stop
  out = out.replace("fi", "\uFB01"); // "fi" ligature, NFKC folds it back
  return `${out}\n`;
}

/**
 * Generate the embedded data set. Pure: the same seed gives the same rows.
 *
 * @example
 * ```ts
 * const { train, test } = generateEmbeddedDataset(EMBEDDED_DATASET_SEED);
 * ```
 */
export function generateEmbeddedDataset(seed: string = EMBEDDED_DATASET_SEED): EmbeddedDataset {
  const rng = new SeededRandom(`ellipse-embedded:${seed}`);
  const usedIds = new Set<string>();
  const newId = () => {
    let id = rng.hex(12);
    while (usedIds.has(id)) id = rng.hex(12);
    usedIds.add(id);
    return id;
  };
  const planted = new Map<string, PlantedErrors>();
  const drafts: { train: Draft[]; test: Draft[] } = { train: [], test: [] };

  for (const split of ["train", "test"] as const) {
    const quota = split === "train" ? TRAIN_SCORE_QUOTA : TEST_SCORE_QUOTA;
    const scores = SCORES.flatMap((s, i) => Array<number>(quota[i]).fill(s));
    const promptOffset = split === "train" ? 0 : 3;
    scores.forEach((overall, i) => {
      const bank = EMBEDDED_PROMPTS[(i + promptOffset) % EMBEDDED_PROMPTS.length];
      const scoreProfile = analyticScores(overall, rng);
      const side = rng.chance(0.5) ? "a" : "b";
      const written = writeEssay(
        {
          bank,
          side,
          scores: apparentScores(scoreProfile, rng),
          targetWords: targetWords(overall, rng),
        },
        rng,
      );
      const id = newId();
      planted.set(id, written.planted);
      drafts[split].push({
        id,
        bank,
        scores: scoreProfile,
        text: written.text,
        demo: demographics(rng),
        split,
      });
    });
  }

  // Planted duplicates: originals are mid-length train essays of six different prompts.
  const candidates = rng.shuffle(
    drafts.train.filter((d) => {
      const w = countAlnumWords(d.text);
      // Originals survive prepare-dataset's filters, so its duplicate report sees every pair.
      return !d.bank.letter && w >= 250 && w <= 700 && d.text.includes("fi") &&
        d.text.includes(". ");
    }),
  );
  const originals: Draft[] = [];
  const seenPrompts = new Set<string>();
  for (const d of candidates) {
    if (originals.length === 6) break;
    if (seenPrompts.has(d.bank.name)) continue;
    seenPrompts.add(d.bank.name);
    originals.push(d);
  }
  if (originals.length < 6) throw new Error("embedded data: not enough duplicate candidates");
  const copyOf = (d: Draft, split: "train" | "test", text = d.text): Draft => {
    const id = newId();
    planted.set(id, planted.get(d.id)!);
    return { ...d, id, split, text, demo: demographics(rng) };
  };
  const withinTrain: [string, string][] = [];
  for (const d of originals.slice(0, 3)) {
    const c = copyOf(d, "train");
    drafts.train.push(c);
    withinTrain.push([d.id, c.id]);
  }
  const acrossSplits: [string, string][] = [];
  for (const d of originals.slice(3, 5)) {
    const c = copyOf(d, "test");
    drafts.test.push(c);
    acrossSplits.push([d.id, c.id]);
  }
  const nearOriginal = originals[5];
  const near = copyOf(nearOriginal, "train", nearDuplicateVariant(nearOriginal.text));
  drafts.train.push(near);

  return {
    train: rng.shuffle(drafts.train).map(toRow),
    test: rng.shuffle(drafts.test).map(toRow),
    planted,
    duplicates: { withinTrain, acrossSplits, nearDuplicate: [nearOriginal.id, near.id] },
  };
}

/** Serialise rows as CSV: header + rows in `ELLIPSE_COLUMNS` order, LF line ends, RFC 4180 quoting. */
export function embeddedRowsToCsv(rows: readonly EmbeddedRow[]): string {
  return stringify(rows.map((r) => ({ ...r })), {
    header: true,
    columns: [...ELLIPSE_COLUMNS],
    record_delimiter: "\n",
  });
}
