/**
 * Side-by-side cold extraction of this tree and another git ref (`--compare-ref`), for
 * `deno task bench features`: each run is a fresh `deno` process that loads a CSV, extracts the
 * combined features through `extractWithStore` into a new store with N workers and reports its
 * own process CPU time (all threads) and wall time. Runs alternate (ref, this, ref, this, …) so
 * that the load from other jobs on a shared machine hits both alike. The baseline tree is
 * `git archive <ref>` in a temporary directory (no change to the repository); its npm packages
 * come from the local Deno cache. Stores of the two trees are compared cell by cell.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { blasCoreTypeChosenHere } from "../features/embeddings/native_blas.ts";

/** One cold extraction run. */
export interface ColdRun {
  readonly tree: "baseline" | "current";
  readonly workers: number;
  readonly essays: number;
  readonly wallSeconds: number;
  /** Process CPU seconds (user + system, all threads), module loading and start-up included. */
  readonly cpuSeconds: number;
  readonly cpuSecondsPerEssay: number;
  readonly essaysPerSecond: number;
  readonly fingerprint: string;
}

/** How the two trees' stores differ (same essays, same order). */
export interface StoreDifference {
  readonly matrix: string;
  readonly cells: number;
  readonly differing: number;
  readonly maxAbsDiff: number;
  /** Cells where the current value is exactly float32(baseline value). */
  readonly float32OfBaseline: number;
  readonly namesEqual: boolean;
}

/** Result of {@link compareTrees}. */
export interface TreeComparison {
  readonly ref: string;
  readonly commit: string;
  readonly runs: ColdRun[];
  /** Per worker count: mean baseline CPU s/essay ÷ mean current CPU s/essay. */
  readonly cpuRatio: Record<string, number>;
  /** Per worker count: mean current essays/s ÷ mean baseline essays/s (wall). */
  readonly throughputRatio: Record<string, number>;
  readonly storeDifferences: StoreDifference[];
}

/** Module of `root` exporting `extractWithStore` (it moved out of `feature_store.ts`). */
function storeModuleOf(root: string): string {
  try {
    Deno.statSync(join(root, "lib", "features", "store_extraction.ts"));
    return "features/store_extraction.ts";
  } catch {
    return "features/feature_store.ts";
  }
}

/** The child program: one cold extraction with the tree at `root`. */
function childProgram(root: string): string {
  const lib = (p: string) => JSON.stringify(`file://${join(root, "lib", p)}`);
  return `
import { loadEllipseCsv } from ${lib("dataset/ellipse_csv.ts")};
import { createLocalFeatureExtractor } from ${lib("features/extract.ts")};
import { extractWithStore } from ${lib(storeModuleOf(root))};
const [csv, limit, workers, storeDir] = Deno.args;
const essays = (await loadEllipseCsv(csv, "train")).slice(0, Number(limit))
  .map((e) => ({ id: e.id, text: e.text, prompt: e.prompt }));
const extractor = createLocalFeatureExtractor({ workers: Number(workers) });
try {
  await extractWithStore({ essays, extractor, storeDir, featureSet: "combined" });
} finally {
  await extractor.close();
}
const stat = Deno.readTextFileSync("/proc/self/stat");
const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
console.log(JSON.stringify({ essays: essays.length, cpuSeconds: (Number(f[11]) + Number(f[12])) / 100,
  fingerprint: extractor.fingerprint }));
`;
}

/**
 * The environment of a child run: this one's, without an `OPENBLAS_CORETYPE` that this process
 * chose itself (each build decides its kernel as it would alone).
 */
function childEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env = Deno.env.toObject();
  if (blasCoreTypeChosenHere()) delete env.OPENBLAS_CORETYPE;
  return { ...env, ...extra };
}

