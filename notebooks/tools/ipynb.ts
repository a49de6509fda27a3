/**
 * Reading, validating and writing Jupyter notebooks (nbformat 4) as plain JSON.
 *
 * Only the fields the tools touch are typed; everything else is kept as is (`loose`), so
 * a notebook read and written back loses nothing.
 *
 * @module
 */
import { z } from "zod";

const sourceSchema = z.union([z.string(), z.array(z.string())]);

/** One output of a code cell (stream, display_data, execute_result or error). */
export const OutputSchema = z.object({
  output_type: z.enum(["stream", "display_data", "execute_result", "error"]),
}).loose();

/** One cell. */
export const CellSchema = z.object({
  cell_type: z.enum(["code", "markdown", "raw"]),
  source: sourceSchema,
  metadata: z.record(z.string(), z.unknown()).default({}),
  outputs: z.array(OutputSchema).optional(),
  execution_count: z.number().int().nullable().optional(),
}).loose();

/** A whole notebook. */
export const NotebookSchema = z.object({
  nbformat: z.literal(4),
  nbformat_minor: z.number().int(),
  metadata: z.record(z.string(), z.unknown()),
  cells: z.array(CellSchema),
}).loose();

/** A notebook cell. */
export type Cell = z.infer<typeof CellSchema>;
/** A notebook. */
export type Notebook = z.infer<typeof NotebookSchema>;

/** A cell's source as one string (nbformat allows a list of lines). */
export function cellSource(cell: Pick<Cell, "source">): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** A cell's tags (`metadata.tags`), empty when absent. */
export function cellTags(cell: Pick<Cell, "metadata">): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

/** Split a source string into nbformat's list-of-lines form (each line keeps its `\n`). */
export function sourceLines(source: string): string[] {
  const lines = source.split("\n");
  return lines.map((line, i) => i < lines.length - 1 ? `${line}\n` : line).filter((l) => l !== "");
}

/** Parse and validate notebook JSON text; `origin` names the file in errors. */
export function parseNotebook(text: string, origin: string): Notebook {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${origin}: not valid JSON: ${(error as Error).message}`);
  }
  const result = NotebookSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) =>
      `  ${i.path.join(".") || "(root)"}: ${i.message}`
    );
    throw new Error(`${origin}: not an nbformat-4 notebook:\n${issues.join("\n")}`);
  }
  return result.data;
}

/** Read and validate a notebook file. */
export async function readNotebook(path: string): Promise<Notebook> {
  return parseNotebook(await Deno.readTextFile(path), path);
}

/** Serialise a notebook the way Jupyter does (1-space indent, trailing newline). */
export function serialiseNotebook(nb: Notebook): string {
  return `${JSON.stringify(nb, null, 1)}\n`;
}

/** Write a file atomically (temp file in the same directory, then rename). */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}

/** Write a notebook atomically. */
export async function writeNotebook(path: string, nb: Notebook): Promise<void> {
  await writeTextAtomic(path, serialiseNotebook(nb));
}
