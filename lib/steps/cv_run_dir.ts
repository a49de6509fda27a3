/**
 * Reading a finished `cv` run directory back (for `compare-runs`, `sweep`, `ablation`): its
 * manifest (resolved config, splits file sha256), `artifacts/cv_metrics.json` and the per-essay
 * out-of-fold predictions with fold ids (`artifacts/cv_oof_predictions.csv`), each checked with
 * zod / per cell, on the score scale the run's config recorded (an ordinal scale's level names
 * read as level indices); and pairing two runs, refused with the reason when their score scale,
 * scheme, splits file, essays, folds or labels differ.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { DatasetError } from "../dataset/csv_table.ts";
import { refusePerPromptScale, scaleOfConfig } from "../dataset/load_dataset.ts";
import { describeScale, type ScoreScale } from "../dataset/score_scale.ts";
import { readOofPredictions } from "../report/run_artifacts.ts";
import type { OofPredictions, PairedEssays } from "../model/evaluation/paired_comparison.ts";
import { type ExperimentConfig, ExperimentConfigSchema } from "../run/config.ts";

const ManifestSchema = z.object({
  command_line: z.string(),
  config: ExperimentConfigSchema,
  inputs: z.array(z.object({ path: z.string(), sha256: z.string() }).loose()).default([]),
}).loose();

const SliceSchema = z.object({
  n: z.number(),
  mae: z.number().nullable(),
  adjacentAccuracy: z.number().nullable(),
  meanResidual: z.number().nullable(),
});

const EvidenceSchema = z.object({
  tails: z.object({ low: SliceSchema, middle: SliceSchema, high: SliceSchema }),
  worstPrompt: z.object({ prompt: z.string(), n: z.number(), qwk: z.number() }).nullable(),
});

const CvMetricsSchema = z.object({
  feature_set: z.string(),
  model: z.string(),
  params: z.record(z.string(), z.unknown()),
  seed: z.number(),
  scheme: z.string(),
  splits_path: z.string().optional(),
  n_essays: z.number().int(),
  summary: z.object({
    qwk: z.object({ mean: z.number(), std: z.number() }),
    qwkCutpoints: z.object({ mean: z.number(), std: z.number() }).nullable().optional(),
  }).loose(),
  /** Tail slices and worst prompt (cv runs from before the evidence layer have none). */
  evidence: z.object({ rounded: EvidenceSchema, cutpoints: EvidenceSchema.nullable() }).loose()
    .optional(),
}).loose();

/** One out-of-fold row. */
export interface OofRow {
  readonly id: string;
  readonly prompt: string;
  readonly fold: number;
  readonly yTrue: number;
  readonly raw: number;
  readonly cutpoints: number | null;
}

/** A finished cv run, read back. */
export interface CvRunData {
  readonly dir: string;
  readonly commandLine: string;
  readonly config: ExperimentConfig;
  readonly metrics: z.infer<typeof CvMetricsSchema>;
  /** The score scale of the run's dataset (from its config; ELLIPSE's when it has no manifest). */
  readonly scale: ScoreScale;
  /** sha256 of the splits file the run read (from its manifest), when recorded. */
  readonly splitsSha256: string | null;
  readonly rows: readonly OofRow[];
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new DatasetError(
      path,
      `cannot read ${what} (${(error as Error).message}); expected a finished cv run directory`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DatasetError(path, `not valid JSON (${(error as Error).message})`);
  }
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, path: string, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new DatasetError(path, `not a ${what}: ${i.path.join(".") || "(root)"}: ${i.message}`);
  }
  return r.data;
}

async function readOofRows(path: string, scale: ScoreScale): Promise<OofRow[]> {
  let rows;
  try {
    rows = await readOofPredictions(path, scale);
  } catch (error) {
    throw new DatasetError(path, (error as Error).message.replace(`${path}: `, ""));
  }
  return rows.map((r, k) => {
    if (r.prediction_raw === null || !Number.isFinite(r.prediction_raw)) {
      throw new DatasetError(path, "expected a raw prediction", k + 1, "prediction_raw");
    }
    return {
      id: r.id,
      prompt: r.prompt,
      fold: r.fold,
      yTrue: r.overall_true,
      raw: r.prediction_raw,
      cutpoints: r.prediction_cutpoints,
    };
  });
}

/** A run's manifest as compare-runs reads it: command line, resolved config, input hashes. */
export type CvRunManifest = z.infer<typeof ManifestSchema>;

/**
 * Read and check a run directory's `manifest.json` (a `DatasetError` naming the file otherwise).
 *
 * @example
 * ```ts
 * (await readCvRunManifest(dir)).config.splitsPath;
 * ```
 */
export async function readCvRunManifest(dir: string): Promise<CvRunManifest> {
  const manifestPath = join(dir, "manifest.json");
  return parsed(
    ManifestSchema,
    await readJson(manifestPath, "run manifest"),
    manifestPath,
    "run manifest",
  );
}

/**
 * Read a finished cv run directory.
 *
 * @example
 * ```ts
 * const run = await loadCvRun("output/essay_scoring/20260204_061242_cv");
 * run.rows.length; // essays validated out of fold
 * ```
 */
