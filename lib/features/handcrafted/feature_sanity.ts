/**
 * Development measurement (not a test): per-essay time of the local checker and of the
 * handcrafted pass, and the Spearman correlation of every handcrafted feature with the human
 * Overall score, on an ELLIPSE-layout CSV.
 *
 * ```sh
 * deno run -A lib/features/handcrafted/feature_sanity.ts --csv ../shared/ellipse/ELLIPSE_dev_train.csv \
 *   [--limit 300] [--embeddings] [--out output/features]
 * ```
 *
 * Without `--embeddings` the embedding-based features get zero vectors (their correlations are
 * then reported as not measured). Writes `handcrafted_sanity.json` and `.md` under `--out`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { loadEllipseCsv } from "../../dataset/ellipse_csv.ts";
import { LocalErrorChecker } from "../checkers/local_checker.ts";
import type { ErrorMatch, SentenceEncoder } from "../types.ts";
import { computeHandcraftedFeatures, segmentEssay } from "./handcrafted_features.ts";
import { HANDCRAFTED_FEATURE_SCHEMA } from "./schema.ts";

/** Average ranks (1-based; ties share their mean rank). */
export function averageRanks(values: readonly number[]): Float64Array {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = rank;
    i = j + 1;
  }
  return ranks;
}

/** Pearson correlation; NaN when either side is constant. */
export function pearsonCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

/**
 * Spearman rank correlation (Pearson of average ranks); NaN when either side is constant.
 *
 * @example
 * ```ts
 * spearmanCorrelation([1, 2, 3], [10, 20, 15]); // 0.5
 * ```
 */
export function spearmanCorrelation(x: readonly number[], y: readonly number[]): number {
  return pearsonCorrelation(averageRanks(x), averageRanks(y));
}

const EMBEDDING_FEATURES = new Set([
  "sent_similarity_variance",
  "prompt_similarity",
  "intro_prompt_sim",
  "min_para_relevance",
]);

async function loadEncoder(): Promise<SentenceEncoder> {
  // Resolved at run time so this script does not pin the encoder module at type-check time.
  const url = new URL("../embeddings/use_lite_encoder.ts", import.meta.url).href;
  const mod = await import(url) as { loadUseLiteEncoder: () => Promise<SentenceEncoder> };
  return await mod.loadUseLiteEncoder();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      csv: { type: "string" },
      limit: { type: "string" },
      embeddings: { type: "boolean", default: false },
      out: { type: "string", default: "output/features" },
    },
  });
  if (values.csv === undefined) throw new Error("--csv <ELLIPSE-layout CSV> is required");
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  const essays = (await loadEllipseCsv(values.csv, "train")).slice(0, limit);
  const checker = new LocalErrorChecker();
  await checker.check("Warm up the linter.", "en-US");
  const encoder = values.embeddings ? await loadEncoder() : undefined;

  const rows: Float64Array[] = [];
  let checkMs = 0;
  let featureMs = 0;
  let embedMs = 0;
  for (const [i, essay] of essays.entries()) {
    let t = performance.now();
    const errors: readonly ErrorMatch[] = await checker.check(essay.text, "en-US");
    checkMs += performance.now() - t;
    t = performance.now();
    const seg = segmentEssay(essay.text);
    featureMs += performance.now() - t;
    const dim = encoder?.dimension ?? 8;
    let sentenceEmbeddings: Float32Array[] = seg.sentences.map(() => new Float32Array(dim));
    let paragraphEmbeddings: Float32Array[] = seg.paragraphs.map(() => new Float32Array(dim));
    let promptEmbedding: Float32Array = new Float32Array(dim);
    if (encoder !== undefined) {
      t = performance.now();
      const all = await encoder.embed([...seg.sentences, ...seg.paragraphs, essay.prompt]);
      embedMs += performance.now() - t;
      sentenceEmbeddings = all.slice(0, seg.sentences.length);
      paragraphEmbeddings = all.slice(seg.sentences.length, -1);
      promptEmbedding = all[all.length - 1];
    }
    t = performance.now();
    rows.push(computeHandcraftedFeatures({
      text: essay.text,
      prompt: essay.prompt,
      errors,
      sentenceEmbeddings,
      paragraphEmbeddings,
      promptEmbedding,
    }));
    featureMs += performance.now() - t;
    if ((i + 1) % 100 === 0) console.error(`handcrafted sanity: ${i + 1}/${essays.length}`);
  }
  const overall = essays.map((e) => e.overall);
  const table = HANDCRAFTED_FEATURE_SCHEMA.map((spec, c) => {
    const column = rows.map((r) => r[c]);
    const mean = column.reduce((s, v) => s + v, 0) / column.length;
    const sd = Math.sqrt(column.reduce((s, v) => s + (v - mean) ** 2, 0) / column.length);
    const measured = encoder !== undefined || !EMBEDDING_FEATURES.has(spec.name);
    return {
      name: spec.name,
      tier: spec.tier,
      mean,
      sd,
      spearman: measured ? spearmanCorrelation(column, overall) : null,
    };
  });
  const n = essays.length;
  const result = {
    csv: values.csv,
    essays: n,
    embeddings: encoder?.name ?? null,
    ms_per_essay: {
      checker: checkMs / n,
      handcrafted_pass: featureMs / n,
      embeddings: encoder !== undefined ? embedMs / n : null,
    },
    features: table,
  };
  const fmt = (v: number | null) => (v === null || Number.isNaN(v) ? "n/a" : v.toFixed(3));
  const md = [
    `# Handcrafted features: sanity on ${n} essays`,
    "",
    `CSV: \`${values.csv}\`; embeddings: ${encoder?.name ?? "zero vectors (not measured)"}.`,
    "",
    `Per essay: checker ${result.ms_per_essay.checker.toFixed(1)} ms, handcrafted pass ` +
    `${result.ms_per_essay.handcrafted_pass.toFixed(1)} ms` +
    (encoder !== undefined
      ? `, embeddings ${(embedMs / n).toFixed(1)} ms (one text at a time).`
      : "."),
    "",
    "| feature | tier | mean | sd | Spearman vs Overall |",
    "| --- | --- | ---: | ---: | ---: |",
    ...table.map((r) =>
      `| ${r.name} | ${r.tier} | ${fmt(r.mean)} | ${fmt(r.sd)} | ${fmt(r.spearman)} |`
    ),
    "",
  ].join("\n");
  await Deno.mkdir(values.out, { recursive: true });
  for (
    const [file, body] of [
      ["handcrafted_sanity.json", JSON.stringify(result, null, 2) + "\n"],
      ["handcrafted_sanity.md", md],
    ] as const
  ) {
    const path = join(values.out, file);
    const tmp = join(dirname(path), `.${file}.tmp`);
    await Deno.writeTextFile(tmp, body);
    await Deno.rename(tmp, path);
  }
  console.log(md);
}

if (import.meta.main) await main();
