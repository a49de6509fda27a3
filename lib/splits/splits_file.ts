/**
 * `splits.json`: the contract between `make-splits` and `cv` / `drop-column` / `run`.
 *
 * Layout (schema_version 2; keys always in this order, no timestamps, so the same inputs and
 * seed give identical bytes; version 1 files are still read, see {@linkcode SplitsFileV1Schema}):
 * - `schema_version`, `seed`, `n_splits`;
 * - `rare_classes`: `merge` (default: a class with too few essays to stratify is stratified
 *   together with a neighbour, every merge listed in `class_merges`) or `strict`
 *   (`--strict-classes`: such a class was an error);
 * - `created_from`: dataset kind, the train/test file names (base names only, so a rerun from
 *   another run directory still gives the same bytes) and their sha256;
 * - `filters`: `min_words`, `max_words`, `excluded_prompts` applied before splitting;
 * - `n_essays` and `essays`: every essay of the (filtered) official **train** set in file order,
 *   as `{id, text_sha256, prompt, overall}` — the text hash is the group key and what
 *   {@linkcode verifySplitsMatchDataset} checks;
 * - `schemes.stratified_text` / `schemes.prompt_holdout`: the method, and `folds` as
 *   `{fold, val_ids}` (plus `val_prompts` for prompt holdout). **Only validation ids are stored**:
 *   a fold's training ids are all other essays, in essay order — use {@linkcode schemeFolds}.
 *   This keeps the file small and makes train/val overlap impossible by construction;
 * - `run_split`: the `run` command's train/val split of the official train set, both sides
 *   explicit (`train_ids`, `val_ids`), with its own `class_merges` (strata need
 *   `ceil(1 / val_fraction)` essays there).
 *
 * Loading validates the schema and re-checks the invariants (every essay validated exactly once
 * per scheme, no text group or prompt straddling folds, run split a partition), so a hand-edited
 * or truncated file is refused rather than silently used.
 *
 * @module
 */
import { DatasetError } from "../dataset/csv_table.ts";
import { z } from "zod";
import { normalisedTextHash } from "../dataset/text_hash.ts";
import {
  ELLIPSE_SCALE,
  type ScoreScale,
  scoreScale,
  ScoreScaleSpecSchema,
} from "../dataset/score_scale.ts";

/** Current `splits.json` schema version. */
export const SPLITS_SCHEMA_VERSION = 2;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, "expected a lowercase sha256 hex digest");
const Id = z.string().min(1);

/** One essay entry of `splits.json`. */
export const SplitsEssaySchema = z.object({
  id: Id,
  text_sha256: Sha256,
  prompt: z.string(),
  /** The score on the file's scale (`score_scale`, ELLIPSE's 1–5 when absent). */
  overall: z.number(),
}).strict();

/** One fold of a scheme: validation ids only (train = every other essay). */
export const SplitsFoldSchema = z.object({
  fold: z.number().int().min(0),
  val_ids: z.array(Id),
}).strict();

/** One prompt-holdout fold: validation ids and the prompts they belong to. */
export const PromptHoldoutFoldSchema = z.object({
  fold: z.number().int().min(0),
  val_prompts: z.array(z.string()),
  val_ids: z.array(Id),
}).strict();

/** A rare class stratified together with a neighbour (see `mergeRareClasses`). */
export const ClassMergeSchema = z.object({
  overall: z.number(),
  stratified_with: z.number(),
  n_essays: z.number().int().min(0),
}).strict();

const CreatedFromSchema = z.object({
  dataset_kind: z.enum(["ellipse", "manifest", "ielts"]),
  train_file: z.string().min(1),
  train_sha256: Sha256,
  test_file: z.string().min(1).nullable(),
  test_sha256: Sha256.nullable(),
}).strict();

const FiltersSchema = z.object({
  min_words: z.number().int().min(0),
  max_words: z.number().int().min(1),
  excluded_prompts: z.array(z.string()),
}).strict();

