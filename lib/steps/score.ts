/**
 * `score`: apply the model bundle a `run` wrote (`<run>/artifacts/model/`) to new essays.
 *
 * Stages: the bundle is read and verified (sha256 of every file, zod schemas) before the run
 * directory opens; then `load_input` (any CSV with an id and a text column, see
 * `dataset/scoring_csv.ts`), `check_extractor` (the extractor of `--backend` must have the
 * bundle's fingerprint and handcrafted schema, else the run fails saying which differs),
 * `features_feature_store_score` (same extractor and feature store as every step; or a finished
 * store via `--reuse-feature-store-dir`), `predict` (stacking models + learner of the bundle;
 * essays without a prompt get the prompt-dependent features' training means), `explain` (with
 * `--explain`: exact SHAP, top contributions per essay), `write_outputs`.
 *
 * Outputs: `artifacts/predictions.csv` (also copied to `--output`): id, prompt, words, raw
 * prediction, half-point score, cut-point score, flags (outside the training word window, no or
 * unseen prompt) and, with `--explain`, the SHAP base value and top contributions;
 * `artifacts/shap_scored.json` (all SHAP values, with `--explain`); `artifacts/score_summary.json`;
 * `reports/score_report.md`; an experiment-log entry.
 *
 * @module
 */
import { assertEncoderLanguage } from "./step_config.ts";
import { join, resolve } from "node:path";
import { stringify } from "csv-stringify/sync";
import {
  type EssayToScore,
  loadScoringCsv,
  type ScoringColumns,
  type ScoringInput,
} from "../dataset/scoring_csv.ts";
import { DatasetManifestSchema } from "../dataset/manifest.ts";
import { countWords } from "../dataset/words.ts";
import { extractWithStore } from "../features/store_extraction.ts";
import {
  HANDCRAFTED_FEATURE_NAMES,
  HANDCRAFTED_SCHEMA_VERSION,
} from "../features/handcrafted/schema.ts";
import type { ExtractedFeatures, FeatureExtractor } from "../features/types.ts";
import {
  BUNDLE_INDEX_FILE,
  checkBundleExtractor,
  type ModelBundle,
} from "../model/bundle/bundle.ts";
import { readModelBundle } from "../model/bundle/bundle_io.ts";
import {
  type Contribution,
  essayFlags,
  fillPromptFeatures,
  topContributions,
} from "../model/bundle/bundle_scoring.ts";
import type { PipelineShap } from "../model/pipeline/pipeline_shap.ts";
import type { PipelinePrediction } from "../model/pipeline/scoring_pipeline.ts";
import type { ShapResult } from "../model/learners/tree_shap.ts";
import { createExtractorForConfig } from "../offload/backend.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import {
  type CommandSpec,
  configOverridesFromFlags,
  type FlagSpec,
  UsageError,
} from "../run/cli_flags.ts";
import { type ExperimentConfig, resolveExperimentConfig } from "../run/config.ts";
import { appendExperimentLogEntry } from "../run/experiment_log.ts";
import { type RunContext, withRun } from "../run/run_context.ts";
import { experimentLogEntryForRun } from "./common.ts";
import { featureSetMatrix, type PromptColumns } from "./model_inputs.ts";
import { promptsOfColumnNames } from "../model/pipeline/prompt_columns.ts";
import { MODEL_BUNDLE_DIR } from "./model_bundle.ts";
import { scoreReportMarkdown, type ScoreSummary, scoreSummaryOf } from "./score_report.ts";
import { predictionColumns, predictionRows } from "./score_output.ts";
import {
  bundlePerPromptScale,
  checkScoredPrompts,
  perPromptPredictionColumns,
  perPromptPredictionRows,
  perPromptScoreSummary,
} from "./score_per_prompt.ts";

