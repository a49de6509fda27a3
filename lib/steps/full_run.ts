/**
 * `run` (full run): the official train split is divided into train/val (82.35 / 17.65 %,
 * stratified by score, identical texts kept together — `run_split` of `splits.json`, or computed
 * with the same splitter and seed when no `--splits-path` is given); the learner is fitted on
 * train only and scored on train (in-sample), val and the official test set, which only this
 * step touches.
 *
 * Outputs: `artifacts/model.json` (learner JSON + feature names + cut-points), the
 * self-contained model bundle `artifacts/model/` that `score` applies to new essays (checked to
 * reproduce the val and test predictions bit for bit; see `model_bundle.ts`),
 * `artifacts/predictions.csv`, `artifacts/run_metrics.json`; SHAP (unless `--skip-shap`): exact
 * TreeSHAP for `gbm`/`rf`, exact linear SHAP for `ridge` — per essay and feature, with the base
 * value, in `artifacts/shap_test.json` and `artifacts/shap_val.json`, plus the additivity check
 * (base + Σ SHAP = prediction) in the report; the grade-scale report (unless
 * `--skip-grade-scale-report`) for val and test in `reports/grade_scale_report.md` + `.json`;
 * `reports/run_report.md`; an experiment-log entry with train/val/test QWK.
 *
 * Features: train essays from `--reuse-cv-feature-store-dir` when given (a cv store covers the
 * official train essays), else extracted into `<run>/feature_store_train/`; test essays into
 * `<run>/feature_store_test/`.
 *
 * @module
 */
import { auditMarkdown } from "../features/feature_audit.ts";
import { auditResultJson, droppedByAudit, withDegenerateDropped } from "./feature_audit_step.ts";
import { bootstrapQwkInterval } from "../model/bootstrap.ts";
import { stringify } from "csv-stringify/sync";
import { normalisedTextHash } from "../dataset/text_hash.ts";
import type { Essay } from "../dataset/essay.ts";
import { gradeScaleReport } from "../model/grade_scale.ts";
import { linearShap } from "../model/linear_shap.ts";
import type { DenseMatrix } from "../model/matrix.ts";
import { selectRows } from "../model/matrix.ts";
import { scoreMetrics } from "../model/metrics.ts";
import {
  gradeScaleReportMarkdown,
  runReportMarkdown,
  type RunSplitMetrics,
  type ShapSummary,
} from "../model/model_reports.ts";
import type { Ridge } from "../model/ridge.ts";
import type { Regressor, TreeEnsemble } from "../model/estimator.ts";
import { shapAdditivityError, type ShapResult, treeShap } from "../model/tree_shap.ts";
import { trainAndPredict } from "../model/training.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import { type CommandSpec, DATASET_FLAGS, type FlagSpec } from "../run/cli_flags.ts";
import type { ExperimentConfig } from "../run/config.ts";
import { configFromInvocation } from "../run/config_loading.ts";
import { resolveResume, RESUME_FLAG, type ResumeTarget } from "../run/resume.ts";
import { type RunContext, withRun } from "../run/run_context.ts";
import { applySplitsToDataset } from "../splits/apply_splits.ts";
import { loadSplitsFile } from "../splits/splits_file.ts";
import { describeOverallClass, overallClass } from "../splits/overall_class.ts";
import { runTrainValSplit } from "../splits/build_splits.ts";
import { reportContext } from "./cv.ts";
import {
  existingInputs,
  modelRunJsonHeader,
  PREDICTION_CSV_COLUMNS,
  predictionCsvRows,
  recordRunInExperimentLog,
} from "./common.ts";
import { saveRunModelBundle } from "./model_bundle.ts";
import { partEvidence, type PredictedPart, writeResidualOutputs } from "./evidence_outputs.ts";
import { tailSectionMarkdown } from "../model/evidence_reports.ts";
import {
  extractFeatures,
  extractTestFeatures,
  FEATURE_FLAGS,
  featureSetMatrix,
  learnerParams,
  loadFilteredData,
  MODEL_FLAGS,
  type StepModelOptions,
  stepModelOptions,
  trainingOptionsFor,
  usesEmbeddingStacking,
  wordCounts,
} from "./model_inputs.ts";

