/**
 * Runbook step 2, `make-splits`: reusable, leak-safe split definitions for `cv`, `drop-column`
 * and `run`, computed on the (prepared) official **train** set only.
 *
 * Reads the train/test CSVs through the dataset loader, applies the same filters as
 * `prepare-dataset` (idempotent on prepared CSVs), builds the `stratified_text` and
 * `prompt_holdout` folds and the `run` train/val split (`lib/splits/`), and writes
 * `<run>/artifacts/splits.json` and `<run>/reports/splits_report.md`. An impossible request (a
 * class or prompt count below `--n-splits`) fails the run with a message naming the class or
 * prompts and the counts. A class with fewer essays than folds is, by default, stratified
 * together with its neighbour (`mergeRareClasses`); that is never silent: a warning in `run.log`
 * and on the terminal, and the merge in `splits.json`, the report and the experiment log.
 * `--strict-classes` makes such a class an error instead.
 *
 * @module
 */
import { basename } from "node:path";
import type { ExperimentConfig } from "../run/config.ts";
import { type CommandSpec, DATASET_FLAGS, type FlagSpec, UsageError } from "../run/cli_flags.ts";
import type { RareClassPolicy } from "../splits/overall_class.ts";
import { configFromInvocation } from "./step_config.ts";
import { writeFileAtomic } from "../run/atomic_write.ts";
import { type RunContext, withRun } from "../run/run_context.ts";
import type { Essay } from "../dataset/essay.ts";
import { describeScore, type ScoreScale } from "../dataset/score_scale.ts";
import { DatasetError } from "../dataset/csv_table.ts";
import { normalisedTextHash } from "../dataset/text_hash.ts";
import {
  datasetInputPaths,
  perPromptScaleOfConfig,
  scaleOfConfig,
} from "../dataset/load_dataset.ts";
import { describeDatasetScale, gridLevelName } from "../dataset/per_prompt_scale.ts";
import { buildSplitsFile } from "../splits/build_splits.ts";
import {
  loadSplitsFile,
  serializeSplitsFile,
  type SplitsFile,
  splitsScale,
  verifySplitsMatchDataset,
} from "../splits/splits_file.ts";
import { schemeBalance, splitsReportMarkdown } from "../splits/splits_report.ts";
import { existingInputs, recordRunInExperimentLog } from "./common.ts";
import { loadAndFilterStages } from "./prepare_dataset.ts";

/** Flags of `make-splits`: the dataset flags plus `--n-splits` and the rare-class policy. */
export const MAKE_SPLITS_FLAGS: readonly FlagSpec[] = [
  ...DATASET_FLAGS,
  { name: "n-splits", type: "int", description: "number of CV folds per scheme" },
  {
    name: "strict-classes",
    type: "boolean",
    configKey: null,
    description: "fail on a class with fewer essays than folds instead of stratifying it " +
      "together with its neighbour (the default, always logged and recorded in splits.json)",
  },
  {
    name: "merge-rare-classes",
    type: "boolean",
    configKey: null,
    description: "stratify rare classes together with their neighbour: the default, kept so " +
      "older command lines still run",
  },
];

/**
 * The rare-class policy of `--strict-classes` / `--merge-rare-classes` (default `merge`).
 *
 * @example
 * ```ts
 * rareClassPolicyFromFlags({ "strict-classes": true }); // "strict"
 * ```
 */
export function rareClassPolicyFromFlags(
  values: Readonly<Record<string, unknown>>,
): RareClassPolicy {
  const strict = values["strict-classes"] === true;
  if (strict && values["merge-rare-classes"] === true) {
    throw new UsageError("--strict-classes and --merge-rare-classes contradict each other");
  }
  return strict ? "strict" : "merge";
}

/**
 * One warning line per merge recorded in `splits`: what was merged into what, where, and how to
 * refuse it instead. Levels are named by `describe` (default: the splits' score scale; on
 * per-prompt scales pass {@link gridLevelName}).
 *
 * @example
 * ```ts
 * for (const line of classMergeWarnings(splits)) run.log.warn(line);
 * ```
 */
