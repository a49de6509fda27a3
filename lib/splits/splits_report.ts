/**
 * `splits_report.md`: a pure Markdown rendering of a `splits.json` value — fold sizes, per-fold
 * label distribution vs the whole with the largest absolute deviation, prompts per fold, the
 * duplicate text groups found, and check lines computed from the folds themselves (no group or
 * prompt straddling folds, every essay validated exactly once).
 *
 * @module
 */
import { GENRE_MIX_WARNING } from "../run/experiment_log.ts";
import { describeOverallClass, minStratumForValFraction, overallClass } from "./overall_class.ts";
import { splitsScale } from "./splits_file.ts";
import { describeScore } from "../dataset/score_scale.ts";
import type { SplitsFile, SplitsSchemeName } from "./splits_file.ts";

/** Label balance and leak checks of one id partition (a scheme's folds or the run split). */
export interface PartitionBalance {
  /** Classes present (round(2·Overall)), ascending. */
  readonly classes: number[];
  /** Share of each class among all essays, aligned with `classes`. */
  readonly overallShares: number[];
  /** Per validation part: size, training size, distinct prompts, class shares, max |Δ share|. */
  readonly parts: {
    readonly name: string;
    readonly nVal: number;
    readonly nTrain: number;
    readonly prompts: string[];
    readonly shares: number[];
    readonly maxAbsDeviation: number;
  }[];
  /** Largest |share in a validation part − overall share| over parts and classes, with where. */
  readonly maxAbsDeviation: { value: number; part: string; label: number };
  /** Text groups whose essays are validated in more than one part. */
  readonly straddlingTextGroups: number;
  /** Prompts whose essays are validated in more than one part. */
  readonly straddlingPrompts: number;
  /** Essays validated in no part, or in more than one. */
  readonly notValidatedExactlyOnce: number;
}

/**
 * Balance and leak checks of a list of validation id lists over the file's essays.
 *
 * @example
 * ```ts
 * const b = partitionBalance(splits, splits.schemes.stratified_text.folds.map((f) => ({
 *   name: `fold ${f.fold}`, valIds: f.val_ids,
 * })));
 * b.maxAbsDeviation.value; // e.g. 0.004
 * ```
 */
export function partitionBalance(
  splits: SplitsFile,
  parts: readonly { name: string; valIds: readonly string[] }[],
): PartitionBalance {
  const byId = new Map(splits.essays.map((e) => [e.id, e]));
  const scale = splitsScale(splits);
  const classes = [...new Set(splits.essays.map((e) => overallClass(e.overall, scale)))].sort((
    a,
    b,
  ) => a - b);
  const classPos = new Map(classes.map((c, k) => [c, k]));
  const totals = new Array<number>(classes.length).fill(0);
  for (const e of splits.essays) totals[classPos.get(overallClass(e.overall, scale))!]++;
  const overallShares = totals.map((t) => t / splits.essays.length);

  const timesValidated = new Map<string, number>();
  const partsOfHash = new Map<string, Set<number>>();
  const partsOfPrompt = new Map<string, Set<number>>();
  let max = { value: 0, part: parts[0]?.name ?? "", label: classes[0] };
  const outParts = parts.map((part, p) => {
    const counts = new Array<number>(classes.length).fill(0);
    const prompts = new Set<string>();
    let nVal = 0;
    for (const id of part.valIds) {
      timesValidated.set(id, (timesValidated.get(id) ?? 0) + 1);
      const essay = byId.get(id);
      if (essay === undefined) continue;
      nVal++;
      counts[classPos.get(overallClass(essay.overall, scale))!]++;
      prompts.add(essay.prompt);
      addTo(partsOfHash, essay.text_sha256, p);
      addTo(partsOfPrompt, essay.prompt, p);
    }
    const shares = counts.map((c) => (nVal === 0 ? 0 : c / nVal));
    let partMax = 0;
    shares.forEach((s, k) => {
      const d = Math.abs(s - overallShares[k]);
      partMax = Math.max(partMax, d);
      if (d > max.value) max = { value: d, part: part.name, label: classes[k] };
    });
    return {
      name: part.name,
      nVal,
      nTrain: splits.essays.length - nVal,
      prompts: [...prompts].sort(),
      shares,
      maxAbsDeviation: partMax,
    };
  });
  let notOnce = 0;
  for (const e of splits.essays) if ((timesValidated.get(e.id) ?? 0) !== 1) notOnce++;
  for (const id of timesValidated.keys()) if (!byId.has(id)) notOnce++;
  const countMulti = (m: Map<string, Set<number>>) =>
    [...m.values()].filter((s) => s.size > 1).length;
  return {
    classes,
    overallShares,
    parts: outParts,
    maxAbsDeviation: max,
    straddlingTextGroups: countMulti(partsOfHash),
    straddlingPrompts: countMulti(partsOfPrompt),
    notValidatedExactlyOnce: notOnce,
  };
}