export async function loadCvRun(dir: string): Promise<CvRunData> {
  const metricsPath = join(dir, "artifacts", "cv_metrics.json");
  const manifest = await readCvRunManifest(dir);
  // this paired comparison is on one pooled scale; per-prompt runs: per_prompt_compare.ts
  refusePerPromptScale(manifest.config, "the one-scale run comparison (sweep, ablation)");
  const metrics = parsed(
    CvMetricsSchema,
    await readJson(metricsPath, "cv metrics"),
    metricsPath,
    "cv_metrics.json of a cv run",
  );
  const splitsPath = manifest.config.splitsPath;
  const splitsRecord = manifest.inputs.find((i) => i.path === splitsPath);
  const scale = scaleOfConfig(manifest.config);
  return {
    dir,
    commandLine: manifest.command_line,
    config: manifest.config,
    metrics,
    scale,
    splitsSha256: splitsRecord?.sha256 ?? null,
    rows: await readOofRows(join(dir, "artifacts", "cv_oof_predictions.csv"), scale),
  };
}

/** Raised when two runs cannot be compared (an input error; the message says why). */
export class RunMismatchError extends DatasetError {
  constructor(file: string, detail: string) {
    super(file, detail);
    this.name = "RunMismatchError";
  }
}

function examples(ids: readonly string[]): string {
  return ids.slice(0, 5).join(", ") + (ids.length > 5 ? `, … (${ids.length} in all)` : "");
}

/** A scale's identity for comparing runs: its spec as canonical JSON. */
function scaleKey(scale: ScoreScale): string {
  const spec = scale.spec as Record<string, unknown>;
  return JSON.stringify(Object.keys(spec).sort().map((k) => [k, spec[k]]));
}

/**
 * Align two cv runs essay by essay (baseline order); refuse runs whose score scale, scheme,
 * splits file, essays, folds, labels or prompts differ.
 *
 * @example
 * ```ts
 * const { essays, baseline, candidate } = pairCvRuns(await loadCvRun(a), await loadCvRun(b));
 * ```
 */
export function pairCvRuns(
  a: CvRunData,
  b: CvRunData,
): { essays: PairedEssays; baseline: OofPredictions; candidate: OofPredictions } {
  const refuse = (why: string) => {
    throw new RunMismatchError(b.dir, `cannot compare with the baseline ${a.dir}: ${why}`);
  };
  if (scaleKey(a.scale) !== scaleKey(b.scale)) {
    refuse(
      `the score scales differ (baseline: ${describeScale(a.scale)}; candidate: ` +
        `${describeScale(b.scale)}); runs are compared only on the same scale`,
    );
  }
  if (a.metrics.scheme !== b.metrics.scheme) {
    refuse(`split schemes differ (${a.metrics.scheme} vs ${b.metrics.scheme})`);
  }
  if (a.splitsSha256 && b.splitsSha256 && a.splitsSha256 !== b.splitsSha256) {
    refuse(
      `splits files differ (${a.metrics.splits_path} sha256 ${a.splitsSha256.slice(0, 12)}… vs ` +
        `${b.metrics.splits_path} sha256 ${b.splitsSha256.slice(0, 12)}…)`,
    );
  }
  const byId = new Map(b.rows.map((r) => [r.id, r]));
  const aIds = new Set(a.rows.map((r) => r.id));
  const onlyA = a.rows.filter((r) => !byId.has(r.id)).map((r) => r.id);
  const onlyB = b.rows.filter((r) => !aIds.has(r.id)).map((r) => r.id);
  if (onlyA.length || onlyB.length) {
    refuse(
      "the essays differ" +
        (onlyA.length ? `; only in the baseline: ${examples(onlyA)}` : "") +
        (onlyB.length ? `; only in the candidate: ${examples(onlyB)}` : ""),
    );
  }
  for (
    const [field, what] of [["fold", "folds"], ["yTrue", "true scores"], [
      "prompt",
      "prompts",
    ]] as const
  ) {
    const diff = a.rows.filter((r) => byId.get(r.id)![field] !== r[field]).map((r) => r.id);
    if (diff.length) refuse(`the ${what} of some essays differ: ${examples(diff)}`);
  }
  const other = a.rows.map((r) => byId.get(r.id)!);
  const cut = (rows: readonly OofRow[]) =>
    rows.every((r) => r.cutpoints !== null) ? Float64Array.from(rows, (r) => r.cutpoints!) : null;
  return {
    essays: {
      ids: a.rows.map((r) => r.id),
      prompts: a.rows.map((r) => r.prompt),
      yTrue: Float64Array.from(a.rows, (r) => r.yTrue),
      folds: Int32Array.from(a.rows, (r) => r.fold),
      scale: a.scale,
    },
    baseline: { raw: Float64Array.from(a.rows, (r) => r.raw), cutpoints: cut(a.rows) },
    candidate: { raw: Float64Array.from(other, (r) => r.raw), cutpoints: cut(other) },
  };
}

/** One-line description of a cv run's setup (feature set, learner, params, levers). */
export function describeCvRun(run: CvRunData): string {
  const c = run.config;
  return `${run.metrics.feature_set} / ${run.metrics.model} ${JSON.stringify(run.metrics.params)}` +
    (c.excludedFeatures.length ? `, excluded: ${c.excludedFeatures.join(", ")}` : "") +
    (c.sampleWeighting !== "none"
      ? `, weighting ${c.sampleWeighting} (cap ${c.sampleWeightCap})`
      : "") +
    (c.optimiseCutpoints ? `, cut-points ${c.cutpointMode}` : ", no cut-points");
}
