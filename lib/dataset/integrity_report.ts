/**
 * The dataset integrity report of `prepare-dataset`: counts before/after each filter, per prompt
 * and per split, Overall distributions, word-count statistics, duplicate texts (normalised-text
 * hash) within and across train/test, and missing values. Pure: data in, JSON + Markdown out.
 *
 * @module
 */
import type { Essay, OfficialSplit } from "./essay.ts";
import type { FilterResult, FilterSettings } from "./filters.ts";
import { IELTS_BLOCKED_BANNER } from "./ielts_csv.ts";
import { normalisedTextHash } from "./text_hash.ts";
import { GENRE_MIX_WARNING } from "../run/experiment_log.ts";
import { ELLIPSE_SCALE, formatLevel, labelIndex, scaleLabels } from "./score_scale.ts";
import { type DatasetScale, isPerPromptScale, promptScale } from "./per_prompt_scale.ts";
import { gridToLevelIndex } from "./common_grid.ts";
import { countWords, wordRuleDescription } from "./words.ts";

/** Summary statistics of a numeric sample. */
export interface NumericSummary {
  readonly n: number;
  readonly min: number;
  readonly p05: number;
  readonly p25: number;
  readonly median: number;
  readonly mean: number;
  readonly p75: number;
  readonly p95: number;
  readonly max: number;
  readonly sd: number;
}

/** A group of essays sharing one normalised-text hash. */
export interface DuplicateGroup {
  readonly hash: string;
  readonly ids: readonly { readonly id: string; readonly split: OfficialSplit }[];
}

/** The JSON form of the report. */
export interface DatasetIntegrityReport {
  readonly schema_version: 1;
  readonly dataset_kind: "ellipse" | "manifest" | "ielts";
  readonly blocked: boolean;
  readonly inputs: readonly { readonly path: string; readonly sha256: string }[];
  readonly filters: {
    readonly min_words: number;
    readonly max_words: number;
    readonly excluded_prompts: readonly string[];
    /** The language words were counted in (a non-English dataset only; `words.ts`). */
    readonly word_language?: string;
  };
  readonly counts: Readonly<
    Record<OfficialSplit, { raw: number; prepared: number; stages: FilterResult["stages"] }>
  >;
  readonly per_prompt: readonly {
    readonly prompt: string;
    readonly excluded: boolean;
    readonly train_raw: number;
    readonly train_prepared: number;
    readonly test_raw: number;
    readonly test_prepared: number;
  }[];
  /** Overall score → count, per split, raw and prepared. */
  readonly score_distribution: Readonly<
    Record<OfficialSplit, { raw: Record<string, number>; prepared: Record<string, number> }>
  >;
  readonly word_counts: Readonly<
    Record<OfficialSplit, { raw: NumericSummary; prepared: NumericSummary }>
  >;
  readonly duplicates: {
    readonly within_train: readonly DuplicateGroup[];
    readonly within_test: readonly DuplicateGroup[];
    readonly across_train_test: readonly DuplicateGroup[];
    /** Same groups, computed on the raw (unfiltered) files. */
    readonly raw_across_train_test: number;
  };
  /** Column → number of empty cells, per split (raw files). */
  readonly missing_values: Readonly<Record<OfficialSplit, Record<string, number>>>;
  /** The dataset manifest's facts (a `--dataset` run only). */
  readonly dataset?: IntegrityDatasetFacts;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Summary statistics (linear-interpolated quantiles, population sd).
 *
 * @example
 * ```ts
 * summarise([1, 2, 3]).median; // 2
 * ```
 */
export function summarise(values: readonly number[]): NumericSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n ? sorted.reduce((a, b) => a + b, 0) / n : NaN;
  const sd = n ? Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / n) : NaN;
  return {
    n,
    min: n ? sorted[0] : NaN,
    p05: quantile(sorted, 0.05),
    p25: quantile(sorted, 0.25),
    median: quantile(sorted, 0.5),
    mean,
    p75: quantile(sorted, 0.75),
    p95: quantile(sorted, 0.95),
    max: n ? sorted[n - 1] : NaN,
    sd,
  };
}

/**
 * Essays per score level, every level listed (also those with none). On per-prompt scales the
 * keys are `prompt: level` on each prompt's own scale (from the common-grid label).
 */
