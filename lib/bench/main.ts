/**
 * `deno task bench <name> [flags]`: the one entry to every benchmark. Each benchmark writes JSON
 * + Markdown under `output/bench/`. Register a benchmark with one line in `BENCHMARKS` (modules
 * are imported lazily, so one benchmark's dependencies never load for another).
 *
 * @module
 */

/** A benchmark's flags: `parseArgs` options and what each does. */
export interface BenchFlags {
  readonly options: Readonly<
    Record<
      string,
      { readonly type: string; readonly default?: unknown; readonly multiple?: boolean }
    >
  >;
  readonly help: Readonly<Record<string, string>>;
}

/** A registered benchmark: what it measures, how to run it, and its flags for `--help`. */
export interface BenchmarkEntry {
  readonly summary: string;
  readonly run: (args: readonly string[]) => Promise<unknown>;
  /** Its flags (lazily imported); absent = the benchmark answers `--help` itself. */
  readonly flags?: () => Promise<BenchFlags>;
}

/** Every benchmark, by name. */
export const BENCHMARKS: Readonly<Record<string, BenchmarkEntry>> = {
  model: {
    summary: "GBM fit+predict vs a C++ reference (xgboost hist), RF workers, ridge",
    run: async (a) => (await import("./model_bench.ts")).runModelBench(a),
    flags: async () => {
      const m = await import("./model_bench.ts");
      return { options: m.MODEL_BENCH_OPTIONS, help: m.MODEL_BENCH_HELP };
    },
  },
  features: {
    summary: "local feature extraction: essays/s cold and warm, per-stage ms, peak RSS, levers",
    run: async (a) => (await import("./features_bench.ts")).runFeaturesBench(a),
  },
  languagetool: {
    summary: "LanguageTool server settings side by side, cold: CPU-s/essay, essays/s, same matches",
    run: async (a) => (await import("./languagetool_bench.ts")).runLanguageToolBench(a),
  },
  quality: {
    summary: "default cv (both schemes) + full train → test vs the Python reference stack, " +
      "same folds",
    run: async (a) => (await import("./quality_bench.ts")).runQualityBench(a),
    flags: async () => {
      const m = await import("./quality_bench.ts");
      return { options: m.QUALITY_BENCH_OPTIONS, help: m.QUALITY_BENCH_HELP };
    },
  },
  "quality-corpus": {
    summary: "a cv run on any manifest corpus vs a TF-IDF ridge reference on its own folds " +
      "(per-prompt corpora: the reference per prompt, mean per-prompt QWK (Fisher z))",
    run: async (a) => (await import("./quality_corpus.ts")).runQualityCorpusBench(a),
    flags: async () => {
      const m = await import("./quality_corpus.ts");
      return { options: m.QUALITY_CORPUS_OPTIONS, help: m.QUALITY_CORPUS_HELP };
    },
  },
  "quality-paired": {
    summary: "project vs reference OOF: paired cluster bootstrap with seed replicates (Δ QWK, CI)",
    run: async (a) => (await import("./quality_paired.ts")).runQualityPaired(a),
    flags: async () => {
      const m = await import("./quality_paired.ts");
      return { options: m.QUALITY_PAIRED_OPTIONS, help: m.QUALITY_PAIRED_HELP };
    },
  },
  offload: {
    summary: "offload throughput: client concurrency x batch size, encoder batch size",
    run: async (a) => (await import("./offload_bench.ts")).runOffloadBench(a),
    flags: async () => {
      const m = await import("./offload_bench.ts");
      return { options: m.OFFLOAD_BENCH_OPTIONS, help: m.OFFLOAD_BENCH_HELP };
    },
  },
  evidence: {
    summary: "24-variant sweep on a warm store and one compare-runs (targets 5 min, 5 s)",
    run: async (a) => (await import("./evidence_bench.ts")).runEvidenceBench(a),
    flags: async () => {
      const m = await import("./evidence_bench.ts");
      return { options: m.EVIDENCE_BENCH_OPTIONS, help: m.EVIDENCE_BENCH_HELP };
    },
  },
  "offload-original-client": {
    summary: "our offload server fetched by the original Python client vs local extraction " +
      "(target: within 10 %)",
    run: async (a) =>
      (await import("./offload_original_client_bench.ts")).runOffloadOriginalClientBench(a),
    flags: async () => {
      const m = await import("./offload_original_client_bench.ts");
      return { options: m.OFFLOAD_ORIGINAL_CLIENT_OPTIONS, help: m.OFFLOAD_ORIGINAL_CLIENT_HELP };
    },
  },
  "offload-load": {
    summary: "load on 1 server vs 3 behind nginx: throughput, p50/p95/p99, 503 shedding, RSS",
    run: async (a) => (await import("./offload_load_bench.ts")).runOffloadLoadBench(a),
    flags: async () => {
      const m = await import("./offload_load_bench.ts");
      return { options: m.OFFLOAD_LOAD_BENCH_OPTIONS, help: m.OFFLOAD_LOAD_BENCH_HELP };
    },
  },
  harper: {
    summary: "harper.js (local checker): start-up, CPU/essay vs enabled rules, rule kinds, " +
      "identity of a rule configuration",
    run: async (a) => (await import("./harper_bench.ts")).runHarperBench(a),
    flags: async () => {
      const m = await import("./harper_bench.ts");
      return { options: m.HARPER_BENCH_OPTIONS, help: m.HARPER_BENCH_HELP };
    },
  },
  "harper-native": {
    summary: "native harper library vs harper.js: CPU/essay, identical matches, chunker audit",
    run: async (a) => (await import("./harper_native_bench.ts")).runHarperNativeBench(a),
    flags: async () => {
      const m = await import("./harper_native_bench.ts");
      return { options: m.HARPER_NATIVE_BENCH_OPTIONS, help: m.HARPER_NATIVE_BENCH_HELP };
    },
  },
  checkers: {
    summary:
      "Tier 1 densities: real LanguageTool vs harper.js + nspell (Spearman, agreement, time)",
    run: async (a) => (await import("./checkers_bench.ts")).runCheckersBench(a),
    flags: async () => {
      const m = await import("./checkers_bench.ts");
      return { options: m.CHECKERS_BENCH_OPTIONS, help: m.CHECKERS_BENCH_HELP };
    },
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
 * The `--help` text of one benchmark: its flags with their defaults and what they do.
 *
 * @example
 * ```ts
 * console.log(benchUsage("model", BENCHMARKS.model.summary, await BENCHMARKS.model.flags!()));
 * ```
 */
export function benchUsage(name: string, summary: string, flags: BenchFlags): string {
  const rows = Object.entries(flags.options).map(([k, o]) => [
    `--${k}${o.type === "string" ? " <value>" : ""}`,
    (flags.help[k] ?? "") +
    (o.default !== undefined && o.default !== false ? ` (default ${String(o.default)})` : "") +
    (o.multiple ? " (repeatable)" : ""),
  ]);
  rows.push(["-h, --help", "this text"]);
  const w = Math.max(...rows.map(([k]) => k.length)) + 2;
  return [
    `usage: deno task bench ${name} [flags]`,
    "",
    summary,
    "",
    ...rows.map(([k, d]) => `  ${k.padEnd(w)}${d}`),
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
  if (entry.flags && (rest.includes("--help") || rest.includes("-h"))) {
    console.log(benchUsage(name, entry.summary, await entry.flags()));
    return 0;
  }
  await entry.run(rest);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await benchMain(Deno.args));
}
