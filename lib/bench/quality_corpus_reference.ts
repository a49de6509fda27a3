/**
 * The TF-IDF ridge reference of `deno task bench quality-corpus`: word 1–2-gram TF-IDF (sublinear
 * tf, min_df 2) + ridge with alpha from {0.3, 1, 3, 10} by inner 5-fold CV, run by
 * `lib/bench/python/tfidf_ridge_oof.py` with Debian's `/usr/bin/python3` (scikit-learn) on the
 * folds of a project `splits.json`, for any corpus and score scale. Scores go to Python as level
 * indices (0…levels−1), so numeric and ordinal scales are handled alike; the raw predictions come
 * back, are mapped onto the scale and scored with the project's own QWK.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Essay } from "../dataset/essay.ts";
import { labelIndex, type ScoreScale } from "../dataset/score_scale.ts";
import { quadraticWeightedKappa } from "../model/evaluation/metrics.ts";

/** The reference's script, next to this module. */
export const TFIDF_RIDGE_SCRIPT = fileURLToPath(
  new URL("./python/tfidf_ridge_oof.py", import.meta.url),
);

/** The alpha grid and inner folds the reference chooses from (issue 18). */
export const TFIDF_RIDGE_DEFAULTS = { alphas: [0.3, 1, 3, 10], innerFolds: 5 } as const;

/** What the Python script is given. */
export interface TfidfRidgeRequest {
  readonly essays: readonly { id: string; text: string; score: number; fold: number }[];
  readonly scale: { readonly min: 0; readonly max: number; readonly step: 1 };
  readonly alphas: readonly number[];
  readonly inner_folds: number;
  readonly seed: number;
}

/** The script's JSON, as validated. */
export const TfidfRidgeResultSchema = z.object({
  versions: z.record(z.string(), z.string()),
  model: z.string(),
  folds: z.array(z.object({
    fold: z.number().int(),
    n_train: z.number().int(),
    n_val: z.number().int(),
    alpha: z.number(),
    qwk: z.number(),
  })),
  predictions: z.array(z.object({
    id: z.string(),
    fold: z.number().int(),
    score: z.number(),
    prediction_raw: z.number(),
    prediction: z.number(),
  })),
});

/** A parsed result of the script. */
export type TfidfRidgeResult = z.infer<typeof TfidfRidgeResultSchema>;

/** One reference fold on the corpus's own scale. */
export interface ReferenceFold {
  readonly fold: number;
  readonly nVal: number;
  readonly alpha: number;
  /** QWK by the project's metric over the scale's levels. */
  readonly qwk: number;
}

/**
 * The request for a set of essays and their fold numbers: scores as level indices.
 *
 * @example
 * ```ts
 * const req = tfidfRidgeRequest(train, foldOf, scale, 42);
 * req.scale; // { min: 0, max: 10, step: 1 } for ASAP set 1's 2–12
 * ```
 */
export function tfidfRidgeRequest(
  essays: readonly Essay[],
  foldOf: ReadonlyMap<string, number>,
  scale: ScoreScale,
  seed: number,
): TfidfRidgeRequest {
  return {
    essays: essays.map((e) => {
      const fold = foldOf.get(e.id);
      if (fold === undefined) throw new Error(`essay ${e.id} is in no fold of the splits`);
      return { id: e.id, text: e.text, score: labelIndex(scale, e.overall), fold };
    }),
    scale: { min: 0, max: scale.nLevels - 1, step: 1 },
    alphas: TFIDF_RIDGE_DEFAULTS.alphas,
    inner_folds: TFIDF_RIDGE_DEFAULTS.innerFolds,
    seed,
  };
}

/**
 * Run the script on a request; stderr lines go to `onLog`. Throws with the script's last stderr
 * lines when it fails (exit 2: a bad request).
 *
 * @example
 * ```ts
 * const result = await runTfidfRidge("/usr/bin/python3", req, "/tmp/x", console.error);
 * ```
 */
export async function runTfidfRidge(
  python: string,
  request: TfidfRidgeRequest,
  workDir: string,
  onLog: (line: string) => void,
  script: string = TFIDF_RIDGE_SCRIPT,
): Promise<TfidfRidgeResult> {
  await Deno.mkdir(workDir, { recursive: true });
  const inPath = `${workDir}/tfidf_ridge_request.json`;
  const outPath = `${workDir}/tfidf_ridge_result.json`;
  await Deno.writeTextFile(inPath, JSON.stringify(request));
  const out = await new Deno.Command(python, {
    args: [script, "--in", inPath, "--out", outPath],
    stdout: "null",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr).trim();
  for (const line of err.split("\n")) if (line.trim()) onLog(`reference: ${line.trim()}`);
  if (!out.success) {
    throw new Error(`${script} exited with ${out.code}: ${err.split("\n").slice(-3).join(" | ")}`);
  }
  const result = TfidfRidgeResultSchema.parse(JSON.parse(await Deno.readTextFile(outPath)));
  await Deno.remove(inPath);
  await Deno.remove(outPath);
  return result;
}

/**
 * The reference's folds on the corpus's scale: each fold's raw index predictions mapped onto the
 * scale and scored with the project's QWK. Throws when that disagrees with scikit-learn's QWK
 * of the same rounded predictions (the two definitions must match).
 *
 * @example
 * ```ts
 * referenceFolds(result, scale)[0].qwk;
 * ```
 */
export function referenceFolds(result: TfidfRidgeResult, scale: ScoreScale): ReferenceFold[] {
  return result.folds.map((f) => {
    const rows = result.predictions.filter((p) => p.fold === f.fold);
    const yTrue = rows.map((p) => scale.min + p.score * scale.step);
    const yPred = rows.map((p) => scale.min + p.prediction_raw * scale.step);
    const qwk = quadraticWeightedKappa(yTrue, yPred, scale);
    if (Math.abs(qwk - f.qwk) > 1e-9) {
      throw new Error(
        `fold ${f.fold}: the project's QWK ${qwk} and scikit-learn's ${f.qwk} of the same ` +
          "predictions differ",
      );
    }
    return { fold: f.fold, nVal: rows.length, alpha: f.alpha, qwk };
  });
}

/**
 * Why the reference cannot run with this interpreter (no Python or no scikit-learn), or null.
 *
 * @example
 * ```ts
 * await tfidfRidgeUnavailable("/usr/bin/python3"); // null when scikit-learn imports
 * ```
 */
export async function tfidfRidgeUnavailable(python: string): Promise<string | null> {
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", "import numpy, scipy, sklearn"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success ? null : `${python} cannot import numpy, scipy and scikit-learn ` +
      "(apt-get install -y python3-sklearn)";
  } catch (e) {
    return `${python} not runnable (${(e as Error).message})`;
  }
}
