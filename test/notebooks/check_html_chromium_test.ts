import assert from "node:assert/strict";
import { join } from "node:path";
import {
  checkHtmlFiles,
  findChromium,
  pagePassed,
  pageProblems,
} from "../../notebooks/tools/check_html_chromium.ts";
import { inlinePlotlyBundle, plotlyBundlePath } from "../../notebooks/tools/html_report.ts";
import { PROJECT_ROOT } from "../../notebooks/tools/setup_jupyter.ts";
import {
  browserCheck,
  type NotebookRunResult,
  parseRunNotebooksArgs,
} from "../../notebooks/tools/run_notebooks.ts";
import { plotlyHtml } from "../../lib/report/plotly.ts";
import { systemDependency } from "../system_dependencies.ts";

const chromium = findChromium();
const NO_CHROMIUM = systemDependency(
  "Chromium",
  chromium ? null : "chromium is not on PATH (run `deno task setup` as root)",
  "check_html_chromium_test",
);

function page(body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head>` +
    `<body>${body}</body></html>\n`;
}

Deno.test({
  name: "headless Chromium passes a rendered report, fails script errors and unrendered figures",
  ignore: NO_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "check-html-" });
    try {
      const bundle = await Deno.readTextFile(await plotlyBundlePath(PROJECT_ROOT));
      const fig = plotlyHtml({
        data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }],
        layout: { title: { text: "t" } },
      }, "fig_good");
      const good = join(dir, "good.html");
      const broken = join(dir, "broken.html");
      const offline = join(dir, "no_plotly.html");
      await Deno.writeTextFile(good, inlinePlotlyBundle(page(fig), bundle));
      await Deno.writeTextFile(
        broken,
        inlinePlotlyBundle(page(`${fig}<script>notDefinedAnywhere();</script>`), bundle),
      );
      // No inlined bundle and no network: the figure's CDN fallback cannot load plotly.js.
      await Deno.writeTextFile(offline, page(plotlyHtml({ data: [{ y: [1] }] }, "fig_missing")));

      const [g, b, o] = await checkHtmlFiles([good, broken, offline], { timeoutMs: 4000 });

      assert.deepEqual(pageProblems(g), []);
      assert.ok(pagePassed(g));
      assert.equal(g.expectedFigures, 1);
      assert.equal(g.renderedFigures, 1);

      assert.ok(!pagePassed(b));
      assert.equal(b.renderedFigures, 1, "the figure itself still renders");
      assert.equal(b.scriptErrors.length, 1, b.scriptErrors.join("; "));
      assert.match(b.scriptErrors[0], /notDefinedAnywhere is not defined/);
      assert.match(pageProblems(b)[0], /broken\.html: script error/);

      assert.ok(!pagePassed(o));
      assert.deepEqual(o.unrenderedFigures, ["fig_missing"]);
      assert.match(pageProblems(o).join("\n"), /no_plotly\.html: plotly figure fig_missing/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "checkHtmlFiles fails clearly on a missing file and leaves no profile dir behind",
  ignore: NO_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
    const profiles = () =>
      [...Deno.readDirSync(tmp)].filter((e) => e.name.startsWith("essay-chromium-")).map((e) =>
        e.name
      );
    const before = new Set(profiles());
    const [p] = await checkHtmlFiles(["/nonexistent/report.html"], { timeoutMs: 4000 });
    assert.ok(!pagePassed(p));
    assert.match(pageProblems(p).join("\n"), /report\.html: /);
    assert.deepEqual(profiles().filter((n) => !before.has(n)), []);
  },
});

Deno.test({
  name: "a page whose script never returns is bounded by the per-page timeout",
  ignore: NO_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "check-html-" });
    try {
      const hang = join(dir, "hang.html");
      await Deno.writeTextFile(hang, page("<script>while (true) {}</script>"));
      const [p] = await checkHtmlFiles([hang], { timeoutMs: 2000 });
      assert.ok(!pagePassed(p));
      assert.match(pageProblems(p)[0], /hang\.html: page did not fire its load event/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "deno task notebooks: browserCheck marks a notebook with a broken report failed",
  ignore: NO_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "check-html-" });
    try {
      const bundle = await Deno.readTextFile(await plotlyBundlePath(PROJECT_ROOT));
      const fig = plotlyHtml({ data: [{ type: "scatter", y: [3, 1, 2] }] }, "fig_a");
      const okHtml = join(dir, "a.html");
      const badHtml = join(dir, "b.html");
      await Deno.writeTextFile(okHtml, inlinePlotlyBundle(page(fig), bundle));
      await Deno.writeTextFile(badHtml, page(`<script>throw new Error("report boom")</script>`));
      const base = { seconds: 1, executedPath: "x.ipynb", injected: {} };
      const results: NotebookRunResult[] = [
        { ...base, notebook: "a.ipynb", status: "ok", htmlPath: okHtml },
        { ...base, notebook: "b.ipynb", status: "ok", htmlPath: badHtml },
        { ...base, notebook: "c.ipynb", status: "failed", error: "cell 3 raised" },
      ];
      await browserCheck(results);
      assert.equal(results[0].status, "ok");
      assert.equal(results[1].status, "failed");
      assert.match(results[1].error ?? "", /b\.html: script error: Error: report boom/);
      assert.equal(results[2].error, "cell 3 raised", "a notebook without HTML is left alone");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("--no-browser-check is parsed", () => {
  assert.equal(parseRunNotebooksArgs(["--no-browser-check"]).noBrowserCheck, true);
  assert.equal(parseRunNotebooksArgs([]).noBrowserCheck, undefined);
});