/** Flags of `score`. */
export const SCORE_FLAGS: readonly FlagSpec[] = [
  {
    name: "model-dir",
    type: "string",
    configKey: null,
    description: "run directory of a `run` (or its artifacts/model/ bundle directory)",
  },
  { name: "input", type: "string", configKey: null, description: "CSV of essays to score" },
  {
    name: "output",
    type: "string",
    configKey: null,
    description: "also write the predictions CSV here (always in <run>/artifacts/predictions.csv)",
  },
  {
    name: "id-column",
    type: "string",
    configKey: null,
    description: "id column (default: the bundle manifest's; ELLIPSE: text_id_kaggle)",
  },
  {
    name: "text-column",
    type: "string",
    configKey: null,
    description: "essay text column (default: the bundle manifest's; ELLIPSE: full_text)",
  },
  {
    name: "prompt-column",
    type: "string",
    configKey: null,
    description:
      "prompt column (default: the bundle manifest's, when the file has it; ELLIPSE: prompt)",
  },
  {
    name: "prompt",
    type: "string",
    configKey: null,
    description: "prompt of every essay without one (else prompt features = training means)",
  },
  {
    name: "label-column",
    type: "string",
    configKey: null,
    description: "human scores to compare with (default: the bundle manifest's score column, " +
      "when the file has it; ELLIPSE: Overall)",
  },
  { name: "explain", type: "boolean", configKey: null, description: "top SHAP contributions" },
  {
    name: "explain-top",
    type: "int",
    configKey: null,
    description: "contributions per essay with --explain (default: 5)",
  },
  {
    name: "reuse-feature-store-dir",
    type: "string",
    configKey: null,
    description: "take features from a finished feature store that covers the essays " +
      "(refused on fingerprint/schema mismatch), e.g. <run>/feature_store_test",
  },
  { name: "backend", type: "string", description: "local | hemma (feature extraction)" },
  { name: "offload-service-url", type: "string", description: "Hemma offload server URL" },
  { name: "embedding-service-url", type: "string", description: "remote /v1/embed URL" },
  { name: "language-tool-service-url", type: "string", description: "LanguageTool URL" },
  {
    name: "checker",
    type: "string",
    description: "auto | languagetool | local (default: as the bundle's training run resolved it)",
  },
  {
    name: "extraction-workers",
    type: "int",
    configKey: null,
    description: "Web Workers for local extraction (default: min(2, cores); 0 = calling thread)",
  },
  { name: "run-name", type: "string", description: "run name (directory suffix; default score)" },
  { name: "output-root", type: "string", description: "where run directories go" },
  { name: "experiment-log-path", type: "string", description: "append-only experiment log" },
  { name: "heartbeat-minutes", type: "number", description: "fault.log heartbeat period" },
];

/** What `score` is asked to do. */
export interface ScoreOptions {
  /** A run directory, or the bundle directory itself. */
  readonly modelDir: string;
  readonly input: string;
  readonly output?: string;
  readonly columns?: {
    readonly idColumn?: string;
    readonly textColumn?: string;
    readonly promptColumn?: string;
    readonly labelColumn?: string;
  };
  /** Prompt for essays without one. */
  readonly prompt?: string;
  readonly explain?: boolean;
  /** Contributions per essay (default 5). */
  readonly explainTop?: number;
  readonly reuseFeatureStoreDir?: string;
  readonly extractionWorkers?: number;
  /** Config keys of the scoring run itself (run name, output root, backend, service URLs …). */
  readonly overrides?: Partial<Record<keyof ExperimentConfig, unknown>>;
  readonly argv?: readonly string[];
  readonly echo?: boolean;
  /** Use this extractor instead of the one `--backend` builds (tests). */
  readonly extractor?: FeatureExtractor;
}

/** What `score` produced. */
export interface ScoreResult {
  readonly runDir: string;
  readonly predictionsPath: string;
  readonly outputPath: string | null;
  readonly reportPath: string;
  readonly summary: ScoreSummary;
  readonly ids: readonly string[];
  readonly predictions: PipelinePrediction;
}

/**
 * The bundle directory of `--model-dir`: `<dir>/artifacts/model/` of a run directory, or `<dir>`
 * when it is a bundle directory itself.
 */
export async function resolveBundleDir(modelDir: string): Promise<string> {
  for (const dir of [join(modelDir, "artifacts", MODEL_BUNDLE_DIR), modelDir]) {
    try {
      await Deno.stat(join(dir, BUNDLE_INDEX_FILE));
      return dir;
    } catch { /* try the next */ }
  }
  throw new UsageError(
    `--model-dir ${modelDir}: no model bundle (expected ${
      join(modelDir, "artifacts", MODEL_BUNDLE_DIR, BUNDLE_INDEX_FILE)
    }, written by \`run\`; runs made before the bundle existed must be re-run)`,
  );
}

