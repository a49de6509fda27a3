/**
 * `deno task bench harper --train-path CSV [--test-path CSV] [--limit N] [--profile-essays N]
 * [--disable RULES] [--out output/bench]`: where the local checker's harper.js time goes and
 * whether a rule configuration keeps every feature value. In one process: start-up (wasm
 * instantiation vs harper's static initialisation), CPU per essay of the checker's call path over
 * the first essays (wasm tier-up included) and after, the bare `lint` / `organizedLints` calls,
 * CPU per essay against the number of enabled rules (0 = parsing only), the lint kinds every rule
 * emits on all essays, and the checker's `ErrorMatch` lists of all essays under today's
 * configuration vs with `--disable` rules also off (default: every rule whose observed lints are
 * all of a dropped kind, Readability/Style): essays whose lists differ, the per-category count
 * changes, the CPU of both, and a sha256 of today's lists (compare it across processes, e.g. under
 * `DENO_V8_FLAGS`). Writes `harper_bench.{json,md}`.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadEllipseCsv } from "../dataset/ellipse_csv.ts";
import { deriveErrorCounts, deriveErrorTypeCounts } from "../features/checkers/error_categories.ts";
import { HARPER_EXCLUDED_KINDS, newHarperLinter } from "../features/checkers/harper_checker.ts";
import type { ErrorMatch } from "../features/types.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";
import {
  bareCallsCpu,
  CHECKER_RULES_OFF,
  checkerPathCpu,
  droppedOnlyRules,
  matchesUnder,
  measureStartup,
  ruleKinds,
  ruleScaling,
} from "./harper_profile.ts";

/** Flags of `deno task bench harper`. */
export const HARPER_BENCH_OPTIONS = {
  "train-path": { type: "string" },
  "test-path": { type: "string" },
  limit: { type: "string", default: "0" },
  "profile-essays": { type: "string", default: "100" },
  disable: { type: "string" },
  out: { type: "string", default: "output/bench" },
} as const;

/** What each flag does. */
export const HARPER_BENCH_HELP: Readonly<Record<string, string>> = {
  "train-path": "ELLIPSE-format CSV (required; e.g. the dev train slice)",
  "test-path": "a second CSV appended to the first (e.g. the dev test slice)",
  limit: "essays used for rule kinds and the identity check (0 = all)",
  "profile-essays": "essays of the CPU profile (the first N)",
  disable: "comma-separated harper rules to turn off in the identity check " +
    "(default: the rules whose observed lints are all Readability/Style)",
  out: "output directory",
};

/** Essays where two match lists differ, and the change of each derived count (B − A). */
export function compareMatchLists(
  a: readonly (readonly ErrorMatch[])[],
  b: readonly (readonly ErrorMatch[])[],
): { essaysDiffering: number; countDelta: Record<string, number> } {
  let essaysDiffering = 0;
  const countDelta: Record<string, number> = {};
  for (let i = 0; i < a.length; i++) {
    if (JSON.stringify(a[i]) === JSON.stringify(b[i])) continue;
    essaysDiffering++;
    const ca = { ...deriveErrorCounts(a[i]), ...deriveErrorTypeCounts(a[i]) };
    const cb = { ...deriveErrorCounts(b[i]), ...deriveErrorTypeCounts(b[i]) };
    for (const k of Object.keys(ca) as (keyof typeof ca)[]) {
      countDelta[k] = (countDelta[k] ?? 0) + cb[k] - ca[k];
    }
  }
  return { essaysDiffering, countDelta };
}

