/**
 * `compare-runs --baseline <cv run> --candidate <cv run> [--gate profile.json]`: is the candidate
 * really better, where, and by how much? Reads both runs' out-of-fold predictions, refuses runs
 * whose scheme, splits file, essays or folds differ, and writes `artifacts/comparison.json` and
 * `reports/comparison.md` (fold-paired deltas, paired cluster-bootstrap CIs with optional seed replicates, worst
 * prompt, score tails, the gate verdict) plus an experiment-log entry with the verdict. Runs on
 * per-prompt score scales are compared on the mean per-prompt QWK (Fisher z) instead
 * (`per_prompt_compare.ts`).
 *
 * @module
 */
import { comparisonMarkdown } from "../report/comparison_report.ts";
import {
  DEFAULT_GATE_PROFILE,
  type GateProfile,
  type GateVerdict,
  gateVerdict,
  parseGateProfile,
} from "../model/evaluation/gate.ts";
import {
  type BootstrapUnit,
  comparePairedRuns,
  type PairedComparison,
} from "../model/evaluation/paired_comparison.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import { type CommandSpec, type FlagSpec, UsageError } from "../run/cli_flags.ts";
import { type ExperimentConfig, resolveExperimentConfig } from "../run/config.ts";
import { type RunContext, withRun } from "../run/run_context.ts";
import { recordRunInExperimentLog } from "./common.ts";
import { type CvRunData, describeCvRun, loadCvRun, pairCvRuns } from "./cv_run_dir.ts";
import {
  isPerPromptRunDir,
  refuseUnsupportedPerPromptOptions,
  runPerPromptCompareRuns,
} from "./per_prompt_compare.ts";
import { PER_PROMPT_HEADLINE } from "../report/per_prompt_reports.ts";

/** Default bootstrap resamples. */
export const DEFAULT_RESAMPLES = 5000;

/** A comparison with its verdict. */
export interface RunComparison {
  readonly baseline: CvRunData;
  readonly candidate: CvRunData;
  readonly comparison: PairedComparison;
  readonly gate: GateVerdict;
}

/** Options of {@link compareCvRuns}. */
export interface CompareOptions {
  readonly gate?: GateProfile;
  readonly seed?: number;
  readonly resamples?: number;
  /** Interval level (default 0.95; a sweep passes a Bonferroni-adjusted one). */
  readonly level?: number;
  /** What the bootstrap resamples (default `prompt`: the cluster bootstrap). */
  readonly cluster?: BootstrapUnit;
  /** Further runs of the baseline's config with other seeds (same essays and folds). */
  readonly baselineReplicates?: readonly CvRunData[];
  /** Further runs of the candidate's config with other seeds. */
  readonly candidateReplicates?: readonly CvRunData[];
}

/**
 * Compare two loaded cv runs (no files written).
 *
 * @example
 * ```ts
 * const r = compareLoadedRuns(await loadCvRun(a), await loadCvRun(b), { seed: 42 });
 * r.gate.passed;
 * ```
 */
export function compareLoadedRuns(
  baseline: CvRunData,
  candidate: CvRunData,
  options: CompareOptions = {},
): RunComparison {
  const paired = pairCvRuns(baseline, candidate);
  // every replicate aligned with the baseline's essays (and refused if its essays/folds differ)
  const aligned = (runs: readonly CvRunData[] | undefined) =>
    (runs ?? []).map((r) => pairCvRuns(baseline, r).candidate);
  const comparison = comparePairedRuns(
    paired.essays,
    [paired.baseline, ...aligned(options.baselineReplicates)],
    [paired.candidate, ...aligned(options.candidateReplicates)],
    {
      seed: options.seed ?? 42,
      resamples: options.resamples ?? DEFAULT_RESAMPLES,
      cluster: options.cluster,
      level: options.level,
    },
  );
  return {
    baseline,
    candidate,
    comparison,
    gate: gateVerdict(comparison, options.gate ?? DEFAULT_GATE_PROFILE),
  };
}

/** Plain JSON of a comparison (what `comparison.json` holds). */
export function comparisonJson(r: RunComparison): Record<string, unknown> {
  return {
    schema_version: 1,
    baseline: { dir: r.baseline.dir, description: describeCvRun(r.baseline) },
    candidate: { dir: r.candidate.dir, description: describeCvRun(r.candidate) },
    difference: r.comparison.difference,
    gate: r.gate,
    comparison: r.comparison,
  };
}

