/**
 * `deno task setup-jupyter`: make this machine able to run the notebooks, idempotently.
 *
 * 1. Debian's `jupyter-nbconvert`, `python3-jupyter-client`, `python3-nbclient` and
 *    `python3-nbformat` (imported by `/usr/bin/python3`): installed with apt-get when missing
 *    (needs root; otherwise a clear error with the command to run).
 * 2. The Deno kernelspec (`deno jupyter --install --force`, which writes
 *    `~/.local/share/jupyter/kernels/deno/kernel.json` with this deno's absolute path in `argv`):
 *    installed when missing or pointing at another deno binary.
 * 3. A smoke test: a one-cell notebook is executed on the Deno kernel and must print its output.
 *
 * Flags: `--check` only reports (exit 1 if anything is missing), never installs.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The interpreter that has Debian's Jupyter packages (override with `NOTEBOOK_PYTHON`). */
export function notebookPython(): string {
  return Deno.env.get("NOTEBOOK_PYTHON") ?? "/usr/bin/python3";
}

/** Debian packages the notebook tooling needs. */
export const APT_PACKAGES = [
  "jupyter-nbconvert",
  "python3-jupyter-client",
  "python3-nbclient",
  "python3-nbformat",
] as const;

/** The project root (the directory holding `deno.json`, two levels above this file). */
export const PROJECT_ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

async function run(
  cmd: string,
  args: string[],
  options: { inherit?: boolean; cwd?: string } = {},
): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      cwd: options.cwd,
      stdout: options.inherit ? "inherit" : "piped",
      stderr: options.inherit ? "inherit" : "piped",
    }).output();
    const dec = new TextDecoder();
    return {
      ok: out.success,
      stdout: options.inherit ? "" : dec.decode(out.stdout),
      stderr: options.inherit ? "" : dec.decode(out.stderr),
    };
  } catch (error) {
    return { ok: false, stdout: "", stderr: (error as Error).message };
  }
}

/** Whether `/usr/bin/python3` can import nbclient, nbformat, jupyter_client and nbconvert. */
export async function pythonJupyterAvailable(): Promise<{ ok: boolean; detail: string }> {
  const r = await run(notebookPython(), [
    "-c",
    "import nbclient, nbformat, jupyter_client, nbconvert; " +
    "print(nbclient.__version__, nbformat.__version__, jupyter_client.__version__, nbconvert.__version__)",
  ]);
  return { ok: r.ok, detail: r.ok ? r.stdout.trim() : r.stderr.trim().split("\n").pop() ?? "" };
}

/** The installed `deno` kernelspec's argv, or undefined when none is installed. */
export async function denoKernelArgv(): Promise<string[] | undefined> {
  const r = await run(notebookPython(), [
    "-c",
    "import json\nfrom jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel\n" +
    "try:\n  print(json.dumps(KernelSpecManager().get_kernel_spec('deno').argv))\n" +
    "except NoSuchKernel:\n  print('null')",
  ]);
  if (!r.ok) return undefined;
  const argv = JSON.parse(r.stdout.trim());
  return Array.isArray(argv) ? argv.map(String) : undefined;
}

/** Whether two paths name the same file after resolving symlinks (false if either is missing). */
async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    return (await Deno.realPath(a)) === (await Deno.realPath(b));
  } catch {
    return false;
  }
}

/** Install the Debian packages (root only). */
async function aptInstall(): Promise<void> {
  if (Deno.uid() !== 0) {
    throw new Error(
      `the Jupyter Python packages are missing and this is not root; run:\n` +
        `  sudo apt-get update && sudo apt-get install -y ${APT_PACKAGES.join(" ")}\n` +
        `then rerun \`deno task setup-jupyter\``,
    );
  }
  const env = { inherit: true };
  // No prompts (CI has no stdin; tzdata and friends would otherwise ask).
  Deno.env.set("DEBIAN_FRONTEND", "noninteractive");
  console.log("installing Debian packages:", APT_PACKAGES.join(" "));
  if (!(await run("apt-get", ["update"], env)).ok) throw new Error("apt-get update failed");
  const install = await run("apt-get", ["install", "-y", ...APT_PACKAGES], env);
  if (!install.ok) throw new Error(`apt-get install -y ${APT_PACKAGES.join(" ")} failed`);
}

