/**
 * `deno task notebooks`: execute every notebook headless and render self-contained HTML reports.
 *
 * For each notebook (all `notebooks/NN_*.ipynb` in order, or the ones named):
 * 1. inject parameters after the cell tagged `parameters` (`--param key=value`, `--params-json`,
 *    `--params-file`; each value goes to the notebooks that declare that name);
 * 2. execute it on the Deno kernel with `execute_notebook.py` (nbclient that keeps draining
 *    IOPub after idle, so no output is lost), with the kernel's working directory set to
 *    `notebooks/` as in a live Jupyter session;
 * 3. fail when a cell raised or a code cell has no output (see `output_check.ts`);
 * 4. export HTML with nbconvert and inline `plotly.js-dist-min` once (see `html_report.ts`): the
 *    full notebook (`<name>.html`) and a **report view** without code cells
 *    (`<name>.report.html`: Markdown, outputs and figures only, nbconvert `--no-input`);
 * 5. open every HTML file (both views) in headless Chromium and fail the notebook when a plotly figure does
 *    not render or a script error occurs (see `check_html_chromium.ts`; `--no-browser-check`
 *    skips it; without `chromium` installed every notebook with a report fails).
 *
 * Everything goes to `output/notebooks/<UTC yyyymmdd_hhmmss>/` (or `--out-dir`): per notebook the
 * executed `.ipynb`, the `.html` notebook, the `.report.html` report view and the executor's
 * `.summary.json`, plus `summary.json`
 * and `index.html` for the whole run. Exit status 1 if any notebook failed.
 *
 * @module
 */
import { basename, join, relative, resolve } from "node:path";
import { readNotebook, writeNotebook, writeTextAtomic } from "./ipynb.ts";
import { injectParameters, notebookParameters, parseParamFlags } from "./parameters.ts";
import { checkExecutedNotebook, type OutputCheck } from "./output_check.ts";
import {
  codeCellsWithInput,
  countPlotlyDivs,
  inlinePlotlyBundle,
  plotlyBundlePath,
  plotlyBundleVersion,
} from "./html_report.ts";
import { ensureJupyter, notebookPython, PROJECT_ROOT } from "./setup_jupyter.ts";
import { checkHtmlFiles, findChromium, pageProblems } from "./check_html_chromium.ts";

/** Where the notebooks live. */
export const NOTEBOOK_DIR = join(PROJECT_ROOT, "notebooks");

/** Options of one `deno task notebooks` run. */
export interface RunNotebooksOptions {
  /** Notebook paths; default: every `NN_*.ipynb` in `notebooks/`, sorted. */
  readonly notebooks?: readonly string[];
  /** Parameter values by name (strings from flags, or JSON values). */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Output directory (default `output/notebooks/<UTC timestamp>`). */
  readonly outDir?: string;
  /** Seconds allowed per cell (default 900). */
  readonly cellTimeoutSeconds?: number;
  /** Seconds of IOPub silence after idle before a cell counts as done (default 0.5). */
  readonly drainSeconds?: number;
  /** Skip HTML export. */
  readonly noHtml?: boolean;
  /** Stop after the first failing notebook (default: run all, fail at the end). */
  readonly failFast?: boolean;
  /** Skip the headless-Chromium check of the HTML reports. */
  readonly noBrowserCheck?: boolean;
}

/** What happened to one notebook. */
export interface NotebookRunResult {
  readonly notebook: string;
  readonly status: "ok" | "failed";
  readonly seconds: number;
  readonly executedPath: string;
  readonly htmlPath?: string;
  /** The report view: the same HTML without code cells (Markdown, outputs, figures). */
  readonly reportHtmlPath?: string;
  readonly plotlyFigures?: number;
  readonly injected: Readonly<Record<string, unknown>>;
  readonly check?: OutputCheck;
  readonly error?: string;
}

/** UTC `yyyymmdd_hhmmss`. */
export function utcStamp(now: Date = new Date()): string {
  return now.toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
}

