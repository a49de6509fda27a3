/**
 * Run the CLI in-process for end-to-end step tests, capturing what it prints (stdout and stderr
 * interleaved) beside its exit code.
 *
 * @module
 */
import { main } from "../../lib/cli.ts";

/**
 * Run `main(args)` with console output captured.
 *
 * @example
 * ```ts
 * const { code, out } = await runCliCaptured(["make-splits", "--dataset", manifest]);
 * ```
 */
export async function runCliCaptured(args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => out.push(a.join(" "));
  try {
    return { code: await main(args), out: out.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}