const SchemesSchema = z.object({
  stratified_text: z.object({
    method: z.string(),
    stratify_on: z.string(),
    group_by: z.string(),
    class_merges: z.array(ClassMergeSchema),
    folds: z.array(SplitsFoldSchema),
  }).strict(),
  prompt_holdout: z.object({
    method: z.string(),
    folds: z.array(PromptHoldoutFoldSchema),
  }).strict(),
}).strict();

/**
 * The zod schema of `splits.json` (schema_version 2). New in v2: `rare_classes` (the policy:
 * `merge`, the default, or `strict`) and `run_split.class_merges` (rare classes stratified
 * together with a neighbour in the run split too).
 */
export const SplitsFileSchema = z.object({
  schema_version: z.literal(SPLITS_SCHEMA_VERSION),
  seed: z.number().int(),
  n_splits: z.number().int().min(2),
  rare_classes: z.enum(["merge", "strict"]),
  /** Name of the dataset manifest (absent for the built-in ELLIPSE flags). */
  dataset_name: z.string().min(1).optional(),
  /** The score scale of `overall` (absent = ELLIPSE's 1.0–5.0 by 0.5). */
  score_scale: ScoreScaleSpecSchema.optional(),
  created_from: CreatedFromSchema,
  filters: FiltersSchema,
  n_essays: z.number().int().min(1),
  essays: z.array(SplitsEssaySchema).min(1),
  schemes: SchemesSchema,
  run_split: z.object({
    method: z.string(),
    val_fraction: z.number().gt(0).lt(1),
    class_merges: z.array(ClassMergeSchema),
    train_ids: z.array(Id),
    val_ids: z.array(Id),
  }).strict(),
}).strict();

/**
 * `splits.json` schema_version 1 (before rare classes were merged by default): still readable;
 * {@linkcode parseSplitsFile} upgrades it to v2 in memory (`rare_classes` = `merge` when the file
 * records a merge, else `strict`, v1's default; `run_split.class_merges` = `[]`, as v1 never
 * merged in the run split).
 */
export const SplitsFileV1Schema = z.object({
  schema_version: z.literal(1),
  seed: z.number().int(),
  n_splits: z.number().int().min(2),
  created_from: CreatedFromSchema,
  filters: FiltersSchema,
  n_essays: z.number().int().min(1),
  essays: z.array(SplitsEssaySchema).min(1),
  schemes: SchemesSchema,
  run_split: z.object({
    method: z.string(),
    val_fraction: z.number().gt(0).lt(1),
    train_ids: z.array(Id),
    val_ids: z.array(Id),
  }).strict(),
}).strict();

function upgradeV1(v1: z.infer<typeof SplitsFileV1Schema>): SplitsFile {
  const { schema_version: _, seed, n_splits, run_split, ...rest } = v1;
  return {
    schema_version: SPLITS_SCHEMA_VERSION,
    seed,
    n_splits,
    rare_classes: rest.schemes.stratified_text.class_merges.length > 0 ? "merge" : "strict",
    created_from: rest.created_from,
    filters: rest.filters,
    n_essays: rest.n_essays,
    essays: rest.essays,
    schemes: rest.schemes,
    run_split: {
      method: run_split.method,
      val_fraction: run_split.val_fraction,
      class_merges: [],
      train_ids: run_split.train_ids,
      val_ids: run_split.val_ids,
    },
  };
}

/** A parsed, validated `splits.json`. */
export type SplitsFile = z.infer<typeof SplitsFileSchema>;

/** Scheme names stored in `splits.json` (same as `SPLIT_SCHEMES` in `lib/run/config.ts`). */
export type SplitsSchemeName = keyof SplitsFile["schemes"];

/**
 * Serialise deterministically: keys in schema order, two-space indent, arrays of strings or
 * numbers on one line, trailing newline. Validates first, so only valid files are written.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("splits.json", serializeSplitsFile(splits));
 * ```
 */
export function serializeSplitsFile(splits: SplitsFile): string {
  const canonical = parseSplitsFile(splits, "splits.json (to be written)");
  return stableJson(canonical, "") + "\n";
}

