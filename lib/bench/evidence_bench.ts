/**
 * `deno task bench evidence`: the evidence layer's speed targets — a 24-variant `sweep` on one
 * warm feature store (target ≤ 5 min on 2 cores for the 696-essay real dev slice) and one
 * `compare-runs` (target ≤ 5 s). The default space is the 3 × 2 × 2 × 2 grid max depth ×
 * learning rate × sample weighting × cut-point mode. Every sweep starts in a fresh directory (no
 * resumed variants). Writes `output/bench/evidence_bench.{json,md}` with wall times, the load
 * average before and after (the machine is shared), and the sweep's ranked top 5.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import { resolveExperimentConfig } from "../run/config.ts";
import { runCompareRuns } from "../steps/compare_runs.ts";
import { runSweep } from "../steps/sweep_step.ts";
import { expandSpace, parseSearchSpace } from "../steps/sweep_space.ts";
import { DEFAULT_STEP_MODEL_OPTIONS } from "../steps/model_inputs.ts";

/** The default 24-variant space. */
export const BENCH_SPACE = {
  mode: "grid",
  parameters: {
    "treeParams.maxDepth": [3, 4, 6],
    "treeParams.learningRate": [0.05, 0.1],
    sampleWeighting: ["none", "sqrt_inv_freq"],
    cutpointMode: ["inner_oof", "lofo"],
  },
};

/** `bench evidence` flags (`deno task bench evidence --help` prints them). */
export const EVIDENCE_BENCH_OPTIONS = {
  "train-path": { type: "string" },
  "test-path": { type: "string" },
  "splits-path": { type: "string" },
  store: { type: "string" },
  space: { type: "string" },
  "feature-set": { type: "string", default: "combined" },
  out: { type: "string", default: "output/bench" },
} as const;

/** What each `bench evidence` flag does. */
export const EVIDENCE_BENCH_HELP: Readonly<Record<keyof typeof EVIDENCE_BENCH_OPTIONS, string>> = {
  "train-path": "prepared train CSV (required)",
  "test-path": "prepared test CSV (required)",
  "splits-path": "their splits.json (required)",
  store: "a warm cv feature store of the train essays (required)",
  space: "search-space JSON (default: the 24-variant bench space)",
  "feature-set": "handcrafted | embeddings | combined",
  out: "output directory",
};

/** Run the benchmark with command-line `args`; returns the path of the JSON written. */
export async function runEvidenceBench(args: readonly string[]): Promise<string> {
  const { values } = parseArgs({
    args: [...args],
    options: EVIDENCE_BENCH_OPTIONS,
    strict: true,
  });
  for (const k of ["train-path", "test-path", "splits-path", "store"] as const) {
    if (!values[k]) {
      throw new Error(
        `--${k} is required (prepared train/test CSVs, their splits.json, a warm cv feature store)`,
      );
    }
  }
  const space = parseSearchSpace(
    values.space ? JSON.parse(await Deno.readTextFile(values.space)) : BENCH_SPACE,
  );
  const root = await Deno.makeTempDir({ dir: values.out, prefix: "evidence_bench_" });
  const config = resolveExperimentConfig(undefined, {
    ellipseTrainPath: values["train-path"],
    ellipseTestPath: values["test-path"],
    splitsPath: values["splits-path"],
    reuseCvFeatureStoreDir: values.store,
    featureSet: values["feature-set"],
    outputRoot: root,
    experimentLogPath: join(root, "EXPERIMENT_LOG.md"),
    runName: "bench_sweep",
  });
  const log = (line: string) => console.error(`[bench evidence] ${line}`);
  const loadBefore = Deno.loadavg();
  let t0 = performance.now();
  const sweep = await runSweep(config, expandSpace(space), {
    step: DEFAULT_STEP_MODEL_OPTIONS,
    sweepDir: join(root, "sweep"),
    echo: false,
  });
  const sweepSeconds = (performance.now() - t0) / 1000;
  log(`sweep of ${sweep.ranked.length} variants: ${sweepSeconds.toFixed(1)} s`);
  const byIndex = [...sweep.ranked].sort((a, b) => a.index - b.index);
  t0 = performance.now();
  const cmp = await runCompareRuns(byIndex[0].runDir, byIndex[1].runDir, {
    outputRoot: root,
    experimentLogPath: join(root, "EXPERIMENT_LOG.md"),
    runName: "bench_compare",
  }, { echo: false });
  const compareSeconds = (performance.now() - t0) / 1000;
  log(`compare-runs (5,000 resamples): ${compareSeconds.toFixed(2)} s`);
  const loadAfter = Deno.loadavg();
  const result = {
    benchmark: "evidence",
    date: new Date().toISOString(),
    cores: navigator.hardwareConcurrency,
    load_average_before: loadBefore,
    load_average_after: loadAfter,
    n_essays: cmp.comparison.nEssays,
    variants: sweep.ranked.length,
    sweep_seconds: sweepSeconds,
    seconds_per_variant: sweepSeconds / sweep.ranked.length,
    compare_seconds: compareSeconds,
    targets: { sweep_seconds: 300, compare_seconds: 5 },
    sweep_dir: sweep.sweepDir,
    top5: sweep.ranked.slice(0, 5).map((o) => ({
      index: o.index,
      label: o.label,
      mean_qwk: o.meanQwk,
      worst_prompt_qwk: o.worstPromptQwk,
      high_band_adjacent: o.highBandAdjacent,
      vs_first: o.vsFirst?.comparison.difference ?? "baseline",
    })),
  };
  const jsonPath = join(values.out, "evidence_bench.json");
  await writeJsonAtomic(jsonPath, result);
  await writeFileAtomic(
    join(values.out, "evidence_bench.md"),
    [
      "# Evidence benchmark",
      "",
      `${result.date}, ${result.cores} cores, load average ${
        loadBefore.map((l) => l.toFixed(1)).join("/")
      } before, ${loadAfter.map((l) => l.toFixed(1)).join("/")} after; ${result.n_essays} essays.`,
      "",
      "| measure | seconds | target |",
      "|---|---:|---:|",
      `| sweep, ${result.variants} variants (fresh, warm store) | ${
        sweepSeconds.toFixed(1)
      } | 300 |`,
      `| per variant | ${result.seconds_per_variant.toFixed(1)} | |`,
      `| compare-runs (5,000 resamples, incl. reading both runs) | ${
        compareSeconds.toFixed(2)
      } | 5 |`,
      "",
      `Sweep summary: \`${sweep.summaryPath}\`.`,
      "",
    ].join("\n"),
  );
  log(`wrote ${jsonPath} and evidence_bench.md`);
  return jsonPath;
}
