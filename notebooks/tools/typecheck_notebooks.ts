/**
 * Type-check notebook code: extract each notebook's code cells, in order, into one TypeScript
 * module and run `deno check` on it with the project's `deno.json`.
 *
 * Cells run in one kernel session, so concatenating them gives the same scopes (a cell's
 * `const` is visible to later cells; imports are hoisted either way). Cells tagged
 * `injected-parameters` (headless overrides) are skipped, as are cells tagged `skip-typecheck`.
 * Errors are reported with the notebook and cell they come from.
 *
 * Usage: `deno run -A notebooks/tools/typecheck_notebooks.ts [notebook.ipynb ...]`
 *
 * @module
 */
import { basename, join } from "node:path";
import { cellSource, cellTags, type Notebook, readNotebook } from "./ipynb.ts";
import { PROJECT_ROOT } from "./setup_jupyter.ts";
import { listNotebooks } from "./run_notebooks.ts";

/** One extracted module: its source and the module line where each cell starts. */
export interface ExtractedModule {
  readonly source: string;
  /** `[firstLine (1-based), cellIndex]`, ascending. */
  readonly cellStarts: readonly (readonly [number, number])[];
}

/**
 * Concatenate a notebook's code cells into a module (pure).
 *
 * @example
 * ```ts
 * extractCodeCells(nb).source.includes("// --- cell 1 ---"); // true if cell 1 is code
 * ```
 */
export function extractCodeCells(nb: Notebook, origin = "notebook"): ExtractedModule {
  const lines = [`// Extracted from ${origin} for type checking; do not edit.`];
  const cellStarts: [number, number][] = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const tags = cellTags(cell);
    if (tags.includes("injected-parameters") || tags.includes("skip-typecheck")) return;
    const source = cellSource(cell);
    if (source.trim() === "") return;
    lines.push(`// --- cell ${index} ---`);
    cellStarts.push([lines.length + 1, index]);
    lines.push(...source.split("\n"));
  });
  lines.push("export {};", "");
  return { source: lines.join("\n"), cellStarts };
}

/** The notebook cell a 1-based module line belongs to, or undefined for the header. */
export function cellOfLine(module: ExtractedModule, line: number): number | undefined {
  let cell: number | undefined;
  for (const [start, index] of module.cellStarts) {
    if (start <= line) cell = index;
    else break;
  }
  return cell;
}

/** Result of checking one notebook. */
export interface TypecheckResult {
  readonly notebook: string;
  readonly ok: boolean;
  readonly output: string;
}

/**
 * Extract and `deno check` one notebook. The module is written to a temporary directory and
 * checked with `--config <project>/deno.json`, so `@lib/…` and npm imports resolve as in the
 * kernel. Diagnostics get a `(notebook cell N)` suffix.
 */
export async function typecheckNotebook(path: string): Promise<TypecheckResult> {
  const nb = await readNotebook(path);
  const name = basename(path, ".ipynb");
  const module = extractCodeCells(nb, basename(path));
  const dir = await Deno.makeTempDir({ prefix: "nbcheck_" });
  try {
    const file = join(dir, `${name}.ts`);
    await Deno.writeTextFile(file, module.source);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--config", join(PROJECT_ROOT, "deno.json"), file],
      cwd: PROJECT_ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const dec = new TextDecoder();
    const text = (dec.decode(out.stdout) + dec.decode(out.stderr)).replaceAll(
      new RegExp(`file://${file.replaceAll(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)`, "g"),
      (_m, line: string, col: string) =>
        `${basename(path)}:${line}:${col} (notebook cell ${cellOfLine(module, Number(line))})`,
    );
    return { notebook: path, ok: out.success, output: text.trim() };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const paths = Deno.args.length ? Deno.args : await listNotebooks();
  let failed = 0;
  for (const p of paths) {
    const r = await typecheckNotebook(p);
    console.log(`${r.ok ? "ok  " : "FAIL"} ${basename(p)}`);
    if (!r.ok) {
      failed += 1;
      console.log(r.output);
    }
  }
  Deno.exit(failed ? 1 : 0);
}
