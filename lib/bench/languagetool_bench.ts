/**
 * `deno task bench languagetool --train-path CSV [--limit 120] [--concurrency 8] [--repeats 2]
 * [--settings before,cores,one,cores+pipeline] [--language en-US] [--out output/bench]`: the
 * LanguageTool server settings side by side, cold, in the same run (issue 21 item 5).
 *
 * Each setting starts its own LanguageTool 6.6 (a cold JVM), checks the same essays through our
 * client (stock dialect, no cache, `--concurrency` requests in flight), and stops; settings
 * alternate, `--repeats` times. Per run: the server's CPU at start-up and while checking
 * (`/proc/<pid>/stat`), our process's CPU, wall essays/s, and a digest of every essay's matches
 * (rule id, offset, length) — a setting is only usable when its digest equals `before`'s, i.e.
 * no count any feature uses can change. The machine is shared, so CPU-s per essay is the
 * comparable figure; wall essays/s is as measured. Writes `languagetool_bench.{json,md}`.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadEllipseCsv } from "../dataset/ellipse_csv.ts";
import {
  LANGUAGE_TOOL_JVM_OPTIONS,
  languageToolServerConfig,
  startLanguageTool,
} from "../offload/languagetool_server.ts";
import { connectLanguageToolChecker } from "../offload/language_tool_client.ts";
import { sha256Hex } from "../offload/canonical.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";

/** A named server setting: JVM options and `--config` properties. */
export interface LanguageToolSetting {
  readonly name: string;
  readonly jvmOptions: readonly string[];
  readonly serverConfig: Readonly<Record<string, string>>;
}

/** The settings the bench knows (`before` = what shipped before this bench: no `--config`). */
export function benchSettings(cores: number): Record<string, LanguageToolSetting> {
  const jvmOptions = LANGUAGE_TOOL_JVM_OPTIONS;
  const threads = languageToolServerConfig(cores);
  return {
    before: {
      name: "before (LanguageTool's default 10 check threads)",
      jvmOptions,
      serverConfig: {},
    },
    cores: {
      name: `maxCheckThreads=${cores} (the default now)`,
      jvmOptions,
      serverConfig: threads,
    },
    one: { name: "maxCheckThreads=1", jvmOptions, serverConfig: { maxCheckThreads: "1" } },
    "cores+pipeline": {
      name: `maxCheckThreads=${cores} + pipelineCaching`,
      jvmOptions,
      serverConfig: { ...threads, pipelineCaching: "true", maxPipelinePoolSize: String(cores * 2) },
    },
  };
}

/** One cold run of one setting. */
export interface LanguageToolBenchRun {
  readonly setting: string;
  readonly repeat: number;
  /** LanguageTool's check threads (`maxCheckThreads`; its default is 10). */
  readonly checkThreads: number;
  readonly essays: number;
  readonly startupServerCpuS: number;
  readonly startupWallS: number;
  readonly checkServerCpuSPerEssay: number;
  readonly clientCpuSPerEssay: number;
  /** Server (start-up included) + client CPU-s per essay. */
  readonly totalCpuSPerEssay: number;
  readonly wallEssaysPerS: number;
  readonly loadAverage: number;
  readonly matchesDigest: string;
  readonly matches: number;
}

function processCpuSeconds(pid: number | "self"): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

function loadAverage(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  } catch {
    return NaN;
  }
}

/** Start a cold LanguageTool with a setting, check the texts, stop it. */
export async function benchOneRun(
  setting: LanguageToolSetting,
  texts: readonly string[],
  options: { concurrency: number; language: string; repeat: number },
): Promise<LanguageToolBenchRun> {
  const load = loadAverage();
  const t0 = performance.now();
  const lt = await startLanguageTool({
    port: 0,
    heap: "1g",
    jvmOptions: setting.jvmOptions,
    serverConfig: setting.serverConfig,
  });
  try {
    const startupWallS = (performance.now() - t0) / 1000;
    const startupCpu = processCpuSeconds(lt.process.pid);
    const client0 = processCpuSeconds("self");
    const checker = await connectLanguageToolChecker({
      baseUrl: lt.url,
      protocol: "stock",
      useCache: false,
      maxConcurrency: options.concurrency,
    });
    const lines: string[] = new Array(texts.length);
    let next = 0;
    let matches = 0;
    const t1 = performance.now();
    await Promise.all(Array.from({ length: options.concurrency }, async () => {
      while (next < texts.length) {
        const i = next++;
        const found = await checker.check(texts[i], options.language);
        matches += found.length;
        lines[i] = found.map((m) => `${m.ruleId}@${m.offset}+${m.length}`).join(" ");
      }
    }));
    const wallS = (performance.now() - t1) / 1000;
    await checker.close();
    const serverCpu = processCpuSeconds(lt.process.pid);
    const clientCpu = processCpuSeconds("self") - client0;
    const n = texts.length;
    return {
      setting: setting.name,
      repeat: options.repeat,
      checkThreads: Number(setting.serverConfig.maxCheckThreads ?? 10),
      essays: n,
      startupServerCpuS: startupCpu,
      startupWallS,
      checkServerCpuSPerEssay: (serverCpu - startupCpu) / n,
      clientCpuSPerEssay: clientCpu / n,
      totalCpuSPerEssay: (serverCpu + clientCpu) / n,
      wallEssaysPerS: n / wallS,
      loadAverage: load,
      matchesDigest: sha256Hex(lines.join("\n")).slice(0, 16),
      matches,
    };
  } finally {
    await lt.stop();
  }
}

