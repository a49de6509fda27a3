/**
 * `deno task bench quality`: the project's default pipeline against the Python reference stack
 * (word TF-IDF ridge out of fold + 22 handcrafted features → XGBoost) on the same essays and the
 * very same folds.
 *
 * On a train/test pair (default: the ELLIPSE dev slice in `../shared/ellipse/`) it makes the
 * splits (or takes `--splits-path`), runs the project's `cv` for `stratified_text` and
 * `prompt_holdout` (the first one with `--evaluate-test`: full train → test), runs the reference
 * tool on the same `splits.json` (cached by content hash; see `quality_reference.ts`), and writes
 * one side-by-side table to `output/bench/quality.{json,md}`: CV mean ± std rounded and with
 * cut-points per scheme, full-train → test QWK, fold-paired Δ per fold, and the issue's targets.
 * When the reference's Python packages are missing it says so and reports the project alone.
 *
 * Flags: `--train-path --test-path [--splits-path] [--config pipeline.json]
 * [--reuse-cv-feature-store-dir DIR] [--reuse-test-feature-store-dir DIR] [--skip-reference]
 * [--reference-no-cutpoints] (2–3 min instead of 11–12: the reference's cut-point columns stay
 * empty) [--reference-cache-only] (use a cached reference JSON, never start the tool)
 * [--python /usr/bin/python3] [--reference-script PATH] [--out output/bench]`.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { FoldOutcome } from "../model/validation/cross_validation.ts";
import { markdownTable } from "../report/model_reports.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import { type ExperimentConfig, resolveExperimentConfig, SPLIT_SCHEMES } from "../run/config.ts";
import { type CvStepResult, runCv } from "../steps/cv.ts";
import type { TestEvaluation } from "../steps/cv_test_evaluation.ts";
import { makeSplits } from "../steps/make_splits.ts";
import { type ReferenceJson, referenceResult } from "./quality_reference.ts";

/** Reference figures are ≥ this much below the project's targets (issue 14). */
export const QUALITY_TARGETS = { cvRounded: 0.03, cvCutpoints: 0.02, test: 0 } as const;

/** Mean and population std (ddof 0, as the reference reports) of per-fold values. */
export interface FoldStats {
  readonly mean: number;
  readonly std: number;
  readonly folds: readonly number[];
}

/** One scheme's side-by-side figures. */
export interface SchemeComparison {
  readonly scheme: string;
  readonly foldNumbers: readonly number[];
  readonly project: { rounded: FoldStats; cutpoints: FoldStats | null; cvSeconds: number };
  readonly reference: { rounded: FoldStats; cutpoints: FoldStats | null } | null;
  /** project − reference per fold (null without the reference). */
  readonly pairedDelta: { rounded: FoldStats; cutpoints: FoldStats | null } | null;
}

/**
 * Mean and population std of values.
 *
 * @example
 * ```ts
 * foldStats([0.5, 0.7]); // { mean: 0.6, std: 0.1, folds: [0.5, 0.7] }
 * ```
 */
export function foldStats(values: readonly number[]): FoldStats {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { mean, std, folds: [...values] };
}

/**
 * Pair the project's folds with the reference's by fold number and compare.
 *
 * @example
 * ```ts
 * const c = compareScheme("stratified_text", cv.folds, 4.2, referenceJson);
 * c.pairedDelta?.rounded.mean;
 * ```
 */
