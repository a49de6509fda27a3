import assert from "node:assert/strict";
import { applyBinMapper, binOf, fitBinMapper } from "../../../lib/model/learners/binning.ts";
import { seededRandom } from "../../../lib/model/learners/random.ts";

Deno.test("few distinct values: one bin each, cuts at midpoints", () => {
  const X = { nRows: 5, nCols: 1, values: Float64Array.of(3, 1, 2, 2, 3) };
  const mapper = fitBinMapper(X, 255);
  assert.deepEqual(Array.from(mapper.cuts[0]), [1.5, 2.5]);
  const b = applyBinMapper(mapper, X);
  assert.deepEqual(Array.from(b.bins), [2, 0, 1, 1, 2]);
  assert.equal(b.nBins[0], 3);
});

Deno.test("many values: ≤ maxBins roughly equal-frequency bins; bin ≤ b ⇔ x ≤ cut[b]", () => {
  const random = seededRandom(3);
  const n = 5000;
  const values = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    values[2 * i] = random() ** 3; // skewed
    values[2 * i + 1] = Math.floor(random() * 4); // 4 levels
  }
  const X = { nRows: n, nCols: 2, values };
  const mapper = fitBinMapper(X, 64);
  const binned = applyBinMapper(mapper, X);
  assert.ok(binned.nBins[0] <= 64 && binned.nBins[0] >= 60);
  assert.equal(binned.nBins[1], 4);
  const counts = new Array(binned.nBins[0]).fill(0);
  for (let r = 0; r < n; r++) counts[binned.bins[r]]++;
  assert.ok(Math.max(...counts) < 3 * (n / 64), `unbalanced bins ${Math.max(...counts)}`);
  const cuts = mapper.cuts[0];
  for (let r = 0; r < n; r++) {
    const x = values[2 * r];
    const b = binned.bins[r];
    for (const k of [0, 10, 40, cuts.length - 1]) assert.equal(b <= k, x <= cuts[k]);
  }
});

Deno.test("NaN goes to the last bin; new data binned with training cuts", () => {
  const cuts = Float64Array.of(1.5, 2.5);
  assert.equal(binOf(cuts, NaN), 2);
  assert.equal(binOf(cuts, -100), 0);
  assert.equal(binOf(cuts, 2.5), 1);
  assert.equal(binOf(cuts, 2.5000001), 2);
  // NaN in the fitted rows: a missing-value bin of its own after every real value
  const mapper = fitBinMapper({ nRows: 3, nCols: 1, values: Float64Array.of(1, 2, NaN) });
  assert.deepEqual(Array.from(mapper.cuts[0]), [1.5, Number.MAX_VALUE]);
  const binned = applyBinMapper(mapper, {
    nRows: 4,
    nCols: 1,
    values: Float64Array.of(1, 2, NaN, 1e300),
  });
  assert.deepEqual(Array.from(binned.bins), [0, 1, 2, 1]);
  assert.equal(binned.nBins[0], 3);
  // without NaN, no extra cut
  assert.deepEqual(
    Array.from(fitBinMapper({ nRows: 2, nCols: 1, values: Float64Array.of(1, 2) }).cuts[0]),
    [1.5],
  );
  assert.throws(() => applyBinMapper(mapper, { nRows: 1, nCols: 2, values: new Float64Array(2) }));
});

Deno.test("missing-value bin: at most maxBins bins in all, NaN alone in the last", () => {
  const random = seededRandom(9);
  const n = 3000;
  const values = Float64Array.from({ length: n }, (_, i) => i % 10 === 0 ? NaN : random());
  const mapper = fitBinMapper({ nRows: n, nCols: 1, values }, 32);
  const binned = applyBinMapper(mapper, { nRows: n, nCols: 1, values });
  assert.ok(binned.nBins[0] <= 32, `${binned.nBins[0]} bins`);
  const last = binned.nBins[0] - 1;
  for (let r = 0; r < n; r++) assert.equal(binned.bins[r] === last, Number.isNaN(values[r]));
});
