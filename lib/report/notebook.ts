/**
 * Small helpers notebook cells share: run from the project root, describe the environment.
 *
 * Jupyter starts the Deno kernel in the notebook's directory (`notebooks/`), while every path in
 * the library and in the CLI (`data/embedded/…`, `output/essay_scoring/…`) is relative to the
 * project root. `enterProjectRoot()` changes the kernel's working directory to the root once, so
 * a notebook and the CLI read and write the same files. Cells import the library through the
 * `@lib/` import-map alias (not `../lib/`), which keeps resolving after the directory change.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import {
  appendExperimentLogEntry,
  ExperimentLogRefusal,
  type ExperimentResult,
  formatExperimentLogEntry,
} from "../run/experiment_log.ts";
import { experimentLogEntryFromRunDir } from "../run/run_dir_log_entry.ts";
import { type ExperimentConfig, ExperimentConfigSchema } from "../run/config.ts";
import { type FlagSpec, kebabToCamel } from "../run/cli_flags.ts";

/** The task every checkout of this project defines in `deno.json`. */
const PROJECT_TASK = "essay-scoring-research";

function isProjectRoot(dir: string): boolean {
  try {
    const json = JSON.parse(Deno.readTextFileSync(join(dir, "deno.json"))) as {
      tasks?: Record<string, unknown>;
    };
    return typeof json.tasks?.[PROJECT_TASK] === "string";
  } catch {
    return false;
  }
}

/**
 * The nearest directory at or above `start` whose `deno.json` defines the
 * `essay-scoring-research` task. Throws when there is none.
 *
 * @example
 * ```ts
 * findProjectRoot("notebooks"); // "/path/to/checkout"
 * ```
 */
export function findProjectRoot(start: string = Deno.cwd()): string {
  let dir = resolve(start);
  while (true) {
    if (isProjectRoot(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `no deno.json with a "${PROJECT_TASK}" task at or above ${resolve(start)}: ` +
          "start Jupyter inside the project checkout",
      );
    }
    dir = parent;
  }
}

/**
 * Change the working directory to the project root (idempotent) and return it.
 *
 * @example
 * ```ts
 * const root = enterProjectRoot(); // later relative paths are relative to the checkout
 * ```
 */
export function enterProjectRoot(): string {
  const root = findProjectRoot();
  if (resolve(Deno.cwd()) !== root) Deno.chdir(root);
  return root;
}

/** Runtime facts a report should show (versions, machine). */
export interface RuntimeInfo {
  readonly deno: string;
  readonly v8: string;
  readonly typescript: string;
  readonly os: string;
  readonly arch: string;
  readonly cpus: number;
  readonly memoryGiB: number | null;
  readonly cwd: string;
}

/** Deno/V8/TypeScript versions, OS, cores and total memory of this process's machine. */
export function runtimeInfo(): RuntimeInfo {
  let memoryGiB: number | null = null;
  try {
    memoryGiB = Math.round(Deno.systemMemoryInfo().total / 2 ** 30 * 10) / 10;
  } catch { /* not permitted */ }
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    os: Deno.build.os,
    arch: Deno.build.arch,
    cpus: navigator.hardwareConcurrency,
    memoryGiB,
    cwd: Deno.cwd(),
  };
}

/** Presence, size and modification time of the files a step will read. */
export interface FileStatus {
  readonly path: string;
  readonly exists: boolean;
  readonly bytes: number | null;
  readonly modified: string | null;
}

/** Stat each path (relative to the working directory) without throwing on missing files. */
export async function fileStatuses(paths: readonly string[]): Promise<FileStatus[]> {
  const out: FileStatus[] = [];
  for (const path of paths) {
    try {
      const s = await Deno.stat(path);
      out.push({
        path,
        exists: s.isFile,
        bytes: s.size,
        modified: s.mtime?.toISOString() ?? null,
      });
    } catch {
      out.push({ path, exists: false, bytes: null, modified: null });
    }
  }
  return out;
}

/** What `recordNotebookRun` did. */
export interface NotebookLogOutcome {
  /** `appended`, `already_recorded` (the step itself logged this run dir) or `refused` (IELTS). */
  readonly action: "appended" | "already_recorded" | "refused";
  readonly logPath: string;
  /** The entry as it stands in the log (or the refusal message). */
  readonly text: string;
}

