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