export function compareScheme(
  scheme: string,
  folds: readonly FoldOutcome[],
  cvSeconds: number,
  reference: ReferenceJson | null,
): SchemeComparison {
  const sorted = [...folds].sort((a, b) => a.fold - b.fold);
  const foldNumbers = sorted.map((f) => f.fold);
  const rounded = sorted.map((f) => f.metrics.qwk);
  const cut = sorted.every((f) => f.cutpointMetrics)
    ? sorted.map((f) => f.cutpointMetrics!.qwk)
    : null;
  const project = {
    rounded: foldStats(rounded),
    cutpoints: cut ? foldStats(cut) : null,
    cvSeconds,
  };
  if (!reference) return { scheme, foldNumbers, project, reference: null, pairedDelta: null };
  const stack = reference.models.stack;
  const refNumbers = reference.folds.fold_numbers ?? stack.cv_qwk.folds.map((_, i) => i);
  const byNumber = (values: readonly number[]) =>
    foldNumbers.map((n) => {
      const i = refNumbers.indexOf(n);
      if (i < 0) throw new Error(`reference has no fold ${n} (${refNumbers.join(", ")})`);
      return values[i];
    });
  if (reference.folds.scheme !== scheme) {
    throw new Error(`reference JSON is for ${reference.folds.scheme}, not ${scheme}`);
  }
  const refRounded = byNumber(stack.cv_qwk.folds);
  const refCut = stack.cv_qwk_cutpoints ? byNumber(stack.cv_qwk_cutpoints.folds) : null;
  const delta = (a: readonly number[], b: readonly number[]) =>
    foldStats(a.map((x, i) => x - b[i]));
  return {
    scheme,
    foldNumbers,
    project,
    reference: { rounded: foldStats(refRounded), cutpoints: refCut ? foldStats(refCut) : null },
    pairedDelta: {
      rounded: delta(rounded, refRounded),
      cutpoints: cut && refCut ? delta(cut, refCut) : null,
    },
  };
}

/** A target check line. */
export interface TargetCheck {
  readonly what: string;
  readonly project: number;
  readonly needed: number;
  readonly met: boolean;
}

/**
 * The issue's targets against the reference: CV rounded ≥ ref + 0.03, cut-points ≥ ref + 0.02
 * per scheme; full train → test ≥ ref, rounded and with cut-points.
 *
 * @example
 * ```ts
 * targetChecks(schemes, test, refJson).every((t) => t.met);
 * ```
 */
export function targetChecks(
  schemes: readonly SchemeComparison[],
  test: TestEvaluation | undefined,
  reference: ReferenceJson | null,
): TargetCheck[] {
  const out: TargetCheck[] = [];
  const check = (what: string, project: number, needed: number) =>
    out.push({ what, project, needed, met: project >= needed - 1e-12 });
  for (const s of schemes) {
    if (!s.reference) continue;
    check(
      `CV ${s.scheme} rounded`,
      s.project.rounded.mean,
      s.reference.rounded.mean + QUALITY_TARGETS.cvRounded,
    );
    if (s.project.cutpoints && s.reference.cutpoints) {
      check(
        `CV ${s.scheme} cut-points`,
        s.project.cutpoints.mean,
        s.reference.cutpoints.mean + QUALITY_TARGETS.cvCutpoints,
      );
    }
  }
  if (test && reference) {
    const st = reference.models.stack;
    check("full train → test rounded", test.rounded.qwk, st.test_qwk + QUALITY_TARGETS.test);
    if (test.cutpointMetrics && st.test_qwk_cutpoints !== undefined) {
      check(
        "full train → test cut-points",
        test.cutpointMetrics.qwk,
        st.test_qwk_cutpoints + QUALITY_TARGETS.test,
      );
    }
  }
  return out;
}

const f3 = (x: number) => x.toFixed(3);
const pm = (s: FoldStats | null | undefined) => s ? `${f3(s.mean)} ± ${f3(s.std)}` : "—";
const signed = (x: number) => (x >= 0 ? "+" : "") + x.toFixed(3);

/** Everything the Markdown report shows. */
export interface QualityReport {
  readonly command: string;
  readonly trainPath: string;
  readonly testPath: string;
  readonly splitsPath: string;
  readonly pipeline: Record<string, unknown>;
  readonly schemes: readonly SchemeComparison[];
  readonly test: TestEvaluation | undefined;
  readonly reference: ReferenceJson | null;
  readonly referenceNote: string;
  readonly targets: readonly TargetCheck[];
  readonly runDirs: readonly string[];
}

