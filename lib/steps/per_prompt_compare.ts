/**
 * `compare-runs` on per-prompt score scales: two `cv` runs of a per-prompt dataset are paired
 * essay by essay on their common-grid out-of-fold predictions (`grid_true`,
 * `grid_prediction_raw` of `cv_oof_predictions.csv`), refused when their scales, scheme, splits
 * file, essays, folds, prompts or labels differ, and compared on the mean per-prompt QWK (Fisher z)
 * with a prompt-stratified paired bootstrap (`model/evaluation/per_prompt_comparison.ts`). Writes
 * `artifacts/comparison.json`, `reports/comparison.md` and an experiment-log entry. The pooled
 * gate (tails, bands, worst prompt on one scale) and seed replicates are not available here.
 *
 * @module
 */
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { DatasetError } from "../dataset/csv_table.ts";
import { perPromptScaleOfConfig } from "../dataset/load_dataset.ts";
import type { PerPromptScale } from "../dataset/per_prompt_scale.ts";
import {
  comparePerPromptRuns,
  type PerPromptComparison,
  type PerPromptPairedEssays,
} from "../model/evaluation/per_prompt_comparison.ts";
import { PER_PROMPT_HEADLINE, perPromptComparisonMarkdown } from "../report/per_prompt_reports.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import { UsageError } from "../run/cli_flags.ts";
import { resolveExperimentConfig } from "../run/config.ts";
import { withRun } from "../run/run_context.ts";
import { recordRunInExperimentLog } from "./common.ts";
import { type CvRunManifest, readCvRunManifest } from "./cv_run_dir.ts";

/** A per-prompt cv run read back: its manifest, scales, scheme and grid out-of-fold rows. */
export interface PerPromptCvRun {
  readonly dir: string;
  readonly manifest: CvRunManifest;
  readonly pp: PerPromptScale;
  readonly rows: readonly {
    id: string;
    prompt: string;
    fold: number;
    yGrid: number;
    raw: number;
  }[];
}

/**
 * Whether a run directory is a run of a per-prompt dataset (its manifest's config says so).
 *
 * @example
 * ```ts
 * if (await isPerPromptRunDir(dir)) { ... }
 * ```
 */
export async function isPerPromptRunDir(dir: string): Promise<boolean> {
  return perPromptScaleOfConfig((await readCvRunManifest(dir)).config) !== null;
}

function gridRows(path: string, text: string): PerPromptCvRun["rows"] {
  const records = parse(text, { columns: true }) as Record<string, string>[];
  if (records.length > 0 && !("grid_prediction_raw" in records[0])) {
    throw new DatasetError(path, "no grid_prediction_raw column; expected a per-prompt cv run");
  }
  return records.flatMap((r, k) => {
    const fold = Number(r.fold);
    if (fold < 0 || r.grid_prediction_raw === "") return []; // not validated out of fold
    const yGrid = Number(r.grid_true);
    const raw = Number(r.grid_prediction_raw);
    if (!Number.isInteger(fold) || !Number.isFinite(yGrid) || !Number.isFinite(raw)) {
      throw new DatasetError(path, "expected a fold, grid_true and grid_prediction_raw", k + 1);
    }
    return [{ id: r.id, prompt: r.prompt, fold, yGrid, raw }];
  });
}

/**
 * Read a per-prompt cv run directory (its manifest's scales and its grid out-of-fold rows).
 *
 * @example
 * ```ts
 * const run = await loadPerPromptCvRun("output/essay_scoring/<UTC>_asap_cv");
 * run.rows[0].yGrid;
 * ```
 */
export async function loadPerPromptCvRun(dir: string): Promise<PerPromptCvRun> {
  const manifest = await readCvRunManifest(dir);
  const pp = perPromptScaleOfConfig(manifest.config);
  if (!pp) {
    throw new DatasetError(
      join(dir, "manifest.json"),
      "not a run of a per-prompt dataset; both runs must be on the same per-prompt scales",
    );
  }
  const path = join(dir, "artifacts", "cv_oof_predictions.csv");
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new DatasetError(path, `cannot read (${(error as Error).message}); expected a cv run`);
  }
  return { dir, manifest, pp, rows: gridRows(path, text) };
}

function splitsSha(run: PerPromptCvRun): string | null {
  const p = run.manifest.config.splitsPath;
  return run.manifest.inputs.find((i) => i.path === p)?.sha256 ?? null;
}

/**
 * Align two per-prompt runs essay by essay; refuse with the reason when they differ.
 *
 * @example
 * ```ts
 * const { essays, baseline, candidate } = pairPerPromptRuns(a, b);
 * ```
 */