function stableJson(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => typeof v !== "object" || v === null)) {
      return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    }
    const inner = indent + "  ";
    return `[\n${value.map((v) => inner + stableJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const flat = entries.every(([, v]) => typeof v !== "object" || v === null);
    if (flat && entries.length <= 6) {
      return `{ ${
        entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(", ")
      } }`;
    }
    const inner = indent + "  ";
    return `{\n${
      entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stableJson(v, inner)}`).join(",\n")
    }\n${indent}}`;
  }
  return JSON.stringify(value);
}

/**
 * Validate a parsed JSON value as `splits.json`: the zod schema, then the invariants. Errors name
 * `source` and what is wrong.
 *
 * @example
 * ```ts
 * const splits = parseSplitsFile(JSON.parse(text), "runs/x/artifacts/splits.json");
 * ```
 */
export function parseSplitsFile(value: unknown, source: string): SplitsFile {
  const isV1 = typeof value === "object" && value !== null &&
    (value as { schema_version?: unknown }).schema_version === 1;
  const result = isV1 ? SplitsFileV1Schema.safeParse(value) : SplitsFileSchema.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.slice(0, 10).map((i) =>
      `  ${i.path.join(".") || "(root)"}: ${i.message}`
    );
    throw new Error(
      `${source}: not a valid splits.json (schema v${isV1 ? 1 : SPLITS_SCHEMA_VERSION}):\n` +
        lines.join("\n"),
    );
  }
  const splits = isV1
    ? upgradeV1(result.data as z.infer<typeof SplitsFileV1Schema>)
    : result.data as SplitsFile;
  const problems = splitsInvariantProblems(splits);
  if (problems.length > 0) {
    throw new Error(
      `${source}: inconsistent splits.json:\n${problems.map((p) => `  ${p}`).join("\n")}`,
    );
  }
  return splits;
}

/**
 * Read and validate a `splits.json` file.
 *
 * @example
 * ```ts
 * const splits = await loadSplitsFile("output/essay_scoring/<run>/artifacts/splits.json");
 * ```
 */
