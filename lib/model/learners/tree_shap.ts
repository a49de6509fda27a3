/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized Feature
 * Attribution for Tree Ensembles", Algorithm 2) for the tree ensembles in `lib/model/`.
 *
 * For one row, SHAP values φ satisfy `expectedValue + Σ φ = prediction` (additivity), where
 * missing features are integrated out along the tree using the training cover of each node
 * (the "path-dependent" conditional expectation). Boosting sums its trees (leaf values already
 * carry the learning rate) and adds the base score; a forest averages its trees.
 * Cost is O(T · L · D²) per row (T trees, L leaves, D depth).
 *
 * @module
 */
import type { TreeEnsemble } from "./estimator.ts";
import type { DenseMatrix } from "./matrix.ts";
import type { FlatTree } from "./tree.ts";

/** SHAP values of many rows: `values[r * nFeatures + f]`. */
export interface ShapResult {
  readonly nRows: number;
  readonly nFeatures: number;
  readonly values: Float64Array;
  /** E[f(X)] under the trees' cover: the base value every explanation starts from. */
  readonly expectedValue: number;
}

/**
 * Cover-weighted mean output of a tree (its expected value under path-dependent weights).
 *
 * @example
 * ```ts
 * treeExpectedValue(tree);
 * ```
 */
export function treeExpectedValue(tree: FlatTree): number {
  const walk = (n: number): number => {
    if (tree.feature[n] < 0) return tree.value[n];
    const c = tree.cover[n];
    const l = tree.left[n];
    const r = tree.right[n];
    if (c <= 0) return 0.5 * (walk(l) + walk(r));
    return (tree.cover[l] * walk(l) + tree.cover[r] * walk(r)) / c;
  };
  return walk(0);
}

function maxDepthOf(tree: FlatTree): number {
  const walk = (n: number): number =>
    tree.feature[n] < 0 ? 0 : 1 + Math.max(walk(tree.left[n]), walk(tree.right[n]));
  return walk(0);
}

/** Path buffers for one recursion level. */
interface PathLevel {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

function makeWorkspace(depth: number): PathLevel[] {
  const D = depth + 2;
  return Array.from({ length: D + 1 }, () => ({
    feature: new Int32Array(D + 1),
    zero: new Float64Array(D + 1),
    one: new Float64Array(D + 1),
    weight: new Float64Array(D + 1),
  }));
}

/**
 * Add one tree's SHAP values for row `x` (raw features) into `phi`, each multiplied by `scale`.
 *
 * @example
 * ```ts
 * const phi = new Float64Array(nFeatures);
 * treeShapRow(tree, x, phi, 1);
 * ```
 */
export function treeShapRow(
  tree: FlatTree,
  x: ArrayLike<number>,
  phi: Float64Array,
  scale: number,
  workspace: PathLevel[] = makeWorkspace(maxDepthOf(tree)),
): void {
  const levels = workspace;
  const { feature, threshold, left, right, value, cover } = tree;

  const extend = (p: PathLevel, u: number, pz: number, po: number, pi: number) => {
    p.feature[u] = pi;
    p.zero[u] = pz;
    p.one[u] = po;
    p.weight[u] = u === 0 ? 1 : 0;
    for (let i = u - 1; i >= 0; i--) {
      p.weight[i + 1] += (po * p.weight[i] * (i + 1)) / (u + 1);
      p.weight[i] = (pz * p.weight[i] * (u - i)) / (u + 1);
    }
  };

  const unwind = (p: PathLevel, u: number, k: number) => {
    const one = p.one[k];
    const zero = p.zero[k];
    let next = p.weight[u];
    for (let i = u - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = p.weight[i];
        p.weight[i] = (next * (u + 1)) / ((i + 1) * one);
        next = tmp - (p.weight[i] * zero * (u - i)) / (u + 1);
      } else {
        p.weight[i] = (p.weight[i] * (u + 1)) / (zero * (u - i));
      }
    }
    for (let i = k; i < u; i++) {
      p.feature[i] = p.feature[i + 1];
      p.zero[i] = p.zero[i + 1];
      p.one[i] = p.one[i + 1];
    }
  };