/**
 * Balance of one scheme's folds (parts named "fold 0", "fold 1", …).
 *
 * @example
 * ```ts
 * schemeBalance(splits, "stratified_text").maxAbsDeviation.value;
 * ```
 */
export function schemeBalance(splits: SplitsFile, scheme: SplitsSchemeName): PartitionBalance {
  return partitionBalance(
    splits,
    splits.schemes[scheme].folds.map((f) => ({ name: `fold ${f.fold}`, valIds: f.val_ids })),
  );
}

/** Text groups (normalised-text hashes) with more than one essay, largest first. */
export function duplicateTextGroups(
  splits: SplitsFile,
): { hash: string; essays: SplitsFile["essays"] }[] {
  const byHash = new Map<string, SplitsFile["essays"]>();
  for (const e of splits.essays) {
    const list = byHash.get(e.text_sha256);
    if (list === undefined) byHash.set(e.text_sha256, [e]);
    else list.push(e);
  }
  return [...byHash.entries()]
    .filter(([, list]) => list.length > 1)
    .map(([hash, essays]) => ({ hash, essays }))
    .sort((a, b) => (b.essays.length - a.essays.length) || (a.hash < b.hash ? -1 : 1));
}

/** Options of {@linkcode splitsReportMarkdown}. */
export interface SplitsReportOptions {
  /** Where the splits file was written (shown in the header). */
  readonly splitsPath?: string;
  /** Normalised-text hashes of the official test set, to count train/test shared texts. */
  readonly testTextHashes?: ReadonlySet<string>;
  /** The run mixed genres without a declared scope (`--allow-genre-mix`): a WARNING on top. */
  readonly allowGenreMix?: boolean;
}

/**
 * Render the splits report as Markdown. Every number and check is computed from `splits`.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("reports/splits_report.md", splitsReportMarkdown(splits));
 * ```
 */
