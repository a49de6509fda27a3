/**
 * `deno task setup`: the optional system library the project uses for speed, installed
 * idempotently on Debian.
 *
 * The sentence encoder (USE-lite on tf.js' wasm backend) runs its matrix multiplies ~3× faster
 * through OpenBLAS (`libopenblas0-pthread`) when the library is present
 * (`lib/features/embeddings/native_blas.ts`). Without it everything still works, on wasm
 * kernels only. This script installs it with apt-get when missing and the user is root; any
 * other case is a warning, never a failure (`--strict` makes anything missing an error, naming
 * it: the test task runs it so).
 *
 * It also installs `nginx` (the load balancer of `deploy/`, used by `deno task offload-cluster`,
 * the cluster fault tests and `deno task bench offload-load`) the same way, and `chromium`
 * (headless browser that checks the notebooks' HTML reports, `notebooks/tools/check_html_chromium.ts`),
 * and the tools some tests need: `/usr/bin/python3` with numpy (the original Python client's
 * emulation), Java and Maven (a real LanguageTool server).
 *
 * @module
 */

/** Where Debian puts the OpenBLAS shared library. */
export const OPENBLAS_PATHS = [
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
] as const;

/** The Debian package that provides it. */
export const OPENBLAS_PACKAGE = "libopenblas0-pthread";

/** Whether the OpenBLAS library is installed. */
export function openBlasInstalled(paths: readonly string[] = OPENBLAS_PATHS): boolean {
  return paths.some((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
}

async function aptGet(args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) console.error(new TextDecoder().decode(out.stderr).trim());
    return out.success;
  } catch {
    return false;
  }
}

/**
 * Ensure OpenBLAS is installed; resolves to whether it is present afterwards.
 *
 * @example
 * ```ts
 * if (!(await ensureOpenBlas())) console.warn("encoder will run on wasm kernels only");
 * ```
 */
export async function ensureOpenBlas(): Promise<boolean> {
  if (openBlasInstalled()) return true;
  const isRoot = Deno.uid?.() === 0;
  if (!isRoot) {
    console.warn(
      `setup: ${OPENBLAS_PACKAGE} is not installed and this user is not root; the sentence ` +
        `encoder will use wasm kernels only (~3x slower). Install it with: ` +
        `sudo apt-get install -y ${OPENBLAS_PACKAGE}`,
    );
    return false;
  }
  console.error(`setup: installing ${OPENBLAS_PACKAGE} (apt-get) for the sentence encoder …`);
  if (!(await aptGet(["install", "-y", "--no-install-recommends", OPENBLAS_PACKAGE]))) {
    await aptGet(["update"]);
    await aptGet(["install", "-y", "--no-install-recommends", OPENBLAS_PACKAGE]);
  }
  const ok = openBlasInstalled();
  if (!ok) console.warn(`setup: could not install ${OPENBLAS_PACKAGE}; continuing on wasm kernels`);
  return ok;
}

/** The Debian package of the load balancer of `deploy/` (offload cluster demo and tests). */
export const NGINX_PACKAGE = "nginx";

/**
 * Path of the nginx binary (`$NGINX_PATH` first, then `PATH`), or undefined when it is not
 * found. Only `PATH` is searched, so a run with nginx hidden from `PATH` sees it missing (the
 * strict-CI check relies on that; Debian puts it in `/usr/sbin`, on root's `PATH`).
 */
export function nginxPath(): string | undefined {
  const explicit = Deno.env.get("NGINX_PATH");
  if (explicit) return explicit;
  return onPath(["nginx"]);
}

/** The first `dir/name` on `PATH` that is a file, or undefined. */
export function onPath(names: readonly string[]): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter(Boolean)) {
    for (const name of names) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
      } catch { /* next */ }
    }
  }
  return undefined;
}

/**
 * Ensure nginx is installed (apt-get, non-interactive, root only): `deploy/cluster.ts` runs it
 * unprivileged on loopback with its own prefix; the package's own service is never started by
 * this project. Resolves to the binary's path, or undefined (with a warning) when missing.
 */
export async function ensureNginx(): Promise<string | undefined> {
  if (nginxPath()) return nginxPath();
  if (Deno.uid?.() !== 0) {
    console.warn(
      `setup: ${NGINX_PACKAGE} is not installed and this user is not root; the offload ` +
        `cluster (deploy/) and its fault tests need it: sudo apt-get install -y ${NGINX_PACKAGE}`,
    );
    return undefined;
  }
  console.error(`setup: installing ${NGINX_PACKAGE} (apt-get) for the offload cluster …`);
  if (!(await aptGet(["install", "-y", "--no-install-recommends", NGINX_PACKAGE]))) {
    await aptGet(["update"]);
    await aptGet(["install", "-y", "--no-install-recommends", NGINX_PACKAGE]);
  }
  const path = nginxPath();
  if (!path) console.warn(`setup: could not install ${NGINX_PACKAGE}`);
  return path;
}

/** The Debian package of the headless browser that checks the notebooks' HTML reports. */
export const CHROMIUM_PACKAGE = "chromium";

