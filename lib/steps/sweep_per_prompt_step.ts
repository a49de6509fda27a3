/**
 * `sweep` / `ablation` on per-prompt score scales, end to end: refuse the options the per-prompt
 * comparison has no meaning for (naming them), plan the variants with the confirmation fold held
 * back, run them (`sweep_per_prompt.ts`: ranked on the mean per-prompt QWK (Fisher z) over folds,
 * each compared with #0 by the per-prompt paired bootstrap), confirm the winner on the held-back
 * fold, write the summary (`sweep_per_prompt_outputs.ts`) and the experiment-log entry.
 *
 * @module
 */
import { join } from "node:path";
import type { PerPromptScale } from "../dataset/per_prompt_scale.ts";
import { FEATURE_STORE_METADATA_FILE } from "../features/feature_store.ts";
import { PER_PROMPT_HEADLINE } from "../report/per_prompt_reports.ts";
import { UsageError } from "../run/cli_flags.ts";
import type { ExperimentConfig } from "../run/config.ts";
import { type RunContext, withRun } from "../run/run_context.ts";
import { existingInputs, recordRunInExperimentLog } from "./common.ts";
import { DEFAULT_RESAMPLES } from "./compare_runs.ts";
import type { StepModelOptions } from "./model_inputs.ts";
import { planVariants, rankVariants } from "./sweep.ts";
import type { Overrides } from "./sweep_space.ts";
import {
  confirmPerPromptWinner,
  type PerPromptSweepConfirmation,
  type PerPromptVariantOutcome,
  runPerPromptVariants,
} from "./sweep_per_prompt.ts";
import {
  PER_PROMPT_RANKING_METRIC,
  perPromptConfirmationMarkdown,
  perPromptRankedMarkdown,
  writePerPromptSweepOutputs,
} from "./sweep_per_prompt_outputs.ts";

/** Options of {@link runPerPromptSweep} (the confirmation fold already resolved). */
export interface PerPromptSweepOptions {
  readonly step: StepModelOptions;
  readonly command: "sweep" | "ablation";
  /** Fold held back from every variant to confirm the winner on (null: no confirmation). */
  readonly confirmFold: number | null;
  readonly sweepDir?: string;
  readonly resamples?: number;
  readonly argv?: readonly string[];
  readonly echo?: boolean;
}

/** What a per-prompt sweep produced. */
export interface PerPromptSweepResult {
  readonly runDir: string;
  readonly sweepDir: string;
  readonly summaryPath: string;
  readonly selectedPath: string;
  readonly ranked: readonly PerPromptVariantOutcome[];
  readonly confirmation: PerPromptSweepConfirmation | null;
}

/**
 * Refuse, naming them, the sweep / ablation options the per-prompt comparison does not support:
 * `--gate` (no gate profile) and an `--objective` other than `mean_qwk` (no pooled worst-prompt
 * or high-band figure on per-prompt scales).
 *
 * @example
 * ```ts
 * refuseUnsupportedPerPromptSweepOptions(invocation.values); // throws on --gate
 * ```
 */
export function refuseUnsupportedPerPromptSweepOptions(
  v: Readonly<Record<string, unknown>>,
): void {
  const given = [
    ...(v.gate !== undefined ? ["--gate"] : []),
    ...(v.objective !== undefined && v.objective !== "mean_qwk"
      ? [`--objective ${v.objective}`]
      : []),
  ];
  if (given.length > 0) {
    throw new UsageError(
      `${given.join(", ")}: not supported on per-prompt scales (variants are ranked on the ` +
        `${PER_PROMPT_HEADLINE} per fold and compared with the per-prompt paired bootstrap; ` +
        "no gate profile, no pooled objective)",
    );
  }
}

/**
 * Run a sweep (or ablation) of `variants` on a per-prompt dataset.
 *
 * @example
 * ```ts
 * const r = await runPerPromptSweep(config, variants, { step, command: "sweep", confirmFold: 4 }, pp);
 * r.ranked[0].meanQwk; // the winner's mean per-prompt QWK (Fisher z) over the selection folds
 * ```
 */