/** The log entry (from its `YYYY-MM-DD:` heading to the next) that names `runDir` as output. */
export function findLogEntryForRunDir(logText: string, runDir: string): string | undefined {
  const dir = runDir.endsWith("/") ? runDir : `${runDir}/`;
  const entries = logText.split(/\n(?=\d{4}-\d\d-\d\d: )/);
  return entries.find((e) => e.includes(`- output: \`${dir}\``))?.trim();
}

/**
 * The last cell of every notebook: make sure the run it produced is in the append-only
 * experiment log. Steps that already record themselves (e.g. `prepare-dataset`) are not logged
 * twice: the existing entry is returned. Otherwise an entry is built from the run's
 * `manifest.json` with the given results and a note naming the notebook, and appended.
 * Runs on the blocked IELTS data are refused, never recorded.
 *
 * @example
 * ```ts
 * await recordNotebookRun({
 *   runDir, notebook: "03_cv.ipynb", logPath: config.experimentLogPath,
 *   results: [{ label: "QWK (CV mean±std)", value: "0.61 ± 0.02" }],
 * });
 * ```
 */
export async function recordNotebookRun(options: {
  readonly runDir: string;
  readonly notebook: string;
  readonly logPath: string;
  readonly results?: readonly ExperimentResult[];
  readonly notes?: readonly string[];
}): Promise<NotebookLogOutcome> {
  const { runDir, logPath } = options;
  let existing = "";
  try {
    existing = await Deno.readTextFile(logPath);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const found = findLogEntryForRunDir(existing, runDir);
  if (found !== undefined) return { action: "already_recorded", logPath, text: found };
  const entry = await experimentLogEntryFromRunDir(runDir, {
    results: options.results ?? [],
    notes: [`notebook: \`notebooks/${options.notebook}\``, ...(options.notes ?? [])],
  });
  try {
    await appendExperimentLogEntry(logPath, entry);
  } catch (error) {
    if (error instanceof ExperimentLogRefusal) {
      return { action: "refused", logPath, text: error.message };
    }
    throw error;
  }
  return { action: "appended", logPath, text: formatExperimentLogEntry(entry).trim() };
}

/**
 * Show Markdown as a cell's output (rendered by Jupyter and by the HTML export).
 *
 * @example
 * ```ts
 * markdownDisplay("**ready**: inputs load, no offload URL configured");
 * ```
 */
export function markdownDisplay(markdown: string): { [key: symbol]: () => Record<string, string> } {
  return {
    [Symbol.for("Jupyter.display")]: () => ({ "text/markdown": markdown, "text/plain": markdown }),
  };
}

/**
 * The command-line flags that reproduce `config` (every config flag whose value differs from the
 * default), plus `extra` step flags that are not config keys (e.g. `{ "text-stacking": false }`).
 * Notebooks pass this as the step's `argv`, so the manifest and the experiment log record the
 * exact equivalent `deno task essay-scoring-research <command> …` line.
 *
 * @example
 * ```ts
 * equivalentCliArgs(resolveExperimentConfig(undefined, { minWords: 150 }), DATASET_FLAGS);
 * // ["--min-words=150"]
 * ```
 */
export function equivalentCliArgs(
  config: ExperimentConfig,
  flags: readonly FlagSpec[],
  extra: Readonly<Record<string, string | number | boolean | undefined>> = {},
): string[] {
  const defaults = ExperimentConfigSchema.parse({}) as unknown as Record<string, unknown>;
  const at = (root: unknown, path: string) =>
    path.split(".").reduce<unknown>(
      (node, key) => (node as Record<string, unknown> | undefined)?.[key],
      root,
    );
  const args: string[] = [];
  for (const spec of flags) {
    if (spec.configKey === null) continue;
    const path = spec.configKey ?? kebabToCamel(spec.name);
    const value = at(config, path);
    if (value === undefined || JSON.stringify(value) === JSON.stringify(at(defaults, path))) {
      continue;
    }
    const text = Array.isArray(value) ? value.join("|") : String(value);
    args.push(`--${spec.name}=${text}`);
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value !== undefined) args.push(`--${name}=${value}`);
  }
  return args;
}