/** The scoring run's config: the bundle's training config with the scoring run's own keys. */
export function scoreConfig(
  bundle: ModelBundle,
  overrides: Partial<Record<keyof ExperimentConfig, unknown>> = {},
): ExperimentConfig {
  const {
    reuseCvFeatureStoreDir: _r,
    splitsPath: _s,
    runName: _n,
    backend: _b,
    offloadServiceUrl: _o,
    embeddingServiceUrl: _e,
    languageToolServiceUrl: _l,
    ...training
  } = bundle.meta.training.config;
  try {
    return resolveExperimentConfig(training, { runName: "score", ...overrides });
  } catch (error) {
    throw new UsageError(`score: ${(error as Error).message}`);
  }
}

interface ExtractorUse {
  readonly extractor: FeatureExtractor;
  readonly description: string;
  finish(run: RunContext): Promise<void>;
}

async function openExtractor(
  run: RunContext,
  config: ExperimentConfig,
  options: ScoreOptions,
): Promise<ExtractorUse> {
  if (options.extractor) {
    return { extractor: options.extractor, description: "injected", finish: async () => {} };
  }
  assertEncoderLanguage(config);
  const handle = await createExtractorForConfig(config, {
    log: (l) => run.log.info(l),
    local: options.extractionWorkers === undefined
      ? undefined
      : { workers: options.extractionWorkers },
  });
  return {
    extractor: handle.extractor,
    description: handle.backend === "hemma"
      ? `hemma ${handle.services.offload}`
      : `local${handle.services.embedding ? ` + encoder ${handle.services.embedding}` : ""}${
        handle.services.languageTool ? ` + LanguageTool ${handle.services.languageTool}` : ""
      }`,
    finish: async (r) => {
      r.log.info(`offload metrics: ${await handle.writeMetrics(r.artifactPath(""))}`);
      await handle.close();
    },
  };
}

async function scoreFeatures(
  run: RunContext,
  config: ExperimentConfig,
  bundle: ModelBundle,
  essays: readonly EssayToScore[],
  options: ScoreOptions,
): Promise<ExtractedFeatures> {
  const use = await run.stage("check_extractor", async () => {
    const use = await openExtractor(run, config, options);
    try {
      checkBundleExtractor(bundle.meta, {
        fingerprint: use.extractor.fingerprint,
        handcraftedSchemaVersion: HANDCRAFTED_SCHEMA_VERSION,
        handcraftedFeatureNames: HANDCRAFTED_FEATURE_NAMES,
        description: use.description,
      });
    } catch (error) {
      await use.finish(run);
      throw error;
    }
    run.log.info(`extractor ${use.description}: fingerprint matches the bundle`);
    return use;
  });
  try {
    return await run.stage("features_feature_store_score", () =>
      extractWithStore({
        // the prompt text of essays without one does not matter: its features are replaced
        essays: essays.map((e) => ({ id: e.id, text: e.text, prompt: e.prompt ?? "" })),
        extractor: use.extractor,
        storeDir: join(run.dir, "feature_store_score"),
        reuseDir: options.reuseFeatureStoreDir,
        featureSet: bundle.meta.feature_set,
        onProgress: (stage, done, total) => run.progress(stage, done, total),
        onLog: (l) => run.log.info(l),
      }));
  } finally {
    await use.finish(run);
  }
}

/** The training dataset's language (BCP 47), or undefined for ELLIPSE (English). */
function bundleLanguage(bundle: ModelBundle): string | undefined {
  const dataset = DatasetManifestSchema.safeParse(bundle.meta.training.config.dataset);
  return dataset.success ? dataset.data.language : undefined;
}

