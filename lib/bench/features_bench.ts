/**
 * `deno task bench features [flags]` (see {@link FEATURES_BENCH_USAGE}): local feature-extraction
 * throughput, a per-component CPU profile (`features_profile.ts`) and, with `--compare-ref`, a
 * side-by-side cold comparison with another git ref (`features_compare.ts`).
 *
 * For each CSV (default the embedded train set; repeat `--train-path` for more, e.g. the real
 * ELLIPSE slice): cold extraction through `extractWithStore` into a fresh store (essays/s with
 * and without worker start-up), warm load of that store as a reuse dir (seconds for the whole
 * file), per-stage time per essay (summed over workers), encoder work (texts, distinct texts,
 * graph calls, tokens), and peak RSS (sampled every 50 ms; workers are threads of this process).
 * `--levers` also times the encoder levers on the sentences of the first `--lever-essays` essays
 * (one call per sentence → sorted token-budget batches → dedupe; budgets), paragraph embedding
 * modes, and 1 vs 2 workers. Results: `<out>/features_bench.json` and `.md`.
 *
 * Targets (issue 3): cold combined ≥ 8 essays/s on the real slice, warm ≤ 2 s, peak ≤ 2 GB.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadEllipseCsv } from "../dataset/ellipse_csv.ts";
import { loadUseLiteEncoder } from "../features/embeddings/use_lite_encoder.ts";
import { analyseText } from "../features/handcrafted/text_analysis.ts";
import { createLocalFeatureExtractor, type ExtractorStats } from "../features/extract.ts";
import { extractWithStore } from "../features/store_extraction.ts";
import { createProgressBar, fanOutProgress, throttleProgress } from "../features/progress_bar.ts";
import type { EssayInput } from "../features/types.ts";
import { FEATURE_SETS, type FeatureSet } from "../features/types.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import {
  nativeBlasCore,
  nativeMatMulKernelsInstalled,
  useCompactRowLayouts,
} from "../features/embeddings/native_blas.ts";
import {
  installExactFastKernels,
  uninstallExactFastKernels,
} from "../features/embeddings/exact_kernels.ts";
import type { ErrorChecker } from "../features/types.ts";
import { harperBackend } from "../features/checkers/harper_native.ts";
import { LANGUAGE_TOOL_CHECK_CONCURRENCY } from "../offload/backend.ts";
import { acquireLocalLanguageTool, stopLocalLanguageTool } from "../offload/checker_choice.ts";
import { connectLanguageToolChecker } from "../offload/language_tool_client.ts";
import {
  LANGUAGE_TOOL_VERSION,
  languageToolServerConfig,
  startLanguageTool,
} from "../offload/languagetool_server.ts";
import { type ComponentProfile, profileComponents, profileMarkdown } from "./features_profile.ts";
import { compareTrees, comparisonMarkdown, type TreeComparison } from "./features_compare.ts";
import { processCpuSeconds } from "./process_cpu.ts";

/** Result for one CSV. */
export interface FeaturesBenchResult {
  readonly csv: string;
  readonly essays: number;
  readonly featureSet: FeatureSet;
  readonly workers: number;
  /** The Tier 1 checker of the run. */
  readonly checker: string;
  /** CPU seconds per essay of the LanguageTool server (included in `cpuSecondsPerEssay`). */
  readonly serverCpuSecondsPerEssay: number;
  readonly coldSeconds: number;
  readonly startupSeconds: number;
  readonly coldEssaysPerSecond: number;
  readonly coldEssaysPerSecondExclStartup: number;
  readonly warmLoadSeconds: number;
  readonly warmEssaysPerSecond: number;
  /** Summed over workers, per essay. */
  readonly stageMsPerEssay: Record<string, number>;
  readonly encoder: ExtractorStats["encoder"];
  readonly peakRssMb: number;
  readonly loadAverageStart?: number[];
  /**
   * Process CPU seconds (all threads) per essay during cold extraction, start-up included, plus
   * the LanguageTool server's with `--checker languagetool`.
   */
  readonly cpuSecondsPerEssay: number;
  /** Cores ÷ CPU-seconds per essay: the rate on an otherwise idle machine. */
  readonly projectedIdleEssaysPerSecond: number;
}

