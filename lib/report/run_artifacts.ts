/**
 * Read-only, validated views of the artifacts the steps write, for notebooks and comparisons:
 * out-of-fold and full-run predictions (CSV), SHAP files, grade-scale reports, and the list of
 * run directories with their manifest, status and headline metrics.
 *
 * Every reader validates with zod and names the file in its error. Only `compareRuns` writes,
 * into a run directory of its own.
 *
 * @module
 */
import { join, resolve as resolvePath } from "node:path";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import type { ScoreScale } from "../dataset/score_scale.ts";
import type { ExperimentConfig } from "../run/config.ts";
import { withRun } from "../run/run_context.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import {
  FEATURE_STORE_METADATA_FILE,
  FeatureStoreMismatchError,
  readFeatureStoreMetadata,
  readStoredMatrix,
} from "../features/feature_store.ts";

function invalid(path: string, error: z.ZodError): Error {
  const issue = error.issues[0];
  return new Error(
    `${path}: unexpected content at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
  );
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new Error(`${path}: cannot read JSON (${(error as Error).message})`);
  }
}

const num = z.string().transform((s, ctx) => {
  const n = Number(s);
  if (s.trim() === "" || !Number.isFinite(n)) {
    ctx.addIssue({ code: "custom", message: `expected a number, got "${s}"` });
    return z.NEVER;
  }
  return n;
});
const optionalNum = z.string().transform((s) => (s.trim() === "" ? null : Number(s)));

/** One out-of-fold prediction row of `cv_oof_predictions.csv`. */
export const OofRowSchema = z.object({
  id: z.string().min(1),
  prompt: z.string(),
  fold: num,
  overall_true: num,
  prediction_raw: optionalNum,
  prediction_rounded: optionalNum,
  prediction_cutpoints: optionalNum,
});
/** An out-of-fold prediction row. */
export type OofRow = z.infer<typeof OofRowSchema>;

/** One row of a full run's `predictions.csv`. */
export const RunPredictionRowSchema = OofRowSchema.omit({ fold: true }).extend({
  split: z.enum(["train", "val", "test"]),
});
/** A full-run prediction row. */
export type RunPredictionRow = z.infer<typeof RunPredictionRowSchema>;

/** The score columns a predictions CSV writes on the scale (level names on an ordinal scale). */
const SCORE_COLUMNS = ["overall_true", "prediction_rounded", "prediction_cutpoints"] as const;

/**
 * A record with an ordinal scale's level names in the score columns turned into their level
 * indices (the model values), so the numeric schema reads them; other cells are left alone.
 */
function levelIndices(
  record: Record<string, string>,
  scale: ScoreScale | undefined,
): Record<string, string> {
  const names = scale?.levelNames;
  if (!names) return record;
  const out = { ...record };
  for (const c of SCORE_COLUMNS) {
    const k = out[c] === undefined ? -1 : names.indexOf(out[c].trim());
    if (k >= 0) out[c] = String(k);
  }
  return out;
}

async function readCsvRows<T>(
  path: string,
  schema: z.ZodType<T>,
  scale?: ScoreScale,
): Promise<T[]> {
  let records: Record<string, string>[];
  try {
    records = parse(await Deno.readTextFile(path), { columns: true, skip_empty_lines: true });
  } catch (error) {
    throw new Error(`${path}: cannot read CSV (${(error as Error).message})`);
  }
  return records.map((record, i) => {
    const r = schema.safeParse(levelIndices(record, scale));
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new Error(
        `${path}: row ${i + 1}, column ${issue?.path.join(".")}: ${issue?.message}`,
      );
    }
    return r.data;
  });
}

/**
 * Read `<cv run>/artifacts/cv_oof_predictions.csv`. With the run's score scale, an ordinal
 * scale's level names ("C") are read as their model values (level indices); without one the
 * score columns must be numbers.
 */
export function readOofPredictions(path: string, scale?: ScoreScale): Promise<OofRow[]> {
  return readCsvRows(path, OofRowSchema, scale);
}

/** Read `<run>/artifacts/predictions.csv` of a full run (level names read as with {@link readOofPredictions}). */
export function readRunPredictions(path: string, scale?: ScoreScale): Promise<RunPredictionRow[]> {
  return readCsvRows(path, RunPredictionRowSchema, scale);
}

const ShapFileSchema = z.object({
  method: z.string(),
  split: z.string(),
  base_value: z.number(),
  max_additivity_error: z.number().nullable().optional(),
  feature_names: z.array(z.string()),
  ids: z.array(z.string()),
  predictions: z.array(z.number()),
  values: z.array(z.array(z.number())),
}).loose();

/** SHAP values of one split, row-major like `FeatureMatrix`. */
export interface ShapTable {
  readonly method: string;
  readonly split: string;
  readonly baseValue: number;
  readonly featureNames: readonly string[];
  readonly ids: readonly string[];
  readonly predictions: Float64Array;
  /** `values[r * featureNames.length + c]`. */
  readonly values: Float64Array;
}

/** Read `<run>/artifacts/shap_<split>.json`. */
export async function readShapFile(path: string): Promise<ShapTable> {
  const parsed = ShapFileSchema.safeParse(await readJson(path));
  if (!parsed.success) throw invalid(path, parsed.error);
  const s = parsed.data;
  const p = s.feature_names.length;
  if (s.values.length !== s.ids.length || s.values.some((row) => row.length !== p)) {
    throw new Error(`${path}: values must be ${s.ids.length} rows of ${p} features`);
  }
  const values = new Float64Array(s.ids.length * p);
  s.values.forEach((row, r) => values.set(row, r * p));
  return {
    method: s.method,
    split: s.split,
    baseValue: s.base_value,
    featureNames: s.feature_names,
    ids: s.ids,
    predictions: Float64Array.from(s.predictions),
    values,
  };
}

const GradeScaleSchema = z.array(z.object({
  split: z.string(),
  report: z.object({
    n: z.number(),
    spearmanPredTrue: z.number().nullable(),
    lengthBias: z.object({
      spearmanWordsTrue: z.number().nullable(),
      spearmanWordsPredicted: z.number().nullable(),
    }),
    confusion: z.array(z.array(z.number())),
    trueCounts: z.array(z.number()),
    predictedCounts: z.array(z.number()),
    prompts: z.array(
      z.object({
        prompt: z.string(),
        n: z.number(),
        meanTrue: z.number(),
        meanPredicted: z.number(),
        qwk: z.number().nullable(),
      }).loose(),
    ),
  }).loose(),
}));
/** The grade-scale report of one split. */
export type GradeScaleEntry = z.infer<typeof GradeScaleSchema>[number];

/** Read `<run>/reports/grade_scale_report.json`. */
export async function readGradeScaleReports(path: string): Promise<GradeScaleEntry[]> {
  const parsed = GradeScaleSchema.safeParse(await readJson(path));
  if (!parsed.success) throw invalid(path, parsed.error);
  return parsed.data;
}

const ManifestSchema = z.object({
  command: z.string(),
  command_line: z.string(),
  config: z.object({
    runName: z.string(),
    datasetKind: z.string(),
    featureSet: z.string(),
    scheme: z.string(),
    model: z.string(),
    backend: z.string(),
    ellipseTrainPath: z.string(),
    splitsPath: z.string().optional(),
  }).loose(),
  created_at: z.string(),
  git: z.object({ commit: z.string().nullable() }).loose(),
}).loose();

const StatusSchema = z.object({
  state: z.string(),
  started_at: z.string(),
  updated_at: z.string(),
}).loose();

const MeanStdSchema = z.object({ mean: z.number(), std: z.number() });
const CvMetricsSchema = z.object({
  summary: z.object({
    qwk: MeanStdSchema,
    mae: MeanStdSchema,
    qwkCutpoints: MeanStdSchema.nullable(),
  }).loose(),
  folds: z.array(
    z.object({ fold: z.number(), metrics: z.object({ qwk: z.number() }).loose() })
      .loose(),
  ),
}).loose();
const RunMetricsSchema = z.object({
  metrics: z.array(z.object({
    split: z.string(),
    rounded: z.object({ qwk: z.number() }).loose(),
    cutpoints: z.object({ qwk: z.number() }).loose().nullable(),
  })),
}).loose();

/** One run directory, summarised. */
export interface RunSummary {
  readonly dir: string;
  readonly command: string;
  readonly runName: string;
  readonly state: string;
  readonly startedAt: string;
  /** From start to the last status update. */
  readonly seconds: number;
  readonly datasetKind: string;
  readonly featureSet: string;
  readonly scheme: string;
  readonly model: string;
  readonly backend: string;
  readonly trainPath: string;
  /** The splits file the run used, if any. */
  readonly splitsPath?: string;
  readonly gitCommit: string | null;
  /** `cv`: QWK mean ± std per fold, and with cut-points. */
  readonly cv?: {
    qwkMean: number;
    qwkStd: number;
    qwkCutpointsMean: number | null;
    foldQwk: number[];
  };
  /** `run`: QWK per split (half-point rounding). */
  readonly runQwk?: Readonly<Record<string, number>>;
}

/**
 * Summaries of every run directory under `outputRoot` (directories without a readable manifest
 * and status are skipped), oldest first.
 *
 * @example
 * ```ts
 * const runs = await listRuns("output/essay_scoring");
 * runs.filter((r) => r.command === "cv").map((r) => r.cv?.qwkMean);
 * ```
 */
export async function listRuns(outputRoot: string): Promise<RunSummary[]> {
  const out: RunSummary[] = [];
  let entries: Deno.DirEntry[] = [];
  try {
    entries = [...Deno.readDirSync(outputRoot)].filter((e) => e.isDirectory);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = join(outputRoot, entry.name);
    let manifest: z.infer<typeof ManifestSchema>;
    let status: z.infer<typeof StatusSchema>;
    try {
      manifest = ManifestSchema.parse(
        JSON.parse(await Deno.readTextFile(join(dir, "manifest.json"))),
      );
      status = StatusSchema.parse(JSON.parse(await Deno.readTextFile(join(dir, "status.json"))));
    } catch {
      continue;
    }
    let cv: RunSummary["cv"];
    let runQwk: RunSummary["runQwk"];
    try {
      const m = CvMetricsSchema.parse(
        JSON.parse(await Deno.readTextFile(join(dir, "artifacts", "cv_metrics.json"))),
      );
      cv = {
        qwkMean: m.summary.qwk.mean,
        qwkStd: m.summary.qwk.std,
        qwkCutpointsMean: m.summary.qwkCutpoints?.mean ?? null,
        foldQwk: m.folds.map((f) => f.metrics.qwk),
      };
    } catch { /* not a cv run */ }
    try {
      const m = RunMetricsSchema.parse(
        JSON.parse(await Deno.readTextFile(join(dir, "artifacts", "run_metrics.json"))),
      );
      runQwk = Object.fromEntries(m.metrics.map((x) => [x.split, x.rounded.qwk]));
    } catch { /* not a full run */ }
    const c = manifest.config;
    out.push({
      dir,
      command: manifest.command,
      runName: c.runName,
      state: status.state,
      startedAt: status.started_at,
      seconds: (Date.parse(status.updated_at) - Date.parse(status.started_at)) / 1000,
      datasetKind: c.datasetKind,
      featureSet: c.featureSet,
      scheme: c.scheme,
      model: c.model,
      backend: c.backend,
      trainPath: c.ellipseTrainPath,
      splitsPath: c.splitsPath,
      gitCommit: manifest.git.commit,
      cv,
      runQwk,
    });
  }
  return out;
}

/**
 * The newest completed run of `command` whose config matches `where` (e.g. the same train
 * file), or undefined.
 */
export async function latestCompletedRun(
  outputRoot: string,
  command: string,
  where: (run: RunSummary) => boolean = () => true,
): Promise<RunSummary | undefined> {
  const runs = await listRuns(outputRoot);
  return runs.filter((r) => r.command === command && r.state === "completed" && where(r)).at(-1);
}

/** What `compareRuns` produced. */
export interface RunComparison {
  readonly runDir: string;
  readonly runs: readonly RunSummary[];
  readonly jsonPath: string;
  readonly markdownPath: string;
}

function fmt(x: number | null | undefined, digits = 4): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(digits);
}

/** The comparison as a Markdown table of cv and full runs (pure). */
export function runComparisonMarkdown(runs: readonly RunSummary[]): string {
  const lines = [
    "# Run comparison",
    "",
    "| run | command | state | feature set | model | scheme | QWK (CV mean±std) | QWK val | QWK test |",
    "|---|---|---|---|---|---|---:|---:|---:|",
  ];
  for (const r of runs.filter((x) => x.cv || x.runQwk)) {
    lines.push(
      `| ${r.dir.split("/").pop()} | ${r.command} | ${r.state} | ${r.featureSet} | ${r.model} | ` +
        `${r.scheme} | ${r.cv ? `${fmt(r.cv.qwkMean)} ± ${fmt(r.cv.qwkStd)}` : "–"} | ` +
        `${fmt(r.runQwk?.val)} | ${fmt(r.runQwk?.test)} |`,
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Compare every run under `config.outputRoot` as a run of its own (command `notebook:compare-runs`):
 * writes `reports/runs_comparison.json` and `.md`. The comparison run itself is not listed.
 *
 * @example
 * ```ts
 * const { runs } = await compareRuns(config);
 * ```
 */
export async function compareRuns(config: ExperimentConfig): Promise<RunComparison> {
  const runs = await listRuns(config.outputRoot);
  const { result } = await withRun(
    { command: "notebook:compare-runs", config, echo: false },
    async (run) => {
      const jsonPath = run.reportPath("runs_comparison.json");
      const markdownPath = run.reportPath("runs_comparison.md");
      await writeJsonAtomic(jsonPath, runs);
      await writeFileAtomic(markdownPath, runComparisonMarkdown(runs));
      run.log.info(`compared ${runs.length} runs under ${config.outputRoot}`);
      return { runDir: run.dir, runs, jsonPath, markdownPath };
    },
  );
  return result;
}

/**
 * Feature values aligned with a SHAP table (same rows and columns, row-major), read from a
 * feature store directory (e.g. `<run>/feature_store_test/`); NaN for columns the store does not
 * hold (e.g. the stacked text feature) and rows it lacks. Colours the SHAP beeswarm.
 *
 * @example
 * ```ts
 * const values = await featureValuesForShap(join(runDir, "feature_store_test"), shap);
 * ```
 */
export async function featureValuesForShap(
  storeDir: string,
  shap: ShapTable,
): Promise<Float64Array> {
  const meta = await readFeatureStoreMetadata(join(storeDir, FEATURE_STORE_METADATA_FILE));
  const p = shap.featureNames.length;
  const out = new Float64Array(shap.ids.length * p).fill(NaN);
  const rowOf = new Map(meta.rows.map((r, i) => [r.id, i]));
  for (const kind of ["handcrafted", "embeddings"] as const) {
    const m = meta.matrices[kind];
    if (!m) continue;
    const matrix = await readStoredMatrix(storeDir, m);
    const colOf = new Map(matrix.names.map((n, j) => [n, j]));
    shap.featureNames.forEach((name, c) => {
      const j = colOf.get(name);
      if (j === undefined) return;
      shap.ids.forEach((id, r) => {
        const row = rowOf.get(id);
        if (row !== undefined) out[r * p + c] = matrix.values[row * matrix.nCols + j];
      });
    });
  }
  return out;
}

/** How a step got its train features. */
export interface CvStoreChoice<T> {
  readonly result: T;
  /** The store the successful attempt reused, or undefined when it extracted anew. */
  readonly storeDir: string | undefined;
  /** Why a candidate store was not used (empty when it was, or when none was asked for). */
  readonly note: string;
}

/**
 * Run a step (`attempt(storeDir)`) reusing a cv feature store chosen by `mode`:
 * `"latest"` = the `cv_feature_store/` of the newest completed cv run on the same train CSV
 * under `outputRoot` that has one (falling back to extracting anew when there is none, or when the step
 * refuses it because the extractor's fingerprint or schema changed since — that attempt's run
 * directory stays, marked failed with the reason); `""` = extract anew; anything else = that
 * store directory, with no fallback.
 *
 * @example
 * ```ts
 * const { result, storeDir } = await withReusableCvStore("latest", outputRoot, trainPath,
 *   (store) => runDropColumn(resolveExperimentConfig(undefined, { ...cfg, reuseCvFeatureStoreDir: store })));
 * ```
 */
export async function withReusableCvStore<T>(
  mode: string,
  outputRoot: string,
  trainPath: string,
  attempt: (storeDir: string | undefined) => Promise<T>,
): Promise<CvStoreChoice<T>> {
  if (mode !== "latest") {
    const storeDir = mode === "" ? undefined : mode;
    return { result: await attempt(storeDir), storeDir, note: "" };
  }
  const hasStore = (r: RunSummary) => {
    try {
      return Deno.statSync(join(r.dir, "cv_feature_store", FEATURE_STORE_METADATA_FILE)).isFile;
    } catch {
      return false;
    }
  };
  // Runs that themselves reused a store have none of their own: skip them.
  const cvRun = await latestCompletedRun(
    outputRoot,
    "cv",
    (r) => resolvePath(r.trainPath) === resolvePath(trainPath) && hasStore(r),
  );
  if (!cvRun) {
    return {
      result: await attempt(undefined),
      storeDir: undefined,
      note: `no completed cv run on ${trainPath} under ${outputRoot}: features extracted anew`,
    };
  }
  const storeDir = join(cvRun.dir, "cv_feature_store");
  try {
    return { result: await attempt(storeDir), storeDir, note: "" };
  } catch (error) {
    if (!(error instanceof FeatureStoreMismatchError)) throw error;
    return {
      result: await attempt(undefined),
      storeDir: undefined,
      note: `store ${storeDir} refused (${error.message}): features extracted anew`,
    };
  }
}

/** One row of `artifacts/residuals_<split>.csv` (cv and run residual diagnostics). */
export const ResidualRowSchema = z.object({
  id: z.string().min(1),
  prompt: z.string(),
  overall_true: num,
  prediction_raw: num,
  prediction_rounded: num,
  residual: num,
  grade_band: z.enum(["low", "middle", "high"]),
  word_count: num,
}).loose();
/** A residual row (covariate columns beyond word count kept as strings). */
export type ResidualCsvRow = z.infer<typeof ResidualRowSchema>;

/** Read `<run>/artifacts/residuals_<split>.csv`. */
export function readResiduals(path: string): Promise<ResidualCsvRow[]> {
  return readCsvRows(path, ResidualRowSchema);
}