/** Result of `ensureJupyter`. */
export interface JupyterStatus {
  readonly python: string;
  readonly versions: string;
  readonly kernelArgv: readonly string[];
  readonly actions: readonly string[];
}

/**
 * Check (and unless `checkOnly`, install) everything the notebooks need. Throws with the
 * command to run when something is missing and cannot be installed.
 */
export async function ensureJupyter(options: { checkOnly?: boolean } = {}): Promise<JupyterStatus> {
  const actions: string[] = [];
  let py = await pythonJupyterAvailable();
  if (!py.ok) {
    if (options.checkOnly) {
      throw new Error(
        `${notebookPython()} cannot import the Jupyter packages (${py.detail}); ` +
          "run `deno task setup-jupyter`",
      );
    }
    await aptInstall();
    actions.push(`apt-get install ${APT_PACKAGES.join(" ")}`);
    py = await pythonJupyterAvailable();
    if (!py.ok) throw new Error(`Jupyter packages still not importable: ${py.detail}`);
  }
  let argv = await denoKernelArgv();
  const wanted = Deno.execPath();
  if (!argv || !(await sameFile(argv[0], wanted))) {
    const why = argv ? `points at ${argv[0]}, not ${wanted}` : "is not installed";
    if (options.checkOnly) {
      throw new Error(`the Deno Jupyter kernelspec ${why}; run \`deno task setup-jupyter\``);
    }
    const r = await run(wanted, ["jupyter", "--install", "--force"], { cwd: PROJECT_ROOT });
    if (!r.ok) throw new Error(`deno jupyter --install --force failed:\n${r.stderr}`);
    actions.push("deno jupyter --install --force");
    argv = await denoKernelArgv();
    if (!argv || !(await sameFile(argv[0], wanted))) {
      throw new Error("deno jupyter --install did not register a kernelspec named 'deno'");
    }
  }
  return { python: notebookPython(), versions: py.detail, kernelArgv: argv, actions };
}

/**
 * Execute a one-cell notebook on the Deno kernel and return the text it printed.
 * Proves the kernel starts, runs TypeScript and that outputs come back.
 */
export async function kernelSmokeTest(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "nb_smoke_" });
  try {
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
      cells: [{
        cell_type: "code",
        id: "smoke",
        source: 'const n: number = 6 * 7;\nconsole.log("kernel ok", n, Deno.version.deno);',
        metadata: {},
        outputs: [],
        execution_count: null,
      }],
    };
    const input = join(dir, "smoke.ipynb");
    const output = join(dir, "smoke.out.ipynb");
    const summary = join(dir, "smoke.json");
    await Deno.writeTextFile(input, JSON.stringify(nb));
    const r = await run(notebookPython(), [
      join(PROJECT_ROOT, "notebooks", "tools", "execute_notebook.py"),
      input,
      output,
      "--cwd",
      dir,
      "--timeout",
      "120",
      "--summary",
      summary,
    ]);
    if (!r.ok) throw new Error(`smoke notebook failed:\n${r.stderr}`);
    const executed = JSON.parse(await Deno.readTextFile(output));
    const text = (executed.cells[0].outputs ?? [])
      .map((o: { text?: string | string[] }) => Array.isArray(o.text) ? o.text.join("") : o.text)
      .join("");
    if (!text.includes("kernel ok 42")) {
      throw new Error(`smoke notebook printed ${JSON.stringify(text)}, expected "kernel ok 42 …"`);
    }
    return text.trim();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const checkOnly = Deno.args.includes("--check");
  try {
    const status = await ensureJupyter({ checkOnly });
    console.log(
      `python: ${status.python} (nbclient nbformat jupyter_client nbconvert: ${status.versions})`,
    );
    console.log(`deno kernel: ${status.kernelArgv.join(" ")}`);
    console.log(`actions: ${status.actions.length ? status.actions.join("; ") : "none needed"}`);
    console.log(`smoke test: ${await kernelSmokeTest()}`);
  } catch (error) {
    console.error(`setup-jupyter: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