/** Timing of one encoder configuration in the lever sweep. */
export interface LeverResult {
  readonly lever: string;
  readonly msPerEssay: number;
  /** Process CPU milliseconds per essay (all threads): robust to other load on the machine. */
  readonly cpuMsPerEssay: number;
  readonly calls: number;
  readonly embedded: number;
}

class RssSampler {
  peak = 0;
  #timer: ReturnType<typeof setInterval>;
  constructor(intervalMs = 50) {
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }
  sample(): void {
    this.peak = Math.max(this.peak, Deno.memoryUsage().rss);
  }
  stop(): number {
    clearInterval(this.#timer);
    this.sample();
    return this.peak;
  }
}

function loadAverage(): number[] | undefined {
  try {
    return Deno.loadavg();
  } catch {
    return undefined;
  }
}

/** A checker run on the calling thread (LanguageTool) and the CPU seconds of its server. */
interface BenchChecker {
  readonly checker: ErrorChecker;
  /** The checker as the report names it (with the server setting). */
  readonly label: string;
  serverCpuSeconds(): number;
}

async function benchCsv(
  csv: string,
  limit: number,
  workers: number,
  featureSet: FeatureSet,
  log: (line: string) => void,
  remote?: BenchChecker,
): Promise<FeaturesBenchResult> {
  const essays: EssayInput[] = (await loadEllipseCsv(csv, "train"))
    .slice(0, limit)
    .map((e) => ({ id: e.id, text: e.text, prompt: e.prompt }));
  log(`${essays.length} essays from ${csv}; ${featureSet}; ${workers} workers`);
  const storeDir = join(await Deno.makeTempDir({ prefix: "features_bench_" }), "cv_feature_store");
  const loadAverageStart = loadAverage();
  const sampler = new RssSampler();
  const extractor = createLocalFeatureExtractor({
    workers,
    ...(remote
      ? { checker: remote.checker, checkerConcurrency: LANGUAGE_TOOL_CHECK_CONCURRENCY }
      : {}),
  });
  const serverCpu0 = remote?.serverCpuSeconds() ?? 0;
  const bar = createProgressBar();
  let coldSeconds: number;
  const cpu0 = processCpuSeconds();
  try {
    const t0 = performance.now();
    const every100 = throttleProgress((stage, done, total) => {
      if (!Deno.stderr.isTerminal()) log(`${stage}: ${done}/${total}`);
    }, 100);
    await extractWithStore({
      essays,
      extractor,
      storeDir,
      featureSet,
      onProgress: fanOutProgress(bar.update, every100),
    });
    coldSeconds = (performance.now() - t0) / 1000;
  } finally {
    bar.finish();
    await extractor.close();
  }
  const serverCpuSecondsPerEssay = ((remote?.serverCpuSeconds() ?? 0) - serverCpu0) /
    Math.max(1, essays.length);
  const cpuSecondsPerEssay = (processCpuSeconds() - cpu0) / Math.max(1, essays.length) +
    serverCpuSecondsPerEssay;
  const startupSeconds = extractor.stats.startupMs / 1000;
  log(`cold: ${coldSeconds.toFixed(1)} s (start-up ${startupSeconds.toFixed(1)} s)`);

  // Warm: a fresh extractor object (no workers started) reusing the finished store.
  const warmExtractor = createLocalFeatureExtractor({ workers, checker: remote?.checker });
  const t1 = performance.now();
  const warm = await extractWithStore({
    essays,
    extractor: warmExtractor,
    storeDir: join(storeDir, "..", "unused"),
    reuseDir: storeDir,
    featureSet,
  });
  const warmLoadSeconds = (performance.now() - t1) / 1000;
  if (warm.ids.length !== essays.length) throw new Error("warm load returned the wrong rows");
  const peak = sampler.stop();
  await Deno.remove(join(storeDir, ".."), { recursive: true });

  const stageMsPerEssay: Record<string, number> = {};
  for (const [stage, ms] of Object.entries(extractor.stats.stageMs)) {
    stageMsPerEssay[stage] = ms / Math.max(1, essays.length);
  }
  return {
    csv,
    essays: essays.length,
    featureSet,
    workers,
    checker: remote?.label ?? `local (harper ${harperBackend()} + nspell, in the workers)`,
    serverCpuSecondsPerEssay,
    coldSeconds,
    startupSeconds,
    coldEssaysPerSecond: essays.length / coldSeconds,
    coldEssaysPerSecondExclStartup: essays.length / Math.max(1e-9, coldSeconds - startupSeconds),
    warmLoadSeconds,
    warmEssaysPerSecond: essays.length / warmLoadSeconds,
    stageMsPerEssay,
    encoder: { ...extractor.stats.encoder },
    peakRssMb: peak / 1e6,
    loadAverageStart,
    cpuSecondsPerEssay,
    projectedIdleEssaysPerSecond: Math.min(workers || 1, navigator.hardwareConcurrency) /
      cpuSecondsPerEssay,
  };
}

/** Encoder options of the lever sweep, with the process-wide kernel levers they imply. */
type LeverOptions = Parameters<typeof loadUseLiteEncoder>[0] & { readonly compactRows?: boolean };

/**
 * The native-kernel levers of issue 21, each added to the one before: from the encoder as it was
 * (shipped tokenizer, original wasm kernels, row-block layout) to the default. Vectors are the
 * same in every row (tested); only the cost differs.
 */
const NATIVE_LEVERS: readonly (readonly [string, LeverOptions])[] = [
  [
    "native OpenBLAS, shipped tokenizer, original kernels, row blocks (before the issue-21 levers)",
    { fastTokenizer: false, exactKernels: false, compactRows: false },
  ],
  ["+ fast tokenizer (same ids)", { exactKernels: false, compactRows: false }],
  ["+ exact GatherV2/SplitV/Sin/Cos kernels", { compactRows: false }],
  ["+ compact row layout (the default)", {}],
];

/** Apply the process-wide kernel levers of `options` (defaults: all on). */
function setKernelLevers(options: LeverOptions | undefined): void {
  if (options?.exactKernels === false) uninstallExactFastKernels();
  else installExactFastKernels();
  useCompactRowLayouts(options?.compactRows ?? true);
}

async function leverSweep(
  csv: string,
  count: number,
  log: (line: string) => void,
): Promise<LeverResult[]> {
  const essays = (await loadEllipseCsv(csv, "train")).slice(0, count);
  const analyses = essays.map((e) => analyseText(e.text));
  const sentences = analyses.flatMap((a) => [...a.sentences]);
  const paragraphs = analyses.flatMap((a) => [...a.paragraphs]);
  const results: LeverResult[] = [];
  // Pure-wasm configurations first: native kernels, once installed, are process-wide.
  const wasm = { nativeBlas: false };
  const configs: [string, LeverOptions, string[]][] = [
    ["one call per sentence, unsorted", {
      ...wasm,
      tokenBudget: 0,
      sortByLength: false,
      dedupe: false,
    }, sentences],
    ["batched (budget 2048), unsorted", {
      ...wasm,
      tokenBudget: 2048,
      sortByLength: false,
      dedupe: false,
    }, sentences],
    ["sorted, budget 512", { ...wasm, tokenBudget: 512, dedupe: false }, sentences],
    ["sorted, budget 1024", { ...wasm, tokenBudget: 1024, dedupe: false }, sentences],
    ["sorted, budget 2048", { ...wasm, tokenBudget: 2048, dedupe: false }, sentences],
    [
      "sorted, budget 4096 (max 128)",
      { ...wasm, tokenBudget: 4096, maxBatch: 128, dedupe: false },
      sentences,
    ],
    ["sorted, budget 2048 + dedupe", wasm, sentences],
    ["paragraph texts encoded (extra cost of paragraphEmbedding=encode)", wasm, paragraphs],
    ...NATIVE_LEVERS.map(([lever, options]) =>
      [lever, options, sentences] as [
        string,
        LeverOptions,
        string[],
      ]
    ),
  ];

  for (const [lever, options, texts] of configs) {
    if (options?.nativeBlas === false && nativeMatMulKernelsInstalled()) {
      log(
        `lever "${lever}": skipped (native kernels already installed on this thread; use ` +
          `--profile-essays 0 to time the wasm levers)`,
      );
      continue;
    }
    setKernelLevers(options);
    const encoder = await loadUseLiteEncoder(options);
    if (options?.nativeBlas !== false && !encoder.name.includes("openblas")) {
      log(`lever "${lever}": skipped (no OpenBLAS here)`);
      continue;
    }
    await encoder.embed(["warm up the graph once"]);
    const before = { ...encoder.stats };
    const cpu0 = processCpuSeconds();
    const t = performance.now();
    await encoder.embed(texts);
    const ms = performance.now() - t;
    const r = {
      lever,
      msPerEssay: ms / essays.length,
      cpuMsPerEssay: (processCpuSeconds() - cpu0) * 1000 / essays.length,
      calls: encoder.stats.calls - before.calls,
      embedded: encoder.stats.embedded - before.embedded,
    };
    log(
      `lever "${lever}": ${r.msPerEssay.toFixed(0)} ms/essay wall, ${
        r.cpuMsPerEssay.toFixed(0)
      } CPU ms/essay (${r.calls} calls)`,
    );
    results.push(r);
  }
  // Workers: embeddings-only extraction of the same essays with 1 and 2 workers.
  const inputs = essays.map((e) => ({ id: e.id, text: e.text, prompt: e.prompt }));
  for (const workers of [1, 2]) {
    // Small tasks so both workers get work even on a few essays.
    const extractor = createLocalFeatureExtractor({ workers, taskSize: 4 });
    try {
      await extractor.extract(inputs.slice(0, 2), { featureSet: "embeddings" });
      const cpu0 = processCpuSeconds();
      const t = performance.now();
      await extractor.extract(inputs, { featureSet: "embeddings" });
      const ms = performance.now() - t;
      const cpuMs = (processCpuSeconds() - cpu0) * 1000;
      const lever = `${workers} worker(s), embeddings only, wall time`;
      log(
        `lever "${lever}": ${(ms / inputs.length).toFixed(0)} ms/essay wall, CPU/wall ${
          (cpuMs / ms).toFixed(2)
        }`,
      );
      results.push({
        lever,
        msPerEssay: ms / inputs.length,
        cpuMsPerEssay: cpuMs / inputs.length,
        calls: extractor.stats.encoder.calls,
        embedded: extractor.stats.encoder.embedded,
      });
    } finally {
      await extractor.close();
    }
  }
  return results;
}

function markdown(
  results: readonly FeaturesBenchResult[],
  levers: readonly LeverResult[],
  profile?: ComponentProfile,
  comparison?: TreeComparison,
): string {
  const lines = [
    "# Feature extraction benchmark (local backend)",
    "",
    `Date: ${
      new Date().toISOString()
    }; ${navigator.hardwareConcurrency} cores; Deno ${Deno.version.deno}.`,
    "Targets (issue 21): combined cold ≤ 0.10 CPU s/essay and ≥ 20 essays/s with 2 workers on an",
    "idle 2-core machine; warm load ≤ 2 s, peak RSS ≤ 2 GB.",
    "",
    ...(profile ? profileMarkdown(profile) : []),
    ...(comparison ? comparisonMarkdown(comparison) : []),
    "## Cold extraction in this process",
    "",
    "| CSV | essays | set | checker | workers | cold essays/s (excl. start-up) | CPU s/essay (of which LanguageTool) | idle-machine essays/s | start-up s | warm load s | peak RSS MB | load avg at start |",
    "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of results) {
    lines.push(
      `| ${r.csv} | ${r.essays} | ${r.featureSet} | ${r.checker} | ${r.workers} | ${
        r.coldEssaysPerSecond.toFixed(2)
      } (${r.coldEssaysPerSecondExclStartup.toFixed(2)}) | ${r.cpuSecondsPerEssay.toFixed(3)} (${
        r.serverCpuSecondsPerEssay.toFixed(3)
      }) | ${r.projectedIdleEssaysPerSecond.toFixed(2)} | ${r.startupSeconds.toFixed(1)} | ${
        r.warmLoadSeconds.toFixed(3)
      } | ${r.peakRssMb.toFixed(0)} | ${
        r.loadAverageStart?.map((v) => v.toFixed(2)).join(" ") ?? "-"
      } |`,
    );
  }
  lines.push("", "## Per-stage time per essay (ms, summed over workers)", "");
  lines.push(
    "| CSV | segment | check (Tier 1 errors) | embed | handcrafted (Tier 1–3) | encoder texts / distinct / calls / tokens |",
  );
  lines.push("|---|---:|---:|---:|---:|---|");
  for (const r of results) {
    const s = r.stageMsPerEssay;
    lines.push(
      `| ${r.csv} | ${s.segment.toFixed(1)} | ${s.check.toFixed(1)} | ${s.embed.toFixed(1)} | ${
        s.handcrafted.toFixed(1)
      } | ${r.encoder.texts} / ${r.encoder.embedded} / ${r.encoder.calls} / ${r.encoder.tokens} |`,
    );
  }
  if (levers.length > 0) {
    lines.push("", "## Encoder levers (sentences of the first essays)", "");
    lines.push(
      "| lever | wall ms/essay | CPU ms/essay | graph calls | texts embedded |",
      "|---|---:|---:|---:|---:|",
    );
    for (const l of levers) {
      lines.push(
        `| ${l.lever} | ${l.msPerEssay.toFixed(0)} | ${
          l.cpuMsPerEssay.toFixed(0)
        } | ${l.calls} | ${l.embedded} |`,
      );
    }
  }
  lines.push(
    "",
    "The machine is shared; the load average at start shows how much other work competed for the 2 cores.",
    "`idle-machine essays/s` = min(workers, cores) ÷ CPU-seconds per essay of this process (all threads),",
    "i.e. the rate when nothing else runs (worker start-up included in the CPU time).",
    "",
  );
  return lines.join("\n");
}

/** The server settings `--languagetool-config` knows. */
const BENCH_LT_CONFIGS = ["default", "before"] as const;

/**
 * A cold LanguageTool for one bench run: `default`, the shared one `--checker` starts (it stops
 * after its idle time; stopped here); `before`, one started here without `--config` (the setting
 * before `maxCheckThreads` = cores).
 */
async function startBenchLanguageTool(
  log: (line: string) => void,
  config: (typeof BENCH_LT_CONFIGS)[number] = "default",
): Promise<BenchChecker & { close(): Promise<void> }> {
  const shared = config === "default"
    ? await (async () => {
      const lt = await acquireLocalLanguageTool(log);
      const stop = async () => {
        lt.release();
        await stopLocalLanguageTool();
      };
      return { url: lt.url, pid: lt.pid, stop };
    })()
    : await (async () => {
      const lt = await startLanguageTool({ heap: "1g", serverConfig: {}, log });
      return { url: lt.url, pid: lt.process.pid, stop: () => lt.stop() };
    })();
  const checker = await connectLanguageToolChecker({
    baseUrl: shared.url,
    protocol: "stock",
    useCache: false,
    identityUrl: `local-languagetool-${LANGUAGE_TOOL_VERSION}`,
  });
  const serverCpuSeconds = () => {
    const stat = Deno.readTextFileSync(`/proc/${shared.pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  };
  const setting = config === "default"
    ? `--config ${JSON.stringify(languageToolServerConfig())}`
    : "no --config (before)";
  return {
    checker,
    label: `${checker.name} [${setting}]`,
    serverCpuSeconds,
    close: async () => {
      await checker.close();
      await shared.stop();
    },
  };
}

/** `bench features --help`. */
export const FEATURES_BENCH_USAGE = `usage: deno task bench features [flags]

Local feature extraction: a per-component CPU profile, cold extraction with 1 and 2 workers
(essays/s, process CPU s/essay, start-up, warm load, peak RSS) and, with --compare-ref, the same
cold extraction of another git ref side by side. Writes <out>/features_bench.{json,md}.

  --train-path CSV      ELLIPSE-format CSV (repeatable; default the embedded train set)
  --limit N             first N essays of each CSV (default all)
  --workers LIST        worker counts for the cold runs, comma-separated (default 1,2)
  --feature-set S       combined | handcrafted | embeddings (default combined)
  --profile-essays N    essays of the per-component profile, from the last --train-path (default
                        64; 0 = skip)
  --checker C           local (harper, native when built else harper.js, + nspell in the workers;
                        default) | languagetool (a
                        LanguageTool started here, cold, checked with 8 requests in flight; its
                        server CPU counts in CPU s/essay)
  --languagetool-config LIST  with --checker languagetool: default (maxCheckThreads = cores)
                        and/or before (no --config), run in that order per worker count
  --compare-ref REF     also run the cold extraction of git REF (e.g. main) in fresh processes,
                        alternating with this tree, and report the ratios and store differences
                        (one CSV: give a single --train-path; concatenate train and test first)
  --compare-repo DIR    git repository holding REF (default .)
  --baseline-harper-lib PATH  the native harper library REF's runs load (HARPER_NATIVE_LIB for
                        them only; REF's exported tree has no build, so without it REF runs
                        harper.js unless HARPER_NATIVE_LIB is set for both)
  --repeats N           alternations per worker count with --compare-ref (default 1)
  --levers              also time the encoder levers (batching, budgets, wasm vs OpenBLAS)
  --lever-essays N      essays for --levers, from the last --train-path (default 24)
  --out DIR             output directory (default output/bench)
  -h, --help            this text`;

/** Parse `--workers 1,2`. */
function workerList(raw: string): number[] {
  const list = raw.split(",").map((w) => Number(w.trim()));
  if (list.length === 0 || list.some((w) => !Number.isInteger(w) || w < 0)) {
    throw new Error(`--workers must be a comma-separated list of integers ≥ 0, got "${raw}"`);
  }
  return list;
}

/** Run the benchmark with command-line `args`; returns the path of the JSON written. */
export async function runFeaturesBench(args: readonly string[]): Promise<string> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(FEATURES_BENCH_USAGE);
    return "";
  }
  const { values } = parseArgs({
    args: [...args],
    options: {
      "train-path": { type: "string", multiple: true },
      limit: { type: "string", default: "100000" },
      workers: { type: "string", default: "1,2" },
      "feature-set": { type: "string", default: "combined" },
      "profile-essays": { type: "string", default: "64" },
      checker: { type: "string", default: "local" },
      "languagetool-config": { type: "string", default: "default" },
      "compare-ref": { type: "string" },
      "compare-repo": { type: "string", default: "." },
      repeats: { type: "string", default: "1" },
      "baseline-harper-lib": { type: "string" },
      levers: { type: "boolean", default: false },
      "lever-essays": { type: "string", default: "24" },
      out: { type: "string", default: "output/bench" },
    },
    strict: true,
  });
  const featureSet = values["feature-set"] as FeatureSet;
  if (!FEATURE_SETS.includes(featureSet)) {
    throw new Error(`--feature-set must be one of ${FEATURE_SETS.join(", ")}`);
  }
  const int = (name: string, raw: string, min: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      throw new Error(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
    }
    return n;
  };
  const limit = int("limit", values.limit, 1);
  const workers = workerList(values.workers);
  const csvs = values["train-path"] ?? ["data/embedded/ellipse_embedded_train.csv"];
  if (values["compare-ref"] && csvs.length > 1) {
    throw new Error(
      `--compare-ref runs one CSV side by side, got ${csvs.length} --train-path values; ` +
        "concatenate them first (the header once), e.g. " +
        "(cat a.csv; tail -n +2 b.csv) > all.csv",
    );
  }
  const log = (line: string) => console.error(`[bench features] ${line}`);

  const profileEssays = int("profile-essays", values["profile-essays"], 0);
  const profile = profileEssays > 0
    ? await profileComponents(
      (await loadEllipseCsv(csvs[csvs.length - 1], "train")).slice(0, profileEssays)
        .map((e) => ({ id: e.id, text: e.text, prompt: e.prompt })),
    )
    : undefined;
  if (profile) log(`profile: ${JSON.stringify(profile.cpuMsPerEssay)}`);

  if (values.checker !== "local" && values.checker !== "languagetool") {
    throw new Error(`--checker must be local or languagetool, got "${values.checker}"`);
  }
  const ltConfigs = values["languagetool-config"].split(",").map((c) => {
    const config = BENCH_LT_CONFIGS.find((k) => k === c.trim());
    if (!config) {
      throw new Error(`--languagetool-config: unknown "${c}"; known: ${BENCH_LT_CONFIGS}`);
    }
    return config;
  });
  const results: FeaturesBenchResult[] = [];
  for (const csv of csvs) {
    for (const w of workers) {
      if (values.checker === "local") {
        results.push(await benchCsv(csv, limit, w, featureSet, log));
        continue;
      }
      for (const config of ltConfigs) {
        const lt = await startBenchLanguageTool(log, config);
        try {
          results.push(await benchCsv(csv, limit, w, featureSet, log, lt));
        } finally {
          await lt.close();
        }
      }
    }
  }
  for (const r of results) {
    log(
      `${r.csv}, ${r.workers} workers: cold ${r.coldEssaysPerSecond.toFixed(2)} essays/s (${
        r.coldEssaysPerSecondExclStartup.toFixed(2)
      } excl. start-up; ${r.cpuSecondsPerEssay.toFixed(3)} CPU s/essay), warm ${
        r.warmLoadSeconds.toFixed(3)
      } s, peak ${r.peakRssMb.toFixed(0)} MB`,
    );
  }
  const comparison = values["compare-ref"]
    ? await compareTrees({
      ref: values["compare-ref"],
      repo: values["compare-repo"],
      csv: csvs[csvs.length - 1],
      limit,
      workers,
      repeats: int("repeats", values.repeats, 1),
      baselineEnv: values["baseline-harper-lib"]
        ? { HARPER_NATIVE_LIB: resolve(values["baseline-harper-lib"]) }
        : undefined,
      log,
    })
    : undefined;
  const levers = values.levers
    ? await leverSweep(csvs[csvs.length - 1], int("lever-essays", values["lever-essays"], 1), log)
    : [];
  const jsonPath = join(values.out, "features_bench.json");
  await writeJsonAtomic(jsonPath, {
    benchmark: "features",
    date: new Date().toISOString(),
    cores: navigator.hardwareConcurrency,
    kernel: profile
      ? { encoder: profile.encoder, blasCore: profile.blasCore, rowBlocks: profile.rowBlocks }
      : { blasCore: nativeBlasCore() },
    profile,
    results,
    comparison,
    levers,
  });
  await writeFileAtomic(
    join(values.out, "features_bench.md"),
    markdown(results, levers, profile, comparison),
  );
  log(`wrote ${jsonPath} and features_bench.md`);
  return jsonPath;
}

if (import.meta.main) {
  await runFeaturesBench(Deno.args);
}
