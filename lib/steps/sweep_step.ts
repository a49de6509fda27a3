/**
 * The `sweep` and `ablation` commands over the variant machinery of `sweep.ts`: resolve the base
 * config, plan the variants, run or read them back, rank, write the summary and an
 * experiment-log entry.
 *
 * `ablation` is a sweep whose variants are the three feature sets (combined first, so one
 * combined feature store serves all three) and, optionally, `--exclude-features` groups left
 * out of the combined set.
 *
 * @module
 */
import { perPromptScaleOfConfig, refusePerPromptScale } from "../dataset/load_dataset.ts";
import { join } from "node:path";
import { type RankedVariantRow, rankedVariantsMarkdown } from "../report/comparison_report.ts";
import type { GateProfile } from "../model/evaluation/gate.ts";
import { type CommandSpec, type FlagSpec, UsageError } from "../run/cli_flags.ts";
import type { ExperimentConfig } from "../run/config.ts";
import { configFromInvocation } from "./step_config.ts";
import { type RunContext, withRun } from "../run/run_context.ts";
import { existingInputs, recordRunInExperimentLog } from "./common.ts";
import { DEFAULT_RESAMPLES, readGateProfile } from "./compare_runs.ts";
import { CV_FLAGS, type StepModelOptions, stepModelOptions } from "./model_inputs.ts";
import {
  planVariants,
  rankVariants,
  runVariants,
  SWEEP_OBJECTIVES,
  type SweepObjective,
  type VariantOutcome,
  writeSweepOutputs,
} from "./sweep.ts";
import { expandSpace, type Overrides, parseSearchSpace, type SearchSpace } from "./sweep_space.ts";
import { confirmationMarkdown, confirmWinner, type SweepConfirmation } from "./sweep_confirm.ts";
import { loadSplitsFile } from "../splits/splits_file.ts";
import {
  printPerPromptSweepResult,
  refuseUnsupportedPerPromptSweepOptions,
  runPerPromptSweep,
} from "./sweep_per_prompt_step.ts";

/** Options of {@link runSweep}. */
export interface SweepRunOptions {
  readonly step: StepModelOptions;
  readonly objective?: SweepObjective;
  /** Default `<outputRoot>/sweeps/<runName>`. */
  readonly sweepDir?: string;
  readonly gate?: GateProfile;
  readonly resamples?: number;
  readonly argv?: readonly string[];
  readonly echo?: boolean;
  /** Title and command name (`sweep` or `ablation`). */
  readonly command?: "sweep" | "ablation";
  /**
   * Fold held back from every variant and used to confirm the winner (default: the scheme's last
   * fold; null: no confirmation, every fold used for the ranking).
   */
  readonly confirmFold?: number | null;
}

/** What a sweep produced. */
export interface SweepResult {
  /** The sweep's own run directory (log, status, manifest). */
  readonly runDir: string;
  readonly sweepDir: string;
  readonly summaryPath: string;
  readonly selectedPath: string;
  readonly ranked: readonly VariantOutcome[];
  /** The winner's score on the held-back fold (null with `--confirm-fold none`). */
  readonly confirmation: SweepConfirmation | null;
}

function rowOf(o: VariantOutcome, rank: number): RankedVariantRow {
  return {
    rank,
    index: o.index,
    label: o.label,
    meanQwk: o.meanQwk,
    meanQwkCutpoints: o.meanQwkCutpoints,
    worstPromptQwk: o.worstPromptQwk,
    highBandAdjacent: o.highBandAdjacent,
    objective: o.objective,
    reused: o.reused,
    runDir: o.runDir,
    vsFirst: o.vsFirst
      ? {
        qwk: o.vsFirst.comparison.bootstrap.qwk,
        highBandAdjacent: o.vsFirst.comparison.bootstrap.highBandAdjacent,
        worstPromptQwk: o.vsFirst.comparison.bootstrap.worstPromptQwk,
        difference: o.vsFirst.comparison.difference,
        gatePassed: o.vsFirst.gate.passed,
      }
      : null,
  };
}

/**
 * Run a sweep of `variants` (overrides of the base config) as cv runs on the same splits and
 * feature store.
 *
 * @example
 * ```ts
 * const r = await runSweep(config, expandSpace(space), { step, objective: "mean_qwk" });
 * ```
 */
