/**
 * Model bundle files on disk (`<run>/artifacts/model/`): {@link writeModelBundle} writes every
 * file into a temporary sibling directory, records each file's sha256 in `bundle.json` (plus a
 * sha256 of the index itself) and renames the directory into place, so a bundle is either
 * complete or absent. {@link readModelBundle} checks the index hash, every file's sha256, and
 * validates each file with its zod schema before rebuilding the models: a changed, missing or
 * malformed file is refused with its name.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import type { z } from "zod";
import {
  BUNDLE_FILE_SCHEMAS,
  BUNDLE_INDEX_FILE,
  bundleFiles,
  bundleFromFiles,
  type BundleIndex,
  BundleIndexSchema,
  BundleMetaSchema,
  indexSha256,
  MODEL_BUNDLE_FORMAT_VERSION,
  type ModelBundle,
} from "./bundle.ts";

/** A bundle file that is missing, changed or malformed. */
export class ModelBundleError extends Error {
  override name = "ModelBundleError";
  /**
   * @param file path of the offending file
   * @param detail what is wrong
   */
  constructor(readonly file: string, readonly detail: string) {
    super(`model bundle ${file}: ${detail}`);
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function zodIssues(error: z.ZodError): string {
  return error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}

/**
 * Write a bundle into `dir` (which must not exist yet). Every value is validated against its
 * schema before anything is written, so a non-finite number can never be saved as `null`.
 *
 * @example
 * ```ts
 * await writeModelBundle(run.artifactPath("model"), bundle);
 * ```
 */
export async function writeModelBundle(dir: string, bundle: ModelBundle): Promise<BundleIndex> {
  const meta = BundleMetaSchema.parse(bundle.meta);
  const files = bundleFiles(bundle);
  const encoded: Record<string, Uint8Array> = {};
  const hashes: Record<string, string> = {};
  for (const [name, value] of Object.entries(files)) {
    const r = BUNDLE_FILE_SCHEMAS[name].safeParse(value);
    if (!r.success) throw new ModelBundleError(name, `cannot be saved: ${zodIssues(r.error)}`);
    encoded[name] = new TextEncoder().encode(JSON.stringify(value) + "\n");
    hashes[name] = sha256Hex(encoded[name]);
  }
  const unsigned = { ...meta, files: hashes };
  const index: BundleIndex = { ...unsigned, index_sha256: indexSha256(unsigned) };
  const tmp = join(dirname(dir), `.${basename(dir)}.${Deno.pid}.${Date.now()}.tmp`);
  await Deno.mkdir(tmp, { recursive: true });
  try {
    for (const [name, bytes] of Object.entries(encoded)) {
      await Deno.writeFile(join(tmp, name), bytes);
    }
    await Deno.writeTextFile(join(tmp, BUNDLE_INDEX_FILE), JSON.stringify(index, null, 2) + "\n");
    await Deno.rename(tmp, dir);
  } catch (error) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw error;
  }
  return index;
}

async function readJson(path: string): Promise<{ bytes: Uint8Array; value: unknown }> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ModelBundleError(path, "file not found (the bundle is incomplete)");
    }
    throw new ModelBundleError(path, `cannot read: ${(error as Error).message}`);
  }
  try {
    return { bytes, value: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) };
  } catch (error) {
    throw new ModelBundleError(path, `not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Read `bundle.json` alone: validated and its own hash checked (files are not read).
 *
 * @example
 * ```ts
 * const index = await readBundleIndex("output/essay_scoring/<run>/artifacts/model");
 * ```
 */
export async function readBundleIndex(dir: string): Promise<BundleIndex> {
  const path = join(dir, BUNDLE_INDEX_FILE);
  const { value } = await readJson(path);
  const format = (value as { format_version?: unknown })?.format_version;
  const parsed = BundleIndexSchema.safeParse(value);
  if (!parsed.success) {
    throw new ModelBundleError(
      path,
      `not a valid model bundle index (format version ${String(format)}; this build reads ` +
        `version ${MODEL_BUNDLE_FORMAT_VERSION}): ${zodIssues(parsed.error)}`,
    );
  }
  const index = parsed.data;
  if (indexSha256(index) !== index.index_sha256) {
    throw new ModelBundleError(
      path,
      "index_sha256 does not match the file's content: the index was changed after the run " +
        "wrote it",
    );
  }
  return index;
}

/**
 * Read, verify (sha256 per file, zod per file) and rebuild a bundle.
 *
 * @example
 * ```ts
 * const bundle = await readModelBundle("output/essay_scoring/<run>/artifacts/model");
 * ```
 */
export async function readModelBundle(dir: string): Promise<ModelBundle> {
  const index = await readBundleIndex(dir);
  const files: Record<string, unknown> = {};
  for (const [name, expected] of Object.entries(index.files)) {
    const schema = BUNDLE_FILE_SCHEMAS[name];
    const path = join(dir, name);
    if (!schema) throw new ModelBundleError(path, "unknown file in the bundle index");
    const { bytes, value } = await readJson(path);
    const actual = sha256Hex(bytes);
    if (actual !== expected) {
      throw new ModelBundleError(
        path,
        `sha256 ${actual} does not match the bundle index (${expected}): the file was changed ` +
          "after the run wrote it",
      );
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new ModelBundleError(path, `invalid: ${zodIssues(parsed.error)}`);
    files[name] = value;
  }
  const { files: _f, index_sha256: _h, ...meta } = index;
  try {
    return bundleFromFiles(meta, files);
  } catch (error) {
    throw new ModelBundleError(join(dir, BUNDLE_INDEX_FILE), (error as Error).message);
  }
}
