/**
 * The dataset manifest (issue 18): a corpus described as data, not code. One JSON file names the
 * files and how they split into train and test, the format and encoding, the column mapping, the
 * language (BCP 47), the score scale, the genre scope, the word window and the excluded prompts.
 * `--dataset <file.json>` reads one; ELLIPSE is the built-in manifest the old flags map onto
 * ({@link ellipseManifest}). The JSON Schema for editors is `docs/dataset_manifest.schema.json`.
 *
 * A manifest error names the manifest field (`columns.score: …`); data errors (file, row,
 * column) come from the loader, `corpus_loader.ts`.
 *
 * @module
 */
import { dirname, isAbsolute, join } from "node:path";
import { z } from "zod";
import { ScoreScaleSpecSchema } from "./score_scale.ts";
import { PerPromptScaleSpecSchema } from "./per_prompt_scale.ts";

const NonEmpty = z.string().trim().min(1);

/** A BCP 47 language tag, canonicalised by `Intl` ("sv", "en-GB"). */
export const LanguageTagSchema = NonEmpty.refine((tag) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}, { message: 'not a BCP 47 language tag (e.g. "en", "sv", "en-GB")' });

/** Whether `TextDecoder` knows an encoding label ("utf-8", "windows-1252", "iso-8859-1", …). */
export function isKnownEncoding(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** Official train and test files. */
const TwoFilesSchema = z.object({ train: NonEmpty, test: NonEmpty }).strict();
/** One file and how it splits into train and test. */
const OneFileSchema = z.object({
  data: NonEmpty,
  split: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("column"),
      column: NonEmpty,
      train: z.array(NonEmpty).min(1),
      test: z.array(NonEmpty).min(1),
    }).strict(),
    z.object({
      kind: z.literal("prompt_holdout"),
      testFraction: z.number().gt(0).lt(1),
      seed: z.number().int(),
    }).strict(),
    z.object({
      kind: z.literal("random"),
      testFraction: z.number().gt(0).lt(1),
      seed: z.number().int(),
    }).strict(),
  ]),
}).strict();
/**
 * The files of a corpus: official train + test files, or one file split by a column, a seeded
 * prompt-grouped test split (`prompt_holdout`), or a seeded random test split stratified by score
 * level with duplicate texts kept together (`random`).
 */
export const ManifestFilesSchema = z.union([TwoFilesSchema, OneFileSchema]);

/** The column mapping: which source column holds what. */
export const ManifestColumnsSchema = z.object({
  id: NonEmpty,
  text: NonEmpty,
  score: NonEmpty,
  prompt: NonEmpty,
  genre: NonEmpty.optional(),
  traits: z.array(NonEmpty).optional(),
}).strict();

/** The genre scope: which genres are in the construct, and what to do with untagged essays. */
export const GenreScopeSchema = z.object({
  /** Genres kept; every other genre is filtered out (a counted filter stage). */
  inScope: z.array(NonEmpty).min(1),
  /** Essays without a genre tag: left out (counted) or an error. */
  untagged: z.enum(["exclude", "error"]).default("error"),
  /** Genre per prompt, for corpora whose genre is a property of the prompt, not a column. */
  byPrompt: z.record(z.string(), NonEmpty).optional(),
}).strict();

/** The zod schema of a dataset manifest. */
export const DatasetManifestSchema = z.object({
  /** Short name: file names and reports use it ("ellipse", "swedish_embedded"). */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' or '-' only"),
  description: z.string().optional(),
  /** BCP 47 tag of the essays' language. */
  language: LanguageTagSchema,
  format: z.enum(["csv", "tsv", "jsonl"]).default("csv"),
  encoding: NonEmpty.default("utf-8").refine(isKnownEncoding, {
    message: 'unknown encoding; expected a WHATWG encoding label such as "utf-8", ' +
      '"windows-1252" or "iso-8859-1"',
  }),
  files: ManifestFilesSchema,
  columns: ManifestColumnsSchema,
  /** Trait columns are validated only when the file has them (ELLIPSE's analytic scores). */
  traitsIfPresent: z.boolean().default(false),
  /** One scale for the corpus, or one per prompt (`per_prompt_scale.ts`). */
  scale: z.union([ScoreScaleSpecSchema, PerPromptScaleSpecSchema]),
  genres: GenreScopeSchema.optional(),
  wordWindow: z.object({
    min: z.number().int().min(0),
    max: z.number().int().min(1),
  }).strict().refine((w) => w.min <= w.max, { message: "min must be <= max", path: ["min"] })
    .default({ min: 200, max: 1000 }),
  excludedPrompts: z.array(NonEmpty).default([]),
}).strict();

/** A validated dataset manifest. */
export type DatasetManifest = z.infer<typeof DatasetManifestSchema>;

/** A manifest that is not valid: the message names the file and every offending field. */
export class ManifestError extends Error {
  override name = "ManifestError";
}

type Issue = { readonly path: readonly PropertyKey[]; readonly message: string };

/** The union branch a `files` or `scale` value asks for (by its keys or its kind). */
function unionBranch(field: string, v: object): z.ZodType | null {
  if (field === "files") return "data" in v ? OneFileSchema : TwoFilesSchema;
  if (field === "scale") {
    return (v as { kind?: unknown }).kind === "per_prompt"
      ? PerPromptScaleSpecSchema
      : ScoreScaleSpecSchema;
  }
  return null;
}

