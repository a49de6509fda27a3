import assert from "node:assert/strict";
import {
  barFigure,
  confusionCounts,
  countBy,
  heatmapFigure,
  histogramFigure,
  meanAbsShap,
  scatterFigure,
  shapBarFigure,
  shapBeeswarmFigure,
} from "../../lib/report/charts.ts";

Deno.test("histogramFigure overlays series with fixed bins", () => {
  const fig = histogramFigure(
    [{ name: "before", values: [1, 2, 2] }, { name: "after", values: new Float64Array([2, NaN]) }],
    { title: "Scores", binSize: 0.5, binStart: 0.75, normalise: "probability" },
  );
  assert.equal(fig.data.length, 2);
  assert.deepEqual(fig.data[1].x, [2, null]);
  assert.deepEqual(fig.data[0].xbins, { size: 0.5, start: 0.75 });
  assert.equal(fig.data[0].histnorm, "probability");
  assert.equal(fig.data[0].opacity, 0.6);
  assert.equal((fig.layout as { barmode: string }).barmode, "overlay");
});

Deno.test("barFigure: error bars, horizontal orientation and reference line", () => {
  const fig = barFigure(
    ["f1", "f2"],
    [{ name: "ΔQWK", values: [0.01, -0.02], errors: [0.005, 0.01] }],
    { title: "Drop-column", horizontal: true, referenceLine: 0 },
  );
  const t = fig.data[0];
  assert.equal(t.orientation, "h");
  assert.deepEqual(t.y, ["f1", "f2"]);
  assert.deepEqual(t.x, [0.01, -0.02]);
  assert.deepEqual(t.error_x, { type: "data", array: [0.005, 0.01] });
  const shape = (fig.layout as { shapes: { x0: number; yref: string }[] }).shapes[0];
  assert.equal(shape.x0, 0);
  assert.equal(shape.yref, "paper");
  const asym = barFigure(["a"], [{ name: "s", values: [2], errors: [1], errorsMinus: [0.5] }], {
    title: "t",
  });
  assert.deepEqual(asym.data[0].error_y, {
    type: "data",
    symmetric: false,
    array: [1],
    arrayminus: [0.5],
  });
  assert.throws(
    () => barFigure(["a"], [{ name: "s", values: [1, 2] }], { title: "t" }),
    /2 values for 1 categories/,
  );
});

Deno.test("confusionCounts and heatmapFigure", () => {
  const labels = [1, 1.5, 2];
  const z = confusionCounts([1, 1, 2, 1.5], [1, 1.5, 2, 2], labels);
  assert.deepEqual(z, [[1, 1, 0], [0, 0, 1], [0, 0, 1]]);
  assert.throws(() => confusionCounts([3], [1], labels), /value 3 at 0/);
  const names = labels.map(String);
  const fig = heatmapFigure(names, names, z, { title: "Confusion" });
  assert.deepEqual(fig.data[0].z, z);
  const ann = (fig.layout as { annotations: { text: string }[] }).annotations;
  assert.equal(ann.length, 9);
  assert.equal(ann[1].text, "1");
  assert.throws(() => heatmapFigure(["a"], ["a", "b"], [[1]], { title: "x" }), /2 rows of 1/);
});

Deno.test("scatterFigure: seeded jitter and identity line over the data range", () => {
  const series = [{ name: "test", x: [1, 2, 3], y: [1.5, 2, 5] }];
  const a = scatterFigure(series, { title: "p", jitter: 0.1, seed: 3, identityLine: true });
  const b = scatterFigure(series, { title: "p", jitter: 0.1, seed: 3, identityLine: true });
  assert.deepEqual(a, b);
  const xs = a.data[0].x as number[];
  xs.forEach((x, i) => assert.ok(Math.abs(x - series[0].x[i]) <= 0.1));
  assert.deepEqual(a.data[1].x, [1, 5]);
  assert.deepEqual(a.data[1].y, [1, 5]);
});

Deno.test("SHAP summaries rank features by mean |SHAP|", () => {
  const input = {
    names: ["a", "b", "c"],
    shapValues: [0.1, -1, 0, -0.3, 1, 0, 0.2, -1, 0],
    featureValues: [1, 5, 0, 2, 6, 0, 3, 7, 0],
  };
  const ranked = meanAbsShap(input);
  assert.deepEqual(ranked.map((r) => r.name), ["b", "a", "c"]);
  assert.ok(Math.abs(ranked[1].value - 0.2) < 1e-12);
  const bar = shapBarFigure(input, 2);
  assert.deepEqual(bar.data[0].y, ["b", "a"]);
  const swarm = shapBeeswarmFigure(input, { top: 2, seed: 1 });
  const t = swarm.data[0] as { x: number[]; y: number[]; marker: { color: number[] } };
  assert.equal(t.x.length, 6);
  assert.deepEqual(t.x.slice(0, 3), [-1, 1, -1]);
  t.y.slice(0, 3).forEach((y) => assert.ok(Math.abs(y) <= 0.3));
  t.y.slice(3).forEach((y) => assert.ok(Math.abs(y - 1) <= 0.3));
  assert.deepEqual(t.marker.color.slice(0, 3), [0, 0.5, 1]);
  assert.throws(() => meanAbsShap({ names: ["a", "b"], shapValues: [1, 2, 3] }), /not rows of 2/);
});

Deno.test("countBy sorts by count then key", () => {
  assert.deepEqual(countBy(["b", "a", "b", "c", "a", "b"]), [["b", 3], ["a", 2], ["c", 1]]);
});
