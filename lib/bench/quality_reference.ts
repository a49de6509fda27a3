/**
 * The Python reference stack as a measuring tool for `deno task bench quality`: run the external
 * script (`../shared/reference/python_reference.py`, never copied into the project) with Debian's
 * `/usr/bin/python3` on the project's own `splits.json`, read its JSON with a zod schema, and
 * cache it under `output/bench/quality_reference/` keyed by the sha256 of the script, the train
 * and test files, the splits file and the options (a run takes 11–12 minutes with cut-points).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../run/atomic_write.ts";

/** Debian packages the reference needs. */
export const REFERENCE_APT_PACKAGES =
  "python3-sklearn python3-xgboost python3-pandas python3-scipy wamerican";

const MeanStdFolds = z.object({ mean: z.number(), std: z.number(), folds: z.array(z.number()) });

/** The part of the reference's `--out-json` the bench reads (model `stack`). */
export const ReferenceJsonSchema = z.object({
  seed: z.number(),
  cutpoints: z.boolean(),
  dataset: z.object({
    train: z.object({ sha256: z.string(), used: z.number() }),
    test: z.object({ sha256: z.string(), used: z.number() }),
  }),
  versions: z.record(z.string(), z.unknown()),
  folds: z.object({
    scheme: z.string(),
    fold_numbers: z.array(z.number()).nullable(),
    val_sizes: z.array(z.number()),
  }),
  models: z.object({
    stack: z.object({
      name: z.string(),
      fit_seconds: z.number(),
      total_seconds: z.number(),
      test_qwk: z.number(),
      test_qwk_cutpoints: z.number().optional(),
      cv_qwk: MeanStdFolds,
      cv_qwk_cutpoints: MeanStdFolds.optional(),
    }),
  }),
});

/** A parsed reference result. */
export type ReferenceJson = z.infer<typeof ReferenceJsonSchema>;

/** Inputs of one reference run. */
export interface ReferenceRequest {
  readonly python: string;
  readonly script: string;
  readonly trainPath: string;
  readonly testPath: string;
  readonly splitsPath: string;
  readonly scheme: string;
  readonly seed: number;
  readonly cutpoints: boolean;
  /** Directory of the cached JSON files. */
  readonly cacheDir: string;
  /** Use the cache only: never start the tool. */
  readonly cacheOnly?: boolean;
}

/** Outcome of {@link referenceResult}. */
export type ReferenceOutcome =
  | { readonly ok: true; readonly json: ReferenceJson; readonly path: string; cached: boolean }
  | { readonly ok: false; readonly reason: string };

/** sha256 hex of a file's bytes. */
export async function fileSha256(path: string): Promise<string> {
  return createHash("sha256").update(await Deno.readFile(path)).digest("hex");
}

/**
 * The cache key of a request: sha256 over the script, data and splits contents and the options.
 *
 * @example
 * ```ts
 * const key = await referenceCacheKey(request); // 64 hex digits
 * ```
 */
export async function referenceCacheKey(r: ReferenceRequest): Promise<string> {
  const parts = {
    script: await fileSha256(r.script),
    train: await fileSha256(r.trainPath),
    test: await fileSha256(r.testPath),
    splits: await fileSha256(r.splitsPath),
    scheme: r.scheme,
    models: "stack",
    cutpoints: r.cutpoints,
    seed: r.seed,
  };
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/**
 * Why the reference cannot run here (a missing interpreter, module or word list), or null.
 *
 * @example
 * ```ts
 * const missing = await referenceUnavailable("/usr/bin/python3", script);
 * ```
 */
export async function referenceUnavailable(
  python: string,
  script: string,
): Promise<string | null> {
  try {
    await Deno.stat(script);
  } catch {
    return `reference script ${script} not found`;
  }
  try {
    await Deno.stat("/usr/share/dict/american-english");
  } catch {
    return `/usr/share/dict/american-english missing (apt-get install -y ${REFERENCE_APT_PACKAGES})`;
  }
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", "import numpy, pandas, scipy, sklearn, xgboost"],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "";
      return `${python} lacks the reference's modules (${err}); ` +
        `apt-get install -y ${REFERENCE_APT_PACKAGES}`;
    }
  } catch (e) {
    return `${python} not runnable (${(e as Error).message})`;
  }
  return null;
}

/**
 * The reference's result for a request: the cached JSON when the key matches, else a fresh run
 * (stderr streamed through `onLog`) whose JSON is validated and cached atomically.
 *
 * @example
 * ```ts
 * const r = await referenceResult(request, console.error);
 * if (r.ok) r.json.models.stack.cv_qwk.mean;
 * ```
 */
export async function referenceResult(
  r: ReferenceRequest,
  onLog: (line: string) => void,
): Promise<ReferenceOutcome> {
  const key = await referenceCacheKey(r);
  const path = join(r.cacheDir, `${r.scheme}_${key.slice(0, 16)}.json`);
  try {
    const json = ReferenceJsonSchema.parse(JSON.parse(await Deno.readTextFile(path)));
    return { ok: true, json, path, cached: true };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) onLog(`reference cache ${path} unusable: ${e}`);
  }
  if (r.cacheOnly) return { ok: false, reason: `no cached reference JSON ${path} (cache only)` };
  const missing = await referenceUnavailable(r.python, r.script);
  if (missing) return { ok: false, reason: missing };
  await Deno.mkdir(r.cacheDir, { recursive: true });
  const tmpJson = `${path}.run.json`;
  const args = [
    r.script,
    "--train",
    r.trainPath,
    "--test",
    r.testPath,
    "--splits-json",
    r.splitsPath,
    "--scheme",
    r.scheme,
    "--models",
    "stack",
    "--seed",
    String(r.seed),
    "--out-json",
    tmpJson,
    ...(r.cutpoints ? ["--cutpoints"] : []),
  ];
  onLog(`reference: ${r.python} ${args.join(" ")} (11–12 min with --cutpoints)`);
  const child = new Deno.Command(r.python, { args, stdout: "null", stderr: "piped" }).spawn();
  let tail = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr) {
    const text = decoder.decode(chunk, { stream: true });
    tail = (tail + text).slice(-2000);
    for (const line of text.split("\n")) if (line.trim()) onLog(`reference: ${line.trim()}`);
  }
  const status = await child.status;
  if (!status.success) {
    return { ok: false, reason: `reference exited with ${status.code}: ${tail.trim()}` };
  }
  const text = await Deno.readTextFile(tmpJson);
  const json = ReferenceJsonSchema.parse(JSON.parse(text));
  await writeFileAtomic(path, text);
  await Deno.remove(tmpJson);
  return { ok: true, json, path, cached: false };
}
