/**
 * Measure lost outputs on the Deno kernel: execute a small notebook (every cell prints and
 * returns a value, so every cell must have exactly 2 outputs) `runs` times with a given IOPub
 * drain period, and count the outputs that arrived.
 *
 * `--drain-seconds 0` is stock nbclient behaviour (stop at idle) and shows the bug; the default
 * 0.5 is what `deno task notebooks` uses.
 *
 * Usage: `deno run -A notebooks/tools/output_loss_probe.ts [--runs 10] [--cells 6]
 * [--drain-seconds 0.5]`
 *
 * @module
 */
import { join } from "node:path";
import { notebookPython, PROJECT_ROOT } from "./setup_jupyter.ts";

/** Counts from one probe. */
export interface OutputLossProbe {
  readonly runs: number;
  readonly cellsPerRun: number;
  readonly drainSeconds: number;
  readonly expectedOutputs: number;
  readonly receivedOutputs: number;
  /** Runs in which at least one output was missing. */
  readonly runsWithLoss: number;
  readonly secondsPerRun: number;
}

/** A notebook of `cells` code cells, each printing a line and returning a value. */
export function probeNotebook(cells: number): unknown {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: Array.from({ length: cells }, (_, i) => ({
      id: `probe-${i}`,
      cell_type: "code",
      source: `console.log("line ${i}");\n${i} * 2;`,
      metadata: {},
      outputs: [],
      execution_count: null,
    })),
  };
}

/** Run the probe (spawns the Deno kernel `runs` times). */
export async function probeOutputLoss(
  options: { runs?: number; cells?: number; drainSeconds?: number } = {},
): Promise<OutputLossProbe> {
  const runs = options.runs ?? 10;
  const cells = options.cells ?? 6;
  const drainSeconds = options.drainSeconds ?? 0.5;
  const dir = await Deno.makeTempDir({ prefix: "nb_loss_" });
  let received = 0;
  let runsWithLoss = 0;
  const t0 = performance.now();
  try {
    const input = join(dir, "probe.ipynb");
    await Deno.writeTextFile(input, JSON.stringify(probeNotebook(cells)));
    for (let r = 0; r < runs; r++) {
      const output = join(dir, `out_${r}.ipynb`);
      const res = await new Deno.Command(notebookPython(), {
        args: [
          join(PROJECT_ROOT, "notebooks", "tools", "execute_notebook.py"),
          input,
          output,
          "--cwd",
          dir,
          "--timeout",
          "120",
          "--drain-seconds",
          String(drainSeconds),
          "--summary",
          join(dir, `summary_${r}.json`),
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
      if (!res.success) {
        throw new Error(`probe run ${r} failed: ${new TextDecoder().decode(res.stderr)}`);
      }
      const nb = JSON.parse(await Deno.readTextFile(output)) as {
        cells: { outputs?: unknown[] }[];
      };
      const got = nb.cells.reduce((n, c) => n + Math.min(2, c.outputs?.length ?? 0), 0);
      received += got;
      if (got < 2 * cells) runsWithLoss += 1;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return {
    runs,
    cellsPerRun: cells,
    drainSeconds,
    expectedOutputs: runs * cells * 2,
    receivedOutputs: received,
    runsWithLoss,
    secondsPerRun: Math.round((performance.now() - t0) / runs) / 1000,
  };
}

if (import.meta.main) {
  const arg = (name: string, fallback: number) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
  };
  const result = await probeOutputLoss({
    runs: arg("runs", 10),
    cells: arg("cells", 6),
    drainSeconds: arg("drain-seconds", 0.5),
  });
  console.log(JSON.stringify(result, null, 2));
}
