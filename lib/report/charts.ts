/**
 * Pure figure builders: plain data in, plotly.js figure JSON out (no DOM, no I/O).
 *
 * One builder per chart the notebooks and reports show: distributions (scores, word counts,
 * latencies), grouped bars with optional error bars (per-prompt counts, QWK per fold / feature
 * set, drop-column ΔQWK, throughput), stacked bars (per-fold label balance), an annotated
 * heat-map (confusion matrix), predicted-vs-true scatter, and SHAP summaries (bar of mean
 * |SHAP| and a beeswarm). Display them with `plotlyFigure` from `./plotly.ts`.
 *
 * @module
 */
import seedrandom from "seedrandom";
import type { PlotlyFigure, PlotlyTrace } from "./plotly.ts";

/** A named series of numbers. */
export interface NamedValues {
  readonly name: string;
  readonly values: ArrayLike<number>;
}

/** Axis titles and a chart title shared by all builders. */
export interface ChartLabels {
  readonly title: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  /** Figure height in pixels (default 450). */
  readonly height?: number;
}

function baseLayout(labels: ChartLabels, extra: Record<string, unknown> = {}) {
  return {
    title: { text: labels.title },
    xaxis: { title: { text: labels.xTitle ?? "" }, automargin: true },
    yaxis: { title: { text: labels.yTitle ?? "" }, automargin: true },
    height: labels.height ?? 450,
    margin: { t: 60, r: 20, b: 60, l: 60 },
    ...extra,
  };
}

function toArray(values: ArrayLike<number>): number[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? v : null) as number);
}

/** Options for `histogramFigure`. */
export interface HistogramOptions extends ChartLabels {
  /** Fixed bin width; when absent plotly picks bins. */
  readonly binSize?: number;
  /** Lower edge of the first bin (with `binSize`). */
  readonly binStart?: number;
  /** `"overlay"` (default, semi-transparent) or `"group"`. */
  readonly barmode?: "overlay" | "group";
  /** `"count"` (default) or `"probability"` (compare sets of different size). */
  readonly normalise?: "count" | "probability";
}

/**
 * Overlaid histograms of one or more series (e.g. word counts before and after filtering).
 *
 * @example
 * ```ts
 * histogramFigure([{ name: "before", values: [1, 2, 2] }], { title: "Scores", binSize: 0.5 });
 * ```
 */
export function histogramFigure(
  series: readonly NamedValues[],
  options: HistogramOptions,
): PlotlyFigure {
  const data: PlotlyTrace[] = series.map((s) => ({
    type: "histogram",
    name: s.name,
    x: toArray(s.values),
    opacity: series.length > 1 && options.barmode !== "group" ? 0.6 : 1,
    ...(options.normalise === "probability" ? { histnorm: "probability" } : {}),
    ...(options.binSize !== undefined
      ? {
        xbins: {
          size: options.binSize,
          ...(options.binStart !== undefined ? { start: options.binStart } : {}),
        },
      }
      : {}),
  }));
  return {
    data,
    layout: baseLayout(
      { yTitle: options.normalise === "probability" ? "share" : "count", ...options },
      { barmode: options.barmode ?? "overlay" },
    ),
  };
}

/** One bar series over shared categories, with optional symmetric error bars. */
export interface BarSeries {
  readonly name: string;
  readonly values: ArrayLike<number>;
  /** Half-widths of error bars (e.g. standard deviation across folds), or the upper side when
   * `errorsMinus` is given. */
  readonly errors?: ArrayLike<number>;
  /** Lower side of asymmetric error bars (e.g. median − min). */
  readonly errorsMinus?: ArrayLike<number>;
}

/** Options for `barFigure`. */
export interface BarOptions extends ChartLabels {
  /** `"group"` (default) or `"stack"`. */
  readonly barmode?: "group" | "stack";
  /** Horizontal bars (categories on the y axis), e.g. for long feature names. */
  readonly horizontal?: boolean;
  /** Show each bar's value as text. */
  readonly showValues?: boolean;
  /** Dashed reference line at this value (e.g. ΔQWK = 0). */
  readonly referenceLine?: number;
}

/**
 * Bars for categories with one or more series, optional error bars and a reference line.
 *
 * @example
 * ```ts
 * barFigure(["fold 0", "fold 1"], [{ name: "QWK", values: [0.6, 0.62] }], { title: "QWK" });
 * ```
 */