/**
 * A failed union (`files`, `scale`) says only "Invalid input"; re-check the value against the
 * branch its keys ask for (`data` → one file with a split; `kind: "per_prompt"` → per-prompt
 * scales), so the error names the field.
 */
function filesIssues(value: unknown): (issue: Issue) => Issue[] {
  return (issue) => {
    const field = issue.path.join(".");
    const v = (value as Record<string, unknown> | null)?.[field];
    const branch = typeof v === "object" && v !== null ? unionBranch(field, v) : null;
    if (branch === null) return [issue];
    const r = branch.safeParse(v);
    return r.success
      ? [issue]
      : r.error.issues.map((i) => ({ path: [field, ...i.path], message: i.message }));
  };
}

/**
 * Validate a manifest value; throws a {@link ManifestError} naming each offending field.
 *
 * @example
 * ```ts
 * parseDatasetManifest(JSON.parse(text), "corpus.json").scale;
 * ```
 */
export function parseDatasetManifest(value: unknown, source: string): DatasetManifest {
  const parsed = DatasetManifestSchema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.flatMap(filesIssues(value)).map((i) =>
      `  ${i.path.join(".") || "(root)"}: ${i.message}`
    );
    throw new ManifestError(`dataset manifest ${source} is invalid:\n${lines.join("\n")}`);
  }
  const m = parsed.data;
  const columns: [string, string | undefined][] = Object.entries(m.columns).flatMap((
    [k, v],
  ): [string, string | undefined][] =>
    Array.isArray(v) ? v.map((c, i) => [`columns.${k}.${i}`, c]) : [[`columns.${k}`, v]]
  );
  const seen = new Map<string, string>();
  for (const [field, column] of columns) {
    if (column === undefined) continue;
    const other = seen.get(column);
    if (other) {
      throw new ManifestError(
        `dataset manifest ${source} is invalid:\n  ${field}: column "${column}" is already ` +
          `mapped by ${other}; expected each column mapped once`,
      );
    }
    seen.set(column, field);
  }
  if (m.genres?.byPrompt === undefined && m.genres !== undefined && !m.columns.genre) {
    throw new ManifestError(
      `dataset manifest ${source} is invalid:\n  genres: a genre scope needs columns.genre ` +
        "or genres.byPrompt (where the genre of an essay is read from)",
    );
  }
  return m;
}

/**
 * Read and validate a manifest file; relative file paths in it are resolved against the
 * manifest's own directory.
 *
 * @example
 * ```ts
 * const manifest = await readDatasetManifest("data/embedded/swedish_embedded.json");
 * ```
 */
export async function readDatasetManifest(path: string): Promise<DatasetManifest> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ManifestError(`dataset manifest ${path}: cannot read (${(error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(
      `dataset manifest ${path}: not valid JSON (${(error as Error).message})`,
    );
  }
  return resolveManifestPaths(parseDatasetManifest(value, path), dirname(path));
}

/**
 * The manifest with its relative file paths joined onto `baseDir`.
 *
 * @example
 * ```ts
 * resolveManifestPaths(m, "data/embedded").files; // { train: "data/embedded/x_train.csv", … }
 * ```
 */
export function resolveManifestPaths(m: DatasetManifest, baseDir: string): DatasetManifest {
  const at = (p: string) => (isAbsolute(p) ? p : join(baseDir, p));
  const files = "data" in m.files
    ? { ...m.files, data: at(m.files.data) }
    : { train: at(m.files.train), test: at(m.files.test) };
  return { ...m, files };
}

/** The input files a manifest names (for run manifests and hashes). */
export function manifestInputPaths(m: DatasetManifest): string[] {
  return "data" in m.files ? [m.files.data] : [m.files.train, m.files.test];
}

/** ELLIPSE's analytic score columns (validated when present). */
export const ELLIPSE_TRAIT_COLUMNS = [
  "Cohesion",
  "Syntax",
  "Vocabulary",
  "Phraseology",
  "Grammar",
  "Conventions",
] as const;

/**
 * The built-in ELLIPSE manifest the old flags map onto: the train/test CSVs, ELLIPSE's columns,
 * 1.0–5.0 by 0.5, English, the word window and the excluded prompts.
 *
 * @example
 * ```ts
 * ellipseManifest({ trainPath, testPath, minWords: 200, maxWords: 1000, excludedPrompts: [] });
 * ```
 */
export function ellipseManifest(o: {
  readonly trainPath: string;
  readonly testPath: string;
  readonly minWords: number;
  readonly maxWords: number;
  readonly excludedPrompts: readonly string[];
}): DatasetManifest {
  return {
    name: "ellipse",
    language: "en",
    format: "csv",
    encoding: "utf-8",
    files: { train: o.trainPath, test: o.testPath },
    columns: {
      id: "text_id_kaggle",
      text: "full_text",
      score: "Overall",
      prompt: "prompt",
      traits: [...ELLIPSE_TRAIT_COLUMNS],
    },
    traitsIfPresent: true,
    scale: { kind: "numeric", min: 1, max: 5, step: 0.5 },
    wordWindow: { min: o.minWords, max: o.maxWords },
    excludedPrompts: [...o.excludedPrompts],
  };
}