export async function runSweep(
  config: ExperimentConfig,
  variants: readonly Overrides[],
  options: SweepRunOptions,
): Promise<SweepResult> {
  if (!config.splitsPath) throw new UsageError("--splits-path is required (from make-splits)");
  const command = options.command ?? "sweep";
  // variants are ranked on one pooled QWK per fold, which per-prompt scales do not report: the
  // commands send per-prompt datasets to runPerPromptSweep (sweep_per_prompt_step.ts)
  refusePerPromptScale(config, command);
  const objective = options.objective ?? "mean_qwk";
  const sweepDir = options.sweepDir ?? join(config.outputRoot, `${command}s`, config.runName);
  const confirmFold = options.confirmFold === undefined
    ? await lastFold(config.splitsPath, config.scheme)
    : options.confirmFold;
  // every variant's cv holds the confirmation fold back, so the ranking never sees it
  const plan = planVariants(
    { ...config, heldBackFold: confirmFold ?? undefined },
    options.step,
    variants,
  );
  const { result } = await withRun(
    {
      command,
      config,
      argv: options.argv,
      inputPaths: await existingInputs(config),
      echo: options.echo,
    },
    async (run) => {
      run.log.info(`${command}: ${plan.length} variants in ${sweepDir}`);
      const outcomes = await run.stage("variants", () =>
        runVariants({
          run,
          sweepDir,
          objective,
          gate: options.gate,
          resamples: options.resamples ?? DEFAULT_RESAMPLES,
        }, plan));
      const ranked = rankVariants(outcomes);
      // cvTrainingInputs opens its own stages, so the confirmation is not wrapped in one
      const confirmation = confirmFold === null ? null : await confirmWinner(
        run,
        plan,
        ranked,
        config.reuseCvFeatureStoreDir ??
          join(outcomes.find((o) => o.index === 0)!.runDir, "cv_feature_store"),
        confirmFold,
        { seed: config.seed, resamples: options.resamples ?? DEFAULT_RESAMPLES },
      );
      const md = sweepSummaryMarkdown(command, objective, sweepDir, config, outcomes, ranked, {
        confirmFold,
        confirmation,
      });
      const paths = await writeSweepOutputs(sweepDir, plan, ranked, objective, md, confirmation);
      const best = ranked[0];
      run.log.info(`selected: #${best.index} ${best.label}; summary ${paths.summaryPath}`);
      await logSweepRun(run, config, objective, outcomes.length, best, confirmation, paths);
      return { runDir: run.dir, sweepDir, ...paths, ranked, confirmation };
    },
  );
  return result;
}

type Ranked = VariantOutcome[];
type Confirmation = NonNullable<Awaited<ReturnType<typeof confirmWinner>>>;

/** The sweep's ranked summary (Markdown) with how it was selected and confirmed. */
function sweepSummaryMarkdown(
  command: string,
  objective: SweepObjective,
  sweepDir: string,
  config: ExperimentConfig,
  outcomes: readonly { readonly reused: boolean }[],
  ranked: Ranked,
  c: { readonly confirmFold: number | null; readonly confirmation: Confirmation | null },
): string {
  const { confirmFold, confirmation } = c;
  const title = command === "sweep" ? "Sweep summary" : "Ablation summary";
  return rankedVariantsMarkdown(title, objective, ranked.map((o, k) => rowOf(o, k + 1)), [
    `sweep directory: \`${sweepDir}\``,
    `splits: \`${config.splitsPath}\` (scheme ${config.scheme}), the same folds and feature ` +
    "store for every variant",
    `${outcomes.filter((o) => o.reused).length} of ${outcomes.length} variants read back ` +
    "from an earlier run (resumed)",
    confirmFold === null
      ? "no confirmation fold (`--confirm-fold none`): the winner's score is its selection " +
        "score, optimistic as a best of N"
      : `fold ${confirmFold} held back from every variant (selection on the other folds, ` +
        "confirmation below)",
  ]) + (confirmation ? "\n" + confirmationMarkdown(confirmation) : "");
}