async function loadTexts(train: string, test: string | undefined): Promise<string[]> {
  const essays = await loadEllipseCsv(train, "train");
  if (test) essays.push(...await loadEllipseCsv(test, "test"));
  return essays.map((e) => e.text);
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

async function profile(texts: readonly string[]) {
  const startup = await measureStartup();
  const linter = await newHarperLinter("en-US", CHECKER_RULES_OFF);
  const perEssay = await checkerPathCpu(linter, texts);
  const warm = Math.min(30, Math.floor(texts.length / 2));
  await linter.dispose();
  const bare = await bareCallsCpu(texts);
  return {
    startup,
    checkerPath: {
      first: warm,
      firstMsPerEssay: mean(perEssay.slice(0, warm)),
      restMsPerEssay: mean(perEssay.slice(warm)),
      allMsPerEssay: mean(perEssay),
    },
    bareCalls: bare,
    ruleScaling: await ruleScaling(texts, 4),
  };
}

async function identity(texts: readonly string[], disable: string[] | undefined) {
  const kindsLinter = await newHarperLinter("en-US", CHECKER_RULES_OFF);
  const kinds = await ruleKinds(kindsLinter, texts);
  await kindsLinter.dispose();
  const candidates = disable ?? droppedOnlyRules(kinds, HARPER_EXCLUDED_KINDS);
  const today = await matchesUnder(CHECKER_RULES_OFF, texts);
  const trial = await matchesUnder([...CHECKER_RULES_OFF, ...candidates], texts);
  const diff = compareMatchLists(today.matches, trial.matches);
  const matchCount = (m: ErrorMatch[][]) => m.reduce((s, x) => s + x.length, 0);
  return {
    rulesFiring: Object.keys(kinds).length,
    kinds,
    disabled: candidates,
    today: { cpuMsPerEssay: today.cpuMsPerEssay, matches: matchCount(today.matches) },
    trial: { cpuMsPerEssay: trial.cpuMsPerEssay, matches: matchCount(trial.matches) },
    todaySha256: today.sha256,
    trialSha256: trial.sha256,
    ...diff,
  };
}

/** Run the benchmark (see module docs); returns the JSON report. */
export async function runHarperBench(args: readonly string[]): Promise<unknown> {
  const { values } = parseArgs({ args: [...args], options: HARPER_BENCH_OPTIONS, strict: true });
  if (!values["train-path"]) throw new Error("bench harper needs --train-path FILE");
  const all = await loadTexts(values["train-path"], values["test-path"]);
  const limit = Number(values.limit);
  const texts = limit > 0 ? all.slice(0, limit) : all;
  const profileTexts = all.slice(0, Number(values["profile-essays"]));
  const load0 = Deno.loadavg()[0];
  const prof = await profile(profileTexts);
  const id = await identity(texts, values.disable?.split(",").filter((r) => r !== ""));
  const report = {
    csv: [values["train-path"], values["test-path"]].filter(Boolean),
    essays: texts.length,
    profileEssays: profileTexts.length,
    v8Flags: Deno.env.get("DENO_V8_FLAGS") ?? "",
    loadAverage: [load0, Deno.loadavg()[0]],
    profile: prof,
    identity: id,
  };
  await Deno.mkdir(values.out, { recursive: true });
  await writeJsonAtomic(join(values.out, "harper_bench.json"), report);
  const md = harperMarkdown(report);
  await writeFileAtomic(join(values.out, "harper_bench.md"), md);
  console.log(md);
  return report;
}

type Report = {
  essays: number;
  profileEssays: number;
  v8Flags: string;
  loadAverage: number[];
  profile: Awaited<ReturnType<typeof profile>>;
  identity: Awaited<ReturnType<typeof identity>>;
};

/** The Markdown summary of a report. */
export function harperMarkdown(r: Report): string {
  const f = (x: number) => x.toFixed(1);
  const p = r.profile;
  const s = p.startup;
  const id = r.identity;
  const scaling = p.ruleScaling.map((x) => `${x.rules} rules ${f(x.ms)}`).join(", ");
  const last = p.ruleScaling[p.ruleScaling.length - 1];
  const perRule = (last.ms - p.ruleScaling[0].ms) / Math.max(1, last.rules);
  return [
    "# harper.js: where the local checker's time goes",
    "",
    `Profile: the first ${r.profileEssays} essays, this thread's CPU; identity check: ${r.essays} ` +
    `essays. DENO_V8_FLAGS: \`${r.v8Flags || "(none)"}\`; load average ` +
    `${r.loadAverage.map((x) => x.toFixed(1)).join(" → ")}.`,
    "",
    `- Start-up CPU ms (thread / process): wasm instantiation ${f(s.wasm.thread)} / ` +
    `${f(s.wasm.process)}; first linter (static initialisation) ${f(s.firstLinter.thread)} / ` +
    `${f(s.firstLinter.process)}; a second linter ${f(s.secondLinter.thread)} / ` +
    `${f(s.secondLinter.process)}.`,
    `- Checker path (organizedLints → ErrorMatch) CPU ms/essay: first ${p.checkerPath.first} ` +
    `essays ${f(p.checkerPath.firstMsPerEssay)}, the rest ${f(p.checkerPath.restMsPerEssay)}, ` +
    `all ${f(p.checkerPath.allMsPerEssay)}.`,
    `- Repeat passes over the same essays, each on a fresh linter (harper caches work across ` +
    `linters of a process, so a repeat costs less than a first pass): lint ` +
    `${f(p.bareCalls.lint)}, organizedLints ${f(p.bareCalls.organizedLints)}.`,
    `- Enabled rules vs CPU ms/essay (repeat passes): ${scaling}; i.e. parsing alone ` +
    `${f(p.ruleScaling[0].ms)} and ≈ ${perRule.toFixed(3)} ms per rule.`,
    `- Rules firing on these essays: ${id.rulesFiring}. Turned off in the trial: ` +
    `${id.disabled.join(", ") || "(none)"}.`,
    `- Trial vs today: CPU ms/essay ${f(id.trial.cpuMsPerEssay)} vs ${
      f(id.today.cpuMsPerEssay)
    }; ` +
    `matches ${id.trial.matches} vs ${id.today.matches}; essays whose ErrorMatch list differs: ` +
    `**${id.essaysDiffering}**; count change (trial − today): ` +
    `${JSON.stringify(id.countDelta)}.`,
    `- sha256 of today's ErrorMatch lists: \`${id.todaySha256}\`.`,
    "",
  ].join("\n");
}
