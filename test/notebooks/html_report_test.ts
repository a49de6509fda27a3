import assert from "node:assert/strict";
import { notebookPython } from "../../notebooks/tools/setup_jupyter.ts";
import { join } from "node:path";
import {
  codeCellsWithInput,
  countPlotlyDivs,
  INLINE_MARKER,
  inlinePlotlyBundle,
  plotlyBundlePath,
} from "../../notebooks/tools/html_report.ts";
import { PROJECT_ROOT } from "../../notebooks/tools/setup_jupyter.ts";

Deno.test("inlinePlotlyBundle splices the bundle verbatim after <head>, once", () => {
  const html = '<!DOCTYPE html><html><head><meta charset="utf-8"><script src="x.js"></script>' +
    '</head><body><div class="plotly-graph-div"></div></body></html>';
  const bundle = "var a = '$&'; var b = \"$'\"; var c = '$`'; var d = '$$';";
  const out = inlinePlotlyBundle(html, bundle);
  assert.ok(out.includes(bundle), "replacement patterns must survive untouched");
  assert.ok(out.indexOf(INLINE_MARKER) < out.indexOf('src="x.js"'), "bundle must come first");
  assert.ok(out.indexOf("<head>") < out.indexOf(INLINE_MARKER));
  assert.equal(inlinePlotlyBundle(out, bundle), out, "idempotent");
  assert.equal(out.split(INLINE_MARKER).length - 1, 1);
  assert.equal(countPlotlyDivs(out), 1);
});

Deno.test("inlinePlotlyBundle escapes </script inside the bundle", () => {
  const out = inlinePlotlyBundle("<html><head></head></html>", 'x = "</script>";');
  assert.ok(out.includes('x = "<\\/script>";'));
  assert.equal(out.split("</script>").length - 1, 1);
});

Deno.test("plotly bundle is found in node_modules and contains '$&'", async () => {
  const path = await plotlyBundlePath(PROJECT_ROOT);
  assert.match(path, /plotly\.js-dist-min[\\/]plotly\.min\.js$/);
  const text = await Deno.readTextFile(path);
  assert.ok(text.includes("$&"), "the reason String.replace must not be used");
  assert.ok(text.includes("window.Plotly"));
});

Deno.test("report view: nbconvert --no-input hides every code cell's source, keeps Markdown", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report-view-" });
  try {
    const nb = join(dir, "t.ipynb");
    await Deno.writeTextFile(
      nb,
      JSON.stringify({
        cells: [
          { cell_type: "markdown", metadata: {}, source: ["# Title\n", "Some prose."] },
          {
            cell_type: "code",
            execution_count: 1,
            metadata: {},
            outputs: [{ output_type: "stream", name: "stdout", text: ["result 42\n"] }],
            source: ["const secret = 'code';"],
          },
        ],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
    const convert = async (args: string[], out: string) => {
      const r = await new Deno.Command(notebookPython(), {
        args: [
          "-m",
          "nbconvert",
          "--to",
          "html",
          ...args,
          "--output-dir",
          dir,
          "--output",
          out,
          nb,
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.ok(r.success, new TextDecoder().decode(r.stderr));
      return await Deno.readTextFile(join(dir, `${out}.html`));
    };
    const full = await convert([], "t");
    const report = await convert(["--no-input"], "t.report");
    assert.equal(codeCellsWithInput(full), 1);
    assert.equal(codeCellsWithInput(report), 0);
    assert.ok(full.includes("secret") && !report.includes("secret"));
    assert.ok(report.includes("result 42") && report.includes("Some prose."));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