export function splitsReportMarkdown(
  splits: SplitsFile,
  options: SplitsReportOptions = {},
): string {
  const out: string[] = [];
  const src = splits.created_from;
  if (options.allowGenreMix) out.push(`> ${GENRE_MIX_WARNING}`, "");
  out.push("# Splits report", "");
  if (src.dataset_kind === "ielts") {
    out.push(
      "> **IELTS smoke test — not a result.** IELTS is blocked for research results; these " +
        "splits exist only to exercise the pipeline.",
      "",
    );
  }
  if (options.splitsPath !== undefined) out.push(`Splits file: \`${options.splitsPath}\``, "");
  out.push(
    `- dataset: ${src.dataset_kind}; train \`${src.train_file}\` (sha256 ${
      src.train_sha256.slice(0, 12)
    }…)` +
      (src.test_file === null
        ? ""
        : `; test \`${src.test_file}\` (sha256 ${
          src.test_sha256?.slice(0, 12)
        }…, never in a fold)`),
    `- filters: ${splits.filters.min_words}–${splits.filters.max_words} words; excluded prompts: ` +
      (splits.filters.excluded_prompts.length === 0
        ? "none"
        : splits.filters.excluded_prompts.map((p) => `"${p}"`).join(", ")),
    `- essays split (filtered official train): ${splits.n_essays}; folds: ${splits.n_splits}; seed: ${splits.seed}`,
    "",
  );

  const dups = duplicateTextGroups(splits);
  const whole = schemeBalance(splits, "stratified_text");
  out.push("## Overall score distribution (official train, filtered)", "");
  const describe = (c: number) => describeOverallClass(c, splitsScale(splits));
  out.push(`| ${whole.classes.map(describe).join(" | ")} |`);
  out.push(`|${whole.classes.map(() => "---:").join("|")}|`);
  const totals = whole.overallShares.map((s) => Math.round(s * splits.n_essays));
  out.push(
    `| ${totals.map((t, k) => `${t} (${pct(whole.overallShares[k])})`).join(" | ")} |`,
    "",
  );

  out.push("## Duplicate text groups", "");
  if (dups.length === 0) {
    out.push("No two essays share a normalised text (NFKC, whitespace-collapsed).", "");
  } else {
    const inDups = dups.reduce((s, d) => s + d.essays.length, 0);
    out.push(
      `${dups.length} text group${dups.length === 1 ? "" : "s"} with more than one essay ` +
        `(${inDups} essays); each group is kept on one side of every split.`,
      "",
      "| text sha256 | essays | ids | prompts | Overall |",
      "|---|---:|---|---|---|",
    );
    for (const d of dups.slice(0, 30)) {
      out.push(
        `| ${d.hash.slice(0, 12)}… | ${d.essays.length} | ${
          d.essays.map((e) => e.id).join(", ")
        } | ` +
          `${[...new Set(d.essays.map((e) => e.prompt))].join("; ")} | ` +
          `${d.essays.map((e) => e.overall.toFixed(1)).join(", ")} |`,
      );
    }
    if (dups.length > 30) out.push(`| … | | ${dups.length - 30} more groups | | |`);
    out.push("");
  }
  if (options.testTextHashes !== undefined) {
    const shared = splits.essays.filter((e) => options.testTextHashes!.has(e.text_sha256)).length;
    out.push(
      `Train essays whose normalised text also occurs in the official test set: ${shared}` +
        (shared > 0
          ? " (a train/test leak in the data itself; see the dataset integrity report)"
          : ""),
      "",
    );
  }

  out.push("## Scheme `stratified_text`", "");
  out.push(
    `Stratified on ${splits.schemes.stratified_text.stratify_on}, grouped by ` +
      `${splits.schemes.stratified_text.group_by}.`,
    "",
  );
  out.push(...rareClassLines(splits), "");
  renderPartition(out, whole, "text group", describe);
  out.push("## Scheme `prompt_holdout`", "");
  out.push(splits.schemes.prompt_holdout.method + ".", "");
  const unavailable = splits.schemes.prompt_holdout.unavailable;
  if (unavailable !== undefined) out.push(`**prompt_holdout is ${unavailable}.**`, "");
  else renderPartition(out, schemeBalance(splits, "prompt_holdout"), "prompt", describe);
  const crossPrompt = dups.filter((d) => new Set(d.essays.map((e) => e.prompt)).size > 1);
  if (crossPrompt.length > 0) {
    out.push(
      `${crossPrompt.length} text group${crossPrompt.length === 1 ? "" : "s"} span more than one ` +
        "prompt; those prompts are held out together: " +
        crossPrompt.slice(0, 10).map((d) =>
          `{${[...new Set(d.essays.map((e) => e.prompt))].sort().join(" + ")}}`
        ).join(", ") + (crossPrompt.length > 10 ? ", …" : "") + ".",
      "",
    );
  }
  out.push("| Fold | validation prompts |", "|---:|---|");
  for (const f of splits.schemes.prompt_holdout.folds) {
    out.push(`| ${f.fold} | ${f.val_prompts.join("; ")} |`);
  }
  out.push("");

  out.push("## `run` split (official train → train/val)", "");
  const run = partitionBalance(splits, [
    { name: "val", valIds: splits.run_split.val_ids },
  ]);
  const runTrain = partitionBalance(splits, [
    { name: "train", valIds: splits.run_split.train_ids },
  ]);
  out.push(
    `${splits.run_split.method}; target validation share ${
      (100 * splits.run_split.val_fraction).toFixed(2)
    }%.`,
    "",
    `| part | essays | share | ${run.classes.map(describe).join(" | ")} | max abs Δ (pp) |`,
    `|---|---:|---:|${run.classes.map(() => "---:").join("|")}|---:|`,
  );
  for (const part of [...runTrain.parts, ...run.parts]) {
    out.push(
      `| ${part.name} | ${part.nVal} | ${pct(part.nVal / splits.n_essays)} | ` +
        `${part.shares.map(pct).join(" | ")} | ${pp(part.maxAbsDeviation)} |`,
    );
  }
  out.push(
    `| all | ${splits.n_essays} | 100.0% | ${run.overallShares.map(pct).join(" | ")} | |`,
    "",
  );
  const hashById = new Map(splits.essays.map((e) => [e.id, e.text_sha256]));
  const hashOf = (id: string) => hashById.get(id) ?? `missing:${id}`;
  const runHashes = new Set(splits.run_split.val_ids.map(hashOf));
  const runStraddle = new Set(
    splits.run_split.train_ids.map(hashOf).filter((h) => runHashes.has(h)),
  ).size;
  const coverage = splits.run_split.train_ids.length + splits.run_split.val_ids.length ===
      splits.n_essays &&
    new Set([...splits.run_split.train_ids, ...splits.run_split.val_ids]).size === splits.n_essays;
  out.push(
    `- no text group on both sides of the run split: ${
      runStraddle === 0 ? "OK" : `FAILED (${runStraddle} groups)`
    }`,
    `- every essay on exactly one side: ${coverage ? "OK" : "FAILED"}`,
    "",
  );
  return out.join("\n");
}