/** Flags of `run`. */
export const RUN_FLAGS: readonly FlagSpec[] = [
  ...DATASET_FLAGS,
  {
    name: "splits-path",
    type: "string",
    description: "splits.json (its run_split is used; default: computed with --seed)",
  },
  ...FEATURE_FLAGS,
  ...MODEL_FLAGS,
  { name: "skip-shap", type: "boolean", description: "skip SHAP values" },
  {
    name: "skip-grade-scale-report",
    type: "boolean",
    description: "skip the grade-scale report",
  },
];

/** What `run` produced. */
export interface FullRunResult {
  readonly runDir: string;
  readonly reportPath: string;
  readonly metrics: readonly RunSplitMetrics[];
  readonly shap: ShapSummary | null;
}

function isTreeEnsemble(m: Regressor): m is Regressor & TreeEnsemble {
  return m.name === "gbm" || m.name === "rf";
}

function shapSummaryOf(
  split: string,
  shap: ShapResult,
  names: readonly string[],
  predictions: Float64Array,
  top = 25,
): ShapSummary {
  const p = shap.nFeatures;
  const stats = names.map((feature, f) => {
    let a = 0;
    let s = 0;
    for (let r = 0; r < shap.nRows; r++) {
      const v = shap.values[r * p + f];
      a += Math.abs(v);
      s += v;
    }
    return { feature, meanAbs: a / shap.nRows, meanSigned: s / shap.nRows };
  }).sort((x, y) => y.meanAbs - x.meanAbs);
  return {
    split,
    nRows: shap.nRows,
    expectedValue: shap.expectedValue,
    maxAdditivityError: shapAdditivityError(shap, predictions),
    topFeatures: stats.slice(0, top),
  };
}

async function trainFeatures(
  run: RunContext,
  config: ExperimentConfig,
  step: StepModelOptions,
  train: readonly Essay[],
  test: readonly Essay[],
) {
  const trainFeatures = await extractFeatures(
    run,
    config,
    train,
    "feature_store_train",
    config.reuseCvFeatureStoreDir,
    step.extractionWorkers,
  );
  // a reused store may also hold the test essays (e.g. one built over train + test)
  const testFeatures = await extractTestFeatures(
    run,
    config,
    test,
    [config.reuseCvFeatureStoreDir],
    step.extractionWorkers,
  );
  // --drop-degenerate-features: decided on the training store's (label-free) audit only
  const effective = withDegenerateDropped(config, trainFeatures.audit);
  return {
    config: effective,
    audit: trainFeatures.audit,
    train: featureSetMatrix(trainFeatures, config.featureSet, effective.excludedFeatures),
    test: featureSetMatrix(testFeatures, config.featureSet, effective.excludedFeatures),
  };
}

/**
 * Run the full run with a resolved config.
 *
 * @example
 * ```ts
 * const r = await runFullRun(config);
 * r.metrics.find((m) => m.split === "test")?.rounded.qwk;
 * ```
 */