function predictEssays(
  bundle: ModelBundle,
  essays: readonly EssayToScore[],
  features: ExtractedFeatures,
): PipelinePrediction {
  const { meta, pipeline } = bundle;
  const language = DatasetManifestSchema.safeParse(meta.training.config.dataset);
  const m = featureSetMatrix(
    features,
    meta.feature_set,
    meta.excluded_features,
    language.success
      ? { tag: language.data.language, texts: essays.map((e) => e.text) }
      : undefined,
    promptColumnsOfBundle(pipeline.inputFeatureNames, essays),
  );
  if (m.names.join("\u0000") !== pipeline.inputFeatureNames.join("\u0000")) {
    throw new Error(
      "score: the extracted feature columns differ from the bundle's input_feature_names",
    );
  }
  const noPrompt = essays.flatMap((e, i) => e.prompt === null ? [i] : []);
  const X = fillPromptFeatures(bundle, m.X, noPrompt);
  return pipeline.predict({ X, texts: essays.map((e) => e.text) });
}

/**
 * The prompt-identity columns the bundle's pipeline was fitted with (its input names record
 * them; none for single-scale bundles). Essays reach here with a prompt of the bundle's scale
 * table (`checkScoredPrompts` refused the others).
 */
function promptColumnsOfBundle(
  inputFeatureNames: readonly string[],
  essays: readonly EssayToScore[],
): PromptColumns | undefined {
  const prompts = promptsOfColumnNames(inputFeatureNames);
  return prompts.length === 0 ? undefined : { prompts, essayPrompts: essays.map((e) => e.prompt) };
}

async function writeShapScored(
  run: RunContext,
  file: string,
  s: { readonly shap: ShapResult; readonly method: string },
  names: readonly string[],
  essays: readonly EssayToScore[],
  predictions: Float64Array,
): Promise<void> {
  const values: number[][] = [];
  for (let r = 0; r < s.shap.nRows; r++) {
    values.push(Array.from(s.shap.values.subarray(r * names.length, (r + 1) * names.length)));
  }
  await writeJsonAtomic(run.artifactPath(file), {
    schema_version: 1,
    method: s.method,
    base_value: s.shap.expectedValue,
    feature_names: names,
    ids: essays.map((e) => e.id),
    predictions: Array.from(predictions),
    values,
  });
  run.log.info(`SHAP ${file} (${s.method}): base ${s.shap.expectedValue.toFixed(4)}`);
}

/**
 * `--explain`: exact SHAP of the final score (`shap_scored.json`, and the top contributions in
 * the CSV) and of the learner alone (`learner_shap_scored.json`).
 */
async function explainStage(
  run: RunContext,
  bundle: ModelBundle,
  essays: readonly EssayToScore[],
  p: PipelinePrediction,
  k: number,
): Promise<{ base: number; top: Contribution[][] } | null> {
  return await run.stage("explain", async () => {
    const { pipeline } = bundle;
    const learner: PipelineShap = pipeline.explainLearner(p.modelX);
    if (learner.shap === null) {
      run.log.warn(`--explain: SHAP not computed: ${learner.reason}`);
      return null;
    }
    const final = pipeline.explain(p);
    if (final.shap === null) throw new Error("score: final-score SHAP missing");
    const names = pipeline.modelFeatureNames;
    await writeShapScored(run, "shap_scored.json", final, names, essays, p.raw);
    await writeShapScored(run, "learner_shap_scored.json", learner, names, essays, p.learner);
    return {
      base: final.shap.expectedValue,
      top: topContributions(final.shap, names, Math.min(k, names.length)),
    };
  });
}

interface WrittenOutputs {
  readonly predictionsPath: string;
  readonly outputPath: string | null;
}

async function writeOutputs(
  run: RunContext,
  bundle: ModelBundle,
  input: ScoringInput,
  p: PipelinePrediction,
  flags: readonly string[][],
  explained: { base: number; top: Contribution[][] } | null,
  output: string | undefined,
): Promise<WrittenOutputs> {
  return await run.stage("write_outputs", async () => {
    const hasLabels = input.columns.label !== null;
    const topK = explained ? (explained.top[0]?.length ?? 0) : null;
    const scale = bundle.pipeline.scale;
    const language = bundleLanguage(bundle);
    const pp = bundlePerPromptScale(bundle);
    const csv = pp
      ? stringify(
        perPromptPredictionRows(input.essays, p, flags, hasLabels, explained, pp, language),
        { header: true, columns: perPromptPredictionColumns(hasLabels, topK) },
      )
      : stringify(predictionRows(input.essays, p, flags, hasLabels, explained, scale, language), {
        header: true,
        columns: predictionColumns(hasLabels, topK),
      });
    const predictionsPath = run.artifactPath("predictions.csv");
    await writeFileAtomic(predictionsPath, csv);
    if (output) await writeFileAtomic(output, csv);
    run.log.info(`predictions: ${predictionsPath}${output ? ` and ${output}` : ""}`);
    return { predictionsPath, outputPath: output ?? null };
  });
}