function scoreCounts(essays: readonly Essay[], scale: DatasetScale): Record<string, number> {
  const out: Record<string, number> = {};
  if (isPerPromptScale(scale)) {
    for (const [p, s] of scale.byPrompt) for (const l of scaleLabels(s)) out[`${p}: ${l}`] = 0;
    for (const e of essays) {
      const s = promptScale(scale, e.prompt);
      out[`${e.prompt}: ${formatLevel(s, gridToLevelIndex(s, scale.gridSize, e.overall))}`]++;
    }
    return out;
  }
  for (const label of scaleLabels(scale)) out[label] = 0;
  for (const e of essays) out[formatLevel(scale, labelIndex(scale, e.overall))]++;
  return out;
}

/**
 * Groups of essays sharing a normalised-text hash, with more than one member.
 *
 * @example
 * ```ts
 * findDuplicateGroups(essays).length; // number of duplicated texts
 * ```
 */
export function findDuplicateGroups(essays: readonly Essay[]): DuplicateGroup[] {
  const groups = new Map<string, { id: string; split: OfficialSplit }[]>();
  for (const e of essays) {
    const h = normalisedTextHash(e.text);
    const g = groups.get(h);
    if (g) g.push({ id: e.id, split: e.split });
    else groups.set(h, [{ id: e.id, split: e.split }]);
  }
  return [...groups.entries()]
    .filter(([, ids]) => ids.length > 1)
    .map(([hash, ids]) => ({ hash, ids }))
    .sort((a, b) => a.ids[0].id.localeCompare(b.ids[0].id));
}

function missingValues(
  essays: readonly Essay[],
  header: readonly string[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of header) out[c] = 0;
  for (const e of essays) {
    for (const c of header) if ((e.columns[c] ?? "").trim() === "") out[c]++;
  }
  return out;
}

/** Inputs of {@link buildIntegrityReport}. */
export interface IntegrityReportInput {
  readonly datasetKind: "ellipse" | "manifest" | "ielts";
  readonly inputs: readonly { readonly path: string; readonly sha256: string }[];
  readonly header: readonly string[];
  readonly settings: FilterSettings;
  readonly raw: Readonly<Record<OfficialSplit, readonly Essay[]>>;
  readonly filtered: Readonly<Record<OfficialSplit, FilterResult>>;
  /** The score scale (default ELLIPSE's), one or per prompt. */
  readonly scale?: DatasetScale;
  /** The dataset manifest's facts (a `--dataset` run only; absent for the ELLIPSE flags). */
  readonly dataset?: IntegrityDatasetFacts;
}

/** What the integrity report says about a manifest-described dataset. */
export interface IntegrityDatasetFacts {
  readonly name: string;
  readonly language: string;
  readonly format: string;
  readonly encoding: string;
  readonly scale: string;
  readonly genres_in_scope: readonly string[] | null;
  /** Essays per genre tag, train + test, raw ("" = untagged). */
  readonly genre_counts: Readonly<Record<string, number>>;
  readonly allow_genre_mix: boolean;
}

/**
 * Build the integrity report's JSON.
 *
 * @example
 * ```ts
 * const report = buildIntegrityReport({ datasetKind: "ellipse", inputs, header, settings,
 *   raw: { train, test }, filtered: { train: fTrain, test: fTest } });
 * ```
 */
