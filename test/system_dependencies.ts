/**
 * Tests that need a system program or library (nginx, Chromium, Java/Maven for LanguageTool,
 * numpy, OpenBLAS) call {@link systemDependency} at module load: outside CI a missing one skips
 * those tests with a warning; under `CI=true` it registers a failing test named after what is
 * missing, so CI can never go green with those checks skipped.
 *
 * @module
 */

/** Whether this is a CI run (`CI=true`, as GitHub Actions and `.ci/run` set it). */
export function isCi(): boolean {
  return (Deno.env.get("CI") ?? "").toLowerCase() === "true";
}

/**
 * Check a dependency; resolves to whether the tests that need it must be ignored.
 *
 * @example
 * ```ts
 * const ignore = systemDependency("nginx", findNginx() ? null : "nginx is not on PATH", "cluster_fault_test");
 * Deno.test({ name: "…", ignore, fn() {} });
 * ```
 */
export function systemDependency(
  name: string,
  /** Null when present, else what is missing and how to install it. */
  missing: string | null,
  testFile: string,
): boolean {
  if (missing === null) return false;
  if (isCi()) {
    Deno.test(`system dependency ${name} (needed by ${testFile})`, () => {
      throw new Error(
        `CI=true and ${name} is missing: ${missing}. The tests of ${testFile} that need it ` +
          "cannot run; install it (`deno run -A lib/run/system_setup.ts --strict` as root).",
      );
    });
  } else {
    console.warn(`${testFile}: SKIPPED tests that need ${name}: ${missing}`);
  }
  return true;
}

/** The Python the numpy-based tests run (Debian's; the first `python3` on PATH may differ). */
export const SYSTEM_PYTHON = "/usr/bin/python3";

/**
 * {@link systemDependency} for `/usr/bin/python3` with numpy (the original-client emulations).
 *
 * @example
 * ```ts
 * const NO_NUMPY = await numpyDependency("python_client_test");
 * ```
 */
export async function numpyDependency(testFile: string): Promise<boolean> {
  let present = false;
  try {
    present = (await new Deno.Command(SYSTEM_PYTHON, {
      args: ["-c", "import numpy"],
      stderr: "null",
    }).output()).success;
  } catch {
    present = false;
  }
  return systemDependency(
    "numpy",
    present ? null : `${SYSTEM_PYTHON} cannot import numpy (apt-get install -y python3-numpy)`,
    testFile,
  );
}
