/**
 * `deno task bench checkers --csv FILE --language-tool-url URL [--limit 200]
 * [--language-tool-protocol auto|huleedu|stock] [--out output/bench]`: Tier 1 error densities from
 * a real LanguageTool (through our client, original counting rule) against the local harper.js +
 * nspell checker on the same essays: Spearman of each density with Overall, agreement between the
 * two checkers (Spearman of their densities), mean counts per essay, and time per essay. Densities
 * are per 100 words as this project counts words. Writes `checkers_bench.{json,md}`.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadEllipseCsv } from "../dataset/ellipse_csv.ts";
import { countWords } from "../dataset/words.ts";
import {
  deriveErrorCounts,
  type ErrorCategory,
  per100Words,
} from "../features/checkers/error_categories.ts";
import { LocalErrorChecker } from "../features/checkers/local_checker.ts";
import { spearmanCorrelation } from "../features/handcrafted/feature_sanity.ts";
import type { ErrorChecker } from "../features/types.ts";
import {
  connectLanguageToolChecker,
  type LanguageToolProtocol,
} from "../offload/language_tool_client.ts";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic_write.ts";

const CATEGORIES: readonly (ErrorCategory | "total")[] = [
  "grammar",
  "spelling",
  "punctuation",
  "total",
];

interface CheckerRun {
  readonly densities: Record<string, number[]>;
  readonly counts: Record<string, number[]>;
  readonly seconds: number[];
}

async function runChecker(
  checker: ErrorChecker,
  texts: readonly string[],
  words: readonly number[],
): Promise<CheckerRun> {
  const densities: Record<string, number[]> = {};
  const counts: Record<string, number[]> = {};
  for (const c of CATEGORIES) {
    densities[c] = [];
    counts[c] = [];
  }
  const seconds: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    const t0 = performance.now();
    const n = deriveErrorCounts(await checker.check(texts[i], "en-US"));
    seconds.push((performance.now() - t0) / 1000);
    const all = { ...n, total: n.grammar + n.spelling + n.punctuation };
    for (const c of CATEGORIES) {
      counts[c].push(all[c]);
      densities[c].push(per100Words(all[c], words[i]));
    }
  }
  return { densities, counts, seconds };
}

const mean = (a: readonly number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
const median = (a: readonly number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : 0;
};

/** `bench checkers` flags (`deno task bench checkers --help` prints them). */
export const CHECKERS_BENCH_OPTIONS = {
  csv: { type: "string" },
  "language-tool-url": { type: "string" },
  "language-tool-protocol": { type: "string", default: "auto" },
  limit: { type: "string", default: "200" },
  out: { type: "string", default: "output/bench" },
} as const;

/** What each `bench checkers` flag does. */
export const CHECKERS_BENCH_HELP: Readonly<Record<keyof typeof CHECKERS_BENCH_OPTIONS, string>> = {
  csv: "ELLIPSE CSV of essays (required)",
  "language-tool-url": "LanguageTool server URL (required)",
  "language-tool-protocol": "auto | huleedu | stock",
  limit: "essays used",
  out: "output directory",
};

/** Run the benchmark (see module docs); returns the JSON report. */
export async function runCheckersBench(args: readonly string[]): Promise<unknown> {
  const { values } = parseArgs({
    args: [...args],
    options: CHECKERS_BENCH_OPTIONS,
    strict: true,
  });
  if (!values.csv || !values["language-tool-url"]) {
    throw new Error("bench checkers needs --csv FILE and --language-tool-url URL");
  }
  const essays = (await loadEllipseCsv(values.csv, "train")).slice(0, Number(values.limit));
  const texts = essays.map((e) => e.text);
  const words = texts.map((t) => countWords(t));
  const overall = essays.map((e) => e.overall);
  const lt = await connectLanguageToolChecker({
    baseUrl: values["language-tool-url"],
    protocol: values["language-tool-protocol"] as LanguageToolProtocol,
    useCache: false,
    timeoutS: 120,
  });
  const local = new LocalErrorChecker();
  await local.check("Warm up the checker .", "en-US");
  await lt.check("Warm up the checker .", "en-US");
  const load0 = Deno.loadavg()[0];
  const ltRun = await runChecker(lt, texts, words);
  const localRun = await runChecker(local, texts, words);
  await lt.close();
  const rows = CATEGORIES.map((c) => ({
    category: c,
    spearman_overall_languagetool: spearmanCorrelation(ltRun.densities[c], overall),
    spearman_overall_local: spearmanCorrelation(localRun.densities[c], overall),
    agreement_spearman: spearmanCorrelation(ltRun.densities[c], localRun.densities[c]),
    mean_count_languagetool: mean(ltRun.counts[c]),
    mean_count_local: mean(localRun.counts[c]),
  }));
  const report = {
    csv: values.csv,
    essays: essays.length,
    language_tool: { url: values["language-tool-url"], protocol: lt.protocol },
    load_average_at_start: load0,
    load_average_at_end: Deno.loadavg()[0],
    seconds_per_essay: {
      languagetool: { mean: mean(ltRun.seconds), median: median(ltRun.seconds) },
      local: { mean: mean(localRun.seconds), median: median(localRun.seconds) },
    },
    categories: rows,
  };
  await Deno.mkdir(values.out, { recursive: true });
  await writeJsonAtomic(join(values.out, "checkers_bench.json"), report);
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
  const md = [
    `# Tier 1 checkers: LanguageTool vs harper.js + nspell`,
    "",
    `${essays.length} essays of \`${values.csv}\`; LanguageTool ${lt.protocol} at ${
      values["language-tool-url"]
    }; load average ${load0.toFixed(1)} → ${Deno.loadavg()[0].toFixed(1)} (2 cores).`,
    "",
    "| density (per 100 words) | Spearman with Overall: LanguageTool | local | agreement (Spearman LT vs local) | mean count LT | mean count local |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((r) =>
      `| ${r.category} | ${f(r.spearman_overall_languagetool)} | ${f(r.spearman_overall_local)} | ${
        f(r.agreement_spearman)
      } | ${r.mean_count_languagetool.toFixed(2)} | ${r.mean_count_local.toFixed(2)} |`
    ),
    "",
    `Time per essay: LanguageTool ${f(report.seconds_per_essay.languagetool.mean)} s mean (${
      f(report.seconds_per_essay.languagetool.median)
    } median, one request at a time over loopback), local ${
      f(report.seconds_per_essay.local.mean)
    } s mean (${f(report.seconds_per_essay.local.median)} median).`,
    "",
  ].join("\n");
  await writeFileAtomic(join(values.out, "checkers_bench.md"), md);
  console.log(md);
  return report;
}
