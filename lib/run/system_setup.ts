/**
 * `deno task setup`: the optional system library the project uses for speed, installed
 * idempotently on Debian.
 *
 * The sentence encoder (USE-lite on tf.js' wasm backend) runs its matrix multiplies ~3× faster
 * through OpenBLAS (`libopenblas0-pthread`) when the library is present
 * (`lib/features/embeddings/native_blas.ts`). Without it everything still works, on wasm
 * kernels only. This script installs it with apt-get when missing and the user is root; any
 * other case is a warning, never a failure (`--strict` makes a missing library an error).
 *
 * It also installs `nginx` (the load balancer of `deploy/`, used by `deno task offload-cluster`,
 * the cluster fault tests and `deno task bench offload-load`) the same way, and `chromium`
 * (headless browser that checks the notebooks' HTML reports, `notebooks/tools/check_html_chromium.ts`).
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

/** Path of the nginx binary, or undefined when it is not installed. */
export function nginxPath(): string | undefined {
  for (const p of ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* next */ }
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
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter(Boolean)) {
    for (const name of CHROMIUM_NAMES) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
      } catch { /* next */ }
    }
  }
  return undefined;
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

if (import.meta.main) {
  const ok = await ensureOpenBlas();
  console.error(`setup: OpenBLAS ${ok ? "available" : "NOT available (wasm kernels)"}`);
  const nginx = await ensureNginx();
  console.error(`setup: nginx ${nginx ?? "NOT available (offload cluster tests are skipped)"}`);
  const chromium = await ensureChromium();
  console.error(
    `setup: chromium ${chromium ?? "NOT available (notebook reports are not browser-checked)"}`,
  );
  if ((!ok || !nginx || !chromium) && Deno.args.includes("--strict")) Deno.exit(1);
}
