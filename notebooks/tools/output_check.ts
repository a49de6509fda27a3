/**
 * Checks on an executed notebook: no cell raised, and every code cell produced output.
 *
 * Every non-empty code cell must have at least one output (the Deno kernel has been seen to drop
 * outputs, see `execute_notebook.py`); a cell that is silent on purpose carries the tag
 * `no-output`. An `error` output anywhere fails the notebook.
 *
 * @module
 */
import { cellSource, cellTags, type Notebook } from "./ipynb.ts";

/** One problem found in an executed notebook. */
export interface OutputProblem {
  readonly cellIndex: number;
  readonly kind: "missing_output" | "error_output" | "not_executed";
  readonly detail: string;
}

/** Summary of the code cells of an executed notebook. */
export interface OutputCheck {
  readonly codeCells: number;
  readonly cellsWithOutput: number;
  readonly totalOutputs: number;
  readonly problems: readonly OutputProblem[];
}

function firstLine(source: string): string {
  const line = source.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/**
 * Check an executed notebook's code cells.
 *
 * @example
 * ```ts
 * const check = checkExecutedNotebook(nb);
 * if (check.problems.length > 0) throw new Error(check.problems[0].detail);
 * ```
 */
export function checkExecutedNotebook(nb: Notebook): OutputCheck {
  const problems: OutputProblem[] = [];
  let codeCells = 0;
  let cellsWithOutput = 0;
  let totalOutputs = 0;
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const source = cellSource(cell);
    if (source.trim() === "") return;
    codeCells += 1;
    const outputs = cell.outputs ?? [];
    totalOutputs += outputs.length;
    if (outputs.length > 0) cellsWithOutput += 1;
    const errors = outputs.filter((o) => o.output_type === "error");
    if (errors.length > 0) {
      const e = errors[0] as { ename?: string; evalue?: string };
      problems.push({
        cellIndex: index,
        kind: "error_output",
        detail: `cell ${index} (${firstLine(source)}) raised ${e.ename ?? "an error"}: ${
          e.evalue ?? ""
        }`,
      });
    }
    if (cell.execution_count === null || cell.execution_count === undefined) {
      problems.push({
        cellIndex: index,
        kind: "not_executed",
        detail: `cell ${index} (${firstLine(source)}) was not executed`,
      });
    } else if (outputs.length === 0 && !cellTags(cell).includes("no-output")) {
      problems.push({
        cellIndex: index,
        kind: "missing_output",
        detail: `cell ${index} (${firstLine(source)}) has no output (tag it "no-output" if ` +
          "that is intended)",
      });
    }
  });
  return { codeCells, cellsWithOutput, totalOutputs, problems };
}
