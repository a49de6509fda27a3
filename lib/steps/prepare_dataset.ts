/**
 * Runbook step 1, `prepare-dataset`: load and validate the official train/test CSVs, apply the
 * standard filters, write the prepared CSVs and the dataset integrity report.
 *
 * Outputs: `<run>/artifacts/datasets/<name>_{train,test}_prepared.csv` (`name` = `ellipse` for the
 * ELLIPSE flags, else the manifest's name), for a `--dataset` run also
 * `<name>_prepared_manifest.json` (the same manifest over the prepared UTF-8 CSVs: what the later
 * steps of the runbook read), and `<run>/reports/dataset_integrity_report.{md,json}`.
 *
 * @module
 */
import type { ExperimentConfig } from "../run/config.ts";
import { type CommandSpec, DATASET_FLAGS } from "../run/cli_flags.ts";
import { configFromInvocation } from "./step_config.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import { type RunContext, withRun } from "../run/run_context.ts";
import { applyStandardFilters, type FilterSettings } from "../dataset/filters.ts";
import { resolve } from "node:path";
import { type DatasetManifest, manifestInputPaths } from "../dataset/manifest.ts";
import { datasetScale, describeDatasetScale } from "../dataset/per_prompt_scale.ts";
import {
  buildIntegrityReport,
  type DatasetIntegrityReport,
  type IntegrityDatasetFacts,
  renderIntegrityReportMarkdown,
} from "../dataset/integrity_report.ts";
import { loadDataset } from "../dataset/load_dataset.ts";
import { writePreparedCsv } from "../dataset/prepared_csv.ts";
import { existingInputs, recordRunInExperimentLog } from "./common.ts";

/** What `prepare-dataset` produced. */
export interface PrepareDatasetResult {
  readonly runDir: string;
  readonly trainPreparedPath: string;
  readonly testPreparedPath: string;
  readonly reportMarkdownPath: string;
  readonly reportJsonPath: string;
  readonly report: DatasetIntegrityReport;
  /** The manifest over the prepared CSVs (a `--dataset` run only). */
  readonly preparedManifest?: DatasetManifest;
  readonly preparedManifestPath?: string;
}

/** The filter settings of a config. */
export function filterSettingsOf(config: ExperimentConfig): FilterSettings {
  const genres = config.dataset?.genres?.inScope;
  const language = config.dataset?.language;
  return {
    minWords: config.minWords,
    maxWords: config.maxWords,
    excludedPrompts: config.ellipseExcludedPrompts,
    ...(genres ? { genresInScope: genres } : {}),
    ...(language ? { language } : {}),
  };
}

/**
 * Run `prepare-dataset` with a resolved config.
 *
 * @example
 * ```ts
 * const result = await prepareDataset(resolveExperimentConfig(undefined, { runName: "prep" }));
 * result.report.counts.train.prepared;
 * ```
 */
export async function prepareDataset(
  config: ExperimentConfig,
  options: { argv?: readonly string[]; echo?: boolean } = {},
): Promise<PrepareDatasetResult> {
  const existing = await existingInputs({ ...config, splitsPath: undefined });
  const { result } = await withRun(
    {
      command: "prepare-dataset",
      config,
      argv: options.argv,
      inputPaths: existing,
      echo: options.echo,
    },
    async (run) => {
      const { data, filtered, settings } = await loadAndFilterStages(run, config);
      const name = config.dataset?.name ?? "ellipse";
      const trainPreparedPath = run.artifactPath("datasets", `${name}_train_prepared.csv`);
      const testPreparedPath = run.artifactPath("datasets", `${name}_test_prepared.csv`);
      const reportMarkdownPath = run.reportPath("dataset_integrity_report.md");
      const reportJsonPath = run.reportPath("dataset_integrity_report.json");
      const report = await run.stage("integrity_report", async () => {
        const r = buildIntegrityReport({
          datasetKind: config.datasetKind,
          inputs: run.manifest.inputs.map((i) => ({ path: i.path, sha256: i.sha256 })),
          header: data.header,
          settings,
          raw: { train: data.train, test: data.test },
          filtered,
          scale: data.scale,
          ...(config.dataset ? { dataset: integrityFacts(config, data.genreCounts) } : {}),
        });
        await writeJsonAtomic(reportJsonPath, r);
        await writeFileAtomic(reportMarkdownPath, renderIntegrityReportMarkdown(r));
        return r;
      });
      const asRead = config.dataset !== undefined;
      await run.stage("write_prepared_csvs", async () => {
        await writePreparedCsv(trainPreparedPath, filtered.train.kept, data.header, asRead);
        await writePreparedCsv(testPreparedPath, filtered.test.kept, data.header, asRead);
        run.log.info(`prepared CSVs: ${trainPreparedPath}, ${testPreparedPath}`);
      });
      const prepared = config.dataset
        ? {
          preparedManifest: preparedManifestOf(config.dataset, trainPreparedPath, testPreparedPath),
          preparedManifestPath: run.artifactPath("datasets", `${name}_prepared_manifest.json`),
        }
        : {};
      if (prepared.preparedManifest) {
        await writeJsonAtomic(prepared.preparedManifestPath, prepared.preparedManifest);
        run.log.info(`prepared manifest: ${prepared.preparedManifestPath}`);
      }
      await recordRunInExperimentLog(run, config, {
        results: [
          {
            label: "prepared essays (train/test)",
            value: `${report.counts.train.prepared}/${report.counts.test.prepared}`,
          },
        ],
        notes: [
          `Train CSV: \`${trainPreparedPath}\``,
          `Test CSV: \`${testPreparedPath}\``,
          `Integrity report: \`${reportMarkdownPath}\``,
        ],
      });
      return {
        runDir: run.dir,
        trainPreparedPath,
        testPreparedPath,
        reportMarkdownPath,
        reportJsonPath,
        report,
        ...prepared,
      };
    },
  );
  return result;
}