export function pairPerPromptRuns(a: PerPromptCvRun, b: PerPromptCvRun) {
  const refuse = (why: string): never => {
    throw new DatasetError(b.dir, `cannot compare with the baseline ${a.dir}: ${why}`);
  };
  if (JSON.stringify(a.pp.spec) !== JSON.stringify(b.pp.spec)) {
    refuse("the per-prompt scales differ");
  }
  if (a.manifest.config.scheme !== b.manifest.config.scheme) refuse("split schemes differ");
  const sa = splitsSha(a), sb = splitsSha(b);
  if (sa && sb && sa !== sb) refuse("splits files differ");
  const byId = new Map(b.rows.map((r) => [r.id, r]));
  if (a.rows.length !== b.rows.length || a.rows.some((r) => !byId.has(r.id))) {
    refuse("the out-of-fold essays differ");
  }
  for (const r of a.rows) {
    const o = byId.get(r.id)!;
    if (o.fold !== r.fold || o.prompt !== r.prompt || o.yGrid !== r.yGrid) {
      refuse(`essay "${r.id}" has another fold, prompt or true score`);
    }
  }
  const essays: PerPromptPairedEssays = {
    ids: a.rows.map((r) => r.id),
    prompts: a.rows.map((r) => r.prompt),
    yGrid: Float64Array.from(a.rows, (r) => r.yGrid),
    folds: Int32Array.from(a.rows, (r) => r.fold),
  };
  return {
    essays,
    baseline: Float64Array.from(a.rows, (r) => r.raw),
    candidate: Float64Array.from(a.rows, (r) => byId.get(r.id)!.raw),
  };
}

/** Options of {@link runPerPromptCompareRuns}. */
export interface PerPromptCompareOptions {
  readonly runName?: string;
  readonly outputRoot?: string;
  readonly experimentLogPath?: string;
  readonly seed?: number;
  readonly resamples?: number;
  readonly argv?: readonly string[];
}

/**
 * Compare two per-prompt cv runs and write the comparison.
 *
 * @example
 * ```ts
 * const r = await runPerPromptCompareRuns(baseDir, candDir, { runName: "cmp" });
 * r.comparison.difference;
 * ```
 */
export async function runPerPromptCompareRuns(
  baselineDir: string,
  candidateDir: string,
  options: PerPromptCompareOptions,
): Promise<{ runDir: string; reportPath: string; comparison: PerPromptComparison }> {
  const a = await loadPerPromptCvRun(baselineDir);
  const b = await loadPerPromptCvRun(candidateDir);
  const p = pairPerPromptRuns(a, b); // refuse before a run directory is opened
  const config = resolveExperimentConfig(
    { ...a.manifest.config, runName: "compare_runs" },
    {
      runName: options.runName,
      outputRoot: options.outputRoot,
      experimentLogPath: options.experimentLogPath,
      seed: options.seed,
    },
  );
  const { result } = await withRun(
    { command: "compare-runs", config, argv: options.argv },
    async (run) => {
      const comparison = await run.stage(
        "compare",
        () =>
          comparePerPromptRuns(p.essays, p.baseline, p.candidate, a.pp, {
            seed: config.seed,
            resamples: options.resamples ?? 5000,
          }),
      );
      const runs = { baseline: a.manifest.command_line, candidate: b.manifest.command_line };
      const reportPath = run.reportPath("comparison.md");
      await writeJsonAtomic(run.artifactPath("comparison.json"), {
        schema_version: 1,
        statistic: PER_PROMPT_HEADLINE,
        baseline: { dir: baselineDir, command: runs.baseline },
        candidate: { dir: candidateDir, command: runs.candidate },
        comparison,
      });
      await writeFileAtomic(reportPath, perPromptComparisonMarkdown(runs, a.pp, comparison));
      const c = comparison;
      const value = `${c.headline.delta?.toFixed(4) ?? "n/a"} [${c.bootstrap.lower.toFixed(4)}, ${
        c.bootstrap.upper.toFixed(4)
      }]`;
      run.log.info(`${PER_PROMPT_HEADLINE} Δ ${value}: ${c.difference}`);
      await recordRunInExperimentLog(run, config, {
        splitsPath: config.splitsPath,
        scheme: config.scheme,
        results: [
          { label: `${PER_PROMPT_HEADLINE} Δ candidate − baseline (95 % CI)`, value },
          { label: "verdict", value: c.difference },
        ],
        notes: [
          `baseline: \`${baselineDir}\``,
          `candidate: \`${candidateDir}\``,
          `comparison report: \`${reportPath}\``,
        ],
      });
      return { runDir: run.dir, reportPath, comparison };
    },
  );
  return result;
}

/**
 * Refuse the `compare-runs` options that have no per-prompt meaning yet (gate, replicates, the
 * essay bootstrap), naming them.
 *
 * @example
 * ```ts
 * refuseUnsupportedPerPromptOptions(invocation.values);
 * ```
 */
export function refuseUnsupportedPerPromptOptions(v: Readonly<Record<string, unknown>>): void {
  const given = ["gate", "baseline-replicates", "candidate-replicates", "bootstrap-unit"]
    .filter((f) => v[f] !== undefined);
  if (given.length > 0) {
    throw new UsageError(
      `${given.map((f) => `--${f}`).join(", ")}: not supported for runs on per-prompt scales ` +
        "(the comparison is the prompt-stratified bootstrap of the mean per-prompt QWK (Fisher z))",
    );
  }
}
