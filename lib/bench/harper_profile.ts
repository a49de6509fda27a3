/**
 * Measurements of the harper.js pass for `deno task bench harper` (`harper_bench.ts`): start-up
 * (wasm instantiation vs harper's static initialisation), CPU per essay of the checker's call path
 * and of the bare `lint` / `organizedLints` calls, the cost of parsing alone vs the number of
 * enabled rules, the lint kinds each rule emits, and the `ErrorMatch` lists of two rule
 * configurations side by side. Every CPU figure is this thread's CPU time
 * (`CLOCK_THREAD_CPUTIME_ID`, ns resolution; falls back to `/proc/thread-self/stat`, 10 ms).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { LocalLinter } from "harper.js";
import { binary } from "harper.js/binary";
import {
  harperMatches,
  harperRulesOff,
  newHarperLinter,
} from "../features/checkers/harper_checker.ts";
import type { ErrorMatch } from "../features/types.ts";
import { processCpuSeconds } from "./process_cpu.ts";

/** Rules the checker turns off today (harper's own spell check; nspell covers spelling). */
export const CHECKER_RULES_OFF: readonly string[] = harperRulesOff(false);

const LANGUAGE = "en-US";

let clockGettime: ((buf: BigInt64Array) => void) | undefined | null;

/** This thread's CPU milliseconds (ns resolution via libc when FFI is allowed, else /proc). */
export function threadCpuMs(): number {
  if (clockGettime === undefined) {
    try {
      const libc = Deno.dlopen("libc.so.6", {
        clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
      });
      clockGettime = (buf) => void libc.symbols.clock_gettime(3, buf);
    } catch {
      clockGettime = null;
    }
  }
  if (clockGettime) {
    const buf = new BigInt64Array(2);
    clockGettime(buf);
    return Number(buf[0]) * 1e3 + Number(buf[1]) / 1e6;
  }
  const stat = Deno.readTextFileSync("/proc/thread-self/stat");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** Start-up CPU ms (this thread / whole process) of the first harper linter of a process. */
export interface HarperStartup {
  /** Compiling and instantiating the wasm binaries (`binary.setup()`). */
  readonly wasm: { readonly thread: number; readonly process: number };
  /** The first `LocalLinter` (harper's static initialisation: dictionary, ~900 rules). */
  readonly firstLinter: { readonly thread: number; readonly process: number };
  /** A second `LocalLinter` in the same process. */
  readonly secondLinter: { readonly thread: number; readonly process: number };
}

async function cpuOf(fn: () => Promise<unknown>): Promise<{ thread: number; process: number }> {
  const t0 = threadCpuMs();
  const p0 = processCpuSeconds();
  await fn();
  return { thread: threadCpuMs() - t0, process: (processCpuSeconds() - p0) * 1000 };
}

/** Measure start-up; call before anything else in the process touches harper. */
export async function measureStartup(): Promise<HarperStartup> {
  const wasm = await cpuOf(() => binary.setup());
  const firstLinter = await cpuOf(() => newHarperLinter(LANGUAGE, CHECKER_RULES_OFF));
  const secondLinter = await cpuOf(() => newHarperLinter(LANGUAGE, CHECKER_RULES_OFF));
  return { wasm, firstLinter, secondLinter };
}

/** CPU ms of each essay through the checker's path (`organizedLints` → `harperMatches`). */
export async function checkerPathCpu(
  linter: LocalLinter,
  texts: readonly string[],
): Promise<number[]> {
  const out: number[] = [];
  for (const text of texts) {
    const t0 = threadCpuMs();
    harperMatches(text, await linter.organizedLints(text, { language: "plaintext" }));
    out.push(threadCpuMs() - t0);
  }
  return out;
}

/**
 * Mean CPU ms per essay of the bare calls `lint` and `organizedLints` (lints freed only), each on
 * a fresh linter (harper caches lints per chunk of text inside a linter, so a second pass over the
 * same essays on one linter would measure its cache).
 */
export async function bareCallsCpu(
  texts: readonly string[],
): Promise<{ lint: number; organizedLints: number }> {
  const first = await newHarperLinter(LANGUAGE, CHECKER_RULES_OFF);
  const t0 = threadCpuMs();
  for (const t of texts) for (const l of await first.lint(t, { language: "plaintext" })) l.free();
  const t1 = threadCpuMs();
  await first.dispose();
  const second = await newHarperLinter(LANGUAGE, CHECKER_RULES_OFF);
  const t2 = threadCpuMs();
  for (const t of texts) {
    const organised = await second.organizedLints(t, { language: "plaintext" });
    for (const lints of Object.values(organised)) for (const l of lints) l.free();
  }
  const t3 = threadCpuMs();
  await second.dispose();
  return { lint: (t1 - t0) / texts.length, organizedLints: (t3 - t2) / texts.length };
}

/** CPU ms per essay with only the first `k` of harper's default rules on (k = 0: parsing only). */
export async function ruleScaling(
  texts: readonly string[],
  steps: number,
): Promise<{ rules: number; ms: number }[]> {
  const linter = await newHarperLinter(LANGUAGE, CHECKER_RULES_OFF);
  const defaults = await linter.getDefaultLintConfig();
  const keys = Object.keys(defaults);
  const on = keys.filter((k) => defaults[k] === true && !CHECKER_RULES_OFF.includes(k));
  const out: { rules: number; ms: number }[] = [];
  for (let s = 0; s <= steps; s++) {
    const k = Math.round((on.length * s) / steps);
    const config = Object.fromEntries(keys.map((key) => [key, false]));
    for (const rule of on.slice(0, k)) config[rule] = true;
    await linter.setLintConfig(config);
    const t0 = threadCpuMs();
    for (const t of texts) {
      for (const l of await linter.lint(t, { language: "plaintext" })) l.free();
    }
    out.push({ rules: k, ms: (threadCpuMs() - t0) / texts.length });
  }
  await linter.dispose();
  return out;
}

/**
 * Lint kinds each rule emits over `texts` before harper's overlap removal (`dedup: false`), with
 * counts: rule → kind → lints.
 */
export async function ruleKinds(
  linter: LocalLinter,
  texts: readonly string[],
): Promise<Record<string, Record<string, number>>> {
  const kinds: Record<string, Record<string, number>> = {};
  for (const t of texts) {
    const organised = await linter.organizedLints(t, { language: "plaintext", dedup: false });
    for (const [rule, lints] of Object.entries(organised)) {
      for (const l of lints) {
        const k = l.lint_kind();
        kinds[rule] ??= {};
        kinds[rule][k] = (kinds[rule][k] ?? 0) + 1;
        l.free();
      }
    }
  }
  return kinds;
}

/** Rules whose every observed lint is of an excluded kind (dropped by the checker). */
export function droppedOnlyRules(
  kinds: Record<string, Record<string, number>>,
  excluded: ReadonlySet<string>,
): string[] {
  return Object.entries(kinds)
    .filter(([, byKind]) => Object.keys(byKind).every((k) => excluded.has(k)))
    .map(([rule]) => rule)
    .sort();
}

/** The checker's `ErrorMatch` lists of `texts` under one rule configuration, with CPU ms/essay. */
export async function matchesUnder(
  rulesOff: readonly string[],
  texts: readonly string[],
): Promise<{ matches: ErrorMatch[][]; cpuMsPerEssay: number; sha256: string }> {
  const linter = await newHarperLinter(LANGUAGE, rulesOff);
  const matches: ErrorMatch[][] = [];
  const t0 = threadCpuMs();
  for (const t of texts) {
    matches.push(harperMatches(t, await linter.organizedLints(t, { language: "plaintext" })));
  }
  const cpuMsPerEssay = (threadCpuMs() - t0) / Math.max(1, texts.length);
  await linter.dispose();
  const sha256 = createHash("sha256").update(JSON.stringify(matches)).digest("hex");
  return { matches, cpuMsPerEssay, sha256 };
}