export function classMergeWarnings(
  splits: SplitsFile,
  describe: (y: number) => string = (y) => describeScore(splitsScale(splits), y),
): string[] {
  const line = (where: string, m: SplitsFile["run_split"]["class_merges"][number]) =>
    `WARNING rare class: ${describe(m.overall)} (${m.n_essays} ` +
    `essay${m.n_essays === 1 ? "" : "s"}) stratified together with ` +
    `${describe(m.stratified_with)} in ${where} (labels unchanged; ` +
    "--strict-classes to refuse)";
  return [
    ...splits.schemes.stratified_text.class_merges.map((m) =>
      line(`the ${splits.n_splits} stratified_text folds`, m)
    ),
    ...splits.run_split.class_merges.map((m) => line("the run train/val split", m)),
  ];
}

/** What `make-splits` produced. */
export interface MakeSplitsResult {
  readonly runDir: string;
  readonly splitsPath: string;
  readonly reportPath: string;
  readonly splits: SplitsFile;
  /** The rare-class merge warnings ({@link classMergeWarnings}), levels named on the dataset's scale. */
  readonly warnings: readonly string[];
  /** Largest |fold class share − overall share| per scheme (fraction, not percent). */
  readonly maxClassShareDeviation: {
    readonly stratified_text: number;
    readonly prompt_holdout: number;
  };
}

/**
 * Run `make-splits` with a resolved config.
 *
 * @example
 * ```ts
 * const result = await makeSplits(resolveExperimentConfig(undefined, { runName: "splits" }));
 * result.splits.schemes.stratified_text.folds.length; // 5
 * ```
 */
export async function makeSplits(
  config: ExperimentConfig,
  options: { argv?: readonly string[]; echo?: boolean; rareClasses?: RareClassPolicy } = {},
): Promise<MakeSplitsResult> {
  const existing = await existingInputs({ ...config, splitsPath: undefined });
  const { result } = await withRun(
    {
      command: "make-splits",
      config,
      argv: options.argv,
      inputPaths: existing,
      echo: options.echo,
    },
    async (run) => {
      const { filtered } = await loadAndFilterStages(run, config);
      const pp = perPromptScaleOfConfig(config);
      const gridNote = pp
        ? `Per-prompt scales (${describeDatasetScale(pp)}): every score above is a level of ` +
          `the common training grid 0–${pp.gridSize} (a prompt's level k is k·${pp.gridSize} / ` +
          "(its levels − 1)), on which the folds are stratified."
        : null;
      if (gridNote) run.log.info(gridNote);

      const splits = await buildSplitsStage(run, config, filtered.train.kept, {
        rareClasses: options.rareClasses,
        // one scale, or on per-prompt scales the common grid 0…L the labels are on
        scale: scaleOfConfig(config),
      });
      const balance = {
        stratified_text: schemeBalance(splits, "stratified_text"),
        prompt_holdout: schemeBalance(splits, "prompt_holdout"),
      };
      for (const [scheme, b] of Object.entries(balance)) {
        run.log.info(
          `${scheme}: fold sizes ${b.parts.map((p) => p.nVal).join("/")}, max class-share ` +
            `deviation ${(100 * b.maxAbsDeviation.value).toFixed(2)} pp`,
        );
      }
      const warnings = classMergeWarnings(
        splits,
        pp ? (y) => gridLevelName(pp, y) : undefined,
      );
      for (const warning of warnings) run.log.warn(warning);

      const splitsPath = run.artifactPath("splits.json");
      await run.stage("write_splits", async () => {
        await writeFileAtomic(splitsPath, serializeSplitsFile(splits));
        // Read back through the consumer's path: schema, invariants and dataset match.
        verifySplitsMatchDataset(await loadSplitsFile(splitsPath), filtered.train.kept, splitsPath);
        run.log.info(`splits: ${splitsPath}`);
      });
      const reportPath = run.reportPath("splits_report.md");
      await run.stage("splits_report", async () => {
        const testTextHashes = new Set(filtered.test.kept.map((e) => normalisedTextHash(e.text)));
        await writeFileAtomic(
          reportPath,
          splitsReportMarkdown(splits, {
            splitsPath,
            testTextHashes,
            allowGenreMix: config.allowGenreMix,
          }) + (gridNote ? `\n${gridNote}\n` : ""),
        );
        run.log.info(`report: ${reportPath}`);
      });
      await logSplitsRun(run, config, splits, splitsPath, reportPath, warnings);
      return {
        runDir: run.dir,
        splitsPath,
        reportPath,
        splits,
        warnings,
        maxClassShareDeviation: {
          stratified_text: balance.stratified_text.maxAbsDeviation.value,
          prompt_holdout: balance.prompt_holdout.maxAbsDeviation.value,
        },
      };
    },
  );
  return result;
}