export function buildIntegrityReport(input: IntegrityReportInput): DatasetIntegrityReport {
  const { raw, filtered, settings } = input;
  const scale = input.scale ?? ELLIPSE_SCALE;
  const excluded = new Set(settings.excludedPrompts);
  const prompts = new Set([...raw.train, ...raw.test].map((e) => e.prompt));
  const count = (essays: readonly Essay[], prompt: string) =>
    essays.filter((e) => e.prompt === prompt).length;
  const perPrompt = [...prompts].sort().map((prompt) => ({
    prompt,
    excluded: excluded.has(prompt),
    train_raw: count(raw.train, prompt),
    train_prepared: count(filtered.train.kept, prompt),
    test_raw: count(raw.test, prompt),
    test_prepared: count(filtered.test.kept, prompt),
  }));
  const prepared = [...filtered.train.kept, ...filtered.test.kept];
  const dupPrepared = findDuplicateGroups(prepared);
  const isAcross = (g: DuplicateGroup) =>
    g.ids.some((i) => i.split === "train") && g.ids.some((i) => i.split === "test");
  const within = (split: OfficialSplit) =>
    dupPrepared
      .map((g) => ({ hash: g.hash, ids: g.ids.filter((i) => i.split === split) }))
      .filter((g) => g.ids.length > 1);
  const splits: OfficialSplit[] = ["train", "test"];
  const per = <T>(f: (s: OfficialSplit) => T) =>
    Object.fromEntries(splits.map((s) => [s, f(s)])) as Record<OfficialSplit, T>;
  return {
    schema_version: 1,
    dataset_kind: input.datasetKind,
    blocked: input.datasetKind === "ielts",
    inputs: input.inputs,
    filters: {
      min_words: settings.minWords,
      max_words: settings.maxWords,
      excluded_prompts: settings.excludedPrompts,
      ...(settings.language ? { word_language: settings.language } : {}),
    },
    counts: per((s) => ({
      raw: raw[s].length,
      prepared: filtered[s].kept.length,
      stages: filtered[s].stages,
    })),
    per_prompt: perPrompt,
    score_distribution: per((s) => ({
      raw: scoreCounts(raw[s], scale),
      prepared: scoreCounts(filtered[s].kept, scale),
    })),
    word_counts: per((s) => ({
      raw: summarise(raw[s].map((e) => countWords(e.text, settings.language))),
      prepared: summarise(filtered[s].kept.map((e) => countWords(e.text, settings.language))),
    })),
    duplicates: {
      within_train: within("train"),
      within_test: within("test"),
      across_train_test: dupPrepared.filter(isAcross),
      raw_across_train_test: findDuplicateGroups([...raw.train, ...raw.test]).filter(isAcross)
        .length,
    },
    missing_values: per((s) => missingValues(raw[s], input.header)),
    ...(input.dataset ? { dataset: input.dataset } : {}),
  };
}

const fmt = (x: number, digits = 1) => Number.isFinite(x) ? x.toFixed(digits) : "–";

/**
 * Render the report as Markdown (IELTS runs start with the blocked-dataset banner).
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("report.md", renderIntegrityReportMarkdown(report));
 * ```
 */