async function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env: childEnv(env),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr).slice(-2000)}`,
    );
  }
  return text;
}

/** Export `ref` of the repository at `repo` into a fresh directory; returns it and the commit. */
async function exportRef(repo: string, ref: string): Promise<{ dir: string; commit: string }> {
  const commit = (await run("git", ["rev-parse", "--verify", `${ref}^{commit}`], repo)).trim();
  const dir = await Deno.makeTempDir({ prefix: "features_baseline_" });
  const tar = join(dir, "tree.tar");
  await run("git", ["archive", "--format=tar", "-o", tar, commit], repo);
  await run("tar", ["-xf", tar, "-C", dir], dir);
  await Deno.remove(tar);
  return { dir, commit };
}

async function coldRun(
  tree: ColdRun["tree"],
  root: string,
  csv: string,
  limit: number,
  workers: number,
  storeDir: string,
  env: Readonly<Record<string, string>>,
): Promise<ColdRun> {
  const script = join(root, ".features_bench_child.ts");
  await Deno.writeTextFile(script, childProgram(root));
  try {
    const t0 = performance.now();
    const out = await run(
      Deno.execPath(),
      [
        "run",
        "-A",
        "--config",
        join(root, "deno.json"),
        script,
        csv,
        String(limit),
        String(workers),
        storeDir,
      ],
      root,
      env,
    );
    const wallSeconds = (performance.now() - t0) / 1000;
    const r = JSON.parse(out.trim().split("\n").pop()!);
    return {
      tree,
      workers,
      essays: r.essays,
      wallSeconds,
      cpuSeconds: r.cpuSeconds,
      cpuSecondsPerEssay: r.cpuSeconds / r.essays,
      essaysPerSecond: r.essays / wallSeconds,
      fingerprint: r.fingerprint,
    };
  } finally {
    await Deno.remove(script).catch(() => undefined);
  }
}

/** Compare two stores of the same essays cell by cell. */
export async function compareStores(
  baseDir: string,
  currentDir: string,
): Promise<StoreDifference[]> {
  const meta = async (d: string) => JSON.parse(await Deno.readTextFile(join(d, "metadata.json")));
  const [a, b] = [await meta(baseDir), await meta(currentDir)];
  const out: StoreDifference[] = [];
  for (const matrix of ["handcrafted", "embeddings"]) {
    const ma = a.matrices[matrix], mb = b.matrices[matrix];
    if (!ma || !mb) continue;
    const read = async (d: string, m: { file: string }) =>
      new Float64Array((await Deno.readFile(join(d, m.file))).buffer);
    const [va, vb] = [await read(baseDir, ma), await read(currentDir, mb)];
    let differing = 0, maxAbsDiff = 0, float32OfBaseline = 0;
    for (let i = 0; i < Math.min(va.length, vb.length); i++) {
      const same = va[i] === vb[i] || (va[i] !== va[i] && vb[i] !== vb[i]);
      if (!same) {
        differing++;
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(va[i] - vb[i]));
      }
      if (vb[i] === Math.fround(va[i]) || (va[i] !== va[i] && vb[i] !== vb[i])) float32OfBaseline++;
    }
    out.push({
      matrix,
      cells: va.length,
      differing,
      maxAbsDiff,
      float32OfBaseline,
      namesEqual: JSON.stringify(ma.names) === JSON.stringify(mb.names),
    });
  }
  return out;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

/**
 * Alternate cold runs of `ref` and of this tree (see the module docs).
 *
 * @example
 * ```ts
 * await compareTrees({ ref: "main", csv, limit: 200, workers: [2], repeats: 1, log: console.log });
 * ```
 */
export async function compareTrees(options: {
  readonly ref: string;
  /** Git repository holding `ref` (default the current directory). */
  readonly repo?: string;
  readonly csv: string;
  readonly limit: number;
  readonly workers: readonly number[];
  readonly repeats: number;
  /** Extra environment of the baseline's runs only (e.g. its own `HARPER_NATIVE_LIB`). */
  readonly baselineEnv?: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
}): Promise<TreeComparison> {
  const current = resolve(".");
  const csv = resolve(options.csv);
  const { dir, commit } = await exportRef(resolve(options.repo ?? "."), options.ref);
  const stores = await Deno.makeTempDir({ prefix: "features_compare_" });
  const runs: ColdRun[] = [];
  try {
    for (const workers of options.workers) {
      for (let r = 0; r < options.repeats; r++) {
        for (const [tree, root] of [["baseline", dir], ["current", current]] as const) {
          const storeDir = join(stores, `${tree}_${workers}_${r}`);
          const env = tree === "baseline" ? options.baselineEnv ?? {} : {};
          const result = await coldRun(tree, root, csv, options.limit, workers, storeDir, env);
          options.log(
            `${tree} (${
              tree === "baseline" ? commit.slice(0, 10) : "this tree"
            }), ${workers} workers: ` +
              `${result.essaysPerSecond.toFixed(2)} essays/s, ${
                result.cpuSecondsPerEssay.toFixed(3)
              } CPU s/essay`,
          );
          runs.push(result);
        }
      }
    }
    const w0 = options.workers[0];
    const storeDifferences = await compareStores(
      join(stores, `baseline_${w0}_0`),
      join(stores, `current_${w0}_0`),
    );
    const cpuRatio: Record<string, number> = {};
    const throughputRatio: Record<string, number> = {};
    for (const workers of options.workers) {
      const of = (tree: string, f: (r: ColdRun) => number) =>
        mean(runs.filter((r) => r.tree === tree && r.workers === workers).map(f));
      cpuRatio[workers] = of("baseline", (r) => r.cpuSecondsPerEssay) /
        of("current", (r) => r.cpuSecondsPerEssay);
      throughputRatio[workers] = of("current", (r) => r.essaysPerSecond) /
        of("baseline", (r) => r.essaysPerSecond);
    }
    return { ref: options.ref, commit, runs, cpuRatio, throughputRatio, storeDifferences };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => undefined);
    await Deno.remove(stores, { recursive: true }).catch(() => undefined);
  }
}

/** Markdown section of a comparison. */
export function comparisonMarkdown(c: TreeComparison): string[] {
  const lines = [
    `## This tree vs \`${c.ref}\` (${c.commit.slice(0, 10)}), cold, side by side`,
    "",
    "| tree | workers | essays | wall s | essays/s (wall) | CPU s/essay |",
    "|---|---:|---:|---:|---:|---:|",
    ...c.runs.map((r) =>
      `| ${r.tree} | ${r.workers} | ${r.essays} | ${r.wallSeconds.toFixed(1)} | ${
        r.essaysPerSecond.toFixed(2)
      } | ${r.cpuSecondsPerEssay.toFixed(3)} |`
    ),
    "",
    ...Object.keys(c.cpuRatio).map((w) =>
      `${w} workers: CPU per essay ${c.cpuRatio[w].toFixed(2)}× lower, throughput ${
        c.throughputRatio[w].toFixed(2)
      }× higher than the baseline.`
    ),
    "",
    "| matrix | cells | differing | max abs diff | equal to float32(baseline) | same column names |",
    "|---|---:|---:|---:|---:|---|",
    ...c.storeDifferences.map((d) =>
      `| ${d.matrix} | ${d.cells} | ${d.differing} | ${
        d.maxAbsDiff.toExponential(2)
      } | ${d.float32OfBaseline} | ${d.namesEqual} |`
    ),
    "",
  ];
  return lines;
}