export function barFigure(
  categories: readonly string[],
  series: readonly BarSeries[],
  options: BarOptions,
): PlotlyFigure {
  for (const s of series) {
    if (s.values.length !== categories.length) {
      throw new Error(
        `barFigure: series "${s.name}" has ${s.values.length} values for ${categories.length} categories`,
      );
    }
    if (s.errors && s.errors.length !== categories.length) {
      throw new Error(
        `barFigure: series "${s.name}" has ${s.errors.length} errors for ${categories.length} categories`,
      );
    }
  }
  const horizontal = options.horizontal ?? false;
  const data: PlotlyTrace[] = series.map((s) => {
    const values = toArray(s.values);
    const error = s.errors
      ? {
        [horizontal ? "error_x" : "error_y"]: s.errorsMinus
          ? {
            type: "data",
            symmetric: false,
            array: toArray(s.errors),
            arrayminus: toArray(s.errorsMinus),
          }
          : { type: "data", array: toArray(s.errors) },
      }
      : {};
    return {
      type: "bar",
      name: s.name,
      orientation: horizontal ? "h" : "v",
      [horizontal ? "y" : "x"]: [...categories],
      [horizontal ? "x" : "y"]: values,
      ...error,
      ...(options.showValues
        ? {
          text: values.map((v) => v === null ? "" : Number(v.toPrecision(3)).toString()),
          textposition: "auto",
        }
        : {}),
    };
  });
  const shapes = options.referenceLine === undefined ? [] : [{
    type: "line",
    xref: horizontal ? "x" : "paper",
    yref: horizontal ? "paper" : "y",
    x0: horizontal ? options.referenceLine : 0,
    x1: horizontal ? options.referenceLine : 1,
    y0: horizontal ? 0 : options.referenceLine,
    y1: horizontal ? 1 : options.referenceLine,
    line: { dash: "dash", width: 1, color: "#444" },
  }];
  const height = options.height ??
    (horizontal
      ? Math.max(350, 60 + 18 * categories.length * Math.max(1, Math.ceil(series.length / 2)))
      : 450);
  return {
    data,
    layout: baseLayout({ ...options, height }, {
      barmode: options.barmode ?? "group",
      showlegend: series.length > 1,
      shapes,
      ...(horizontal ? { yaxis: { automargin: true, autorange: "reversed" } } : {}),
    }),
  };
}

/** Options for `heatmapFigure`. */
export interface HeatmapOptions extends ChartLabels {
  /** Write each cell's value on the cell (default true). */
  readonly annotate?: boolean;
  /** plotly colour scale name or stops (default: light-to-dark blue). */
  readonly colorscale?: string | readonly (readonly [number, string])[];
  /** Value at the middle of the colour scale (e.g. 0 for signed deltas). */
  readonly zmid?: number;
}

/**
 * An annotated heat-map, `z[row][col]` with `y` labels for rows and `x` labels for columns
 * (confusion matrix: rows = true score, columns = predicted score).
 *
 * @example
 * ```ts
 * heatmapFigure(["1", "2"], ["1", "2"], [[3, 1], [0, 4]], { title: "Confusion" });
 * ```
 */
export function heatmapFigure(
  x: readonly string[],
  y: readonly string[],
  z: readonly (readonly number[])[],
  options: HeatmapOptions,
): PlotlyFigure {
  if (z.length !== y.length || z.some((row) => row.length !== x.length)) {
    throw new Error(`heatmapFigure: z must be ${y.length} rows of ${x.length} values`);
  }
  const zMax = Math.max(...z.flat().filter(Number.isFinite), 0);
  const annotations = (options.annotate ?? true)
    ? z.flatMap((row, r) =>
      // Positions by category index: plotly reads a numeric-looking category name ("1.5") in an
      // annotation as a coordinate, which misplaces every label on a score axis.
      row.map((v, c) => ({
        x: c,
        y: r,
        text: Number.isInteger(v) ? String(v) : v.toFixed(2),
        showarrow: false,
        // White on the dark half of the default scale, so every count stays readable.
        font: {
          size: 11,
          color: options.colorscale === undefined && v > zMax / 2 ? "white" : "black",
        },
      }))
    )
    : [];
  return {
    data: [{
      type: "heatmap",
      x: [...x],
      y: [...y],
      z: z.map((row) => [...row]),
      // Light = few, dark = many (plotly's own "Blues" runs the other way).
      colorscale: options.colorscale ?? [[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]],
      ...(options.zmid !== undefined ? { zmid: options.zmid } : {}),
      hoverongaps: false,
    }],
    layout: baseLayout(options, {
      annotations,
      xaxis: { title: { text: options.xTitle ?? "" }, type: "category", automargin: true },
      yaxis: { title: { text: options.yTitle ?? "" }, type: "category", automargin: true },
    }),
  };
}