export async function runPerPromptSweep(
  config: ExperimentConfig,
  variants: readonly Overrides[],
  options: PerPromptSweepOptions,
  pp: PerPromptScale,
): Promise<PerPromptSweepResult> {
  const { command, confirmFold } = options;
  const sweepDir = options.sweepDir ?? join(config.outputRoot, `${command}s`, config.runName);
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
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
      run.log.info(`${command}: ${plan.length} variants in ${sweepDir} (per-prompt scales)`);
      const ctx = { run, sweepDir, objective: "mean_qwk" as const, resamples };
      const outcomes = await run.stage("variants", () => runPerPromptVariants(ctx, plan));
      const ranked = rankVariants(outcomes);
      const store = await confirmationStore(config, outcomes.find((o) => o.index === 0)!.runDir);
      const confirmation = confirmFold === null ? null : await confirmPerPromptWinner(
        run,
        plan,
        ranked,
        store,
        confirmFold,
        pp,
        { seed: config.seed, resamples },
      );
      const md = perPromptRankedMarkdown(
        command === "sweep" ? "Sweep summary" : "Ablation summary",
        ranked,
        summaryNotes(sweepDir, config, outcomes, confirmFold),
      ) + (confirmation ? "\n" + perPromptConfirmationMarkdown(confirmation) : "");
      const paths = await writePerPromptSweepOutputs(sweepDir, plan, ranked, md, confirmation);
      run.log.info(
        `selected: #${ranked[0].index} ${ranked[0].label}; summary ${paths.summaryPath}`,
      );
      await logPerPromptSweep(run, config, ranked, confirmation, paths);
      return { runDir: run.dir, sweepDir, ...paths, ranked, confirmation };
    },
  );
  return result;
}

/**
 * The store the confirmation fits read: the one variant #0 extracted when it had to (the base
 * config's store did not cover its feature set), else the base config's store.
 */
async function confirmationStore(config: ExperimentConfig, baseRunDir: string): Promise<string> {
  const own = join(baseRunDir, "cv_feature_store");
  try {
    if ((await Deno.stat(join(own, FEATURE_STORE_METADATA_FILE))).isFile) return own;
  } catch { /* no store of its own: it read the base config's */ }
  return config.reuseCvFeatureStoreDir ?? own;
}

function summaryNotes(
  sweepDir: string,
  config: ExperimentConfig,
  outcomes: readonly { readonly reused: boolean }[],
  confirmFold: number | null,
): string[] {
  return [
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
  ];
}

const f4 = (x: number | null) => (x === null ? "n/a" : x.toFixed(4));

/** The per-prompt sweep's experiment-log entry (winner, ranking metric, confirmation). */
async function logPerPromptSweep(
  run: RunContext,
  config: ExperimentConfig,
  ranked: readonly PerPromptVariantOutcome[],
  c: PerPromptSweepConfirmation | null,
  paths: { readonly summaryPath: string; readonly selectedPath: string },
): Promise<void> {
  const best = ranked[0];
  const cmp = c?.comparison;
  await recordRunInExperimentLog(run, config, {
    splitsPath: config.splitsPath,
    scheme: config.scheme,
    featureSet: config.featureSet,
    results: [
      { label: "variants", value: String(ranked.length) },
      { label: "ranked by", value: PER_PROMPT_RANKING_METRIC },
      {
        label: `selected (${PER_PROMPT_HEADLINE}, mean over folds)`,
        value: `#${best.index} ${best.label} (${best.meanQwk.toFixed(4)})`,
      },
      ...(c
        ? [{
          label:
            `selected: selection → confirmed ${PER_PROMPT_HEADLINE} on held-back fold ${c.fold}`,
          value: `${c.winner.selectionQwk.toFixed(4)} → ${f4(c.winner.confirmedQwk)}` +
            (cmp
              ? ` (confirmed Δ vs #0 ${f4(cmp.headline.delta)} [${
                cmp.bootstrap.lower.toFixed(4)
              }, ` +
                `${cmp.bootstrap.upper.toFixed(4)}]: ${cmp.difference})`
              : ""),
        }]
        : []),
    ],
    notes: [`summary: \`${paths.summaryPath}\``, `selected params: \`${paths.selectedPath}\``],
  });
}

/**
 * Print a per-prompt sweep's result on the terminal; the exit code (0).
 *
 * @example
 * ```ts
 * return printPerPromptSweepResult(await runPerPromptSweep(config, variants, options, pp));
 * ```
 */
export function printPerPromptSweepResult(r: PerPromptSweepResult): number {
  console.log(`sweep directory: ${r.sweepDir}`);
  console.log(`summary: ${r.summaryPath}`);
  console.log(`selected params (--config): ${r.selectedPath}`);
  const best = r.ranked[0];
  console.log(
    `best: #${best.index} ${best.label} (selection ${PER_PROMPT_HEADLINE} ` +
      `${best.meanQwk.toFixed(4)})`,
  );
  if (r.confirmation) {
    console.log(
      `confirmed on held-back fold ${r.confirmation.fold}: ${PER_PROMPT_HEADLINE} ` +
        `${f4(r.confirmation.winner.confirmedQwk)} (baseline ` +
        `${f4(r.confirmation.baseline.confirmedQwk)})`,
    );
  }
  return 0;
}