async function logScoreRun(
  run: RunContext,
  config: ExperimentConfig,
  options: ScoreOptions,
  bundleDir: string,
  summary: ScoreSummary,
): Promise<void> {
  if (config.datasetKind === "ielts") {
    run.log.warn("experiment log: not recorded (the bundle was trained on blocked IELTS data)");
    return;
  }
  const entry = experimentLogEntryForRun(run, config, {
    featureSet: config.featureSet,
    results: [
      { label: "essays scored", value: String(summary.n) },
      { label: "flagged", value: JSON.stringify(summary.flagCounts) },
      ...(summary.labelled
        ? [{ label: "QWK vs labels", value: summary.labelled.metrics.qwk.toFixed(5) }]
        : []),
      ...(summary.perPromptLabelled
        ? [{
          label: "mean per-prompt QWK (Fisher z) vs labels",
          value: fisherZText(summary.perPromptLabelled.evaluation.mean_per_prompt_qwk_fisher_z),
        }]
        : []),
    ],
    notes: [
      `model bundle: \`${bundleDir}\` (trained in \`${summary.trainingRunDir}\`)`,
      `Score report: \`${run.reportPath("score_report.md")}\``,
    ],
  });
  await appendExperimentLogEntry(config.experimentLogPath, {
    ...entry,
    datasetFiles: [options.input],
  });
  run.log.info(`experiment log: entry appended to ${config.experimentLogPath}`);
}

/**
 * Score the essays of a CSV with a run's model bundle.
 *
 * @example
 * ```ts
 * const r = await runScore({ modelDir: "output/essay_scoring/<run>", input: "new.csv" });
 * r.predictionsPath; // "<score run>/artifacts/predictions.csv"
 * ```
 */
export async function runScore(options: ScoreOptions): Promise<ScoreResult> {
  const bundleDir = await resolveBundleDir(options.modelDir);
  const bundle = await readModelBundle(bundleDir);
  const config = scoreConfig(bundle, options.overrides);
  const pp = bundlePerPromptScale(bundle); // per-prompt scales: each essay on its prompt's scale
  const { result } = await withRun(
    {
      command: "score",
      config,
      argv: options.argv,
      // a missing input is reported by the loader inside the run, with the file named
      inputPaths: [
        ...(await Deno.stat(options.input).then(() => [options.input], () => [])),
        join(bundleDir, BUNDLE_INDEX_FILE),
      ],
      echo: options.echo,
    },
    async (run) => {
      run.log.info(
        `model bundle: ${resolve(bundleDir)} (${bundle.pipeline.learner.name}, ` +
          `${bundle.meta.feature_set}, trained in ${bundle.meta.training.run_dir})`,
      );
      const input = await run.stage(
        "load_input",
        () =>
          loadScoringCsv(
            options.input,
            scoringColumnsOf(bundle, options.columns),
            pp ?? bundle.pipeline.scale,
          ),
      );
      const essays = options.prompt === undefined ? input.essays : input.essays.map((e) => (
        e.prompt === null ? { ...e, prompt: options.prompt! } : e
      ));
      if (pp) checkScoredPrompts(input, essays, pp);
      run.log.info(`${essays.length} essays from ${options.input}`);
      const features = await scoreFeatures(run, config, bundle, essays, options);
      const p = await run.stage("predict", () => predictEssays(bundle, essays, features));
      const flags = essays.map((e) =>
        essayFlags(bundle.meta, {
          words: countWords(e.text, bundleLanguage(bundle)),
          prompt: e.prompt,
        })
      );
      const explained = options.explain
        ? await explainStage(run, bundle, essays, p, options.explainTop ?? 5)
        : null;
      const written = await writeOutputs(
        run,
        bundle,
        { ...input, essays },
        p,
        flags,
        explained,
        options.output,
      );
      const summary = pp
        ? perPromptScoreSummary(bundle, essays, p, flags, pp)
        : scoreSummaryOf(bundle, essays, p, flags);
      await writeJsonAtomic(run.artifactPath("score_summary.json"), summary);
      const reportPath = run.reportPath("score_report.md");
      await writeFileAtomic(
        reportPath,
        scoreReportMarkdown(summary, { bundleDir, input: options.input, ...written }),
      );
      await logScoreRun(run, config, options, bundleDir, summary);
      return {
        runDir: run.dir,
        reportPath,
        summary,
        ids: essays.map((e) => e.id),
        predictions: p,
        ...written,
      };
    },
  );
  return result;
}

