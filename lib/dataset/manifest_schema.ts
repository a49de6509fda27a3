/**
 * The JSON Schema of the dataset manifest, generated from its zod schema (`manifest.ts`), so
 * the file in `docs/` can never drift from what `--dataset` accepts (a test compares them).
 *
 * Usage: `deno run -A lib/dataset/manifest_schema.ts [--out docs/dataset_manifest.schema.json]`.
 *
 * @module
 */
import { z } from "zod";
import { DatasetManifestSchema } from "./manifest.ts";

/** Where the committed schema lives. */
export const MANIFEST_SCHEMA_PATH = "docs/dataset_manifest.schema.json";

/**
 * The manifest's JSON Schema (draft 2020-12, input form: defaults optional) as text.
 *
 * @example
 * ```ts
 * JSON.parse(manifestJsonSchemaText()).required; // ["name", "language", "files", …]
 * ```
 */
export function manifestJsonSchemaText(): string {
  const schema = z.toJSONSchema(DatasetManifestSchema, { io: "input" }) as Record<string, unknown>;
  return JSON.stringify(
    {
      ...schema,
      title: "Dataset manifest (essay-scoring research workbench, --dataset)",
      description: "One corpus described as data: files and split, format, encoding, column " +
        "mapping, BCP 47 language, score scale, genre scope, word window, excluded prompts. " +
        "Reference: docs/dataset_manifest.md. Semantic checks (a step that divides the range, " +
        "an encoding TextDecoder knows, a valid language tag) are made by the loader.",
    },
    null,
    2,
  ) + "\n";
}

if (import.meta.main) {
  const args = Deno.args;
  if (args.includes("--help") || args.includes("-h")) {
    console.log(
      "Usage: deno run -A lib/dataset/manifest_schema.ts [--out <file>]\n" +
        `Writes the dataset manifest's JSON Schema (default ${MANIFEST_SCHEMA_PATH}).`,
    );
    Deno.exit(0);
  }
  const at = args.indexOf("--out");
  const out = at >= 0 ? args[at + 1] : MANIFEST_SCHEMA_PATH;
  if (!out) {
    console.error("--out needs a file");
    Deno.exit(2);
  }
  await Deno.writeTextFile(out, manifestJsonSchemaText());
  console.log(`wrote ${out}`);
}
