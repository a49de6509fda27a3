/**
 * `deno task bench quality-paired`: the default pipeline's gain over the Python reference with
 * intervals that include what varies — a paired **cluster bootstrap** (prompts, then essays within
 * prompts) over the out-of-fold predictions of both sides on the same folds, with **seed
 * replicates** of both sides (each resample draws one replicate per side, so refit and seed
 * variance are in the interval).
 *
 * Inputs: the project's cv run directories (one per `--seed`, same splits and scheme) and the
 * reference's per-essay out-of-fold CSVs (`lib/bench/python/reference_oof.py`, one per seed, the
 * same splits file). Essays, folds and true scores must agree row for row (refused otherwise).
 * Writes `<out>/quality_paired.{json,md}` with the mean Δ over replicates, the cluster-bootstrap
 * CI with seed replicates, and, for contrast, the older essay bootstrap of one replicate each.
 *
 * Flags: `--project-runs DIR|DIR|… --reference-oof CSV|CSV|… [--resamples 5000] [--seed 42]
 * [--out output/bench]`.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { comparePairedRuns, type OofPredictions } from "../model/evaluation/paired_comparison.ts";
import { bootstrapProtocolText } from "../report/comparison_report.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import { type CvRunData, loadCvRun } from "../steps/cv_run_dir.ts";

const RefRow = z.object({
  id: z.string().min(1),
  prompt: z.string(),
  fold: z.coerce.number().int(),
  overall_true: z.coerce.number(),
  prediction_raw: z.coerce.number(),
});

/** Read one reference OOF CSV into a map id → row. */
async function readReferenceOof(path: string): Promise<Map<string, z.infer<typeof RefRow>>> {
  const rows: Record<string, string>[] = parse(await Deno.readTextFile(path), { columns: true });
  return new Map(rows.map((r, i) => {
    const p = RefRow.safeParse(r);
    if (!p.success) throw new Error(`${path}, row ${i + 1}: ${p.error.message}`);
    return [p.data.id, p.data];
  }));
}

/** The reference predictions aligned with the project's first run, checked essay by essay. */
function alignReference(
  base: CvRunData,
  ref: Map<string, z.infer<typeof RefRow>>,
  path: string,
): OofPredictions {
  if (ref.size !== base.rows.length) {
    throw new Error(`${path}: ${ref.size} essays, the project run has ${base.rows.length}`);
  }
  return {
    raw: Float64Array.from(base.rows, (r) => {
      const x = ref.get(r.id);
      if (!x) throw new Error(`${path}: essay ${r.id} missing`);
      if (x.fold !== r.fold || x.overall_true !== r.yTrue) {
        throw new Error(
          `${path}: essay ${r.id}: fold/score ${x.fold}/${x.overall_true} vs ` +
            `${r.fold}/${r.yTrue} in ${base.dir}`,
        );
      }
      return x.prediction_raw;
    }),
    cutpoints: null,
  };
}

/** The project's replicate runs aligned with the first. */
function alignProject(base: CvRunData, run: CvRunData): OofPredictions {
  const by = new Map(run.rows.map((r) => [r.id, r]));
  return {
    raw: Float64Array.from(base.rows, (r) => {
      const x = by.get(r.id);
      if (!x || x.fold !== r.fold) throw new Error(`${run.dir}: essay ${r.id} missing or moved`);
      return x.raw;
    }),
    cutpoints: null,
  };
}

/** Flags of the bench (`parseArgs` options). */
export const QUALITY_PAIRED_OPTIONS = {
  "project-runs": { type: "string" },
  "reference-oof": { type: "string" },
  resamples: { type: "string", default: "5000" },
  seed: { type: "string", default: "42" },
  out: { type: "string", default: "output/bench" },
} as const;

/** What each flag does (`deno task bench quality-paired --help`). */
export const QUALITY_PAIRED_HELP: Readonly<Record<keyof typeof QUALITY_PAIRED_OPTIONS, string>> = {
  "project-runs": "the project's cv run directories, one per --seed, separated by '|'",
  "reference-oof": "reference_oof.py CSVs, one per seed, separated by '|'",
  resamples: "bootstrap resamples",
  seed: "bootstrap seed",
  out: "output directory of quality_paired.{json,md}",
};

