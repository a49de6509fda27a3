/**
 * Per-component CPU profile of local feature extraction, for `deno task bench features`: the
 * components of one worker's pipeline run one after the other on this thread over the same
 * essays, each bracketed by this thread's CPU time (`/proc/thread-self/stat`, so other processes
 * on a shared machine do not count): segmentation (the wink-nlp pass), text analysis (the
 * handcrafted formulas on that pass), each checker (harper.js, nspell, their merge), the encoder
 * (and inside it tokenisation, the matmul kernels, the rest), essay vectors and the store write.
 * The encoder's inner split uses wall-time shares measured inside it (one thread, no waiting), so
 * tokenisation + matmuls + rest = the encoder's CPU time. Start-up (loading the checker and the
 * encoder, incl. the row-block probe) is reported separately.
 *
 * @module
 */
import { join } from "node:path";
import { mergeCheckerMatches } from "../features/checkers/local_checker.ts";
import { findHarperErrors } from "../features/checkers/harper_checker.ts";
import { type HarperBackend, harperBackend } from "../features/checkers/harper_native.ts";
import { findSpellingErrors } from "../features/checkers/spelling_checker.ts";
import { installMatMulTiming } from "../features/embeddings/kernel_timing.ts";
import {
  nativeBlasCore,
  probedCompactLayouts,
  probedRowBlocks,
} from "../features/embeddings/native_blas.ts";
import { loadUseLiteEncoder } from "../features/embeddings/use_lite_encoder.ts";
import { embeddingColumnNames, normalisedMean } from "../features/embeddings/vector_ops.ts";
import { paragraphMeans } from "../features/essay_pipeline.ts";
import { rowIdentities, writeFeatureStore } from "../features/feature_store.ts";
import { computeHandcraftedFeatures } from "../features/handcrafted/handcrafted_features.ts";
import { HANDCRAFTED_FEATURE_NAMES } from "../features/handcrafted/schema.ts";
import { analyseText, type TextAnalysis } from "../features/handcrafted/text_analysis.ts";
import type { ErrorMatch, EssayInput } from "../features/types.ts";

/** CPU milliseconds per essay of each component (this thread). */
export interface ComponentCpuMs {
  readonly segmentation: number;
  readonly text_analysis: number;
  readonly checker_harper: number;
  readonly checker_nspell: number;
  readonly checker_merge: number;
  readonly encoder: number;
  readonly encoder_tokenisation: number;
  readonly encoder_matmul: number;
  readonly encoder_rest: number;
  readonly essay_vectors: number;
  readonly store_write: number;
  /** Sum of the top-level components (not counting the encoder's inner split twice). */
  readonly total: number;
}

/** Result of {@link profileComponents}. */
export interface ComponentProfile {
  readonly essays: number;
  /** How CPU time was read: this thread's (`thread`) or wall clock where /proc is missing. */
  readonly clock: "thread" | "wall";
  /** Encoder name (names the matmul kernels: `tfjs-wasm` or `tfjs-wasm+openblas-<core>`). */
  readonly encoder: string;
  /** OpenBLAS kernel family in use, or null (wasm kernels). */
  readonly blasCore: string | null;
  /** Row block chosen per weight shape by the probe (0 = one call per text). */
  readonly rowBlocks: Record<string, number>;
  /** Weight shapes whose calls use the compact row layout (texts packed, call padded). */
  readonly compactLayouts: Record<string, boolean>;
  readonly sentencesPerEssay: number;
  readonly tokensPerEssay: number;
  /** CPU ms to load the checkers and the encoder (once per worker). */
  readonly startupCpuMs: { readonly checkers: number; readonly encoder: number };
  /** Which harper build checked the texts (`native` after `deno task build-native`). */
  readonly harperBackend: HarperBackend;
  readonly cpuMsPerEssay: ComponentCpuMs;
}