/** One table per scheme: both sides per fold, Δ per fold and the folds won. */
function foldDeltaTables(schemes: readonly SchemeComparison[]): string[] {
  const lines: string[] = [];
  for (const s of schemes) {
    if (!s.pairedDelta) continue;
    const head = ["", ...s.foldNumbers.map((n) => `fold ${n}`), "folds won"];
    const won = (d: FoldStats) => `${d.folds.filter((x) => x > 0).length}/${d.folds.length}`;
    const fr = (label: string, d: FoldStats) => [label, ...d.folds.map(signed), won(d)];
    const t: string[][] = [
      [
        "project rounded",
        ...s.project.rounded.folds.map(f3),
        "",
      ],
      ["reference rounded", ...s.reference!.rounded.folds.map(f3), ""],
      fr("Δ rounded", s.pairedDelta.rounded),
    ];
    if (s.pairedDelta.cutpoints) t.push(fr("Δ cut-points", s.pairedDelta.cutpoints));
    lines.push(`### ${s.scheme} (project cv ${s.project.cvSeconds.toFixed(1)} s)`, "");
    lines.push(markdownTable(head, t), "");
  }
  return lines;
}

/** `bench quality` flags (`deno task bench quality --help` prints them). */
export const QUALITY_BENCH_OPTIONS = {
  "train-path": { type: "string", default: "../shared/ellipse/ELLIPSE_dev_train.csv" },
  "test-path": { type: "string", default: "../shared/ellipse/ELLIPSE_dev_test.csv" },
  "splits-path": { type: "string" },
  config: { type: "string" },
  "reuse-cv-feature-store-dir": { type: "string" },
  "reuse-test-feature-store-dir": { type: "string" },
  "skip-reference": { type: "boolean", default: false },
  "reference-no-cutpoints": { type: "boolean", default: false },
  "reference-cache-only": { type: "boolean", default: false },
  python: { type: "string", default: "/usr/bin/python3" },
  "reference-script": {
    type: "string",
    default: "../shared/reference/python_reference.py",
  },
  out: { type: "string", default: "output/bench" },
  seed: { type: "string", default: "42" },
} as const;

/** What each `bench quality` flag does. */
export const QUALITY_BENCH_HELP: Readonly<Record<keyof typeof QUALITY_BENCH_OPTIONS, string>> = {
  "train-path": "ELLIPSE train CSV",
  "test-path": "ELLIPSE test CSV",
  "splits-path": "splits.json to use (default: made by the bench)",
  config: "experiment config JSON of the candidate pipeline",
  "reuse-cv-feature-store-dir": "reuse a cv feature store of the train essays",
  "reuse-test-feature-store-dir": "reuse a feature store of the test essays",
  "skip-reference": "do not run the Python reference stack",
  "reference-no-cutpoints": "run the reference without its cut-points",
  "reference-cache-only": "use cached reference results only (fail if missing)",
  python: "Python interpreter for the reference",
  "reference-script": "the Python reference protocol script",
  out: "output directory",
  seed: "random seed",
};

/**
 * The side-by-side Markdown table.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("quality.md", qualityMarkdown(report));
 * ```
 */
