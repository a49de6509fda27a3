/**
 * Papermill-style parameters for TypeScript notebooks.
 *
 * Every notebook has one code cell tagged `parameters` whose lines declare defaults
 * (`const runName = "nb_cv";`, `const nEstimators: number = 40;`). A headless run overrides
 * some of them by inserting, right after it, a cell tagged `injected-parameters` that
 * re-declares the overridden names (the Deno kernel, like a REPL, allows re-declaring a `const`
 * in a later cell). A previous injected cell is replaced, never stacked.
 *
 * Values arrive as strings from `--param key=value`; they are coerced to the kind of the
 * default (string, number, boolean, or JSON for anything else), so `--param runName=123`
 * stays a string and `--param nEstimators=abc` is an error, not a silent NaN.
 *
 * @module
 */
import { type Cell, cellSource, cellTags, type Notebook, sourceLines } from "./ipynb.ts";

/** What kind of literal a parameter's default is. */
export type ParameterKind = "string" | "number" | "boolean" | "json";

/** One declared parameter. */
export interface ParameterDecl {
  readonly name: string;
  readonly kind: ParameterKind;
  /** The default's source text. */
  readonly defaultSource: string;
}

const DECLARATION_START =
  /^\s*(?:export\s+)?(?:const|let)\s+([A-Za-z_$][\w$]*)\s*(?::\s*([^=]+?))?\s*=\s*(.*)$/;

function kindOf(typeText: string | undefined, valueText: string): ParameterKind {
  const type = typeText?.trim();
  if (type !== undefined) {
    if (/\[\]$|^Array<|^Record<|^\{|^readonly /.test(type)) return "json";
    if (/\bstring\b/.test(type) || /^(["'][^"']*["']\s*\|?\s*)+$/.test(type)) return "string";
    if (type === "number") return "number";
    if (type === "boolean") return "boolean";
    return "json";
  }
  if (/^["'`]/.test(valueText)) return "string";
  if (/^-?\.?\d/.test(valueText)) return "number";
  if (valueText === "true" || valueText === "false") return "boolean";
  return "json";
}

/** Net bracket depth of `text` (`([{` minus `)]}`), ignoring string literals and `//` comments. */
function bracketDepth(text: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    else if (ch === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
  }
  return depth;
}

/** Strip a trailing `// comment` (outside strings) and the statement's `;`. */
function stripStatementEnd(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    else if (ch === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      text = text.slice(0, i) + (end < 0 ? "" : text.slice(end));
    }
  }
  return text.trim().replace(/;$/, "").trim();
}

/**
 * Parse the declarations of a parameters cell (top-level `const`/`let`, one per statement; a
 * value may span lines, e.g. an array). Other statements, such as a final echo expression or
 * comments, are ignored.
 *
 * @example
 * ```ts
 * parseParameterCell('const runName = "a";\nconst k: number = 5;').map((d) => d.kind);
 * // ["string", "number"]
 * ```
 */
export function parseParameterCell(source: string): ParameterDecl[] {
  const decls: ParameterDecl[] = [];
  const lines = source.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = DECLARATION_START.exec(lines[i]);
    if (!m) continue;
    let value = m[3];
    while (bracketDepth(value) > 0 && i + 1 < lines.length) value += "\n" + lines[++i];
    const defaultSource = stripStatementEnd(value);
    decls.push({ name: m[1], kind: kindOf(m[2], defaultSource), defaultSource });
  }
  return decls;
}

/** Index of the cell tagged `parameters`, or -1. Throws if several cells carry the tag. */
export function findParametersCell(nb: Notebook): number {
  const hits = nb.cells.flatMap((c, i) =>
    c.cell_type === "code" && cellTags(c).includes("parameters") ? [i] : []
  );
  if (hits.length > 1) throw new Error(`several cells are tagged "parameters": ${hits.join(", ")}`);
  return hits[0] ?? -1;
}

/** The parameters a notebook declares (empty when it has no parameters cell). */
export function notebookParameters(nb: Notebook): ParameterDecl[] {
  const index = findParametersCell(nb);
  return index < 0 ? [] : parseParameterCell(cellSource(nb.cells[index]));
}

/**
 * Coerce a raw value (string from the command line, or any JSON value) to a parameter's kind.
 * Throws with the parameter name on a value that does not fit.
 */
export function coerceParameter(decl: ParameterDecl, raw: unknown): unknown {
  const fail = (why: string): never => {
    throw new Error(`parameter ${decl.name}: ${why} (got ${JSON.stringify(raw)})`);
  };
  switch (decl.kind) {
    case "string":
      return typeof raw === "string" ? raw : JSON.stringify(raw);
    case "number": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : NaN;
      if (typeof raw === "string" && raw.trim() === "") fail("expected a number");
      return Number.isFinite(n) ? n : fail("expected a finite number");
    }
    case "boolean":
      if (typeof raw === "boolean") return raw;
      if (raw === "true") return true;
      if (raw === "false") return false;
      return fail("expected true or false");
    case "json":
      if (typeof raw !== "string") return raw;
      try {
        return JSON.parse(raw);
      } catch {
        return fail("expected a JSON value");
      }
  }
}

/** The source of an `injected-parameters` cell for the given (already coerced) values. */
export function injectedParametersSource(values: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(values);
  const lines = names.map((name) => `const ${name} = ${JSON.stringify(values[name])};`);
  return [
    "// Parameters injected by notebooks/tools/run_notebooks.ts",
    ...lines,
    `({ ${names.join(", ")} });`,
  ].join("\n");
}

/**
 * Return a copy of `nb` with `values` injected after its parameters cell (replacing a previous
 * injected cell). Unknown names throw, listing the declared ones; an empty `values` returns the
 * notebook without an injected cell.
 */
export function injectParameters(
  nb: Notebook,
  values: Readonly<Record<string, unknown>>,
  origin = "notebook",
): Notebook {
  const cells = nb.cells.filter((c) => !cellTags(c).includes("injected-parameters"));
  const copy: Notebook = { ...nb, cells };
  if (Object.keys(values).length === 0) return copy;
  const index = findParametersCell(copy);
  if (index < 0) throw new Error(`${origin}: no cell tagged "parameters" to inject into`);
  const decls = new Map(notebookParameters(copy).map((d) => [d.name, d]));
  const coerced: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(values)) {
    const decl = decls.get(name);
    if (!decl) {
      throw new Error(
        `${origin}: unknown parameter "${name}"; declared: ${[...decls.keys()].join(", ")}`,
      );
    }
    coerced[name] = coerceParameter(decl, raw);
  }
  const injected: Cell = {
    id: "injected-parameters",
    cell_type: "code",
    source: sourceLines(injectedParametersSource(coerced)),
    metadata: { tags: ["injected-parameters"] },
    outputs: [],
    execution_count: null,
  };
  return { ...copy, cells: [...cells.slice(0, index + 1), injected, ...cells.slice(index + 1)] };
}

/**
 * Parse `key=value` strings (from repeated `--param` flags) into a record; the value is
 * everything after the first `=`.
 */
export function parseParamFlags(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`--param expects key=value, got "${pair}"`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}
