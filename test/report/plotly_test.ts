import assert from "node:assert/strict";
import {
  PLOTLY_MIME,
  plotlyFigure,
  plotlyHtml,
  plotlyMimeBundle,
  plotlyText,
  scriptSafeJson,
} from "../../lib/report/plotly.ts";

const fig = {
  data: [{ type: "bar", name: "qwk", x: ["a", "b"], y: [0.5, 0.6] }],
  layout: { title: { text: "QWK </script><script>alert(1)</script>" }, height: 300 },
};

Deno.test("plotlyHtml draws into its own div and cannot be broken out of", () => {
  const html = plotlyHtml(fig, "fig-1");
  assert.match(
    html,
    /^<div id="fig-1" class="plotly-graph-div" style="height:300px; width:100%;"><\/div>/,
  );
  assert.ok(html.includes("window.Plotly.newPlot(id, fig.data, fig.layout, fig.config)"));
  // Only the wrapper's own closing tag: the title's "</script>" is escaped.
  assert.equal(html.split("</script>").length - 1, 1);
  assert.ok(html.includes("\\u003c/script>"));
  // The figure JSON in the script parses back to the figure.
  const json = /var fig = (.*);\n/.exec(html)![1];
  const parsed = JSON.parse(json);
  assert.deepEqual(parsed.data, fig.data);
  assert.equal(parsed.layout.title.text, fig.layout.title.text);
  assert.equal(parsed.config.responsive, true);
});

Deno.test("plotlyHtml falls back to loading plotly.js once when window.Plotly is missing", () => {
  const html = plotlyHtml(fig, "x");
  assert.ok(html.includes("script[data-plotly-loader]"));
  assert.ok(html.includes("https://cdn.plot.ly/plotly-3.1.0.min.js"));
});

Deno.test("plotlyFigure is a Jupyter displayable with HTML, plotly JSON and text", () => {
  const display = plotlyFigure(fig);
  const bundle = display[Symbol.for("Jupyter.display")]();
  assert.deepEqual(Object.keys(bundle).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort());
  assert.deepEqual((bundle[PLOTLY_MIME] as { data: unknown }).data, fig.data);
  assert.equal(
    bundle["text/plain"],
    'Plotly figure "QWK </script><script>alert(1)</script>": bar "qwk" (2 points)',
  );
  // Two displays of one figure get distinct DOM ids.
  const a = plotlyMimeBundle(fig)["text/html"] as string;
  const b = plotlyMimeBundle(fig)["text/html"] as string;
  assert.notEqual(/id="([^"]+)"/.exec(a)![1], /id="([^"]+)"/.exec(b)![1]);
});

Deno.test("scriptSafeJson and plotlyText edge cases", () => {
  assert.equal(scriptSafeJson({ a: "<!--" }), '{"a":"\\u003c!--"}');
  assert.equal(plotlyText({ data: [] }), 'Plotly figure "untitled": no traces');
});