export async function loadSplitsFile(path: string): Promise<SplitsFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(`cannot read splits file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  return parseSplitsFile(json, path);
}

/**
 * The invariants of a schema-valid file, as a list of problems (empty when consistent):
 * unique essay ids, `n_essays` matching, each scheme with `n_splits` folds numbered 0…n−1 whose
 * validation ids partition the essays, no text hash straddling `stratified_text` folds, no prompt
 * straddling `prompt_holdout` folds, and the run split a partition with no text hash on both sides.
 */
export function splitsInvariantProblems(splits: SplitsFile): string[] {
  const problems: string[] = [];
  const byId = new Map<string, SplitsFile["essays"][number]>();
  for (const essay of splits.essays) {
    if (byId.has(essay.id)) problems.push(`essay id ${essay.id} listed twice`);
    byId.set(essay.id, essay);
  }
  if (splits.n_essays !== splits.essays.length) {
    problems.push(`n_essays is ${splits.n_essays} but ${splits.essays.length} essays are listed`);
  }
  const checkScheme = (
    name: string,
    folds: readonly { fold: number; val_ids: readonly string[] }[],
    keyOf: (id: string) => string,
    keyName: string,
  ) => {
    if (folds.length !== splits.n_splits) {
      problems.push(`${name}: ${folds.length} folds, expected n_splits = ${splits.n_splits}`);
    }
    const foldOfId = new Map<string, number>();
    const foldOfKey = new Map<string, number>();
    const straddling = new Set<string>();
    const unknown: string[] = [];
    const twice: string[] = [];
    folds.forEach((fold, position) => {
      if (fold.fold !== position) {
        problems.push(`${name}: fold at position ${position} is numbered ${fold.fold}`);
      }
      for (const id of fold.val_ids) {
        if (!byId.has(id)) {
          unknown.push(id);
          continue;
        }
        if (foldOfId.has(id)) twice.push(id);
        foldOfId.set(id, position);
        const key = keyOf(id);
        const seen = foldOfKey.get(key);
        if (seen === undefined) foldOfKey.set(key, position);
        else if (seen !== position) straddling.add(key);
      }
    });
    const never = splits.essays.filter((e) => !foldOfId.has(e.id)).map((e) => e.id);
    if (unknown.length > 0) {
      problems.push(
        `${name}: ${unknown.length} validation ids not among the essays ${sample(unknown)}`,
      );
    }
    if (twice.length > 0) {
      problems.push(
        `${name}: ${twice.length} ids validated in more than one fold ${sample(twice)}`,
      );
    }
    if (never.length > 0) {
      problems.push(`${name}: ${never.length} essays never validated ${sample(never)}`);
    }
    if (straddling.size > 0) {
      problems.push(
        `${name}: ${straddling.size} ${keyName}s straddle folds ${sample([...straddling])}`,
      );
    }
  };
  checkScheme(
    "stratified_text",
    splits.schemes.stratified_text.folds,
    (id) => byId.get(id)!.text_sha256,
    "text group",
  );
  checkScheme(
    "prompt_holdout",
    splits.schemes.prompt_holdout.folds,
    (id) => byId.get(id)!.prompt,
    "prompt",
  );
  for (const fold of splits.schemes.prompt_holdout.folds) {
    const actual = [
      ...new Set(fold.val_ids.filter((id) => byId.has(id)).map((id) => byId.get(id)!.prompt)),
    ]
      .sort();
    if (JSON.stringify(actual) !== JSON.stringify([...fold.val_prompts].sort())) {
      problems.push(
        `prompt_holdout: fold ${fold.fold} val_prompts do not match its essays' prompts`,
      );
    }
  }

  const run = splits.run_split;
  const side = new Map<string, "train" | "val">();
  const runTwice: string[] = [];
  const runUnknown: string[] = [];
  for (const [ids, label] of [[run.train_ids, "train"], [run.val_ids, "val"]] as const) {
    for (const id of ids) {
      if (!byId.has(id)) runUnknown.push(id);
      else if (side.has(id)) runTwice.push(id);
      else side.set(id, label);
    }
  }
  const runMissing = splits.essays.filter((e) => !side.has(e.id)).map((e) => e.id);
  if (runUnknown.length > 0) {
    problems.push(`run_split: ${runUnknown.length} unknown ids ${sample(runUnknown)}`);
  }
  if (runTwice.length > 0) {
    problems.push(`run_split: ${runTwice.length} ids listed twice ${sample(runTwice)}`);
  }
  if (runMissing.length > 0) {
    problems.push(`run_split: ${runMissing.length} essays missing ${sample(runMissing)}`);
  }
  const sideOfHash = new Map<string, string>();
  const runStraddle = new Set<string>();
  for (const [id, label] of side) {
    const hash = byId.get(id)!.text_sha256;
    const seen = sideOfHash.get(hash);
    if (seen === undefined) sideOfHash.set(hash, label);
    else if (seen !== label) runStraddle.add(hash);
  }
  if (runStraddle.size > 0) {
    problems.push(
      `run_split: ${runStraddle.size} text groups on both sides ${sample([...runStraddle])}`,
    );
  }
  return problems;
}

/** A fold with both sides as id lists (essay order). */
export interface IdFold {
  /** Fold number, 0-based. */
  readonly fold: number;
  /** Training ids: every essay not validated in this fold. */
  readonly trainIds: string[];
  /** Validation ids. */
  readonly valIds: string[];
}

/**
 * The folds of one scheme with training ids derived (all other essays, in essay order).
 *
 * @example
 * ```ts
 * for (const { fold, trainIds, valIds } of schemeFolds(splits, "stratified_text")) { ... }
 * ```
 */
export function schemeFolds(splits: SplitsFile, scheme: SplitsSchemeName): IdFold[] {
  return splits.schemes[scheme].folds.map((fold) => {
    const val = new Set(fold.val_ids);
    const ordered = splits.essays.map((e) => e.id);
    return {
      fold: fold.fold,
      trainIds: ordered.filter((id) => !val.has(id)),
      valIds: ordered.filter((id) => val.has(id)),
    };
  });
}

/** What {@linkcode verifySplitsMatchDataset} needs of an essay. */
export interface VerifiableEssay {
  /** Essay id. */
  readonly id: string;
  /** Full text (hashed with `normalisedTextHash`). */
  readonly text: string;
  /** Prompt; checked when present. */
  readonly prompt?: string;
}