/** The notebooks of the project, in runbook order (`NN_name.ipynb`). */
export async function listNotebooks(dir: string = NOTEBOOK_DIR): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && /^\d\d_.+\.ipynb$/.test(entry.name)) names.push(entry.name);
  }
  return names.sort().map((n) => join(dir, n));
}

async function exec(
  cmd: string,
  args: string[],
  cwd: string,
): Promise<{ ok: boolean; stderr: string }> {
  const child = new Deno.Command(cmd, { args, cwd, stdout: "inherit", stderr: "piped" }).spawn();
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr) {
    const text = decoder.decode(chunk, { stream: true });
    chunks.push(text);
    for (const line of text.split("\n")) {
      // The Deno kernel warns on every start; the rest (cell progress, errors) is shown.
      if (line.trim() && !line.includes('"deno jupyter" is unstable')) {
        Deno.stderr.writeSync(new TextEncoder().encode(`${line}\n`));
      }
    }
  }
  const status = await child.status;
  return { ok: status.success, stderr: chunks.join("") };
}

/** Execute, check and render one notebook. */
export async function runNotebook(
  path: string,
  outDir: string,
  params: Readonly<Record<string, unknown>>,
  options: RunNotebooksOptions & { plotlyBundle?: string; plotlyVersion?: string },
): Promise<NotebookRunResult> {
  const name = basename(path, ".ipynb");
  const started = performance.now();
  const source = await readNotebook(path);
  const declared = new Set(notebookParameters(source).map((d) => d.name));
  const mine = Object.fromEntries(Object.entries(params).filter(([k]) => declared.has(k)));
  const injected = injectParameters(source, mine, path);
  const inputPath = join(outDir, `${name}.input.ipynb`);
  const executedPath = join(outDir, `${name}.ipynb`);
  const summaryPath = join(outDir, `${name}.summary.json`);
  await writeNotebook(inputPath, injected);
  const seconds = () => Math.round((performance.now() - started) / 10) / 100;
  console.error(`▶ ${name}${Object.keys(mine).length ? ` ${JSON.stringify(mine)}` : ""}`);
  const r = await exec(notebookPython(), [
    join(NOTEBOOK_DIR, "tools", "execute_notebook.py"),
    inputPath,
    executedPath,
    "--cwd",
    NOTEBOOK_DIR,
    "--timeout",
    String(options.cellTimeoutSeconds ?? 900),
    "--drain-seconds",
    String(options.drainSeconds ?? 0.5),
    "--summary",
    summaryPath,
  ], PROJECT_ROOT);
  await Deno.remove(inputPath).catch(() => {});
  let executed;
  try {
    executed = await readNotebook(executedPath);
  } catch (error) {
    return {
      notebook: path,
      status: "failed",
      seconds: seconds(),
      executedPath,
      injected: mine,
      error: `executor failed before writing a notebook: ${(error as Error).message}\n${r.stderr}`,
    };
  }
  const check = checkExecutedNotebook(executed);
  const problems = check.problems.map((p) => p.detail);
  if (!r.ok && problems.length === 0) {
    let detail = r.stderr.trim().split("\n").slice(-5).join("\n");
    try {
      detail = JSON.parse(await Deno.readTextFile(summaryPath)).error ?? detail;
    } catch { /* keep stderr tail */ }
    problems.push(`executor: ${detail}`);
  }
  let htmlPath: string | undefined;
  let reportHtmlPath: string | undefined;
  let plotlyFigures: number | undefined;
  if (!options.noHtml) {
    const full = await exportHtml(executedPath, outDir, name, [], options);
    const report = await exportHtml(
      executedPath,
      outDir,
      `${name}.report`,
      ["--no-input"],
      options,
    );
    for (const e of [full, report]) if (e.problem) problems.push(e.problem);
    if (report.path) {
      const shown = codeCellsWithInput(await Deno.readTextFile(report.path));
      if (shown > 0) problems.push(`report view: ${shown} code cells still show their source`);
    }
    htmlPath = full.path;
    reportHtmlPath = report.path;
    plotlyFigures = full.plotlyFigures;
  }
  const status = problems.length === 0 ? "ok" : "failed";
  console.error(
    `${
      status === "ok" ? "✔" : "✘"
    } ${name}: ${seconds()} s, ${check.cellsWithOutput}/${check.codeCells} ` +
      `code cells with output, ${plotlyFigures ?? 0} plotly figures`,
  );
  for (const p of problems) console.error(`    ${p}`);
  return {
    notebook: path,
    status,
    seconds: seconds(),
    executedPath,
    htmlPath,
    reportHtmlPath,
    plotlyFigures,
    injected: mine,
    check,
    error: problems.length ? problems.join("\n") : undefined,
  };
}