export function renderIntegrityReportMarkdown(r: DatasetIntegrityReport): string {
  const out: string[] = [];
  if (r.blocked) out.push(IELTS_BLOCKED_BANNER, "");
  if (r.dataset?.allow_genre_mix) out.push(`> ${GENRE_MIX_WARNING}`, "");
  out.push("# Dataset integrity report", "");
  out.push(`Dataset: **${r.dataset?.name ?? r.dataset_kind}**`, "");
  if (r.dataset) renderDatasetFacts(out, r.dataset, r.counts);
  out.push("## Inputs", "");
  for (const i of r.inputs) out.push(`- \`${i.path}\` sha256 \`${i.sha256}\``);
  out.push("", "## Filters", "");
  out.push(
    `- word window: ${r.filters.min_words}–${r.filters.max_words} words (inclusive; words = ${
      wordRuleDescription(r.filters.word_language)
    })`,
  );
  out.push(
    `- excluded prompts (prompt-level): ${
      r.filters.excluded_prompts.map((p) => `"${p}"`).join(", ") || "none"
    }`,
    "",
  );
  out.push(
    "| split | raw | after excluded prompts | after word window | prepared | removed: prompts | removed: < min | removed: > max |",
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const s of ["train", "test"] as const) {
    const c = r.counts[s];
    const p = c.stages.find((st) => st.stage === "excluded_prompts")!;
    const w = c.stages.find((st) => st.stage === "word_window")!;
    out.push(
      `| ${s} | ${c.raw} | ${p.after} | ${w.after} | ${c.prepared} | ${p.removed} | ` +
        `${w.removedBy.below_min_words ?? 0} | ${w.removedBy.above_max_words ?? 0} |`,
    );
  }
  out.push("", "## Per prompt", "");
  out.push("| prompt | excluded | train raw | train prepared | test raw | test prepared |");
  out.push("|---|:---:|---:|---:|---:|---:|");
  for (const p of r.per_prompt) {
    out.push(
      `| ${p.prompt} | ${p.excluded ? "yes" : ""} | ${p.train_raw} | ${p.train_prepared} | ` +
        `${p.test_raw} | ${p.test_prepared} |`,
    );
  }
  out.push("", "## Overall score distribution", "");
  const scores = Object.keys(r.score_distribution.train.raw);
  out.push(`| split | ${scores.join(" | ")} |`);
  out.push(`|---|${scores.map(() => "---:").join("|")}|`);
  for (const s of ["train", "test"] as const) {
    for (const stage of ["raw", "prepared"] as const) {
      const d = r.score_distribution[s][stage];
      out.push(`| ${s} ${stage} | ${scores.map((k) => d[k]).join(" | ")} |`);
    }
  }
  out.push("", "## Word counts", "");
  out.push("| split | n | min | p5 | p25 | median | mean | p75 | p95 | max | sd |");
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const s of ["train", "test"] as const) {
    for (const stage of ["raw", "prepared"] as const) {
      const w = r.word_counts[s][stage];
      out.push(
        `| ${s} ${stage} | ${w.n} | ${fmt(w.min, 0)} | ${fmt(w.p05)} | ${fmt(w.p25)} | ` +
          `${fmt(w.median)} | ${fmt(w.mean)} | ${fmt(w.p75)} | ${fmt(w.p95)} | ${fmt(w.max, 0)} | ${
            fmt(w.sd)
          } |`,
      );
    }
  }
  out.push("", "## Duplicate texts (NFKC + whitespace-normalised sha256), prepared sets", "");
  const groups = (label: string, gs: readonly DuplicateGroup[]) => {
    out.push(`- ${label}: ${gs.length} group(s)`);
    for (const g of gs.slice(0, 50)) {
      out.push(
        `  - \`${g.hash.slice(0, 12)}\`: ${g.ids.map((i) => `${i.id} (${i.split})`).join(", ")}`,
      );
    }
    if (gs.length > 50) out.push(`  - … ${gs.length - 50} more (see JSON)`);
  };
  groups("within train", r.duplicates.within_train);
  groups("within test", r.duplicates.within_test);
  groups("across train/test (leak risk for the official test)", r.duplicates.across_train_test);
  out.push(`- across train/test in the raw files: ${r.duplicates.raw_across_train_test} group(s)`);
  out.push("", "## Missing values (empty cells, raw files)", "");
  const cols = Object.keys(r.missing_values.train);
  const nonZero = cols.filter((c) =>
    r.missing_values.train[c] + (r.missing_values.test[c] ?? 0) > 0
  );
  if (nonZero.length === 0) out.push("No empty cells.");
  else {
    out.push("| column | train | test |", "|---|---:|---:|");
    for (const c of nonZero) {
      out.push(`| ${c} | ${r.missing_values.train[c]} | ${r.missing_values.test[c] ?? 0} |`);
    }
  }
  out.push("");
  return out.join("\n");
}

function renderDatasetFacts(
  out: string[],
  d: IntegrityDatasetFacts,
  counts: DatasetIntegrityReport["counts"],
): void {
  out.push(
    `- language: ${d.language}; format: ${d.format}; encoding: ${d.encoding}`,
    `- score scale: ${d.scale}`,
    `- genres in scope: ${d.genres_in_scope ? d.genres_in_scope.join(", ") : "not declared"}` +
      (d.allow_genre_mix ? " (`--allow-genre-mix`: genres mixed)" : ""),
    "",
  );
  const genres = Object.entries(d.genre_counts);
  if (genres.length === 0) return;
  out.push(
    "## Genres (raw, train + test)",
    "",
    "| genre | essays | in scope |",
    "|---|---:|:---:|",
  );
  for (const [g, n] of genres.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    const inScope = d.genres_in_scope === null || d.genres_in_scope.includes(g);
    out.push(`| ${g === "" ? "(untagged)" : g} | ${n} | ${inScope && g !== "" ? "yes" : "no"} |`);
  }
  out.push("");
  for (const s of ["train", "test"] as const) {
    const stage = counts[s].stages.find((st) => st.stage === "genre_scope");
    if (!stage) continue;
    const by = Object.entries(stage.removedBy).map(([k, v]) => `${k} ${v}`).join(", ");
    out.push(
      `- ${s}: genre-scope filter ${stage.before} → ${stage.after} (removed ${by || "none"})`,
    );
  }
  out.push("");
}