/**
 * Count a confusion matrix over a fixed, ordered label set (labels compared with `===` after
 * `labelOf`), rows = true, columns = predicted. Values outside the label set throw.
 *
 * @example
 * ```ts
 * confusionCounts([1, 2], [1, 1], [1, 2]); // [[1, 0], [1, 0]]
 * ```
 */
export function confusionCounts(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  labels: readonly number[],
): number[][] {
  if (truth.length !== predicted.length) {
    throw new Error(`confusionCounts: ${truth.length} true vs ${predicted.length} predicted`);
  }
  const index = new Map(labels.map((l, i) => [l, i]));
  const counts = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < truth.length; i++) {
    const r = index.get(truth[i]);
    const c = index.get(predicted[i]);
    if (r === undefined || c === undefined) {
      throw new Error(
        `confusionCounts: value ${
          r === undefined ? truth[i] : predicted[i]
        } at ${i} is not one of ${labels.join(", ")}`,
      );
    }
    counts[r][c] += 1;
  }
  return counts;
}

/** Options for `scatterFigure`. */
export interface ScatterOptions extends ChartLabels {
  /** Draw the y = x line over the data range (predicted vs true). */
  readonly identityLine?: boolean;
  /** Uniform jitter half-width added to x and y (seeded), to separate points on a 0.5 grid. */
  readonly jitter?: number;
  /** Seed for the jitter (default 0). */
  readonly seed?: number;
  /** Hover text per point (e.g. essay ids). */
  readonly text?: readonly string[];
}

/**
 * A scatter plot of one or more (x, y) series, optionally jittered and with a y = x line.
 *
 * @example
 * ```ts
 * scatterFigure([{ name: "test", x: [1, 2], y: [1.5, 2] }], { title: "Predicted vs true" });
 * ```
 */
export function scatterFigure(
  series: readonly { name: string; x: ArrayLike<number>; y: ArrayLike<number> }[],
  options: ScatterOptions,
): PlotlyFigure {
  const rng = seedrandom(String(options.seed ?? 0));
  const jitter = options.jitter ?? 0;
  const shake = (v: number) => jitter > 0 ? v + (rng() * 2 - 1) * jitter : v;
  let lo = Infinity;
  let hi = -Infinity;
  const data: PlotlyTrace[] = series.map((s) => {
    if (s.x.length !== s.y.length) {
      throw new Error(`scatterFigure: series "${s.name}" has ${s.x.length} x and ${s.y.length} y`);
    }
    const x = Array.from(s.x, shake);
    const y = Array.from(s.y, shake);
    for (const v of [...Array.from(s.x), ...Array.from(s.y)]) {
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    return {
      type: "scatter",
      mode: "markers",
      name: s.name,
      x,
      y,
      marker: { size: 6, opacity: 0.6 },
      ...(options.text ? { text: [...options.text] } : {}),
    };
  });
  if (options.identityLine && Number.isFinite(lo)) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: "y = x",
      x: [lo, hi],
      y: [lo, hi],
      line: { dash: "dash", color: "#444", width: 1 },
      hoverinfo: "skip",
    });
  }
  return { data, layout: baseLayout(options) };
}

/** SHAP values for a set of rows: row-major `nRows × names.length`. */
export interface ShapSummaryInput {
  readonly names: readonly string[];
  /** SHAP values, row-major. */
  readonly shapValues: ArrayLike<number>;
  /** Feature values, row-major, same shape (colours the beeswarm). */
  readonly featureValues?: ArrayLike<number>;
}

/**
 * Mean |SHAP| per feature, sorted descending: the global importance ranking.
 *
 * @example
 * ```ts
 * meanAbsShap({ names: ["a", "b"], shapValues: [1, -3, -1, 1] }); // [{name:"b",value:2},{name:"a",value:1}]
 * ```
 */