export function qualityMarkdown(r: QualityReport): string {
  const lines = [
    "# Quality: project default pipeline vs the Python reference stack, same folds",
    "",
    `- command: \`${r.command}\``,
    `- train \`${r.trainPath}\`, test \`${r.testPath}\`, folds \`${r.splitsPath}\``,
    `- project pipeline: \`${JSON.stringify(r.pipeline)}\``,
    `- reference: ${r.referenceNote}`,
    `- project runs: ${r.runDirs.map((d) => `\`${d}\``).join(", ")}`,
    "",
    "CV = mean ± population std over the folds (ddof 0, as the reference reports). " +
    "Δ = project − reference on the same fold.",
    "",
  ];
  const rows: string[][] = [];
  for (const s of r.schemes) {
    rows.push([
      `CV ${s.scheme}`,
      pm(s.project.rounded),
      pm(s.reference?.rounded),
      s.pairedDelta ? pm(s.pairedDelta.rounded) : "—",
      pm(s.project.cutpoints),
      pm(s.reference?.cutpoints),
      s.pairedDelta?.cutpoints ? pm(s.pairedDelta.cutpoints) : "—",
    ]);
  }
  if (r.test) {
    const st = r.reference?.models.stack;
    const tc = r.test.cutpointMetrics?.qwk;
    rows.push([
      `full train (${r.test.nTrain}) → test (${r.test.nTest})`,
      f3(r.test.rounded.qwk),
      st ? f3(st.test_qwk) : "—",
      st ? signed(r.test.rounded.qwk - st.test_qwk) : "—",
      tc !== undefined ? f3(tc) : "—",
      st?.test_qwk_cutpoints !== undefined ? f3(st.test_qwk_cutpoints) : "—",
      st?.test_qwk_cutpoints !== undefined && tc !== undefined
        ? signed(tc - st.test_qwk_cutpoints)
        : "—",
    ]);
  }
  lines.push(
    markdownTable(
      [
        "QWK",
        "project rounded",
        "reference rounded",
        "Δ rounded",
        "project cut-points",
        "reference cut-points",
        "Δ cut-points",
      ],
      rows,
    ),
    "",
    "## Fold-paired Δ (project − reference)",
    "",
  );
  lines.push(...foldDeltaTables(r.schemes));
  if (r.targets.length > 0) {
    lines.push("## Targets (issue 14)", "");
    lines.push(
      markdownTable(
        ["target", "project", "needed", "met"],
        r.targets.map((t) => [t.what, f3(t.project), f3(t.needed), t.met ? "yes" : "**no**"]),
      ),
      "",
    );
  }
  lines.push(
    "No paired CI of Δ here (the reference script writes no per-essay predictions): for one, " +
      "write them with `lib/bench/python/reference_oof.py` (one per seed) and run " +
      "`deno task bench quality-paired` (prompt-cluster bootstrap with seed replicates).",
    "",
  );
  return lines.join("\n");
}

interface Args {
  trainPath: string;
  testPath: string;
  splitsPath?: string;
  config?: string;
  reuseStore?: string;
  reuseTestStore?: string;
  skipReference: boolean;
  referenceCutpoints: boolean;
  referenceCacheOnly: boolean;
  python: string;
  script: string;
  out: string;
  seed: number;
}

function parse(args: readonly string[]): Args {
  const { values } = parseArgs({
    args: [...args],
    options: QUALITY_BENCH_OPTIONS,
    strict: true,
  });
  return {
    trainPath: values["train-path"]!,
    testPath: values["test-path"]!,
    splitsPath: values["splits-path"],
    config: values.config,
    reuseStore: values["reuse-cv-feature-store-dir"],
    reuseTestStore: values["reuse-test-feature-store-dir"],
    skipReference: values["skip-reference"]!,
    referenceCutpoints: !values["reference-no-cutpoints"],
    referenceCacheOnly: values["reference-cache-only"]!,
    python: values.python!,
    script: values["reference-script"]!,
    out: values.out!,
    seed: Number(values.seed),
  };
}

async function baseConfig(a: Args): Promise<ExperimentConfig> {
  const file = a.config ? JSON.parse(await Deno.readTextFile(a.config)) : undefined;
  return resolveExperimentConfig(file, {
    ellipseTrainPath: a.trainPath,
    ellipseTestPath: a.testPath,
    seed: a.seed,
    outputRoot: join(a.out, "quality_runs"),
    experimentLogPath: join(a.out, "quality_runs", "EXPERIMENT_LOG.md"),
    heartbeatMinutes: 60,
  });
}

/** The project's side: splits (unless given) and one `cv` per scheme (the first with test). */
async function projectRuns(a: Args, config: ExperimentConfig) {
  let splitsPath = a.splitsPath;
  if (!splitsPath) {
    // make-splits stratifies a class with fewer essays than folds with its neighbour (logged)
    const s = await makeSplits({ ...config, runName: "quality_splits" }, { echo: false });
    splitsPath = s.splitsPath;
  }
  let store = a.reuseStore;
  let testStore = a.reuseTestStore;
  const runs: { scheme: string; result: CvStepResult; seconds: number }[] = [];
  for (const scheme of SPLIT_SCHEMES) {
    const t0 = performance.now();
    const result = await runCv(
      {
        ...config,
        splitsPath,
        scheme,
        reuseCvFeatureStoreDir: store,
        runName: `quality_cv_${scheme}`,
      },
      { echo: false, evaluateTest: runs.length === 0, reuseTestStoreDir: testStore },
    );
    const seconds = (performance.now() - t0) / 1000;
    console.error(
      `project cv ${scheme}: QWK ${result.cv.summary.qwk.mean.toFixed(4)}` +
        ` (${seconds.toFixed(1)} s incl. features)`,
    );
    store ??= result.featureStoreDir;
    if (result.test) testStore ??= join(result.runDir, "feature_store_test");
    runs.push({ scheme, result, seconds });
  }
  return { splitsPath, runs };
}

/**
 * Run the quality benchmark.
 *
 * @example
 * ```ts
 * await runQualityBench(["--skip-reference"]);
 * ```
 */
export async function runQualityBench(args: readonly string[]): Promise<QualityReport> {
  const a = parse(args);
  const config = await baseConfig(a);
  const { splitsPath, runs } = await projectRuns(a, config);
  const references = new Map<string, ReferenceJson>();
  let referenceNote = "skipped (--skip-reference)";
  if (!a.skipReference) {
    const notes: string[] = [];
    for (const { scheme } of runs) {
      const r = await referenceResult({
        python: a.python,
        script: resolve(a.script),
        trainPath: resolve(a.trainPath),
        testPath: resolve(a.testPath),
        splitsPath: resolve(splitsPath),
        scheme,
        seed: a.seed,
        cutpoints: a.referenceCutpoints,
        cacheDir: join(a.out, "quality_reference"),
        cacheOnly: a.referenceCacheOnly,
      }, (l) => console.error(l));
      if (r.ok) {
        references.set(scheme, r.json);
        notes.push(`${scheme}: \`${r.path}\`${r.cached ? " (cached)" : ""}`);
      } else {
        notes.push(`${scheme}: NOT RUN — ${r.reason}; the project is reported alone`);
        console.error(`reference not run: ${r.reason}`);
      }
    }
    const any = [...references.values()][0];
    referenceNote = (any
      ? `\`${a.script}\` (model stack; scikit-learn ${any.versions["scikit-learn"]}, xgboost ` +
        `${any.versions["xgboost"]}) — `
      : "") + notes.join("; ");
  }
  const schemes = runs.map((r) =>
    compareScheme(r.scheme, r.result.cv.folds, r.seconds, references.get(r.scheme) ?? null)
  );
  const test = runs.find((r) => r.result.test)?.result.test;
  const firstRef = [...references.values()][0] ?? null;
  const report: QualityReport = {
    command: ["deno task bench quality", ...args].join(" "),
    trainPath: a.trainPath,
    testPath: a.testPath,
    splitsPath,
    pipeline: {
      model: config.model,
      featureSet: config.featureSet,
      treeParams: config.treeParams,
      levers: config.pipeline,
    },
    schemes,
    test,
    reference: firstRef,
    referenceNote,
    targets: targetChecks(schemes, test, firstRef),
    runDirs: runs.map((r) => r.result.runDir),
  };
  await Deno.mkdir(a.out, { recursive: true });
  await writeJsonAtomic(join(a.out, "quality.json"), {
    ...report,
    reference: firstRef ? { versions: firstRef.versions, stack: firstRef.models.stack } : null,
  });
  await writeFileAtomic(join(a.out, "quality.md"), qualityMarkdown(report));
  console.log(qualityMarkdown(report));
  return report;
}