/** The Markdown report. */
export function renderLanguageToolBench(
  meta: { command: string; csv: string; essays: number; concurrency: number; cores: number },
  runs: readonly LanguageToolBenchRun[],
): string {
  const before = runs.find((r) => r.setting.startsWith("before"))?.matchesDigest;
  const lines = [
    "# LanguageTool server settings, cold, side by side",
    "",
    `\`${meta.command}\``,
    "",
    `${meta.essays} essays of \`${meta.csv}\`, ${meta.concurrency} requests in flight, ` +
    `${meta.cores} cores (shared: CPU-s per essay is the comparable figure; wall essays/s is as ` +
    "measured under the load shown). `idle essays/s` = min(cores, check threads) ÷ total CPU-s " +
    "per essay (the rate with nothing else running).",
    "",
    "| setting | run | start-up CPU s | check CPU s/essay (server) | client CPU s/essay | total CPU s/essay | idle essays/s | wall essays/s | load avg | matches same as before |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of runs) {
    lines.push(
      `| ${r.setting} | ${r.repeat} | ${r.startupServerCpuS.toFixed(1)} | ${
        r.checkServerCpuSPerEssay.toFixed(3)
      } | ${r.clientCpuSPerEssay.toFixed(3)} | ${r.totalCpuSPerEssay.toFixed(3)} | ${
        (Math.min(meta.cores, r.checkThreads) / r.totalCpuSPerEssay).toFixed(2)
      } | ${r.wallEssaysPerS.toFixed(2)} | ${r.loadAverage.toFixed(1)} | ${
        r.matchesDigest === before ? "yes" : "**no**"
      } (${r.matches}) |`,
    );
  }
  lines.push("");
  return lines.join("\n");
}

/** `bench languagetool --help`. */
export const LANGUAGETOOL_BENCH_USAGE =
  `usage: deno task bench languagetool --train-path CSV [flags]

LanguageTool server settings side by side: each starts a cold LanguageTool, checks the same essays
and stops; settings alternate. Writes <out>/languagetool_bench.{json,md}.

  --train-path CSV    ELLIPSE-format CSV (required)
  --limit N           first N essays (default 120)
  --concurrency N     requests in flight (default 8, as local extraction)
  --repeats N         alternations (default 2)
  --settings LIST     of before, cores, one, cores+pipeline (default before,cores)
  --language CODE     LanguageTool language (default en-US)
  --out DIR           output directory (default output/bench)`;

/** Run the bench with command-line `args`; returns the JSON path. */
export async function runLanguageToolBench(args: readonly string[]): Promise<string> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(LANGUAGETOOL_BENCH_USAGE);
    return "";
  }
  const { values } = parseArgs({
    args: [...args],
    options: {
      "train-path": { type: "string" },
      limit: { type: "string", default: "120" },
      concurrency: { type: "string", default: "8" },
      repeats: { type: "string", default: "2" },
      settings: { type: "string", default: "before,cores" },
      language: { type: "string", default: "en-US" },
      out: { type: "string", default: "output/bench" },
    },
    strict: true,
  });
  if (!values["train-path"]) throw new Error("--train-path is required");
  const cores = navigator.hardwareConcurrency ?? 2;
  const known = benchSettings(cores);
  const settings = values.settings.split(",").map((s) => {
    const setting = known[s.trim()];
    if (!setting) throw new Error(`--settings: unknown "${s}"; known: ${Object.keys(known)}`);
    return setting;
  });
  const essays = (await loadEllipseCsv(values["train-path"], "train")).slice(
    0,
    Number(values.limit),
  );
  const texts = essays.map((e) => e.text);
  const runs: LanguageToolBenchRun[] = [];
  for (let repeat = 1; repeat <= Number(values.repeats); repeat++) {
    for (const setting of settings) {
      const opts = { concurrency: Number(values.concurrency), language: values.language, repeat };
      const run = await benchOneRun(setting, texts, opts);
      console.error(JSON.stringify(run));
      runs.push(run);
    }
  }
  const meta = {
    command: `deno task bench languagetool ${args.join(" ")}`,
    csv: values["train-path"],
    essays: texts.length,
    concurrency: Number(values.concurrency),
    cores,
  };
  await Deno.mkdir(values.out, { recursive: true });
  const jsonPath = join(values.out, "languagetool_bench.json");
  await writeJsonAtomic(jsonPath, { ...meta, generated_utc: new Date().toISOString(), runs });
  await writeFileAtomic(
    join(values.out, "languagetool_bench.md"),
    renderLanguageToolBench(meta, runs),
  );
  return jsonPath;
}
