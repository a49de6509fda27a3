/**
 * Atomic file writes: write a temp file in the target's directory, then rename over the target,
 * so readers see either the old content or the new one, never half a file.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

let counter = 0;

/**
 * Write bytes or text atomically (creating parent directories).
 *
 * @example
 * ```ts
 * await writeFileAtomic("output/x/status.json", JSON.stringify({ state: "running" }));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${Deno.pid}.${Date.now()}.${counter++}.tmp`);
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/** Synchronous variant of {@link writeFileAtomic}, for exit and crash handlers. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  Deno.mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${Deno.pid}.${Date.now()}.${counter++}.tmp`);
  try {
    if (typeof data === "string") Deno.writeTextFileSync(tmp, data);
    else Deno.writeFileSync(tmp, data);
    Deno.renameSync(tmp, path);
  } catch (error) {
    try {
      Deno.removeSync(tmp);
    } catch { /* already gone */ }
    throw error;
  }
}

/**
 * Write JSON atomically with stable 2-space formatting and a trailing newline.
 *
 * @example
 * ```ts
 * await writeJsonAtomic("output/x/a.json", { a: 1 });
 * ```
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}