export function meanAbsShap(input: ShapSummaryInput): { name: string; value: number }[] {
  const nCols = input.names.length;
  if (nCols === 0 || input.shapValues.length % nCols !== 0) {
    throw new Error(
      `meanAbsShap: ${input.shapValues.length} values are not rows of ${nCols} features`,
    );
  }
  const nRows = input.shapValues.length / nCols;
  const sums = new Float64Array(nCols);
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++) sums[c] += Math.abs(input.shapValues[r * nCols + c]);
  }
  return input.names
    .map((name, c) => ({ name, value: nRows === 0 ? 0 : sums[c] / nRows }))
    .sort((a, b) => b.value - a.value || a.name.localeCompare(b.name));
}

/**
 * Bar chart of mean |SHAP| for the `top` most important features (largest on top).
 */
export function shapBarFigure(input: ShapSummaryInput, top = 20, title = "Mean |SHAP|") {
  const ranked = meanAbsShap(input).slice(0, top);
  return barFigure(
    ranked.map((r) => r.name),
    [{ name: "mean |SHAP|", values: ranked.map((r) => r.value) }],
    { title, xTitle: "mean |SHAP value| (score points)", horizontal: true },
  );
}

/**
 * SHAP beeswarm: one row per feature (top `top` by mean |SHAP|), one dot per essay at its SHAP
 * value, vertically jittered (seeded) and coloured by the feature's value scaled to its
 * per-feature 0–1 range (blue low → red high), like the `shap` package's summary plot.
 */
export function shapBeeswarmFigure(
  input: ShapSummaryInput,
  options: { top?: number; seed?: number; title?: string; maxPoints?: number } = {},
): PlotlyFigure {
  const nCols = input.names.length;
  const ranked = meanAbsShap(input).slice(0, options.top ?? 20);
  const nRows = input.shapValues.length / nCols;
  const rng = seedrandom(String(options.seed ?? 0));
  const step = Math.max(1, Math.ceil(nRows / (options.maxPoints ?? 2000)));
  const x: number[] = [];
  const y: number[] = [];
  const color: number[] = [];
  const text: string[] = [];
  ranked.forEach((feature, rank) => {
    const c = input.names.indexOf(feature.name);
    let lo = Infinity;
    let hi = -Infinity;
    if (input.featureValues) {
      for (let r = 0; r < nRows; r++) {
        const v = input.featureValues[r * nCols + c];
        if (Number.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    for (let r = 0; r < nRows; r += step) {
      const s = input.shapValues[r * nCols + c];
      x.push(s);
      y.push(rank + (rng() * 2 - 1) * 0.3);
      const v = input.featureValues ? input.featureValues[r * nCols + c] : NaN;
      color.push(Number.isFinite(v) && hi > lo ? (v - lo) / (hi - lo) : 0.5);
      text.push(`${feature.name} = ${Number.isFinite(v) ? Number(v.toPrecision(4)) : "n/a"}`);
    }
  });
  return {
    data: [{
      type: "scatter",
      mode: "markers",
      name: "essays",
      x,
      y,
      text,
      hovertemplate: "%{text}<br>SHAP %{x:.3f}<extra></extra>",
      marker: {
        size: 5,
        opacity: 0.7,
        color,
        colorscale: [[0, "#1f77ff"], [1, "#ff1f4b"]],
        cmin: 0,
        cmax: 1,
        showscale: input.featureValues !== undefined,
        colorbar: { title: { text: "feature value" }, tickvals: [0, 1], ticktext: ["low", "high"] },
      },
    }],
    layout: baseLayout({
      title: options.title ?? "SHAP summary (beeswarm)",
      xTitle: "SHAP value (effect on predicted score)",
      height: Math.max(350, 80 + 26 * ranked.length),
    }, {
      yaxis: {
        tickmode: "array",
        tickvals: ranked.map((_, i) => i),
        ticktext: ranked.map((r) => r.name),
        autorange: "reversed",
        automargin: true,
      },
      shapes: [{
        type: "line",
        xref: "x",
        yref: "paper",
        x0: 0,
        x1: 0,
        y0: 0,
        y1: 1,
        line: { color: "#888", width: 1 },
      }],
      showlegend: false,
    }),
  };
}

/**
 * Counts of `keys` (e.g. prompt names or score labels) sorted by count descending, then key.
 *
 * @example
 * ```ts
 * countBy(["a", "b", "a"]); // [["a", 2], ["b", 1]]
 * ```
 */
export function countBy<K extends string | number>(keys: Iterable<K>): [K, number][] {
  const counts = new Map<K, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) =>
    b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))
  );
}