/** One nbconvert HTML export (with plotly inlined); its path, or what went wrong. */
async function exportHtml(
  executedPath: string,
  outDir: string,
  outName: string,
  extraArgs: readonly string[],
  options: { readonly plotlyBundle?: string; readonly plotlyVersion?: string },
): Promise<{ path?: string; plotlyFigures?: number; problem?: string }> {
  const path = join(outDir, `${outName}.html`);
  const html = await exec(notebookPython(), [
    "-m",
    "nbconvert",
    "--to",
    "html",
    ...extraArgs,
    "--output-dir",
    outDir,
    "--output",
    outName,
    executedPath,
  ], PROJECT_ROOT);
  if (!html.ok) {
    const what = ["--to html", ...extraArgs].join(" ");
    return { problem: `nbconvert ${what} failed: ${html.stderr.trim().split("\n").pop()}` };
  }
  if (options.plotlyBundle === undefined) return { path };
  const text = await Deno.readTextFile(path);
  const plotlyFigures = countPlotlyDivs(text);
  if (plotlyFigures > 0) {
    await writeTextAtomic(
      path,
      inlinePlotlyBundle(text, options.plotlyBundle, options.plotlyVersion),
    );
  }
  return { path, plotlyFigures };
}

function indexHtml(results: readonly NotebookRunResult[], outDir: string): string {
  const esc = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;");
  const rows = results.map((r) => {
    const name = basename(r.notebook, ".ipynb");
    const link =
      (r.htmlPath ? `<a href="${esc(relative(outDir, r.htmlPath))}">${esc(name)}</a>` : esc(name)) +
      (r.reportHtmlPath
        ? ` (<a href="${esc(relative(outDir, r.reportHtmlPath))}">report view</a>)`
        : "");
    return `<tr><td>${link}</td><td>${r.status}</td><td style="text-align:right">${r.seconds}</td>` +
      `<td style="text-align:right">${r.check?.cellsWithOutput ?? 0}/${
        r.check?.codeCells ?? 0
      }</td>` +
      `<td style="text-align:right">${r.plotlyFigures ?? 0}</td><td><pre>${
        esc(r.error ?? "")
      }</pre></td></tr>`;
  });
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Notebook reports</title>` +
    `<style>body{font-family:sans-serif}td,th{padding:4px 10px;border-bottom:1px solid #ddd}</style>` +
    `</head><body><h1>Notebook reports</h1><table><tr><th>notebook</th><th>status</th>` +
    `<th>seconds</th><th>cells with output</th><th>figures</th><th>problems</th></tr>` +
    `${rows.join("")}</table></body></html>\n`;
}

/**
 * Open every written HTML report in headless Chromium (`check_html_chromium.ts`); a notebook
 * whose report has a script error or an unrendered plotly figure is marked failed in place.
 */
export async function browserCheck(results: NotebookRunResult[]): Promise<void> {
  const withHtml = results.flatMap((r, i) =>
    [r.htmlPath, r.reportHtmlPath].filter((p): p is string => p !== undefined).map((file) => ({
      r,
      i,
      file,
    }))
  );
  if (withHtml.length === 0) return;
  if (!findChromium()) {
    // fail hard: a report nobody could open in a browser is not a checked report
    const error = "chromium is not installed, so the HTML report could not be checked in a " +
      "browser (`deno task setup` installs it as root; `--no-browser-check` skips the check)";
    console.error(`notebooks: ${error}`);
    for (const { r, i } of withHtml) {
      results[i] = { ...r, status: "failed", error: [r.error, error].filter(Boolean).join("\n") };
    }
    return;
  }
  const pages = await checkHtmlFiles(withHtml.map(({ file }) => file));
  pages.forEach((page, k) => {
    const { i } = withHtml[k];
    const problems = pageProblems(page);
    console.error(
      `${problems.length ? "✘" : "✔"} chromium ${basename(page.file)}: ` +
        `${page.renderedFigures}/${page.expectedFigures} plotly figures rendered, ` +
        `${page.scriptErrors.length} script errors`,
    );
    for (const p of problems) console.error(`    ${p}`);
    if (problems.length) {
      const r = results[i];
      results[i] = {
        ...r,
        status: "failed",
        error: [r.error, ...problems].filter(Boolean).join("\n"),
      };
    }
  });
}

/** Run the notebooks; resolves to the per-notebook results (also written to `summary.json`). */
export async function runNotebooks(
  options: RunNotebooksOptions = {},
): Promise<NotebookRunResult[]> {
  await ensureJupyter({ checkOnly: true });
  const notebooks = options.notebooks?.length
    ? options.notebooks.map((p) => resolve(p))
    : await listNotebooks();
  if (notebooks.length === 0) throw new Error(`no notebooks found in ${NOTEBOOK_DIR}`);
  const params = options.params ?? {};
  const declaredAnywhere = new Set<string>();
  for (const nb of notebooks) {
    for (const d of notebookParameters(await readNotebook(nb))) declaredAnywhere.add(d.name);
  }
  const unknown = Object.keys(params).filter((k) => !declaredAnywhere.has(k));
  if (unknown.length > 0) {
    throw new Error(
      `parameter(s) ${unknown.join(", ")} are declared by none of the selected notebooks; ` +
        `known: ${[...declaredAnywhere].sort().join(", ")}`,
    );
  }
  const outDir = resolve(options.outDir ?? join(PROJECT_ROOT, "output", "notebooks", utcStamp()));
  await Deno.mkdir(outDir, { recursive: true });
  let plotlyBundle: string | undefined;
  let plotlyVersion: string | undefined;
  if (!options.noHtml) {
    const bundlePath = await plotlyBundlePath(PROJECT_ROOT);
    plotlyBundle = await Deno.readTextFile(bundlePath);
    plotlyVersion = await plotlyBundleVersion(bundlePath);
  }
  const results: NotebookRunResult[] = [];
  for (const nb of notebooks) {
    const result = await runNotebook(nb, outDir, params, {
      ...options,
      plotlyBundle,
      plotlyVersion,
    });
    results.push(result);
    await writeTextAtomic(join(outDir, "summary.json"), JSON.stringify(results, null, 2) + "\n");
    if (result.status === "failed" && options.failFast) break;
  }
  if (!options.noHtml && !options.noBrowserCheck) await browserCheck(results);
  await writeTextAtomic(join(outDir, "summary.json"), JSON.stringify(results, null, 2) + "\n");
  await writeTextAtomic(join(outDir, "index.html"), indexHtml(results, outDir));
  console.error(`reports: ${outDir}/index.html`);
  return results;
}

const USAGE = `usage: deno task notebooks [notebook.ipynb ...] [flags]

Execute notebooks headless on the Deno kernel and render HTML reports.

  --param key=value     set a parameter (repeatable); goes to every notebook declaring it
  --params-json JSON    parameters as a JSON object
  --params-file FILE    parameters from a JSON file
  --out-dir DIR         output directory (default output/notebooks/<UTC timestamp>)
  --timeout SECONDS     per-cell timeout (default 900)
  --drain-seconds S     IOPub quiet period after idle (default 0.5)
  --no-html             skip the HTML reports
  --fail-fast           stop at the first failing notebook
  --no-browser-check    do not open the HTML reports in headless Chromium
  --list                list notebooks and their parameters, run nothing`;

/** Parse the command line of `deno task notebooks`. */
export function parseRunNotebooksArgs(args: readonly string[]): RunNotebooksOptions & {
  list?: boolean;
  help?: boolean;
} {
  const notebooks: string[] = [];
  const pairs: string[] = [];
  let params: Record<string, unknown> = {};
  const opts: RunNotebooksOptions & { list?: boolean; help?: boolean } = {};
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.startsWith("--") && a.includes("=") && !a.startsWith("--param=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : a.startsWith("--param=")
      ? ["--param", a.slice("--param=".length)]
      : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const v = args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--param":
        pairs.push(value());
        break;
      case "--params-json": {
        const parsed = JSON.parse(value());
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          throw new Error("--params-json must be a JSON object");
        }
        params = { ...params, ...parsed };
        break;
      }
      case "--params-file":
        out.paramsFile = value();
        break;
      case "--out-dir":
        out.outDir = value();
        break;
      case "--timeout":
        out.cellTimeoutSeconds = Number(value());
        break;
      case "--drain-seconds":
        out.drainSeconds = Number(value());
        break;
      case "--no-html":
        out.noHtml = true;
        break;
      case "--fail-fast":
        out.failFast = true;
        break;
      case "--no-browser-check":
        out.noBrowserCheck = true;
        break;
      case "--list":
        opts.list = true;
        break;
      case "--help":
      case "-h":
        opts.help = true;
        break;
      default:
        if (a.startsWith("-")) throw new Error(`unknown flag ${a}\n\n${USAGE}`);
        notebooks.push(a);
    }
  }
  for (const k of ["cellTimeoutSeconds", "drainSeconds"]) {
    if (out[k] !== undefined && !(Number(out[k]) > 0)) throw new Error(`${k} must be > 0`);
  }
  if (out.paramsFile !== undefined) {
    const parsed = JSON.parse(Deno.readTextFileSync(String(out.paramsFile)));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${out.paramsFile} must contain a JSON object`);
    }
    params = { ...parsed, ...params };
  }
  params = { ...params, ...parseParamFlags(pairs) };
  return {
    ...opts,
    notebooks,
    params,
    outDir: out.outDir as string | undefined,
    cellTimeoutSeconds: out.cellTimeoutSeconds as number | undefined,
    drainSeconds: out.drainSeconds as number | undefined,
    noHtml: out.noHtml as boolean | undefined,
    failFast: out.failFast as boolean | undefined,
    noBrowserCheck: out.noBrowserCheck as boolean | undefined,
  };
}

if (import.meta.main) {
  try {
    const options = parseRunNotebooksArgs(Deno.args);
    if (options.help) {
      console.log(USAGE);
      Deno.exit(0);
    }
    if (options.list) {
      const paths = options.notebooks?.length ? options.notebooks : await listNotebooks();
      for (const p of paths) {
        const decls = notebookParameters(await readNotebook(p));
        console.log(
          `${basename(p)}\n${decls.map((d) => `  ${d.name} = ${d.defaultSource}`).join("\n")}`,
        );
      }
      Deno.exit(0);
    }
    const results = await runNotebooks(options);
    const failed = results.filter((r) => r.status === "failed");
    console.error(
      `${results.length - failed.length}/${results.length} notebooks ok` +
        (failed.length ? `; failed: ${failed.map((f) => basename(f.notebook)).join(", ")}` : ""),
    );
    Deno.exit(failed.length ? 1 : 0);
  } catch (error) {
    console.error(`notebooks: ${(error as Error).message}`);
    Deno.exit(2);
  }
}