/**
 * The manifest over a prepared train/test pair: the same columns, scale, genres and filters,
 * read from UTF-8 CSVs (absolute paths, so it can be passed on as is).
 *
 * @example
 * ```ts
 * preparedManifestOf(manifest, "out/x_train_prepared.csv", "out/x_test_prepared.csv").format;
 * ```
 */
export function preparedManifestOf(
  m: DatasetManifest,
  trainPath: string,
  testPath: string,
): DatasetManifest {
  return {
    ...m,
    description: `prepared by prepare-dataset from ${manifestInputPaths(m).join(", ")}`,
    format: "csv",
    encoding: "utf-8",
    files: { train: resolve(trainPath), test: resolve(testPath) },
  };
}

function integrityFacts(
  config: ExperimentConfig,
  genreCounts: Readonly<Record<string, number>>,
): IntegrityDatasetFacts {
  const m = config.dataset!;
  return {
    name: m.name,
    language: m.language,
    format: m.format,
    encoding: m.encoding,
    scale: describeDatasetScale(datasetScale(m.scale)),
    genres_in_scope: m.genres?.inScope ?? null,
    genre_counts: genreCounts,
    allow_genre_mix: config.allowGenreMix,
  };
}

/**
 * The first two stages of `prepare-dataset` and `make-splits`: load + validate the configured
 * dataset (`load_and_validate`), then apply the standard filters (`filter`), logging the counts
 * of every filter stage.
 *
 * @example
 * ```ts
 * const { data, filtered } = await loadAndFilterStages(run, config);
 * filtered.train.kept.length;
 * ```
 */
export async function loadAndFilterStages(run: RunContext, config: ExperimentConfig) {
  const data = await run.stage("load_and_validate", async () => {
    const d = await loadDataset(config);
    run.log.info(`loaded ${d.train.length} train and ${d.test.length} test essays`);
    return d;
  });
  const settings = filterSettingsOf(config);
  const filtered = await run.stage("filter", () => {
    const f = {
      train: applyStandardFilters(data.train, settings),
      test: applyStandardFilters(data.test, settings),
    };
    for (const s of ["train", "test"] as const) {
      for (const st of f[s].stages) {
        run.log.info(`${s} ${st.stage}: ${st.before} → ${st.after} (removed ${st.removed})`);
      }
    }
    return f;
  });
  return { data, filtered, settings };
}

/** The `prepare-dataset` CLI command. */
export const prepareDatasetCommand: CommandSpec = {
  name: "prepare-dataset",
  summary: "Filter the official train/test CSVs (word window, excluded prompts) and write the " +
    "prepared CSVs plus the dataset integrity report.",
  flags: DATASET_FLAGS,
  async run(invocation) {
    const config = await configFromInvocation(invocation, DATASET_FLAGS);
    const result = await prepareDataset(config, { argv: invocation.argv });
    console.log(`run directory: ${result.runDir}`);
    console.log(`prepared train: ${result.trainPreparedPath}`);
    console.log(`prepared test:  ${result.testPreparedPath}`);
    console.log(`report: ${result.reportMarkdownPath}`);
    return 0;
  },
};
