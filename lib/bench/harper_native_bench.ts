/**
 * `deno task bench harper-native --train-path CSV [--train-path CSV …] [--limit N] [--out DIR]`:
 * the native harper library (`deno task build-native`) against harper.js on the same essays, in
 * one process: CPU per essay of each (this thread), whether every essay gets the same checker
 * matches (rule, category, span; messages are left out because harper words some of them in hash
 * order), and the chunker audit: a second native pass with the audit on, which also runs burn's
 * BiLSTM forward pass on every sentence and compares it value by value with the library's
 * plain-Rust one (the pass's extra CPU is what burn's chunker would cost). Writes
 * `harper_native_bench.{json,md}`.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadEllipseCsv } from "../dataset/ellipse_csv.ts";
import {
  harperLintMatches,
  harperMatches,
  harperRulesOff,
  newHarperLinter,
} from "../features/checkers/harper_checker.ts";
import {
  auditNativeChunker,
  type ChunkerAuditCounts,
  harperBackend,
  nativeHarperLints,
} from "../features/checkers/harper_native.ts";
import type { ErrorMatch } from "../features/types.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import { threadCpuMs } from "./harper_profile.ts";

/** Flags of `deno task bench harper-native`. */
export const HARPER_NATIVE_BENCH_OPTIONS = {
  "train-path": { type: "string", multiple: true },
  limit: { type: "string", default: "0" },
  out: { type: "string", default: "output/bench" },
} as const;

/** Help text per flag. */
export const HARPER_NATIVE_BENCH_HELP: Readonly<Record<string, string>> = {
  "train-path": "ELLIPSE-format CSV (repeatable; default the embedded train set)",
  limit: "first N essays of each CSV (0 = all)",
  out: "output directory",
};

const LANGUAGE = "en-US";

/** Result of {@link runHarperNativeBench}. */
export interface HarperNativeBench {
  readonly csvs: readonly string[];
  readonly essays: number;
  /** Mean CPU ms per essay (this thread) of the checker's harper call path. */
  readonly cpuMsPerEssay: { readonly wasm: number; readonly native: number };
  /** Essays whose matches (without messages) differ between the two builds. */
  readonly essaysDiffering: number;
  readonly matches: number;
  /** The audit pass: counts, and its CPU ms per essay (native + burn's forward pass). */
  readonly chunkerAudit: ChunkerAuditCounts & { readonly cpuMsPerEssay: number };
}

function matchKeys(matches: readonly ErrorMatch[]): string {
  return matches.map((m) => `${m.offset}:${m.length}:${m.ruleId}:${m.categoryId}`).join("|");
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = threadCpuMs();
  const value = fn();
  return { value, ms: threadCpuMs() - t0 };
}

async function wasmPass(texts: readonly string[]): Promise<{ keys: string[]; ms: number }> {
  const linter = await newHarperLinter(LANGUAGE, harperRulesOff(false));
  await linter.organizedLints("Warm up the linter.", { language: "plaintext" });
  const keys: string[] = [];
  let ms = 0;
  for (const text of texts) {
    const t0 = threadCpuMs();
    const lints = await linter.organizedLints(text, { language: "plaintext" });
    keys.push(matchKeys(harperMatches(text, lints)));
    ms += threadCpuMs() - t0;
  }
  return { keys, ms };
}

function nativePass(texts: readonly string[]): string[] {
  return texts.map((t) => matchKeys(harperLintMatches(t, nativeHarperLints(t, LANGUAGE, false))));
}

/** Run the comparison on `texts` (see the module docs). */
export async function compareHarperBuilds(
  texts: readonly string[],
  csvs: readonly string[],
): Promise<HarperNativeBench> {
  if (harperBackend() !== "native") {
    throw new Error("the native harper library is not in use: run `deno task build-native`");
  }
  nativePass(["Warm up the library."]);
  const wasm = await wasmPass(texts);
  const native = timed(() => nativePass(texts));
  const audit = timed(() => auditNativeChunker(() => nativePass(texts)));
  const n = Math.max(1, texts.length);
  return {
    csvs,
    essays: texts.length,
    cpuMsPerEssay: { wasm: wasm.ms / n, native: native.ms / n },
    essaysDiffering: wasm.keys.filter((k, i) => k !== native.value[i]).length,
    matches: wasm.keys.reduce((s, k) => s + (k === "" ? 0 : k.split("|").length), 0),
    chunkerAudit: { ...audit.value.counts, cpuMsPerEssay: audit.ms / n },
  };
}

/** The Markdown report of {@link compareHarperBuilds}. */
export function harperNativeMarkdown(r: HarperNativeBench): string {
  const a = r.chunkerAudit;
  return [
    "# harper: native library vs harper.js",
    "",
    `Essays: ${r.essays} (${r.csvs.join(", ")}); one thread, thread CPU time.`,
    "",
    "| build | CPU ms/essay |",
    "|---|---:|",
    `| harper.js (wasm) | ${r.cpuMsPerEssay.wasm.toFixed(1)} |`,
    `| native (native/patches applied) | ${r.cpuMsPerEssay.native.toFixed(1)} |`,
    `| native with the chunker audit (also burn's forward pass) | ${a.cpuMsPerEssay.toFixed(1)} |`,
    "",
    `Matches: ${r.matches}; essays whose matches differ between the builds: ` +
    `**${r.essaysDiffering}**.`,
    "",
    `Chunker audit: ${a.compared} tokens compared; value differs from burn's in any bit: ` +
    `**${a.bitsDiffer}**; noun-phrase flag differs: **${a.flagsDiffer}**.`,
    "",
  ].join("\n");
}

/** Entry point of `deno task bench harper-native`. */
export async function runHarperNativeBench(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: HARPER_NATIVE_BENCH_OPTIONS,
    strict: true,
  });
  const csvs = values["train-path"]?.length
    ? values["train-path"]
    : ["data/embedded/ellipse_embedded_train.csv"];
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0) {
    throw new Error(`--limit must be a whole number ≥ 0, not "${values.limit}"`);
  }
  const texts: string[] = [];
  for (const csv of csvs) {
    const essays = await loadEllipseCsv(csv, "train");
    texts.push(...(limit > 0 ? essays.slice(0, limit) : essays).map((e) => e.text));
  }
  const result = await compareHarperBuilds(texts, csvs);
  await Deno.mkdir(values.out, { recursive: true });
  await writeJsonAtomic(join(values.out, "harper_native_bench.json"), result);
  const markdown = harperNativeMarkdown(result);
  await writeFileAtomic(join(values.out, "harper_native_bench.md"), markdown);
  console.log(markdown);
}
