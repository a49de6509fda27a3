/**
 * `cv --evaluate-test`: after the folds, fit the same pipeline on the whole filtered train set
 * (text/embedding stacking, early stopping and cut-points all inside it) and score the official
 * test set once — the original's cv protocol and the reference tool's "fit on all filtered train
 * rows, score the filtered test rows", so train → test figures are comparable with it. `run`
 * keeps its own train/val split; this is the only other place that touches the test set, and
 * nothing here feeds back into the CV figures.
 *
 * @module
 */
import { scaleOfConfig } from "../dataset/load_dataset.ts";
import type { ScoreScale } from "../dataset/score_scale.ts";
import { PREDICTION_CSV_COLUMNS, predictionCsvRows } from "./common.ts";
import { normalisedTextHash } from "../dataset/text_hash.ts";
import { stringify } from "csv-stringify/sync";
import type { Essay } from "../dataset/essay.ts";
import { bootstrapQwkInterval, type Interval } from "../model/evaluation/bootstrap.ts";
import { type ScoreMetrics, scoreMetrics } from "../model/evaluation/metrics.ts";
import { markdownTable, roundingName } from "../report/model_reports.ts";
import { ScoringPipeline } from "../model/pipeline/scoring_pipeline.ts";
import { writeFileAtomic } from "../run/atomic_write.ts";
import type { ExperimentConfig } from "../run/config.ts";
import type { RunContext } from "../run/run_context.ts";
import {
  extractTestFeatures,
  featureSetMatrix,
  languageColumnsOf,
  type NamedMatrix,
  promptColumnsOf,
  type StepModelOptions,
  trainingOptionsFor,
} from "./model_inputs.ts";

/** Full-train → test figures of a `cv --evaluate-test` run. */
export interface TestEvaluation {
  readonly nTrain: number;
  readonly nTest: number;
  /** Half-point rounding. */
  readonly rounded: ScoreMetrics;
  /** Bootstrap 95 % interval of the rounded QWK. */
  readonly qwkInterval: Interval;
  /** Through cut-points fitted on inner out-of-fold predictions of the train set (null: off). */
  readonly cutpointMetrics: ScoreMetrics | null;
  readonly cutpoints: readonly number[] | null;
  readonly fitSeconds: number;
  /** Where the per-essay test predictions were written. */
  readonly predictionsPath: string;
}

/**
 * Fit on every filtered train essay, score the filtered test essays, write
 * `artifacts/cv_test_predictions.csv`.
 *
 * @example
 * ```ts
 * const t = await evaluateOnTest(run, config, step, data, trainMatrix, reuseTestDir);
 * t.rounded.qwk;
 * ```
 */