/** Read a gate profile file (`--gate`). */
export async function readGateProfile(path: string): Promise<GateProfile> {
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new UsageError(`--gate ${path}: cannot read JSON (${(error as Error).message})`);
  }
  try {
    return parseGateProfile(value, `gate profile ${path}`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Flags of `compare-runs`. */
export const COMPARE_RUNS_FLAGS: readonly FlagSpec[] = [
  { name: "baseline", type: "string", configKey: null, description: "baseline cv run directory" },
  {
    name: "candidate",
    type: "string",
    configKey: null,
    description: "candidate cv run directory",
  },
  {
    name: "baseline-replicates",
    type: "list",
    configKey: null,
    description: "more cv runs of the baseline's config with other --seed values, separated by " +
      "'|': the bootstrap draws one per resample (seed variance in the interval)",
  },
  {
    name: "candidate-replicates",
    type: "list",
    configKey: null,
    description: "more cv runs of the candidate's config with other --seed values ('|')",
  },
  {
    name: "bootstrap-unit",
    type: "string",
    configKey: null,
    description: "prompt (default: prompts, then essays within prompts) | essay (essays " +
      "within folds; optimistic when essays cluster by prompt)",
  },
  {
    name: "gate",
    type: "string",
    configKey: null,
    description: "gate profile JSON (default: the built-in profile, see docs/model.md)",
  },
  {
    name: "resamples",
    type: "int",
    configKey: null,
    description: `bootstrap resamples (default ${DEFAULT_RESAMPLES}, at least 1000)`,
  },
  {
    name: "seed",
    type: "int",
    configKey: null,
    description: "bootstrap seed (default: the baseline run's seed)",
  },
  {
    name: "run-name",
    type: "string",
    configKey: null,
    description: "run name (directory suffix; default compare_runs)",
  },
  {
    name: "output-root",
    type: "string",
    configKey: null,
    description: "where the comparison's run directory goes (default: the baseline run's)",
  },
  {
    name: "experiment-log-path",
    type: "string",
    configKey: null,
    description: "append-only experiment log (default: the baseline run's)",
  },
];

/** What `compare-runs` produced. */
export interface CompareRunsResult extends RunComparison {
  readonly runDir: string;
  readonly reportPath: string;
  readonly jsonPath: string;
}

/** The comparison's experiment-log entry (Δ with its interval, verdict, gate). */
async function logComparison(
  run: RunContext,
  config: ExperimentConfig,
  pair: { readonly baseline: CvRunData; readonly candidate: CvRunData },
  r: Awaited<ReturnType<typeof compareLoadedRuns>>,
  where: {
    readonly runs: Record<"baseline" | "candidate", { dir: string; description: string }>;
    readonly reportPath: string;
  },
): Promise<void> {
  const q = r.comparison.bootstrap.qwk;
  await recordRunInExperimentLog(run, config, {
    splitsPath: config.splitsPath,
    scheme: pair.baseline.metrics.scheme,
    featureSet: `${pair.baseline.metrics.feature_set} vs ${pair.candidate.metrics.feature_set}`,
    results: [
      {
        label: `QWK Δ candidate − baseline (95 % paired ${
          r.comparison.protocol.cluster === "prompt" ? "cluster " : ""
        }bootstrap CI, replicates ${r.comparison.protocol.replicates.baseline}/${r.comparison.protocol.replicates.candidate})`,
        value: `${q.delta.toFixed(4)} [${q.lower.toFixed(4)}, ${q.upper.toFixed(4)}]`,
      },
      { label: "verdict", value: r.comparison.difference },
      {
        label: `gate ${r.gate.profile.name}`,
        value: (r.gate.passed ? "PASS" : "FAIL") +
          (r.gate.passed
            ? ""
            : ` (failed: ${
              r.gate.checks.filter((k) => !k.passed).map((k) => k.check).join("; ")
            })`),
      },
    ],
    notes: [
      `baseline: \`${where.runs.baseline.dir}\` (${where.runs.baseline.description})`,
      `candidate: \`${where.runs.candidate.dir}\` (${where.runs.candidate.description})`,
      `comparison report: \`${where.reportPath}\``,
    ],
  });
}

/**
 * Compare two cv runs and write the comparison run directory + log entry. The run's config is
 * the baseline's (same data files and filters), with the given overrides.
 *
 * @example
 * ```ts
 * const r = await runCompareRuns(baseDir, candDir, { runName: "cmp" });
 * ```
 */
export async function runCompareRuns(
  baselineDir: string,
  candidateDir: string,
  overrides: { runName?: string; outputRoot?: string; experimentLogPath?: string; seed?: number },
  options: CompareOptions & {
    argv?: readonly string[];
    echo?: boolean;
    baselineReplicateDirs?: readonly string[];
    candidateReplicateDirs?: readonly string[];
  } = {},
): Promise<CompareRunsResult> {
  const baseline = await loadCvRun(baselineDir);
  const candidate = await loadCvRun(candidateDir);
  pairCvRuns(baseline, candidate); // refuse before a run directory is opened
  const load = (dirs: readonly string[] | undefined) => Promise.all((dirs ?? []).map(loadCvRun));
  const baselineReplicates = await load(options.baselineReplicateDirs);
  const candidateReplicates = await load(options.candidateReplicateDirs);
  for (const r of [...baselineReplicates, ...candidateReplicates]) pairCvRuns(baseline, r);
  const config = resolveExperimentConfig(
    { ...baseline.config, runName: "compare_runs", splitsPath: baseline.config.splitsPath },
    overrides,
  );
  const { result } = await withRun(
    { command: "compare-runs", config, argv: options.argv, echo: options.echo },
    async (run) => {
      const r = await run.stage(
        "compare",
        () =>
          compareLoadedRuns(baseline, candidate, {
            ...options,
            seed: config.seed,
            baselineReplicates,
            candidateReplicates,
          }),
      );
      const jsonPath = run.artifactPath("comparison.json");
      const reportPath = run.reportPath("comparison.md");
      const runs = {
        baseline: { dir: baselineDir, description: describeCvRun(baseline) },
        candidate: { dir: candidateDir, description: describeCvRun(candidate) },
      };
      await writeJsonAtomic(jsonPath, comparisonJson(r));
      await writeFileAtomic(reportPath, comparisonMarkdown(runs, r.comparison, r.gate));
      const q = r.comparison.bootstrap.qwk;
      run.log.info(
        `QWK Δ ${q.delta.toFixed(4)} [${q.lower.toFixed(4)}, ${q.upper.toFixed(4)}]: ` +
          `${r.comparison.difference}; gate ${r.gate.profile.name}: ` +
          (r.gate.passed ? "PASS" : "FAIL"),
      );
      await logComparison(run, config, { baseline, candidate }, r, { runs, reportPath });
      return { ...r, runDir: run.dir, reportPath, jsonPath };
    },
  );
  return result;
}

/** `compare-runs` of two runs on per-prompt scales (`per_prompt_compare.ts`). */
async function comparePerPrompt(
  invocation: Parameters<CommandSpec["run"]>[0],
  resamples: number | undefined,
): Promise<number> {
  const v = invocation.values;
  refuseUnsupportedPerPromptOptions(v);
  const r = await runPerPromptCompareRuns(v.baseline as string, v.candidate as string, {
    runName: v["run-name"] as string | undefined,
    outputRoot: v["output-root"] as string | undefined,
    experimentLogPath: v["experiment-log-path"] as string | undefined,
    seed: v.seed as number | undefined,
    resamples,
    argv: invocation.argv,
  });
  const c = r.comparison;
  console.log(`run directory: ${r.runDir}`);
  console.log(`report: ${r.reportPath}`);
  console.log(
    `${PER_PROMPT_HEADLINE} Δ ${c.headline.delta?.toFixed(4) ?? "n/a"} ` +
      `[${c.bootstrap.lower.toFixed(4)}, ${c.bootstrap.upper.toFixed(4)}]: ${c.difference}`,
  );
  return 0;
}

/** The `compare-runs` CLI command. */
export const compareRunsCommand: CommandSpec = {
  name: "compare-runs",
  summary: "Paired comparison of two cv runs on the same splits: fold-paired ΔQWK/MAE/adjacent, " +
    "bootstrap CIs, worst prompt, score tails, gate verdict.",
  flags: COMPARE_RUNS_FLAGS,
  async run(invocation) {
    const v = invocation.values;
    if (typeof v.baseline !== "string" || typeof v.candidate !== "string") {
      throw new UsageError("--baseline and --candidate (cv run directories) are required");
    }
    const resamples = v.resamples as number | undefined;
    if (resamples !== undefined && resamples < 1000) {
      throw new UsageError("--resamples must be at least 1000");
    }
    if (await isPerPromptRunDir(v.baseline)) return await comparePerPrompt(invocation, resamples);
    const unit = v["bootstrap-unit"];
    if (unit !== undefined && unit !== "prompt" && unit !== "essay") {
      throw new UsageError("--bootstrap-unit must be prompt or essay");
    }
    const r = await runCompareRuns(v.baseline, v.candidate, {
      runName: v["run-name"] as string | undefined,
      outputRoot: v["output-root"] as string | undefined,
      experimentLogPath: v["experiment-log-path"] as string | undefined,
      seed: v.seed as number | undefined,
    }, {
      argv: invocation.argv,
      resamples,
      cluster: unit as BootstrapUnit | undefined,
      baselineReplicateDirs: v["baseline-replicates"] as string[] | undefined,
      candidateReplicateDirs: v["candidate-replicates"] as string[] | undefined,
      gate: typeof v.gate === "string" ? await readGateProfile(v.gate) : undefined,
    });
    const q = r.comparison.bootstrap.qwk;
    console.log(`run directory: ${r.runDir}`);
    console.log(`report: ${r.reportPath}`);
    console.log(
      `QWK Δ ${q.delta.toFixed(4)} [${q.lower.toFixed(4)}, ${q.upper.toFixed(4)}]: ` +
        `${r.comparison.difference}`,
    );
    console.log(`gate ${r.gate.profile.name}: ${r.gate.passed ? "PASS" : "FAIL"}`);
    return 0;
  },
};