/** Binary names tried on `PATH` (Debian's package installs `chromium`). */
export const CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome"] as const;

/** Path of the Chromium binary (`$CHROMIUM_PATH` first, then `PATH`), or undefined. */
export function findChromium(): string | undefined {
  const explicit = Deno.env.get("CHROMIUM_PATH");
  if (explicit) return explicit;
  return onPath(CHROMIUM_NAMES);
}

/**
 * Ensure Debian's `chromium` is installed (apt-get, non-interactive, root only). Resolves to the
 * binary's path, or undefined (with a warning) when missing: `deno task notebooks` then skips
 * the browser check of its reports, and the checker's test is skipped.
 */
export async function ensureChromium(): Promise<string | undefined> {
  const found = findChromium();
  if (found) return found;
  if (Deno.uid?.() !== 0) {
    console.warn(
      `setup: ${CHROMIUM_PACKAGE} is not installed and this user is not root; the notebooks' ` +
        `HTML reports will not be checked in a browser: sudo apt-get install -y ${CHROMIUM_PACKAGE}`,
    );
    return undefined;
  }
  console.error(`setup: installing ${CHROMIUM_PACKAGE} (apt-get) to check the notebook reports …`);
  if (!(await aptGet(["install", "-y", "--no-install-recommends", CHROMIUM_PACKAGE]))) {
    await aptGet(["update"]);
    await aptGet(["install", "-y", "--no-install-recommends", CHROMIUM_PACKAGE]);
  }
  const path = findChromium();
  if (!path) console.warn(`setup: could not install ${CHROMIUM_PACKAGE}`);
  return path;
}

/** Debian packages of the test tools: numpy for the Python-client test, Java + Maven for LanguageTool. */
export const TEST_TOOL_PACKAGES = {
  numpy: "python3-numpy",
  java: "default-jre-headless",
  mvn: "maven",
} as const;

async function commandWorks(cmd: string, args: string[]): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

/** Which test tools are missing (`/usr/bin/python3` with numpy, `java`, `mvn`), by name. */
export async function missingTestTools(): Promise<(keyof typeof TEST_TOOL_PACKAGES)[]> {
  const out: (keyof typeof TEST_TOOL_PACKAGES)[] = [];
  if (!(await commandWorks("/usr/bin/python3", ["-c", "import numpy"]))) out.push("numpy");
  if (!(await commandWorks("java", ["-version"]))) out.push("java");
  if (!(await commandWorks("mvn", ["-v"]))) out.push("mvn");
  return out;
}

/**
 * Install the missing test tools (root only); resolves to what is still missing, described.
 *
 * @example
 * ```ts
 * const missing = await ensureTestTools(); // [] when numpy, java and mvn are there
 * ```
 */
export async function ensureTestTools(): Promise<string[]> {
  let missing = await missingTestTools();
  if (missing.length > 0 && Deno.uid?.() === 0) {
    const pkgs = missing.map((m) => TEST_TOOL_PACKAGES[m]);
    console.error(`setup: installing ${pkgs.join(", ")} (apt-get) for the tests …`);
    if (!(await aptGet(["install", "-y", "--no-install-recommends", ...pkgs]))) {
      await aptGet(["update"]);
      await aptGet(["install", "-y", "--no-install-recommends", ...pkgs]);
    }
    missing = await missingTestTools();
  }
  for (const m of missing) {
    console.warn(`setup: ${m} is NOT available (sudo apt-get install -y ${TEST_TOOL_PACKAGES[m]})`);
  }
  return missing.map((m) => `${m} (${TEST_TOOL_PACKAGES[m]})`);
}

if (import.meta.main) {
  if (Deno.args.includes("--help")) {
    console.log(
      "Usage: deno run -A lib/run/system_setup.ts [--strict]\n\n" +
        "Install (apt-get, as root) OpenBLAS, nginx, chromium and the test tools (python3-numpy,\n" +
        "Java + Maven for LanguageTool). --strict: exit 1 naming whatever is still missing\n" +
        "(the test task runs it so; CI must not skip tests for a missing dependency).",
    );
    Deno.exit(0);
  }
  const missing: string[] = [];
  const ok = await ensureOpenBlas();
  console.error(`setup: OpenBLAS ${ok ? "available" : "NOT available (wasm kernels)"}`);
  if (!ok) missing.push(`OpenBLAS (${OPENBLAS_PACKAGE})`);
  const nginx = await ensureNginx();
  console.error(`setup: nginx ${nginx ?? "NOT available (offload cluster tests cannot run)"}`);
  if (!nginx) missing.push(`nginx (${NGINX_PACKAGE}, on PATH)`);
  const chromium = await ensureChromium();
  console.error(
    `setup: chromium ${chromium ?? "NOT available (notebook reports cannot be browser-checked)"}`,
  );
  if (!chromium) missing.push(`chromium (${CHROMIUM_PACKAGE}, on PATH)`);
  missing.push(...(await ensureTestTools()));
  if (missing.length > 0 && Deno.args.includes("--strict")) {
    console.error(`setup --strict: MISSING ${missing.join("; ")}`);
    Deno.exit(1);
  }
}