export async function evaluateOnTest(
  run: RunContext,
  config: ExperimentConfig,
  step: StepModelOptions,
  data: { readonly train: readonly Essay[]; readonly test: readonly Essay[] },
  train: NamedMatrix,
  reuseTestStoreDir: string | undefined,
): Promise<TestEvaluation> {
  if (data.test.length === 0) throw new Error("cv --evaluate-test: no test essays after filters");
  const features = await extractTestFeatures(
    run,
    config,
    data.test,
    [reuseTestStoreDir, config.reuseCvFeatureStoreDir],
    step.extractionWorkers,
  );
  const test = featureSetMatrix(
    features,
    config.featureSet,
    config.excludedFeatures,
    languageColumnsOf(config, data.test),
    promptColumnsOf(config, step, data.test),
  );
  if (test.names.join("\u0000") !== train.names.join("\u0000")) {
    throw new Error("cv --evaluate-test: train and test feature columns differ");
  }
  const y = data.train.map((e) => e.overall);
  const yTest = data.test.map((e) => e.overall);
  const fit = await run.stage("fit_full_train", () =>
    ScoringPipeline.fit(
      {
        X: train.X,
        texts: data.train.map((e) => e.text),
        groups: data.train.map((e) => normalisedTextHash(e.text)),
      },
      y,
      trainingOptionsFor(config, step, train.names, train.embeddingColumns),
    ));
  const scored = await run.stage(
    "score_test",
    () => fit.pipeline.predict({ X: test.X, texts: data.test.map((e) => e.text) }),
  );
  const pred = scored.raw;
  const cut = scored.cutpoints;
  const scale = scaleOfConfig(config);
  const predictionsPath = run.artifactPath("cv_test_predictions.csv");
  await writeFileAtomic(
    predictionsPath,
    stringify(predictionCsvRows(data.test, pred, cut, scale), {
      header: true,
      columns: [...PREDICTION_CSV_COLUMNS],
    }),
  );
  const out: TestEvaluation = {
    nTrain: data.train.length,
    nTest: data.test.length,
    rounded: scoreMetrics(yTest, pred, scale),
    qwkInterval: bootstrapQwkInterval(yTest, pred, { seed: config.seed, scale }),
    cutpointMetrics: cut ? scoreMetrics(yTest, cut, scale) : null,
    cutpoints: fit.pipeline.cutpoints,
    fitSeconds: fit.fitSeconds,
    predictionsPath,
  };
  run.log.info(
    `full train (${out.nTrain}) → test (${out.nTest}): QWK ${out.rounded.qwk.toFixed(4)}` +
      (out.cutpointMetrics ? `, with cut-points ${out.cutpointMetrics.qwk.toFixed(4)}` : ""),
  );
  return out;
}

/**
 * The `cv_metrics.json` block of a test evaluation.
 *
 * @example
 * ```ts
 * const json = testEvaluationJson(t); // { n_train, n_test, qwk, qwk_cutpoints, … }
 * ```
 */
export function testEvaluationJson(t: TestEvaluation): Record<string, unknown> {
  return {
    protocol: "fit on all filtered train essays, score the filtered official test essays",
    n_train: t.nTrain,
    n_test: t.nTest,
    qwk: t.rounded.qwk,
    qwk_interval: t.qwkInterval,
    qwk_cutpoints: t.cutpointMetrics?.qwk ?? null,
    rounded: t.rounded,
    cutpoint_metrics: t.cutpointMetrics,
    cutpoints: t.cutpoints,
    fit_seconds: t.fitSeconds,
    predictions_path: t.predictionsPath,
  };
}

/**
 * The report section of a test evaluation.
 *
 * @example
 * ```ts
 * report += testEvaluationMarkdown(t);
 * ```
 */
export function testEvaluationMarkdown(t: TestEvaluation, scale?: ScoreScale): string {
  const head = ["metric", roundingName(scale)];
  if (t.cutpointMetrics) head.push("cut-points");
  const row = (label: string, f: (m: ScoreMetrics) => number) => [
    label,
    f(t.rounded).toFixed(4),
    ...(t.cutpointMetrics ? [f(t.cutpointMetrics).toFixed(4)] : []),
  ];
  const ci = t.qwkInterval;
  return [
    "## Full train → official test (`--evaluate-test`)",
    "",
    `Fitted once on all ${t.nTrain} filtered train essays (stacking, early stopping and ` +
    `cut-points inside them), scored on the ${t.nTest} filtered test essays. The test set is ` +
    `used for nothing else.`,
    "",
    markdownTable(head, [
      row("QWK", (m) => m.qwk),
      row("MAE", (m) => m.mae),
      row("adjacent accuracy", (m) => m.adjacentAccuracy),
      row("exact accuracy", (m) => m.exactAccuracy),
    ]),
    "",
    `Rounded QWK ${Math.round(ci.level * 100)} % bootstrap CI ${ci.lower.toFixed(3)}–` +
    `${ci.upper.toFixed(3)} (${ci.resamples} resamples over test essays). Fit ` +
    `${t.fitSeconds.toFixed(1)} s.` +
    (t.cutpoints ? ` Cut-points: ${t.cutpoints.map((c) => c.toFixed(3)).join(", ")}.` : ""),
    "",
  ].join("\n");
}