/** The sweep's experiment-log entry (winner, confirmation, Δ vs the baseline). */
async function logSweepRun(
  run: RunContext,
  config: ExperimentConfig,
  objective: SweepObjective,
  nVariants: number,
  best: Ranked[number],
  confirmation: Confirmation | null,
  paths: { readonly summaryPath: string; readonly selectedPath: string },
): Promise<void> {
  await recordRunInExperimentLog(run, config, {
    splitsPath: config.splitsPath,
    scheme: config.scheme,
    featureSet: config.featureSet,
    results: [
      { label: "variants", value: String(nVariants) },
      {
        label: `selected by ${objective}`,
        value: `#${best.index} ${best.label} (QWK ${best.meanQwk.toFixed(4)})`,
      },
      ...(confirmation
        ? [{
          label: `selected: selection QWK → confirmed QWK on held-back fold ${confirmation.fold}`,
          value: `${confirmation.winner.selectionQwk.toFixed(4)} → ` +
            `${confirmation.winner.confirmed.qwk.toFixed(4)}` +
            (confirmation.comparison
              ? ` (confirmed Δ vs #0 ${confirmation.comparison.bootstrap.qwk.delta.toFixed(4)} [${
                confirmation.comparison.bootstrap.qwk.lower.toFixed(4)
              }, ${
                confirmation.comparison.bootstrap.qwk.upper.toFixed(4)
              }]: ${confirmation.comparison.difference})`
              : ""),
        }]
        : []),
      ...(best.vsFirst
        ? [{
          label: `selected vs baseline #0 (selection folds, ${
            Math.round(best.vsFirst.comparison.bootstrap.qwk.level * 10000) / 100
          } % CI, Bonferroni over ${nVariants - 1})`,
          value: `ΔQWK ${best.vsFirst.comparison.bootstrap.qwk.delta.toFixed(4)} [` +
            `${best.vsFirst.comparison.bootstrap.qwk.lower.toFixed(4)}, ` +
            `${best.vsFirst.comparison.bootstrap.qwk.upper.toFixed(4)}]: ` +
            `${best.vsFirst.comparison.difference}; gate ${
              best.vsFirst.gate.passed ? "PASS" : "FAIL"
            }`,
        }]
        : []),
    ],
    notes: [`summary: \`${paths.summaryPath}\``, `selected params: \`${paths.selectedPath}\``],
  });
}

const SHARED_FLAGS: readonly FlagSpec[] = [
  {
    name: "objective",
    type: "string",
    configKey: null,
    description: `ranking objective: ${SWEEP_OBJECTIVES.join(" | ")} (default mean_qwk)`,
  },
  {
    name: "sweep-dir",
    type: "string",
    configKey: null,
    description: "directory of the variants and summary (default <output-root>/<command>s/" +
      "<run-name>); rerun with the same one to resume",
  },
  {
    name: "gate",
    type: "string",
    configKey: null,
    description: "gate profile JSON for the comparisons with variant #0 (default: built-in)",
  },
  {
    name: "resamples",
    type: "int",
    configKey: null,
    description: `bootstrap resamples of each comparison (default ${DEFAULT_RESAMPLES})`,
  },
  {
    name: "confirm-fold",
    type: "string",
    configKey: null,
    description: "fold held back from every variant to confirm the winner on (default: the " +
      "scheme's last fold; 'none': rank on all folds, no confirmation)",
  },
];

/** Flags of `sweep`. */
export const SWEEP_FLAGS: readonly FlagSpec[] = [
  ...CV_FLAGS,
  {
    name: "space",
    type: "string",
    configKey: null,
    description:
      "search space JSON ({mode: grid|random, samples, seed, parameters: {key: [values]}})",
  },
  ...SHARED_FLAGS,
];

/** Flags of `ablation` (`--exclude-features` of CV_FLAGS is the base; groups add variants). */
export const ABLATION_FLAGS: readonly FlagSpec[] = [
  ...CV_FLAGS,
  {
    name: "exclude-groups",
    type: "string",
    configKey: null,
    description: "extra variants: groups of handcrafted features left out of the combined set, " +
      "groups separated by ';', features by '|' (e.g. 'ttr|word_count;smog')",
  },
  ...SHARED_FLAGS,
];

async function sharedOptions(values: Readonly<Record<string, unknown>>) {
  const objective = (values.objective as string | undefined) ?? "mean_qwk";
  if (!(SWEEP_OBJECTIVES as readonly string[]).includes(objective)) {
    throw new UsageError(`--objective must be one of ${SWEEP_OBJECTIVES.join(", ")}`);
  }
  const resamples = values.resamples as number | undefined;
  if (resamples !== undefined && resamples < 1000) {
    throw new UsageError("--resamples must be at least 1000");
  }
  const confirm = values["confirm-fold"] as string | undefined;
  if (confirm !== undefined && confirm !== "none" && !/^\d+$/.test(confirm)) {
    throw new UsageError("--confirm-fold must be a fold number or 'none'");
  }
  return {
    objective: objective as SweepObjective,
    confirmFold: confirm === undefined ? undefined : confirm === "none" ? null : Number(confirm),
    sweepDir: values["sweep-dir"] as string | undefined,
    resamples,
    gate: typeof values.gate === "string" ? await readGateProfile(values.gate) : undefined,
  };
}

