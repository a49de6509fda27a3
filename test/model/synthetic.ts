/**
 * Synthetic regression data for the learner tests: a known non-linear function of the first four
 * of `p` uniform features plus small noise; the rest are pure noise.
 *
 * @module
 */
import type { DenseMatrix } from "../../lib/model/learners/matrix.ts";
import { seededRandom } from "../../lib/model/learners/random.ts";

/** The known function the learners must recover. */
export function knownFunction(x: ArrayLike<number>): number {
  return 3 + x[0] + 0.5 * Math.sin(3 * x[1]) + 0.4 * x[2] * x[3];
}

/** n rows, p ≥ 4 features uniform in [−1, 1], y = knownFunction + noise·U(−½, ½). */
export function syntheticRegression(
  n: number,
  p: number,
  seed: number,
  noise = 0.1,
): { X: DenseMatrix; y: Float64Array } {
  const random = seededRandom(seed);
  const values = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < p; c++) values[r * p + c] = random() * 2 - 1;
    y[r] = knownFunction(values.subarray(r * p, (r + 1) * p)) + noise * (random() - 0.5);
  }
  return { X: { nRows: n, nCols: p, values }, y };
}

/** Mean squared error. */
export function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/** MSE of always predicting the mean of `train` on `test`. */
export function meanPredictorMse(train: ArrayLike<number>, test: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < train.length; i++) m += train[i];
  m /= train.length;
  let s = 0;
  for (let i = 0; i < test.length; i++) s += (test[i] - m) ** 2;
  return s / test.length;
}