/** This thread's CPU milliseconds (user + system), or wall milliseconds without /proc. */
function threadCpuMs(): { ms: number; clock: "thread" | "wall" } {
  try {
    const stat = Deno.readTextFileSync("/proc/thread-self/stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ms: (Number(fields[11]) + Number(fields[12])) * 10, clock: "thread" };
  } catch {
    return { ms: performance.now(), clock: "wall" };
  }
}

/** Run `fn` and return its CPU milliseconds on this thread. */
async function cpuOf(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = threadCpuMs().ms;
  await fn();
  return threadCpuMs().ms - t0;
}

/** Essays per encoder call, as in a worker task. */
const TASK_SIZE = 16;

/**
 * Profile the components of one worker's pipeline over `essays` (see the module docs).
 *
 * @example
 * ```ts
 * const profile = await profileComponents(essays.slice(0, 64));
 * console.log(profile.cpuMsPerEssay.checker_harper);
 * ```
 */
export async function profileComponents(essays: readonly EssayInput[]): Promise<ComponentProfile> {
  const n = Math.max(1, essays.length);
  const checkers = await cpuOf(async () => {
    await findHarperErrors("Warm up the checker.", "en-US");
    findSpellingErrors("Warm up the speller.");
  });
  let encoder!: Awaited<ReturnType<typeof loadUseLiteEncoder>>;
  const encoderLoad = await cpuOf(async () => {
    encoder = await loadUseLiteEncoder();
    await encoder.embed(["Warm up the encoder graph.", "And the row-block probe, twice over."]);
  });
  const kernels = installMatMulTiming();

  let analyses: TextAnalysis[] = [];
  const segmentation = await cpuOf(() => (analyses = essays.map((e) => analyseText(e.text))));
  let harper: ErrorMatch[][] = [];
  const checkerHarper = await cpuOf(async () => {
    harper = [];
    for (const e of essays) harper.push(await findHarperErrors(e.text, "en-US"));
  });
  let spelling: ErrorMatch[][] = [];
  const checkerNspell = await cpuOf(
    () => (spelling = essays.map((e) => findSpellingErrors(e.text))),
  );
  let errors: ErrorMatch[][] = [];
  const checkerMerge = await cpuOf(() =>
    errors = harper.map((h, i) => mergeCheckerMatches(h, spelling[i]))
  );

  const sentenceVectors: Float32Array[][] = [];
  const promptVectors = new Map<string, Float32Array>();
  const timing0 = { ...encoder.timing }, kernel0 = kernels.ms, tokens0 = encoder.stats.tokens;
  const wall0 = performance.now();
  const encoderCpu = await cpuOf(async () => {
    for (let i = 0; i < essays.length; i += TASK_SIZE) {
      const batch = analyses.slice(i, i + TASK_SIZE);
      const prompts = [...new Set(essays.slice(i, i + TASK_SIZE).map((e) => e.prompt))]
        .filter((p) => !promptVectors.has(p));
      const vectors = await encoder.embed([...batch.flatMap((a) => a.sentences), ...prompts]);
      let at = 0;
      for (const a of batch) {
        sentenceVectors.push(vectors.slice(at, at + a.sentences.length));
        at += a.sentences.length;
      }
      prompts.forEach((p, k) => promptVectors.set(p, vectors[at + k]));
    }
  });
  const encoderWall = Math.max(1e-9, performance.now() - wall0);
  const share = (ms: number) => encoderCpu * Math.min(1, ms / encoderWall);
  const tokenisation = share(encoder.timing.tokeniseMs - timing0.tokeniseMs);
  const matmul = share(kernels.ms - kernel0);

  const dim = encoder.dimension;
  const embeddings = new Float64Array(essays.length * dim);
  const essayVectors = await cpuOf(() =>
    sentenceVectors.forEach((v, i) => embeddings.set(normalisedMean(v, dim), i * dim))
  );
  const handcrafted = new Float64Array(essays.length * HANDCRAFTED_FEATURE_NAMES.length);
  const textAnalysis = await cpuOf(() =>
    essays.forEach((e, i) => {
      const a = analyses[i];
      handcrafted.set(
        computeHandcraftedFeatures({
          text: e.text,
          prompt: e.prompt,
          errors: errors[i],
          sentenceEmbeddings: sentenceVectors[i],
          paragraphEmbeddings: paragraphMeans(
            a.paragraphs.length,
            a.sentenceParagraph,
            sentenceVectors[i],
            dim,
          ),
          promptEmbedding: promptVectors.get(e.prompt)!,
        }),
        i * HANDCRAFTED_FEATURE_NAMES.length,
      );
    })
  );
  const storeWrite = await cpuOf(() => writeProfileStore(essays, handcrafted, embeddings, dim));

  const perEssay = (ms: number) => ms / n;
  const top = [
    segmentation,
    textAnalysis,
    checkerHarper,
    checkerNspell,
    checkerMerge,
    encoderCpu,
    essayVectors,
    storeWrite,
  ];
  return {
    essays: essays.length,
    clock: threadCpuMs().clock,
    encoder: encoder.name,
    blasCore: nativeBlasCore(),
    rowBlocks: probedRowBlocks(),
    compactLayouts: probedCompactLayouts(),
    sentencesPerEssay: analyses.reduce((s, a) => s + a.sentences.length, 0) / n,
    tokensPerEssay: (encoder.stats.tokens - tokens0) / n,
    startupCpuMs: { checkers, encoder: encoderLoad },
    harperBackend: harperBackend(),
    cpuMsPerEssay: {
      segmentation: perEssay(segmentation),
      text_analysis: perEssay(textAnalysis),
      checker_harper: perEssay(checkerHarper),
      checker_nspell: perEssay(checkerNspell),
      checker_merge: perEssay(checkerMerge),
      encoder: perEssay(encoderCpu),
      encoder_tokenisation: perEssay(tokenisation),
      encoder_matmul: perEssay(matmul),
      encoder_rest: perEssay(encoderCpu - tokenisation - matmul),
      essay_vectors: perEssay(essayVectors),
      store_write: perEssay(storeWrite),
      total: perEssay(top.reduce((a, b) => a + b, 0)),
    },
  };
}

/** Write the profiled matrices as a feature store in a temporary directory (then remove it). */
async function writeProfileStore(
  essays: readonly EssayInput[],
  handcrafted: Float64Array,
  embeddings: Float64Array,
  dim: number,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "features_profile_" });
  try {
    await writeFeatureStore({
      dir: join(dir, "store"),
      kind: "store",
      schemaVersion: "profile",
      fingerprint: "profile",
      featureSet: "combined",
      rows: rowIdentities(essays),
      features: {
        ids: essays.map((e) => e.id),
        handcrafted: {
          names: [...HANDCRAFTED_FEATURE_NAMES],
          nRows: essays.length,
          nCols: HANDCRAFTED_FEATURE_NAMES.length,
          values: handcrafted,
        },
        embeddings: {
          names: embeddingColumnNames(dim),
          nRows: essays.length,
          nCols: dim,
          values: embeddings,
        },
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Markdown table of a profile. */
export function profileMarkdown(p: ComponentProfile): string[] {
  const c = p.cpuMsPerEssay;
  const row = (name: string, ms: number) =>
    `| ${name} | ${ms.toFixed(1)} | ${(100 * ms / Math.max(1e-9, c.total)).toFixed(0)} % |`;
  return [
    `## Per-component CPU profile (${p.essays} essays, one thread, ${p.clock} CPU time)`,
    "",
    `Kernel: ${
      p.blasCore === null ? "wasm SIMD (no native BLAS)" : `native OpenBLAS (${p.blasCore})`
    }; ` +
    `encoder \`${p.encoder}\`; row blocks ${JSON.stringify(p.rowBlocks)}, compact layout ` +
    `${JSON.stringify(p.compactLayouts)}; ` +
    `${p.sentencesPerEssay.toFixed(1)} sentences and ${
      p.tokensPerEssay.toFixed(0)
    } tokens per essay.`,
    `Start-up per worker (CPU ms): checkers ${p.startupCpuMs.checkers.toFixed(0)}, ` +
    `encoder incl. row-layout probe ${p.startupCpuMs.encoder.toFixed(0)}.`,
    "",
    "| component | CPU ms/essay | share |",
    "|---|---:|---:|",
    row("segmentation (wink-nlp pass)", c.segmentation),
    row("text analysis (handcrafted formulas)", c.text_analysis),
    row(`checker: harper (${p.harperBackend})`, c.checker_harper),
    row("checker: nspell", c.checker_nspell),
    row("checker: merge", c.checker_merge),
    row("encoder (USE-lite)", c.encoder),
    row("  encoder: tokenisation", c.encoder_tokenisation),
    row("  encoder: matmuls", c.encoder_matmul),
    row("  encoder: the rest (other kernels, graph)", c.encoder_rest),
    row("essay vectors (sentence mean)", c.essay_vectors),
    row("store write", c.store_write),
    `| **total** | **${c.total.toFixed(1)}** | 100 % |`,
    "",
  ];
}