/**
 * Refuse to apply `splits` to a data set it was not made from: the dataset's essay ids must be
 * exactly the file's, with the same normalised-text hashes (and prompts, when given). Throws one
 * error naming counts and a few offending ids for each kind of mismatch.
 *
 * @example
 * ```ts
 * verifySplitsMatchDataset(splits, trainEssays, "artifacts/splits.json");
 * ```
 */
export function verifySplitsMatchDataset(
  splits: SplitsFile,
  essays: readonly VerifiableEssay[],
  source = "splits.json",
  options: { readonly filters?: SplitsFile["filters"] } = {},
): void {
  const expected = new Map(splits.essays.map((e) => [e.id, e]));
  const seen = new Set<string>();
  const extra: string[] = [];
  const duplicated: string[] = [];
  const hashDiffers: string[] = [];
  const promptDiffers: string[] = [];
  for (const essay of essays) {
    if (seen.has(essay.id)) duplicated.push(essay.id);
    seen.add(essay.id);
    const entry = expected.get(essay.id);
    if (entry === undefined) {
      extra.push(essay.id);
      continue;
    }
    if (normalisedTextHash(essay.text) !== entry.text_sha256) hashDiffers.push(essay.id);
    if (essay.prompt !== undefined && essay.prompt !== entry.prompt) promptDiffers.push(essay.id);
  }
  const missing = splits.essays.filter((e) => !seen.has(e.id)).map((e) => e.id);
  const problems: string[] = [];
  if (missing.length > 0) {
    problems.push(
      `${missing.length} essay ids of the splits file are missing from the dataset ${
        sample(missing)
      }`,
    );
  }
  if (extra.length > 0) {
    problems.push(`${extra.length} dataset essay ids are not in the splits file ${sample(extra)}`);
  }
  if (duplicated.length > 0) {
    problems.push(`${duplicated.length} dataset essay ids occur twice ${sample(duplicated)}`);
  }
  if (hashDiffers.length > 0) {
    problems.push(`${hashDiffers.length} essays have a different text hash ${sample(hashDiffers)}`);
  }
  if (promptDiffers.length > 0) {
    problems.push(
      `${promptDiffers.length} essays have a different prompt ${sample(promptDiffers)}`,
    );
  }
  if (problems.length > 0 && options.filters !== undefined) {
    const made = splits.filters;
    const now = options.filters;
    const differs = made.min_words !== now.min_words || made.max_words !== now.max_words ||
      JSON.stringify([...made.excluded_prompts].sort()) !==
        JSON.stringify([...now.excluded_prompts].sort());
    if (differs) {
      problems.push(
        `the splits were made with filters ${describeFilters(made)}, this run uses ` +
          describeFilters(now),
      );
    }
  }
  if (problems.length > 0) {
    const from = splits.created_from;
    throw new DatasetError(
      source,
      `does not match the dataset it is applied to (${essays.length} essays vs ` +
        `${splits.n_essays} in the splits file). The splits were made from train file ` +
        `"${from.train_file}" (sha256 ${from.train_sha256.slice(0, 12)}…)` +
        (from.test_file ? ` and test file "${from.test_file}"` : "") +
        `: pass that data with --ellipse-train-path/--ellipse-test-path (e.g. the prepared CSVs ` +
        `of the prepare-dataset run), or re-run make-splits on this dataset:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
  }
}

function describeFilters(f: SplitsFile["filters"]): string {
  return `${f.min_words}–${f.max_words} words, excluded prompts [${f.excluded_prompts.join("; ")}]`;
}

function sample(ids: readonly string[], k = 5): string {
  const shown = ids.slice(0, k).join(", ");
  return ids.length > k ? `(e.g. ${shown}, …)` : `(${shown})`;
}

/**
 * The score scale of a splits file: its `score_scale`, or ELLIPSE's when absent.
 *
 * @example
 * ```ts
 * splitsScale(splits).nLevels; // 9 for ELLIPSE
 * ```
 */
export function splitsScale(splits: Pick<SplitsFile, "score_scale">): ScoreScale {
  return splits.score_scale === undefined ? ELLIPSE_SCALE : scoreScale(splits.score_scale);
}
