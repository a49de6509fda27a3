/**
 * Plotly figures as Deno-kernel displayables that render live in Jupyter and offline in HTML.
 *
 * A figure is plain JSON (`{ data, layout, config }`, the plotly.js schema). `plotlyFigure(fig)`
 * wraps it in an object the Deno Jupyter kernel displays (it implements
 * `Symbol.for("Jupyter.display")`) with three representations:
 *
 * - `text/html`: a `<div>` plus a script calling `window.Plotly.newPlot`. When plotly.js is not
 *   on the page yet, the script loads the pinned plotly.js build from the CDN once (live
 *   Jupyter) and waits for it. HTML reports written by `deno task notebooks` inline the
 *   `plotly.js-dist-min` bundle into `<head>`, so `window.Plotly` already exists and nothing is
 *   fetched: the report opens offline.
 * - `application/vnd.plotly.v1+json`: the figure itself, for front ends with a native plotly
 *   renderer (JupyterLab with the plotly extension, VS Code).
 * - `text/plain`: a one-line summary for consoles and plain-text exports.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** One plotly.js trace (`{ type: "bar", x, y, ... }`); kept open because the schema is huge. */
export type PlotlyTrace =
  & { readonly type?: string; readonly name?: string }
  & Record<
    string,
    unknown
  >;

/** A plotly.js figure: traces, layout and config, all plain JSON. */
export interface PlotlyFigure {
  readonly data: readonly PlotlyTrace[];
  readonly layout?: Readonly<Record<string, unknown>>;
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A MIME bundle as the Deno kernel expects it from `Symbol.for("Jupyter.display")`. */
export type MimeBundle = Record<string, unknown>;

/** Anything the Deno Jupyter kernel renders through its display protocol. */
export interface JupyterDisplayable {
  [key: symbol]: () => MimeBundle;
}

/** The plotly.js version of the `plotly.js-dist-min` package pinned in `deno.json`. */
export const PLOTLY_JS_VERSION = "3.1.0";

/** CDN build loaded by live Jupyter front ends that do not have plotly.js on the page yet. */
export const PLOTLY_CDN_URL = `https://cdn.plot.ly/plotly-${PLOTLY_JS_VERSION}.min.js`;

/** The MIME type of plotly's own JSON representation. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

let figureCounter = 0;

/**
 * Serialise a value as JSON that is safe inside an HTML `<script>` element.
 *
 * `<` is written as `\u003c`, so no `</script>` (or `<!--`) can appear in the output.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/**
 * A DOM id for a figure: stable for the same figure JSON, unique within one process.
 *
 * @example
 * ```ts
 * figureDomId({ data: [] }).startsWith("plotly-"); // true
 * ```
 */
export function figureDomId(fig: PlotlyFigure): string {
  figureCounter += 1;
  const digest = createHash("sha256").update(JSON.stringify(fig)).digest("hex").slice(0, 10);
  return `plotly-${digest}-${figureCounter}`;
}

/**
 * The `text/html` representation: a sized `<div>` and a script drawing the figure into it.
 *
 * The script draws at once when `window.Plotly` exists (exported reports), otherwise injects
 * one `<script src=PLOTLY_CDN_URL>` per page (live Jupyter) and polls for up to 60 s, then
 * writes a visible message into the div instead of failing silently.
 *
 * @example
 * ```ts
 * const html = plotlyHtml({ data: [{ type: "bar", x: ["a"], y: [1] }] }, "fig1");
 * html.includes('id="fig1"'); // true
 * ```
 */
export function plotlyHtml(fig: PlotlyFigure, domId: string = figureDomId(fig)): string {
  const height = typeof fig.layout?.height === "number" ? fig.layout.height : 450;
  const config = { responsive: true, displaylogo: false, ...(fig.config ?? {}) };
  const payload = scriptSafeJson({ data: fig.data, layout: fig.layout ?? {}, config });
  const id = scriptSafeJson(domId);
  const cdn = scriptSafeJson(PLOTLY_CDN_URL);
  return [
    `<div id="${domId}" class="plotly-graph-div" style="height:${height}px; width:100%;"></div>`,
    `<script type="text/javascript">`,
    `(function () {`,
    `  var fig = ${payload};`,
    `  var id = ${id};`,
    `  function draw() { window.Plotly.newPlot(id, fig.data, fig.layout, fig.config); }`,
    `  if (window.Plotly) { draw(); return; }`,
    `  if (!document.querySelector("script[data-plotly-loader]")) {`,
    `    var s = document.createElement("script");`,
    `    s.src = ${cdn}; s.setAttribute("data-plotly-loader", "cdn");`,
    `    document.head.appendChild(s);`,
    `  }`,
    `  var waited = 0;`,
    `  var timer = setInterval(function () {`,
    `    if (window.Plotly) { clearInterval(timer); draw(); return; }`,
    `    waited += 100;`,
    `    if (waited > 60000) {`,
    `      clearInterval(timer);`,
    `      var el = document.getElementById(id);`,
    `      if (el) el.textContent = "plotly.js is not available: render this notebook with ` +
    `'deno task notebooks' for an offline report.";`,
    `    }`,
    `  }, 100);`,
    `})();`,
    `</script>`,
  ].join("\n");
}

/** A one-line plain-text description of a figure (title, trace kinds and sizes). */
export function plotlyText(fig: PlotlyFigure): string {
  const rawTitle = fig.layout?.title;
  const title = typeof rawTitle === "string"
    ? rawTitle
    : typeof rawTitle === "object" && rawTitle !== null &&
        typeof (rawTitle as { text?: unknown }).text === "string"
    ? (rawTitle as { text: string }).text
    : "untitled";
  const traces = fig.data.map((t) => {
    const points = Array.isArray(t.x)
      ? t.x.length
      : Array.isArray(t.y)
      ? t.y.length
      : Array.isArray(t.z)
      ? t.z.length
      : 0;
    return `${t.type ?? "scatter"}${t.name ? ` "${t.name}"` : ""} (${points} points)`;
  });
  return `Plotly figure "${title}": ${traces.join(", ") || "no traces"}`;
}

/** The full MIME bundle of a figure (HTML, plotly JSON, plain text). */
export function plotlyMimeBundle(fig: PlotlyFigure): MimeBundle {
  return {
    "text/html": plotlyHtml(fig),
    [PLOTLY_MIME]: JSON.parse(JSON.stringify({ data: fig.data, layout: fig.layout ?? {} })),
    "text/plain": plotlyText(fig),
  };
}

/**
 * Wrap a figure so that a notebook cell evaluating to it (or `Deno.jupyter.display`) renders it.
 *
 * @example
 * ```ts
 * // last expression of a notebook cell:
 * plotlyFigure({ data: [{ type: "histogram", x: [1, 2, 2, 3] }], layout: { title: "Scores" } });
 * ```
 */
export function plotlyFigure(fig: PlotlyFigure): JupyterDisplayable {
  return { [JUPYTER_DISPLAY]: () => plotlyMimeBundle(fig) };
}