/** Read a search space file (`--space`). */
export async function readSearchSpace(path: string): Promise<SearchSpace> {
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new UsageError(`--space ${path}: cannot read JSON (${(error as Error).message})`);
  }
  try {
    return parseSearchSpace(value, `search space ${path}`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function printResult(r: SweepResult): number {
  console.log(`sweep directory: ${r.sweepDir}`);
  console.log(`summary: ${r.summaryPath}`);
  console.log(`selected params (--config): ${r.selectedPath}`);
  const best = r.ranked[0];
  console.log(`best: #${best.index} ${best.label} (selection QWK ${best.meanQwk.toFixed(4)})`);
  if (r.confirmation) {
    console.log(
      `confirmed on held-back fold ${r.confirmation.fold}: QWK ` +
        `${r.confirmation.winner.confirmed.qwk.toFixed(4)} (baseline ` +
        `${r.confirmation.baseline.confirmed.qwk.toFixed(4)})`,
    );
  }
  return 0;
}

/** The largest fold number of a scheme in a splits file (the default confirmation fold). */
async function lastFold(splitsPath: string, scheme: ExperimentConfig["scheme"]): Promise<number> {
  const splits = await loadSplitsFile(splitsPath);
  return Math.max(...splits.schemes[scheme].folds.map((f) => f.fold));
}

/**
 * Run a sweep from the CLI and print it: per-prompt datasets go to {@link runPerPromptSweep}
 * (after refusing the options it does not support, by name), all others to {@link runSweep}.
 */
async function dispatchSweep(
  config: ExperimentConfig,
  variants: readonly Overrides[],
  options: SweepRunOptions,
): Promise<number> {
  const pp = perPromptScaleOfConfig(config);
  if (!pp) return printResult(await runSweep(config, variants, options));
  if (!config.splitsPath) throw new UsageError("--splits-path is required (from make-splits)");
  const confirmFold = options.confirmFold === undefined
    ? await lastFold(config.splitsPath, config.scheme)
    : options.confirmFold;
  return printPerPromptSweepResult(
    await runPerPromptSweep(config, variants, {
      ...options,
      command: options.command ?? "sweep",
      confirmFold,
    }, pp),
  );
}

/** The `sweep` CLI command. */
export const sweepCommand: CommandSpec = {
  name: "sweep",
  summary: "Grid / seeded random search: every variant a cv run on the same splits and store; " +
    "ranked summary, paired comparison with the first, selected_params.json; resumable.",
  flags: SWEEP_FLAGS,
  async run(invocation) {
    const v = invocation.values;
    if (typeof v.space !== "string") {
      throw new UsageError("--space <search space JSON> is required");
    }
    const space = await readSearchSpace(v.space);
    const config = await configFromInvocation(invocation, SWEEP_FLAGS);
    if (perPromptScaleOfConfig(config)) refuseUnsupportedPerPromptSweepOptions(v);
    return dispatchSweep(config, expandSpace(space), {
      ...(await sharedOptions(v)),
      step: stepModelOptions(v),
      argv: invocation.argv,
    });
  },
};

/**
 * The ablation variants: combined (the base), handcrafted, embeddings, then one combined variant
 * per exclusion group.
 *
 * @example
 * ```ts
 * ablationVariants([["ttr", "word_count"]]).length; // 3
 * ```
 */
export function ablationVariants(groups: readonly (readonly string[])[]): Overrides[] {
  return [
    { featureSet: "handcrafted" },
    { featureSet: "embeddings", excludedFeatures: [] },
    ...groups.map((g) => ({ excludedFeatures: [...g] })),
  ];
}

/** The `ablation` CLI command. */
export const ablationCommand: CommandSpec = {
  name: "ablation",
  summary: "The three feature sets (and optional excluded-feature groups) on one store and one " +
    "set of folds, compared with compare-runs' paired statistics.",
  flags: ABLATION_FLAGS,
  async run(invocation) {
    const v = invocation.values;
    const groups = typeof v["exclude-groups"] === "string"
      ? v["exclude-groups"].split(";").map((g) => g.split("|").map((f) => f.trim()).filter(Boolean))
        .filter((g) => g.length > 0)
      : [];
    const config = await configFromInvocation(invocation, ABLATION_FLAGS);
    if (perPromptScaleOfConfig(config)) refuseUnsupportedPerPromptSweepOptions(v);
    return dispatchSweep({ ...config, featureSet: "combined" }, ablationVariants(groups), {
      ...(await sharedOptions(v)),
      step: stepModelOptions(v),
      argv: invocation.argv,
      command: "ablation",
    });
  },
};