function fisherZText(x: number | null): string {
  return x === null ? "n/a" : x.toFixed(4);
}

function optionalString(values: Readonly<Record<string, unknown>>, name: string) {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** The `score` CLI command. */
export const scoreCommand: CommandSpec = {
  name: "score",
  summary: "Score new essays (CSV) with the model bundle of a `run`: raw, rounded (to the " +
    "scale) and cut-point scores, flags, optional SHAP explanations.",
  flags: SCORE_FLAGS,
  async run(invocation) {
    const v = invocation.values;
    const modelDir = optionalString(v, "model-dir");
    const input = optionalString(v, "input");
    if (!modelDir) throw new UsageError("--model-dir is required (the run directory of a `run`)");
    if (!input) throw new UsageError("--input is required (a CSV with an id and a text column)");
    const top = v["explain-top"];
    if (top !== undefined && (typeof top !== "number" || top < 1)) {
      throw new UsageError("--explain-top must be ≥ 1");
    }
    const workers = v["extraction-workers"];
    if (workers !== undefined && (typeof workers !== "number" || workers < 0)) {
      throw new UsageError("--extraction-workers must be ≥ 0");
    }
    const r = await runScore({
      modelDir,
      input,
      output: optionalString(v, "output"),
      columns: {
        idColumn: optionalString(v, "id-column"),
        textColumn: optionalString(v, "text-column"),
        promptColumn: optionalString(v, "prompt-column"),
        labelColumn: optionalString(v, "label-column"),
      },
      prompt: optionalString(v, "prompt"),
      explain: v["explain"] === true,
      explainTop: top as number | undefined,
      reuseFeatureStoreDir: optionalString(v, "reuse-feature-store-dir"),
      extractionWorkers: workers as number | undefined,
      overrides: configOverridesFromFlags(v, SCORE_FLAGS) as Partial<
        Record<keyof ExperimentConfig, unknown>
      >,
      argv: invocation.argv,
    });
    console.log(`run directory: ${r.runDir}`);
    console.log(`predictions: ${r.outputPath ?? r.predictionsPath}`);
    console.log(`report: ${r.reportPath}`);
    console.log(
      `${r.summary.n} essays scored; flagged: ${JSON.stringify(r.summary.flagCounts)}` +
        (r.summary.labelled ? `; QWK vs labels ${r.summary.labelled.metrics.qwk.toFixed(4)}` : "") +
        (r.summary.perPromptLabelled
          ? `; mean per-prompt QWK (Fisher z) vs labels ${
            fisherZText(r.summary.perPromptLabelled.evaluation.mean_per_prompt_qwk_fisher_z)
          }`
          : ""),
    );
    return 0;
  },
};

/**
 * The scoring file's columns: the flags' (`--id-column` …), else the bundle's dataset manifest's
 * column mapping (a `--dataset` model), else ELLIPSE's defaults.
 *
 * @example
 * ```ts
 * scoringColumnsOf(bundle, {}).idColumn; // "essay_id" for a manifest that maps id to it
 * ```
 */
export function scoringColumnsOf(bundle: ModelBundle, flags: ScoringColumns = {}): ScoringColumns {
  const parsed = DatasetManifestSchema.safeParse(bundle.meta.training.config.dataset);
  if (!parsed.success) return flags;
  const c = parsed.data.columns;
  return {
    idColumn: flags.idColumn ?? c.id,
    textColumn: flags.textColumn ?? c.text,
    promptColumn: flags.promptColumn ?? c.prompt,
    labelColumn: flags.labelColumn ?? c.score,
  };
}
