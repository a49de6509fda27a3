import assert from "node:assert/strict";
import { join } from "node:path";
import { readNotebook } from "../../notebooks/tools/ipynb.ts";
import { INLINE_MARKER } from "../../notebooks/tools/html_report.ts";
import { probeOutputLoss } from "../../notebooks/tools/output_loss_probe.ts";
import { NOTEBOOK_DIR, runNotebooks } from "../../notebooks/tools/run_notebooks.ts";

Deno.test("executor loses no Deno-kernel output (3 runs x 6 cells, 2 outputs each)", async () => {
  const probe = await probeOutputLoss({ runs: 3, cells: 6, drainSeconds: 0.5 });
  assert.equal(probe.receivedOutputs, probe.expectedOutputs, JSON.stringify(probe));
  assert.equal(probe.runsWithLoss, 0);
});

Deno.test("setup notebook executes headless: every code cell has output, HTML inlines plotly once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nbtest_" });
  try {
    const results = await runNotebooks({
      notebooks: [join(NOTEBOOK_DIR, "00_setup_and_health.ipynb")],
      outDir: join(dir, "reports"),
      params: {
        runName: "nbtest_health",
        outputRoot: join(dir, "runs"),
        experimentLogPath: join(dir, "runs", "EXPERIMENT_LOG.md"),
      },
    });
    assert.equal(results.length, 1);
    const r = results[0];
    assert.equal(r.status, "ok", r.error ?? "");
    assert.ok(r.check && r.check.codeCells >= 8);
    assert.equal(r.check.cellsWithOutput, r.check.codeCells);
    const executed = await readNotebook(r.executedPath);
    for (const cell of executed.cells) {
      if (cell.cell_type === "code") assert.ok((cell.outputs ?? []).length > 0);
    }
    const html = await Deno.readTextFile(r.htmlPath!);
    assert.equal(html.split(INLINE_MARKER).length - 1, 1);
    const log = await Deno.readTextFile(join(dir, "runs", "EXPERIMENT_LOG.md"));
    assert.match(log, /`nbtest_health`/);
    assert.match(log, /notebook: `notebooks\/00_setup_and_health\.ipynb`/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