  const unwoundSum = (p: PathLevel, u: number, k: number) => {
    const one = p.one[k];
    const zero = p.zero[k];
    let next = p.weight[u];
    let total = 0;
    for (let i = u - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = (next * (u + 1)) / ((i + 1) * one);
        total += tmp;
        next = p.weight[i] - (tmp * zero * (u - i)) / (u + 1);
      } else {
        total += (p.weight[i] / zero) / ((u - i) / (u + 1));
      }
    }
    return total;
  };

  const recurse = (
    node: number,
    level: number,
    parent: PathLevel | null,
    uIn: number,
    pz: number,
    po: number,
    pi: number,
  ) => {
    const p = levels[level];
    let u = uIn;
    if (parent) {
      for (let i = 0; i < u; i++) {
        p.feature[i] = parent.feature[i];
        p.zero[i] = parent.zero[i];
        p.one[i] = parent.one[i];
        p.weight[i] = parent.weight[i];
      }
    }
    extend(p, u, pz, po, pi);
    const f = feature[node];
    if (f < 0) {
      for (let i = 1; i <= u; i++) {
        const w = unwoundSum(p, u, i);
        phi[p.feature[i]] += w * (p.one[i] - p.zero[i]) * value[node] * scale;
      }
      return;
    }
    const goLeft = x[f] <= threshold[node];
    const hot = goLeft ? left[node] : right[node];
    const cold = goLeft ? right[node] : left[node];
    const w = cover[node];
    const hotZero = w > 0 ? cover[hot] / w : 0.5;
    const coldZero = w > 0 ? cover[cold] / w : 0.5;
    let incomingZero = 1;
    let incomingOne = 1;
    let k = 0;
    for (; k <= u; k++) if (p.feature[k] === f) break;
    if (k !== u + 1) {
      incomingZero = p.zero[k];
      incomingOne = p.one[k];
      unwind(p, u, k);
      u -= 1;
    }
    recurse(hot, level + 1, p, u + 1, hotZero * incomingZero, incomingOne, f);
    recurse(cold, level + 1, p, u + 1, coldZero * incomingZero, 0, f);
  };

  recurse(0, 0, null, 0, 1, 1, -1);
}

/**
 * Exact TreeSHAP values for every row of X.
 *
 * @example
 * ```ts
 * const shap = treeShap(gbm, Xtest);
 * // shap.expectedValue + Σ_f shap.values[r * p + f] ≈ gbm.predict(Xtest)[r]
 * ```
 */
export function treeShap(model: TreeEnsemble, X: DenseMatrix): ShapResult {
  if (X.nCols !== model.nFeatures) {
    throw new Error(`treeShap: X has ${X.nCols} columns, model has ${model.nFeatures}`);
  }
  const T = model.trees.length;
  if (T === 0) throw new Error("treeShap: model has no trees");
  const scale = model.aggregation === "mean" ? 1 / T : 1;
  let expectedValue = model.baseScore;
  for (const t of model.trees) expectedValue += treeExpectedValue(t) * scale;
  const p = X.nCols;
  const workspace = makeWorkspace(Math.max(...model.trees.map(maxDepthOf)));
  const values = new Float64Array(X.nRows * p);
  for (let r = 0; r < X.nRows; r++) {
    const x = X.values.subarray(r * p, (r + 1) * p);
    const phi = values.subarray(r * p, (r + 1) * p);
    for (const t of model.trees) treeShapRow(t, x, phi, scale, workspace);
  }
  return { nRows: X.nRows, nFeatures: p, values, expectedValue };
}

/**
 * Largest |expectedValue + Σ φ − prediction| over rows: the additivity check reported by `run`.
 *
 * @example
 * ```ts
 * shapAdditivityError(shap, model.predict(X)); // < 1e-6
 * ```
 */
export function shapAdditivityError(shap: ShapResult, predictions: ArrayLike<number>): number {
  if (predictions.length !== shap.nRows) {
    throw new Error(`shapAdditivityError: ${predictions.length} predictions, ${shap.nRows} rows`);
  }
  let worst = 0;
  for (let r = 0; r < shap.nRows; r++) {
    let s = shap.expectedValue;
    for (let f = 0; f < shap.nFeatures; f++) s += shap.values[r * shap.nFeatures + f];
    worst = Math.max(worst, Math.abs(s - predictions[r]));
  }
  return worst;
}
