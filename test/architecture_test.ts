/**
 * The shape of `lib/` (docs/architecture.md): no import cycle between files, and the layers
 * import one way only — the model layer never reads the experiment config or the steps, a
 * report never reaches into a step, the run layer never into the data. Imports are read from
 * the source text (static `import … from`, `export … from`, `import("…")`); a Web Worker's
 * `new URL("./worker.ts")` is a spawn, not an import.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const LIB = join(dirname(new URL(import.meta.url).pathname), "..", "lib");

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s(?:[^;]*?\sfrom\s)?["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** Relative imports of one source text, resolved against its path. */
function importsOf(path: string, source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) {
    out.push(normalize(join(dirname(path), m[1] ?? m[2])));
  }
  return out;
}

/** Every `.ts` file under `dir` with its relative imports (paths relative to `lib/`). */
function libGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) walk(p);
      else if (e.name.endsWith(".ts")) {
        const rel = relative(LIB, p);
        graph.set(rel, importsOf(rel, Deno.readTextFileSync(p)));
      }
    }
  };
  walk(dir);
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/**
 * Imports that go against the layers: `from` folder may not import `to` folders. Inside
 * `lib/model/` the subfolders are layers too: learners ← evaluation ← pipeline ← bundle,
 * validation (a learner knows nothing of the pipeline that uses it).
 */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  dataset: ["splits", "features", "offload", "model", "report", "steps", "bench"],
  splits: ["features", "offload", "model", "report", "steps", "bench"],
  model: ["run", "offload", "report", "steps", "bench"],
  "model/learners": ["model/evaluation", "model/pipeline", "model/bundle", "model/validation"],
  "model/evaluation": ["model/pipeline", "model/bundle", "model/validation"],
  "model/pipeline": ["model/bundle", "model/validation"],
  "model/bundle": ["model/validation"],
  report: ["steps", "bench"],
  run: ["dataset", "splits", "offload", "report", "steps", "bench"],
  steps: ["bench"],
};

/**
 * Known exceptions, each with its reason. The config files compose the layers' schemas (the
 * dataset manifest, the model's parameters), so they may read them; the manifest's seeded
 * prompt hold-out borrows the splits' seeded order, and its random test split the splits'
 * stratified, group-keeping two-way splitter (one implementation of that contract).
 */
const ALLOWED: ReadonlySet<string> = new Set([
  "run/config.ts → dataset/manifest.ts",
  "run/config_loading.ts → dataset/manifest.ts",
  "dataset/corpus_loader.ts → splits/seeded_order.ts",
  "dataset/random_test_split.ts → splits/train_val_split.ts",
]);

/** The layers a file belongs to: its top folder, and for `model/<sub>/x.ts` also `model/<sub>`. */
function layersOf(path: string): string[] {
  const parts = path.split("/");
  if (parts.length < 2) return [""];
  return parts.length > 2 && parts[0] === "model" ? [parts[0], `${parts[0]}/${parts[1]}`] : [
    parts[0],
  ];
}

/** `from → to` imports that a layer rule forbids. */
function layerViolations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [from, deps] of graph) {
    const banned = layersOf(from).flatMap((layer) => FORBIDDEN[layer] ?? []);
    for (const to of deps) {
      const edge = `${from} → ${to}`;
      const hit = layersOf(to).some((layer) => banned.includes(layer));
      if (hit && !ALLOWED.has(edge)) out.push(edge);
    }
  }
  return out.sort();
}

Deno.test("importCycles finds two-file and longer cycles, and none in a DAG", () => {
  const g = new Map([
    ["a.ts", ["b.ts"]],
    ["b.ts", ["c.ts"]],
    ["c.ts", ["a.ts"]],
    ["d.ts", ["e.ts"]],
    ["e.ts", ["d.ts"]],
    ["f.ts", ["a.ts"]],
  ]);
  assert.deepEqual(importCycles(g).map((c) => c.join(" ")).sort(), ["a.ts b.ts c.ts", "d.ts e.ts"]);
  assert.deepEqual(importCycles(new Map([["a.ts", ["b.ts"]], ["b.ts", []]])), []);
  assert.deepEqual(
    importsOf("model/x.ts", 'import type { A } from "./a.ts";\nexport { B } from "../run/b.ts";'),
    ["model/a.ts", "run/b.ts"],
  );
});

Deno.test("layerViolations: folders and model subfolders import one way", () => {
  const g = new Map([
    ["model/learners/a.ts", ["model/pipeline/b.ts", "model/learners/c.ts"]],
    ["model/pipeline/b.ts", ["model/learners/a.ts", "model/evaluation/d.ts"]],
    ["model/evaluation/d.ts", ["model/validation/e.ts"]],
    ["model/validation/e.ts", ["model/pipeline/b.ts", "run/config.ts"]],
    ["report/r.ts", ["model/evaluation/d.ts", "run/x.ts"]],
  ]);
  assert.deepEqual(layerViolations(g), [
    "model/evaluation/d.ts → model/validation/e.ts",
    "model/learners/a.ts → model/pipeline/b.ts",
    "model/validation/e.ts → run/config.ts",
  ]);
});

Deno.test("lib/ has no import cycle between files", () => {
  const graph = libGraph(LIB);
  assert.ok(graph.size > 100, `only ${graph.size} files found under ${LIB}`);
  assert.deepEqual(importCycles(graph), []);
});

Deno.test("lib/ layers import one way (docs/architecture.md)", () => {
  assert.deepEqual(layerViolations(libGraph(LIB)), []);
});