function renderPartition(
  out: string[],
  b: PartitionBalance,
  groupWord: string,
  describe: (c: number) => string,
): void {
  out.push(
    `| Fold | val essays | train essays | val prompts | ${
      b.classes.map(describe).join(" | ")
    } | max abs Δ (pp) |`,
    `|---:|---:|---:|---:|${b.classes.map(() => "---:").join("|")}|---:|`,
  );
  for (const p of b.parts) {
    out.push(
      `| ${p.name.replace("fold ", "")} | ${p.nVal} | ${p.nTrain} | ${p.prompts.length} | ` +
        `${p.shares.map(pct).join(" | ")} | ${pp(p.maxAbsDeviation)} |`,
    );
  }
  out.push(`| all | | | | ${b.overallShares.map(pct).join(" | ")} | |`, "");
  out.push(
    `Largest absolute deviation of a fold's class share from the overall share: ` +
      `${pp(b.maxAbsDeviation.value)} percentage points (${b.maxAbsDeviation.part}, ` +
      `${describe(b.maxAbsDeviation.label)}).`,
    "",
    `- no ${groupWord} straddles folds: ${
      (groupWord === "prompt" ? b.straddlingPrompts : b.straddlingTextGroups) === 0
        ? "OK"
        : `FAILED (${
          groupWord === "prompt" ? b.straddlingPrompts : b.straddlingTextGroups
        } ${groupWord}s)`
    }`,
  );
  if (groupWord === "prompt") {
    out.push(
      `- no text group straddles folds: ${
        b.straddlingTextGroups === 0 ? "OK" : `FAILED (${b.straddlingTextGroups} groups)`
      }`,
    );
  }
  out.push(
    `- every essay validated exactly once: ${
      b.notValidatedExactlyOnce === 0 ? "OK" : `FAILED (${b.notValidatedExactlyOnce} essays)`
    }`,
    "",
  );
}

function addTo(map: Map<string, Set<number>>, key: string, part: number): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([part]));
  else set.add(part);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function pp(x: number): string {
  return (100 * x).toFixed(2);
}

/**
 * The report's account of rare classes: the policy and every merge, for the folds and for the
 * run split (never silent: a merge is always listed).
 *
 * @example
 * ```ts
 * rareClassLines(splits); // ["Rare classes (policy `merge`, the default): …"]
 * ```
 */
export function rareClassLines(splits: SplitsFile): string[] {
  const scale = splitsScale(splits);
  const describe = (merges: SplitsFile["run_split"]["class_merges"]) =>
    merges.map((m) =>
      `${describeScore(scale, m.overall)} (${m.n_essays} essay${
        m.n_essays === 1 ? "" : "s"
      }) with ${describeScore(scale, m.stratified_with)}`
    ).join("; ");
  const folds = splits.schemes.stratified_text.class_merges;
  const run = splits.run_split.class_merges;
  if (splits.rare_classes === "strict") {
    return [
      "Rare classes: policy `strict` (`--strict-classes`): no class was merged; every class has " +
      `at least ${splits.n_splits} essays.`,
    ];
  }
  if (folds.length === 0 && run.length === 0) {
    return [
      "Rare classes: policy `merge` (default); no class needed merging (every class has at " +
      `least ${splits.n_splits} essays, and enough for the run split).`,
    ];
  }
  const lines = [
    "**Rare classes stratified together with a neighbour** (policy `merge`, the default; " +
    "`--strict-classes` makes this an error). Labels are unchanged; only the stratification " +
    "strata are merged.",
  ];
  if (folds.length > 0) {
    lines.push(`- CV folds (strata need >= ${splits.n_splits} essays): ${describe(folds)}.`);
  }
  if (run.length > 0) {
    lines.push(
      `- run split (strata need >= ${minStratumForValFraction(splits.run_split.val_fraction)} ` +
        `essays): ${describe(run)}.`,
    );
  }
  return lines;
}
