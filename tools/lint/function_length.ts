/**
 * A `deno lint` plugin with the project's own rule `workbench/max-function-lines`: no function in
 * `lib/steps/` or `lib/offload/` is longer than {@link MAX_FUNCTION_LINES} lines (docs/architecture.md:
 * a step is a short list of named stages; a function that owns several concerns is split by
 * responsibility). Registered in `deno.json` (`lint.plugins`), so `deno task check` enforces it.
 *
 * @module
 */

/** The longest a function in a checked folder may be, in source lines (first to last line). */
export const MAX_FUNCTION_LINES = 80;

/** Folders (path fragments) whose functions the rule checks. */
export const CHECKED_FOLDERS: readonly string[] = ["/lib/steps/", "/lib/offload/"];

/** Whether a file's functions are checked. */
export function isCheckedFile(filename: string): boolean {
  const path = filename.replaceAll("\\", "/");
  return CHECKED_FOLDERS.some((folder) => path.includes(folder));
}

/** 1-based line of a character offset in `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The plugin: one rule, reporting each over-long function with its length. */
const plugin: Deno.lint.Plugin = {
  name: "workbench",
  rules: {
    "max-function-lines": {
      create(context) {
        if (!isCheckedFile(context.filename)) return {};
        const text = context.sourceCode.text;
        const check = (node: Deno.lint.Node) => {
          const [start, end] = node.range;
          const lines = lineAt(text, end) - lineAt(text, start) + 1;
          if (lines > MAX_FUNCTION_LINES) {
            context.report({
              node,
              message: `function is ${lines} lines long; at most ${MAX_FUNCTION_LINES} in ` +
                `lib/steps and lib/offload — split it by responsibility`,
            });
          }
        };
        return {
          FunctionDeclaration: check,
          FunctionExpression: check,
          ArrowFunctionExpression: check,
        };
      },
    },
  },
};

export default plugin;