export async function runFullRun(
  config: ExperimentConfig,
  options: {
    argv?: readonly string[];
    echo?: boolean;
    step?: StepModelOptions;
    /** Continue this interrupted run directory (`--resume`; checked by `resolveResume`). */
    resume?: ResumeTarget;
  } = {},
): Promise<FullRunResult> {
  const step = options.step ?? { textStacking: true, cutpointInnerFolds: 3 };
  const { result } = await withRun(
    {
      command: "run",
      config,
      argv: options.argv,
      inputPaths: await existingInputs(config),
      echo: options.echo,
      resume: options.resume,
    },
    async (run) => {
      const data = await loadFilteredData(run, config);
      const split = await run.stage("train_val_split", async () => {
        if (config.splitsPath) {
          const applied = applySplitsToDataset(
            await loadSplitsFile(config.splitsPath),
            data.train,
            config.splitsPath,
          );
          run.log.info(`train/val split: run_split of ${config.splitsPath}`);
          return applied.runSplit();
        }
        run.log.info(`train/val split: computed (stratified, text groups, seed ${config.seed})`);
        const computed = runTrainValSplit({
          labels: Int32Array.from(data.train, (e) => overallClass(e.overall)),
          groups: data.train.map((e) => normalisedTextHash(e.text)),
          seed: config.seed,
        });
        for (const m of computed.merges) {
          run.log.warn(
            `WARNING rare class: ${describeOverallClass(m.from)} (${m.count} ` +
              `essay${m.count === 1 ? "" : "s"}) stratified together with ` +
              `${describeOverallClass(m.into)} in the train/val split (labels unchanged)`,
          );
        }
        return computed;
      });
      const feats = await trainFeatures(run, config, step, data.train, data.test);
      config = feats.config; // with the audit's exclusions when --drop-degenerate-features
      const names = feats.train.names;
      if (feats.test.names.join("\u0000") !== names.join("\u0000")) {
        throw new Error("run: train and test feature columns differ");
      }
      const trainEssays = split.trainIndices.map((i) => data.train[i]);
      const valEssays = split.valIndices.map((i) => data.train[i]);
      const Xtrain = selectRows(feats.train.X, split.trainIndices);
      const Xval = selectRows(feats.train.X, split.valIndices);
      const yTrain = trainEssays.map((e) => e.overall);
      const yVal = valEssays.map((e) => e.overall);
      const yTest = data.test.map((e) => e.overall);
      run.log.info(
        `run: ${config.model} on ${Xtrain.nRows} train / ${Xval.nRows} val / ${data.test.length} ` +
          `test essays x ${names.length} features (${config.featureSet})`,
      );
      const options = trainingOptionsFor(config, step, names, feats.train.embeddingColumns);
      const trained = await run.stage("fit", () =>
        trainAndPredict(
          {
            X: Xtrain,
            texts: trainEssays.map((e) => e.text),
            groups: trainEssays.map((e) => normalisedTextHash(e.text)),
          },
          yTrain,
          [
            { X: Xval, texts: valEssays.map((e) => e.text) },
            { X: feats.test.X, texts: data.test.map((e) => e.text) },
          ],
          options,
        ));
      const [predVal, predTest] = trained.predictions;
      const cut = trained.cutpointPredictions;
      const metrics: RunSplitMetrics[] = [
        {
          split: "train",
          rounded: scoreMetrics(yTrain, trained.trainPredictions),
          cutpoints: null,
        },
        {
          split: "val",
          rounded: scoreMetrics(yVal, predVal),
          qwkInterval: bootstrapQwkInterval(yVal, predVal, { seed: config.seed }),
          cutpoints: cut ? scoreMetrics(yVal, cut[0]) : null,
        },
        {
          split: "test",
          rounded: scoreMetrics(yTest, predTest),
          qwkInterval: bootstrapQwkInterval(yTest, predTest, { seed: config.seed }),
          cutpoints: cut ? scoreMetrics(yTest, cut[1]) : null,
        },
      ];
      const heldOutParts: PredictedPart[] = [
        { split: "val", essays: valEssays, predictions: predVal, X: Xval, featureNames: names },
        {
          split: "test",
          essays: data.test,
          predictions: predTest,
          X: feats.test.X,
          featureNames: names,
        },
      ].map((p, k) => ({ ...p, cutpointPredictions: cut ? cut[k] : null }));
      const evidence = heldOutParts.map(partEvidence);
      for (const m of metrics) {
        run.log.info(
          `${m.split}: QWK ${m.rounded.qwk.toFixed(4)}` +
            (m.cutpoints ? ` (cut-points ${m.cutpoints.qwk.toFixed(4)})` : "") +
            `, MAE ${m.rounded.mae.toFixed(4)}`,
        );
      }
      await run.stage("save_model_and_predictions", async () => {
        await writeJsonAtomic(run.artifactPath("model.json"), {
          schema_version: 1,
          feature_names: trained.featureNames,
          feature_set: config.featureSet,
          text_stacking: step.textStacking,
          cutpoints: trained.cutpoints,
          blend: trained.blend,
          model: trained.model.toJSON(),
        });
        const part = (
          name: string,
          essays: readonly Essay[],
          raw: Float64Array,
          c?: Float64Array,
        ) => predictionCsvRows(essays, raw, c).map((row) => [name, ...row]);
        const rows = [
          ...part("train", trainEssays, trained.trainPredictions),
          ...part("val", valEssays, predVal, cut?.[0]),
          ...part("test", data.test, predTest, cut?.[1]),
        ];
        await writeFileAtomic(
          run.artifactPath("predictions.csv"),
          stringify(rows, { header: true, columns: ["split", ...PREDICTION_CSV_COLUMNS] }),
        );
        await writeJsonAtomic(run.artifactPath("run_metrics.json"), {
          ...modelRunJsonHeader(config, learnerParams(config)),
          text_stacking: step.textStacking,
          embedding_stacking: usesEmbeddingStacking(config, step),
          cutpoints: trained.cutpoints,
          feature_audit: auditResultJson(config, feats.audit),
          n: { train: Xtrain.nRows, val: Xval.nRows, test: data.test.length },
          metrics,
          evidence,
          fit_seconds: trained.fitSeconds,
        });
      });
      await run.stage("save_model_bundle", () =>
        saveRunModelBundle(run, {
          config,
          step,
          trained,
          options,
          trainX: Xtrain,
          trainEssays,
          check: [
            { name: "val", X: Xval, texts: valEssays.map((e) => e.text), predictions: predVal },
            {
              name: "test",
              X: feats.test.X,
              texts: data.test.map((e) => e.text),
              predictions: predTest,
            },
          ],
        }));

      let shap: ShapSummary | null = null;
      if (!config.skipShap) {
        shap = await run.stage("shap", async () => {
          const model = trained.model;
          const [XvalAug, XtestAug] = trained.partsX;
          let compute: ((X: DenseMatrix) => ShapResult) | null = null;
          let method = "";
          if (isTreeEnsemble(model)) {
            compute = (X) => treeShap(model, X);
            method = "exact path-dependent TreeSHAP";
          } else if (model.name === "ridge") {
            compute = (X) => linearShap(model as unknown as Ridge, X, trained.trainX);
            method = "exact linear SHAP (interventional, training rows as background)";
          }
          if (!compute) {
            const reason = `SHAP not computed: no exact explainer for \`${model.name}\` ` +
              "(TreeSHAP needs this library's tree ensembles: use --model gbm or rf).";
            run.log.warn(reason);
            return {
              split: "test",
              nRows: 0,
              expectedValue: NaN,
              maxAdditivityError: NaN,
              topFeatures: [],
              skipped: reason,
            };
          }
          let summary: ShapSummary | null = null;
          for (
            const [name, X, essays, pred] of [
              // SHAP explains the learner (before any blend with the stacked columns)
              ["val", XvalAug, valEssays, trained.learnerPredictions[0]],
              ["test", XtestAug, data.test, trained.learnerPredictions[1]],
            ] as const
          ) {
            const s = compute(X);
            const sum = shapSummaryOf(name, s, trained.featureNames, pred);
            run.log.info(
              `SHAP ${name} (${method}): base ${
                s.expectedValue.toFixed(4)
              }, additivity max error ` +
                `${sum.maxAdditivityError.toExponential(2)}`,
            );
            const rowsOut: number[][] = [];
            for (let r = 0; r < s.nRows; r++) {
              rowsOut.push(Array.from(s.values.subarray(r * s.nFeatures, (r + 1) * s.nFeatures)));
            }
            await writeJsonAtomic(run.artifactPath(`shap_${name}.json`), {
              schema_version: 1,
              method,
              split: name,
              base_value: s.expectedValue,
              max_additivity_error: sum.maxAdditivityError,
              feature_names: trained.featureNames,
              ids: essays.map((e) => e.id),
              predictions: Array.from(pred),
              values: rowsOut,
            });
            if (name === "test") summary = sum;
          }
          return summary!;
        });
      }

      if (!config.skipGradeScaleReport) {
        await run.stage("grade_scale_report", async () => {
          const parts = [
            ["val", valEssays, predVal],
            ["test", data.test, predTest],
          ] as const;
          const reports = parts.map(([name, essays, pred]) => ({
            split: name,
            report: gradeScaleReport({
              yTrue: essays.map((e) => e.overall),
              yPred: pred,
              wordCounts: wordCounts(essays),
              prompts: essays.map((e) => e.prompt),
            }),
          }));
          await writeJsonAtomic(run.reportPath("grade_scale_report.json"), reports);
          await writeFileAtomic(
            run.reportPath("grade_scale_report.md"),
            reports.map((r) => gradeScaleReportMarkdown(r.split, r.report, config.datasetKind))
              .join("\n\n"),
          );
        });
      }

      await run.stage(
        "residual_diagnostics",
        () => writeResidualOutputs(run, heldOutParts, "Residual diagnostics (run: val and test)"),
      );
      const reportPath = run.reportPath("run_report.md");
      const ctx = reportContext(
        run,
        config,
        step,
        "Full run report",
        trained.featureNames.length,
        data.train.length + data.test.length,
        false,
      );
      await writeFileAtomic(
        reportPath,
        runReportMarkdown(ctx, metrics, shap, trained.cutpoints, [
          `train/val split: ${
            config.splitsPath ? `run_split of \`${config.splitsPath}\`` : "computed with the seed"
          }`,
          `model: \`${run.artifactPath("model.json")}\`; bundle for \`score\`: ` +
          `\`${run.artifactPath("model")}/\`; predictions: ` +
          `\`${run.artifactPath("predictions.csv")}\``,
          config.skipGradeScaleReport
            ? "grade-scale report skipped (`--skip-grade-scale-report`)"
            : `grade-scale report: \`${run.reportPath("grade_scale_report.md")}\``,
          `residual diagnostics: \`${run.reportPath("residual_diagnostics.md")}\``,
          ...(trained.blend
            ? [
              `predictions = blend of ${
                trained.blend.members.map((m, j) =>
                  `${trained.blend!.coef[j].toFixed(3)} · \`${m}\``
                ).join(" + ")
              } + ${trained.blend.intercept.toFixed(3)}, then × ${
                trained.blend.spread.b.toFixed(3)
              } + ${trained.blend.spread.a.toFixed(3)} (fitted on inner out-of-fold values of ` +
              "the training part); SHAP explains the learner before the blend",
            ]
            : []),
        ]) + "\n" + tailSectionMarkdown(evidence.flatMap((e) => [
          { label: `${e.split}, rounded`, evidence: e.rounded },
          ...(e.cutpoints ? [{ label: `${e.split}, cut-points`, evidence: e.cutpoints }] : []),
        ])) + "\n" +
          auditMarkdown(feats.audit, "feature_store_train", droppedByAudit(config, feats.audit)),
      );
      run.log.info(`report: ${reportPath}`);
      const q = (s: string) => metrics.find((m) => m.split === s)!;
      await recordRunInExperimentLog(run, config, {
        splitsPath: config.splitsPath,
        featureSet: config.featureSet,
        results: [
          { label: "QWK train", value: q("train").rounded.qwk.toFixed(5) },
          { label: "QWK val", value: q("val").rounded.qwk.toFixed(5) },
          { label: "QWK test", value: q("test").rounded.qwk.toFixed(5) },
          ...(q("test").cutpoints
            ? [{
              label: "QWK val/test with cut-points",
              value: `${q("val").cutpoints!.qwk.toFixed(5)} / ${
                q("test").cutpoints!.qwk.toFixed(5)
              }`,
            }]
            : []),
        ],
        notes: [
          `model: ${config.model} ${JSON.stringify(learnerParams(config))}, text stacking ` +
          `${step.textStacking ? "on" : "off"}`,
          shap && !shap.skipped
            ? `SHAP additivity max error (test): ${shap.maxAdditivityError.toExponential(2)}`
            : "SHAP: skipped",
          `Run report: \`${reportPath}\``,
        ],
      });
      return { runDir: run.dir, reportPath, metrics, shap };
    },
  );
  return result;
}