/**
 * Run the bench.
 *
 * @example
 * ```ts
 * await runQualityPaired(["--project-runs", "a|b", "--reference-oof", "x.csv|y.csv"]);
 * ```
 */
export async function runQualityPaired(args: readonly string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args: [...args],
    options: { ...QUALITY_PAIRED_OPTIONS, help: { type: "boolean", default: false } },
    strict: true,
  });
  if (values.help || !values["project-runs"] || !values["reference-oof"]) {
    console.log(
      "usage: deno task bench quality-paired --project-runs DIR|DIR --reference-oof CSV|CSV " +
        "[--resamples 5000] [--seed 42] [--out output/bench]",
    );
    if (!values.help) throw new Error("--project-runs and --reference-oof are required");
    return {};
  }
  const runDirs = values["project-runs"].split("|").filter(Boolean);
  const refPaths = values["reference-oof"].split("|").filter(Boolean);
  const runs = await Promise.all(runDirs.map(loadCvRun));
  const base = runs[0];
  const project = runs.map((r) => alignProject(base, r));
  const reference = await Promise.all(
    refPaths.map(async (p) => alignReference(base, await readReferenceOof(p), p)),
  );
  const essays = {
    ids: base.rows.map((r) => r.id),
    prompts: base.rows.map((r) => r.prompt),
    yTrue: Float64Array.from(base.rows, (r) => r.yTrue),
    folds: Int32Array.from(base.rows, (r) => r.fold),
    scale: base.scale,
  };
  const opts = { seed: Number(values.seed), resamples: Number(values.resamples) };
  const confirmed = comparePairedRuns(essays, reference, project, opts);
  const old = comparePairedRuns(essays, reference[0], project[0], { ...opts, cluster: "essay" });
  const q = confirmed.bootstrap.qwk;
  const o = old.bootstrap.qwk;
  const f = (x: number) => x.toFixed(4);
  const md = [
    "# Default pipeline vs the Python reference: paired, cluster bootstrap, seed replicates",
    "",
    `- project cv runs (seeds): ${runDirs.map((d) => `\`${d}\``).join(", ")}`,
    `- reference OOF (seeds): ${refPaths.map((d) => `\`${d}\``).join(", ")}`,
    `- ${essays.ids.length} essays, ${confirmed.folds.length} folds (${base.metrics.scheme}), ` +
    `${confirmed.protocol.nPrompts} prompts; QWK of half-point rounding, mean over folds`,
    "",
    "| protocol | Δ QWK project − reference | 95 % CI |",
    "| --- | ---: | --- |",
    `| cluster bootstrap + seed replicates (${project.length} × ${reference.length}) | ${
      f(q.delta)
    } | [${f(q.lower)}, ${f(q.upper)}] |`,
    `| essay bootstrap within folds, first seed only (the old protocol) | ${f(o.delta)} | [${
      f(o.lower)
    }, ${f(o.upper)}] |`,
    "",
    `Per replicate-mean fold Δ: ${confirmed.fold.qwk.perFold.map(f).join(", ")}; folds won ` +
    `${confirmed.fold.qwk.candidateWins}/${confirmed.folds.length}. ` +
    bootstrapProtocolText(confirmed),
    "",
  ].join("\n");
  const result = {
    schema_version: 1,
    project_runs: runDirs,
    reference_oof: refPaths,
    n_essays: essays.ids.length,
    confirmed: { protocol: confirmed.protocol, fold: confirmed.fold, qwk: q },
    essay_bootstrap_one_seed: { qwk: o },
  };
  await Deno.mkdir(values.out, { recursive: true });
  await writeJsonAtomic(join(values.out, "quality_paired.json"), result);
  await writeFileAtomic(join(values.out, "quality_paired.md"), md);
  console.log(md);
  return result;
}