/** The `build_splits` stage: both schemes' folds over the filtered train essays. */
async function buildSplitsStage(
  run: RunContext,
  config: ExperimentConfig,
  essays: readonly Essay[],
  opts: { rareClasses?: RareClassPolicy; scale: ScoreScale },
): Promise<SplitsFile> {
  const [trainPath, testPathOrNone] = datasetInputPaths(config);
  const testPath = testPathOrNone ?? trainPath;
  const shaOf = (path: string) => {
    const record = run.manifest.inputs.find((i) => i.path === path);
    if (record === undefined) throw new Error(`no sha256 recorded for input ${path}`);
    return record.sha256;
  };
  return await run.stage("build_splits", () => {
    try {
      return buildSplitsFile({
        essays: essays,
        seed: config.seed,
        nSplits: config.nSplits,
        rareClasses: opts.rareClasses ?? "merge",
        scale: opts.scale,
        datasetName: config.dataset?.name,
        createdFrom: {
          dataset_kind: config.datasetKind,
          train_file: basename(trainPath),
          train_sha256: shaOf(trainPath),
          test_file: basename(testPath),
          test_sha256: shaOf(testPath),
        },
        filters: {
          min_words: config.minWords,
          max_words: config.maxWords,
          excluded_prompts: [...config.ellipseExcludedPrompts],
        },
      });
    } catch (error) {
      throw new DatasetError(
        trainPath,
        `cannot make ${config.nSplits}-fold splits of the ${essays.length} ` +
          `filtered train essays: ${(error as Error).message}`,
      );
    }
  });
}

/** The `make-splits` experiment-log entry (fold sizes' balance, rare-class merges). */
async function logSplitsRun(
  run: RunContext,
  config: ExperimentConfig,
  splits: SplitsFile,
  splitsPath: string,
  reportPath: string,
  warnings: readonly string[],
): Promise<void> {
  const balance = {
    stratified_text: schemeBalance(splits, "stratified_text"),
    prompt_holdout: schemeBalance(splits, "prompt_holdout"),
  };
  await recordRunInExperimentLog(run, config, {
    splitsPath,
    scheme: "stratified_text|prompt_holdout",
    results: [
      {
        label: "essays split (filtered train)",
        value: `${splits.n_essays} in ${splits.n_splits} folds`,
      },
      {
        label: "max fold class-share deviation (pp)",
        value: `stratified_text ${pp(balance.stratified_text.maxAbsDeviation.value)}, ` +
          `prompt_holdout ${pp(balance.prompt_holdout.maxAbsDeviation.value)}`,
      },
    ],
    notes: [
      ...(warnings.length > 0
        ? [`Rare classes merged (policy \`merge\`): ${warnings.length} merge(s)`, ...warnings]
        : [`Rare classes: policy \`${splits.rare_classes}\`, no merge`]),
      `Splits report: \`${reportPath}\``,
    ],
  });
}

function pp(x: number): string {
  return (100 * x).toFixed(2);
}

/** The `make-splits` CLI command. */
export const makeSplitsCommand: CommandSpec = {
  name: "make-splits",
  summary: "Write leak-safe CV folds (stratified_text, prompt_holdout) and the run train/val " +
    "split of the filtered official train set to splits.json, plus the splits report.",
  flags: MAKE_SPLITS_FLAGS,
  async run(invocation) {
    const config = await configFromInvocation(invocation, MAKE_SPLITS_FLAGS);
    const result = await makeSplits(config, {
      argv: invocation.argv,
      rareClasses: rareClassPolicyFromFlags(invocation.values),
    });
    console.log(`run directory: ${result.runDir}`);
    console.log(`splits: ${result.splitsPath}`);
    console.log(`report: ${result.reportPath}`);
    for (const warning of result.warnings) console.log(warning);
    console.log(
      `max fold class-share deviation: stratified_text ` +
        `${pp(result.maxClassShareDeviation.stratified_text)} pp, prompt_holdout ` +
        `${pp(result.maxClassShareDeviation.prompt_holdout)} pp`,
    );
    return 0;
  },
};
