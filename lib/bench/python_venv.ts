/**
 * A Python virtual environment under `output/` for benchmarks that compare against release
 * builds from PyPI (LightGBM, XGBoost, scikit-learn): created with the system `python3 -m venv`
 * and filled with `pip install` on first use, reused afterwards. When it cannot be made (no
 * Python, no venv module, no network to PyPI) the caller gets the reason and skips with a note.
 *
 * @module
 */
import { join } from "node:path";

/** A ready venv (with the packages that failed to install), or why there is none. */
export type VenvOutcome =
  | {
    readonly ok: true;
    readonly python: string;
    readonly created: boolean;
    /** Package → why `pip install` failed (the caller skips those with a note). */
    readonly failed: Readonly<Record<string, string>>;
  }
  | { readonly ok: false; readonly reason: string };

async function run(cmd: string, args: readonly string[]): Promise<{ ok: boolean; err: string }> {
  try {
    const out = await new Deno.Command(cmd, { args: [...args], stdout: "null", stderr: "piped" })
      .output();
    return { ok: out.success, err: new TextDecoder().decode(out.stderr).trim().slice(-800) };
  } catch (e) {
    return { ok: false, err: (e as Error).message };
  }
}

/**
 * The venv's interpreter, with each of `packages` installed when its module (same index in
 * `modules`) is not importable yet; one package failing does not stop the others.
 *
 * @example
 * ```ts
 * const v = await ensurePythonVenv("output/bench/python_venv", ["lightgbm"], ["lightgbm"]);
 * if (v.ok) console.log(v.python, v.failed);
 * ```
 */
export async function ensurePythonVenv(
  dir: string,
  packages: readonly string[],
  modules: readonly string[],
  options: { basePython?: string; install?: boolean; log?: (line: string) => void } = {},
): Promise<VenvOutcome> {
  const python = join(dir, "bin", "python");
  let created = false;
  try {
    await Deno.stat(python);
  } catch {
    if (options.install === false) return { ok: false, reason: `no venv at ${dir} (--no-install)` };
    const base = options.basePython ?? "/usr/bin/python3";
    options.log?.(`creating ${dir} with ${base} -m venv`);
    const v = await run(base, ["-m", "venv", dir]);
    if (!v.ok) return { ok: false, reason: `${base} -m venv ${dir} failed: ${v.err}` };
    created = true;
  }
  const failed: Record<string, string> = {};
  for (const [i, pkg] of packages.entries()) {
    if ((await run(python, ["-c", `import ${modules[i]}`])).ok) continue;
    if (options.install === false) {
      failed[pkg] = "not installed (--no-install)";
      continue;
    }
    options.log?.(`pip install ${pkg} into ${dir}`);
    const pip = await run(python, ["-m", "pip", "install", "--quiet", pkg]);
    const check = pip.ok ? await run(python, ["-c", `import ${modules[i]}`]) : pip;
    if (!check.ok) failed[pkg] = `${pip.ok ? "import" : "pip install"} failed: ${check.err}`;
  }
  return { ok: true, python, created, failed };
}
