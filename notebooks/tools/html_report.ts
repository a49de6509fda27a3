/**
 * Make an nbconvert HTML export self-contained for plotly: inline `plotly.js-dist-min` once.
 *
 * Figures rendered by `lib/report/plotly.ts` call `window.Plotly.newPlot` and only fetch plotly
 * from the CDN when `window.Plotly` is missing. Inlining the bundle as the first element of
 * `<head>` defines `window.Plotly` before any figure script runs, so the report renders offline.
 *
 * The bundle is spliced in by string slicing: it contains `$&` and other `String.replace`
 * patterns, which a replacement string would expand. The bundle is read from the npm package on
 * disk (node_modules / Deno's npm cache), never sent through the Jupyter kernel.
 *
 * @module
 */
import { createRequire } from "node:module";

/** Attribute marking the inlined bundle, so inlining is idempotent. */
export const INLINE_MARKER = 'data-inlined="plotly.js-dist-min"';

/**
 * Insert `bundle` as an inline `<script>` right after the opening `<head>` tag (or at the top
 * when there is no `<head>`). Returns `html` unchanged when the marker is already present.
 * Any `</script` inside the bundle is escaped so it cannot close the element early.
 *
 * @example
 * ```ts
 * inlinePlotlyBundle("<html><head></head></html>", "var a = '$&';").includes("'$&'"); // true
 * ```
 */
export function inlinePlotlyBundle(html: string, bundle: string, version = "3.1.0"): string {
  if (html.includes(INLINE_MARKER)) return html;
  const safe = bundle.split("</script").join("<\\/script");
  const tag = `<script type="text/javascript" ${INLINE_MARKER} data-version="${version}">\n` +
    `${safe}\n</script>\n`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  const at = head ? head.index + head[0].length : 0;
  return html.slice(0, at) + "\n" + tag + html.slice(at);
}

/** Count plotly figure containers (`class="plotly-graph-div"`) in an HTML document. */
export function countPlotlyDivs(html: string): number {
  return html.split('class="plotly-graph-div"').length - 1;
}

/**
 * Path of `plotly.min.js` from the `plotly.js-dist-min` package pinned in `deno.json`, resolved
 * through node_modules. Runs `deno install` once when the package is not materialised yet.
 */
export async function plotlyBundlePath(projectRoot: string): Promise<string> {
  const require = createRequire(`${projectRoot}/deno.json`);
  const resolve = () => require.resolve("plotly.js-dist-min/plotly.min.js");
  try {
    return resolve();
  } catch {
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["install"],
      cwd: projectRoot,
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!install.success) {
      throw new Error("`deno install` failed: cannot locate plotly.js-dist-min");
    }
    try {
      return resolve();
    } catch (error) {
      throw new Error(
        `plotly.js-dist-min is not in ${projectRoot}/node_modules after \`deno install\`: ${
          (error as Error).message
        }`,
      );
    }
  }
}

/** The version field of the installed plotly.js-dist-min package. */
export async function plotlyBundleVersion(bundlePath: string): Promise<string> {
  const pkg = JSON.parse(
    await Deno.readTextFile(bundlePath.replace(/plotly\.min\.js$/, "package.json")),
  );
  return String(pkg.version);
}

/**
 * Code cells of an nbconvert HTML export that still show their source (a report view, exported
 * with `--no-input`, must have none: only Markdown, outputs and figures).
 *
 * @example
 * ```ts
 * codeCellsWithInput(await Deno.readTextFile("01_prepare_dataset.report.html")); // 0
 * ```
 */
export function codeCellsWithInput(html: string): number {
  const cells = html.match(/class="jp-Cell jp-CodeCell[^"]*"/g) ?? [];
  return cells.filter((c) => !c.includes("jp-mod-noInput")).length;
}
