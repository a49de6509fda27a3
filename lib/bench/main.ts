/**
 * `deno task bench <name> [flags]`: the one entry to every benchmark. Each benchmark writes JSON
 * + Markdown under `output/bench/`. Register a benchmark with one line in `BENCHMARKS` (modules
 * are imported lazily, so one benchmark's dependencies never load for another).
 *
 * @module
 */

/** A registered benchmark: what it measures and how to run it with its own flags. */
export interface BenchmarkEntry {
  readonly summary: string;
  readonly run: (args: readonly string[]) => Promise<unknown>;
}

/** Every benchmark, by name. */
export const BENCHMARKS: Readonly<Record<string, BenchmarkEntry>> = {
  model: {
    summary: "GBM fit+predict vs a C++ reference (xgboost hist), RF workers, ridge",
    run: async (a) => (await import("./model_bench.ts")).runModelBench(a),
  },
  features: {
    summary: "local feature extraction: essays/s cold and warm, per-stage ms, peak RSS, levers",
    run: async (a) => (await import("./features_bench.ts")).runFeaturesBench(a),
  },
  quality: {
    summary: "default cv (both schemes) + full train → test vs the Python reference stack, " +
      "same folds",
    run: async (a) => (await import("./quality_bench.ts")).runQualityBench(a),
  },
  "quality-paired": {
    summary: "project vs reference OOF: paired cluster bootstrap with seed replicates (Δ QWK, CI)",
    run: async (a) => (await import("./quality_paired.ts")).runQualityPaired(a),
  },
  offload: {
    summary: "offload throughput: client concurrency x batch size, encoder batch size",
    run: async (a) => (await import("./offload_bench.ts")).runOffloadBench(a),
  },
  evidence: {
    summary: "24-variant sweep on a warm store and one compare-runs (targets 5 min, 5 s)",
    run: async (a) => (await import("./evidence_bench.ts")).runEvidenceBench(a),
  },
  "offload-load": {
    summary: "load on 1 server vs 3 behind nginx: throughput, p50/p95/p99, 503 shedding, RSS",
    run: async (a) => (await import("./offload_load_bench.ts")).runOffloadLoadBench(a),
  },
  checkers: {
    summary:
      "Tier 1 densities: real LanguageTool vs harper.js + nspell (Spearman, agreement, time)",
    run: async (a) => (await import("./checkers_bench.ts")).runCheckersBench(a),
  },
};

function usage(): string {
  const w = Math.max(...Object.keys(BENCHMARKS).map((k) => k.length)) + 2;
  return [
    "usage: deno task bench <name> [flags]",
    "",
    ...Object.entries(BENCHMARKS).map(([k, b]) => `  ${k.padEnd(w)} ${b.summary}`),
  ].join("\n");
}

/**
 * Run the named benchmark; resolves to an exit code.
 *
 * @example
 * ```ts
 * await benchMain(["model", "--repeats", "1"]);
 * ```
 */
export async function benchMain(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const entry = BENCHMARKS[name];
  if (!entry) {
    console.error(`unknown benchmark "${name}"\n\n${usage()}`);
    return 2;
  }
  await entry.run(rest);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await benchMain(Deno.args));
}