/** `run`'s flags plus `--resume <run-dir>`. */
const RUN_FLAGS_WITH_RESUME: readonly FlagSpec[] = [...RUN_FLAGS, RESUME_FLAG];

/** The `run` CLI command. */
export const fullRunCommand: CommandSpec = {
  name: "run",
  summary: "Full run: fit on train, QWK on train/val/test, model + predictions saved, SHAP, " +
    "grade-scale report.",
  flags: RUN_FLAGS_WITH_RESUME,
  async run(invocation) {
    const resumed = await resolveResume(
      invocation,
      "run",
      RUN_FLAGS_WITH_RESUME,
      configFromInvocation,
      existingInputs,
    );
    const config = resumed?.config ?? await configFromInvocation(invocation, RUN_FLAGS);
    const r = await runFullRun(config, {
      argv: invocation.argv,
      step: stepModelOptions(resumed?.values ?? invocation.values),
      resume: resumed?.target,
    });
    console.log(`run directory: ${r.runDir}`);
    console.log(`report: ${r.reportPath}`);
    for (const m of r.metrics) {
      console.log(
        `${m.split}: QWK ${m.rounded.qwk.toFixed(4)}` +
          (m.cutpoints ? ` (cut-points ${m.cutpoints.qwk.toFixed(4)})` : ""),
      );
    }
    return 0;
  },
};
