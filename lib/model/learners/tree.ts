/**
 * One regression tree grown depth-wise on histograms of binned features, stored as flat typed
 * arrays.
 *
 * Split gain is XGBoost's second-order gain with L2 regularisation λ on leaf weights:
 * `½ [G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)]`; both children need hessian sum ≥
 * `minChildWeight`; a split is made only when its gain is positive. Leaf value is
 * `−G/(H+λ) · leafScale` (the learning rate for boosting; 1 for a forest, where gradients are
 * −y·w and hessians w, so the leaf is the weighted mean).
 *
 * Node `i`: `feature[i]` (−1 for a leaf), `threshold[i]` in raw feature units (x ≤ threshold →
 * `left[i]`, else `right[i]`; NaN goes right), `thresholdBin[i]` the same test on bins,
 * `value[i]` (leaf output), `cover[i]` (hessian sum of the training rows that reached the node,
 * which TreeSHAP uses as the path-dependent weights).
 *
 * @module
 */
import type { BinnedMatrix } from "./binning.ts";
import { buildHistogram, type HistogramLayout, subtractHistogramInPlace } from "./histogram.ts";
import type { DenseMatrix } from "./matrix.ts";

/** A fitted tree in flat arrays (node 0 is the root). */
export interface FlatTree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly thresholdBin: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly cover: Float64Array;
}

/** JSON form of a {@link FlatTree}. */
export interface FlatTreeJSON {
  feature: number[];
  threshold: number[];
  thresholdBin: number[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
}

/** Settings for growing one tree. */
export interface GrowTreeOptions {
  readonly maxDepth: number;
  readonly minChildWeight: number;
  readonly lambdaL2: number;
  /** Multiplies leaf values (learning rate for boosting). */
  readonly leafScale: number;
  /** Features this tree may use. */
  readonly features: Int32Array;
  /** If set, each node searches only this many features drawn from `features` (forest mode). */
  readonly featuresPerNode?: number;
  /** Uniform [0, 1) random source, needed when `featuresPerNode` is set. */
  readonly random?: () => number;
}

/** Reusable buffers shared by all trees grown on one binned matrix. */
export class TreeGrowingContext {
  readonly binned: BinnedMatrix;
  readonly layout: HistogramLayout;
  private readonly pool: Float64Array[] = [];

  /** Create a context over one binned matrix. */
  constructor(binned: BinnedMatrix, layout: HistogramLayout) {
    this.binned = binned;
    this.layout = layout;
  }

  /** Take a histogram buffer from the pool. */
  acquire(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.layout.length);
  }

  /** Give a histogram buffer back to the pool. */
  release(h: Float64Array): void {
    this.pool.push(h);
  }
}

interface PendingNode {
  id: number;
  start: number;
  end: number;
  G: number;
  H: number;
  hist: Float64Array | null;
  features: Int32Array;
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  GL: number;
  HL: number;
}

/** Nodes with fewer rows than this find splits by sorting their rows, not by histograms. */
const SMALL_NODE_ROWS = 64;

function findBestSplitHistogram(
  hist: Float64Array,
  layout: HistogramLayout,
  nBins: Int32Array,
  features: Int32Array,
  G: number,
  H: number,
  lambda: number,
  minChildWeight: number,
): Split | null {
  const parentScore = (G * G) / (H + lambda);
  let bestScore = parentScore + 2e-12;
  let best: Split | null = null;
  for (let k = 0; k < features.length; k++) {
    const f = features[k];
    const off = layout.offsets[f];
    const last = nBins[f] - 1;
    let GL = 0;
    let HL = 0;
    for (let b = 0; b < last; b++) {
      const hb = hist[off + 2 * b + 1];
      if (hb === 0) continue;
      GL += hist[off + 2 * b];
      HL += hb;
      if (HL < minChildWeight) continue;
      const HR = H - HL;
      if (HR < minChildWeight) break;
      const GR = G - GL;
      const score = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda);
      if (score > bestScore) {
        bestScore = score;
        best = { gain: 0.5 * (score - parentScore), feature: f, bin: b, GL, HL };
      }
    }
  }
  return best;
}

/** Same search as the histogram one (same bins, same tie-breaking) by sorting a small node's rows. */
function findBestSplitSorted(
  binned: BinnedMatrix,
  rows: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  features: Int32Array,
  G: number,
  H: number,
  lambda: number,
  minChildWeight: number,
  keys: Uint32Array,
): Split | null {
  const { bins, nRows } = binned;
  const m = end - start;
  const parentScore = (G * G) / (H + lambda);
  let bestScore = parentScore + 2e-12;
  let best: Split | null = null;
  const ks = keys.subarray(0, m);
  for (let k = 0; k < features.length; k++) {
    const f = features[k];
    const base = f * nRows;
    for (let i = 0; i < m; i++) ks[i] = (bins[base + rows[start + i]] << 16) | i;
    ks.sort();
    let GL = 0;
    let HL = 0;
    for (let i = 0; i < m - 1; i++) {
      const key = ks[i];
      const r = rows[start + (key & 0xffff)];
      GL += grad[r];
      HL += hess[r];
      const b = key >>> 16;
      if (ks[i + 1] >>> 16 === b) continue;
      if (HL < minChildWeight) continue;
      const HR = H - HL;
      if (HR < minChildWeight) break;
      const GR = G - GL;
      const score = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda);
      if (score > bestScore) {
        bestScore = score;
        best = { gain: 0.5 * (score - parentScore), feature: f, bin: b, GL, HL };
      }
    }
  }
  return best;
}

function sampleFeatures(all: Int32Array, k: number, random: () => number): Int32Array {
  if (k >= all.length) return all;
  const a = Int32Array.from(all);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a.slice(0, k).sort();
}

/**
 * Grow one tree on the rows `rows` (reordered in place) with per-row gradients and hessians.
 *
 * Large nodes search splits on histograms (the smaller child built from rows, the larger by
 * subtraction when that is cheaper than building it); nodes with few rows sort their rows per
 * feature instead, which finds the same split without touching all 256 bins.
 *
 * @example
 * ```ts
 * const tree = growTree(ctx, rows, grad, hess, { maxDepth: 6, minChildWeight: 1, lambdaL2: 1,
 *   leafScale: 0.1, features });
 * ```
 */
export function growTree(
  ctx: TreeGrowingContext,
  rows: Uint32Array,
  grad: Float64Array,
  hess: Float64Array,
  options: GrowTreeOptions,
): FlatTree {
  const { binned, layout } = ctx;
  const { bins, nRows: nAll, nBins } = binned;
  const cuts = binned.mapper.cuts;
  const { maxDepth, minChildWeight, lambdaL2: lambda, leafScale } = options;
  const perNode = options.featuresPerNode !== undefined &&
    options.featuresPerNode < options.features.length;
  if (perNode && !options.random) throw new Error("growTree: featuresPerNode needs random");
  const nodeFeatures = () =>
    perNode
      ? sampleFeatures(options.features, options.featuresPerNode as number, options.random!)
      : options.features;
  const keys = new Uint32Array(SMALL_NODE_ROWS);
  // average histogram slots per feature: cost model for subtraction vs. direct build
  const slotsPerFeature = layout.length / Math.max(1, binned.nFeatures);

  const feature: number[] = [];
  const threshold: number[] = [];
  const thresholdBin: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const cover: number[] = [];
  const newNode = (G: number, H: number) => {
    feature.push(-1);
    threshold.push(0);
    thresholdBin.push(0);
    left.push(-1);
    right.push(-1);
    value.push(H + lambda > 0 ? (-G / (H + lambda)) * leafScale : 0);
    cover.push(H);
    return feature.length - 1;
  };
  const isSmall = (n: PendingNode) => n.end - n.start < SMALL_NODE_ROWS;
  const canSplitAt = (n: PendingNode, depth: number) =>
    depth < maxDepth && n.H >= 2 * minChildWeight && n.end - n.start >= 2;
  const build = (n: PendingNode, features: Int32Array) => {
    const h = ctx.acquire();
    buildHistogram(binned, layout, grad, hess, rows, n.start, n.end, features, h);
    return h;
  };

  let G0 = 0;
  let H0 = 0;
  for (let i = 0; i < rows.length; i++) {
    G0 += grad[rows[i]];
    H0 += hess[rows[i]];
  }
  let level: PendingNode[] = [{
    id: newNode(G0, H0),
    start: 0,
    end: rows.length,
    G: G0,
    H: H0,
    hist: null,
    features: nodeFeatures(),
  }];

  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: PendingNode[] = [];
    for (const node of level) {
      if (!canSplitAt(node, depth)) {
        if (node.hist) ctx.release(node.hist);
        continue;
      }
      let split: Split | null;
      if (isSmall(node)) {
        split = findBestSplitSorted(
          binned,
          rows,
          node.start,
          node.end,
          grad,
          hess,
          node.features,
          node.G,
          node.H,
          lambda,
          minChildWeight,
          keys,
        );
      } else {
        if (!node.hist) node.hist = build(node, node.features);
        split = findBestSplitHistogram(
          node.hist,
          layout,
          nBins,
          node.features,
          node.G,
          node.H,
          lambda,
          minChildWeight,
        );
      }
      if (!split) {
        if (node.hist) ctx.release(node.hist);
        continue;
      }
      // partition rows[start..end) so bins ≤ split.bin come first
      const base = split.feature * nAll;
      let i = node.start;
      let j = node.end - 1;
      while (i <= j) {
        if (bins[base + rows[i]] <= split.bin) i++;
        else {
          const t = rows[i];
          rows[i] = rows[j];
          rows[j] = t;
          j--;
        }
      }
      const mid = i;
      const GR = node.G - split.GL;
      const HR = node.H - split.HL;
      const l = newNode(split.GL, split.HL);
      const r = newNode(GR, HR);
      feature[node.id] = split.feature;
      thresholdBin[node.id] = split.bin;
      threshold[node.id] = cuts[split.feature][split.bin];
      left[node.id] = l;
      right[node.id] = r;
      const children: PendingNode[] = [
        {
          id: l,
          start: node.start,
          end: mid,
          G: split.GL,
          H: split.HL,
          hist: null,
          features: nodeFeatures(),
        },
        { id: r, start: mid, end: node.end, G: GR, H: HR, hist: null, features: nodeFeatures() },
      ];
      const childDepth = depth + 1;
      if (!perNode && node.hist) {
        // histograms for children that will search on histograms: the smaller child from its
        // rows, the larger by subtraction when that is cheaper than building it directly
        const leftSmaller = mid - node.start <= node.end - mid;
        const small = leftSmaller ? children[0] : children[1];
        const large = leftSmaller ? children[1] : children[0];
        const needSmall = canSplitAt(small, childDepth) && !isSmall(small);
        const needLarge = canSplitAt(large, childDepth) && !isSmall(large);
        if (needLarge) {
          const nFeat = node.features.length;
          const subtractCost = (small.end - small.start) * nFeat + slotsPerFeature * nFeat;
          const directCost = (large.end - large.start) * nFeat;
          if (subtractCost < directCost || needSmall) {
            const sh = build(small, node.features);
            subtractHistogramInPlace(layout, nBins, node.hist, sh, node.features);
            large.hist = node.hist;
            if (needSmall) small.hist = sh;
            else ctx.release(sh);
          } else {
            ctx.release(node.hist);
          }
        } else {
          ctx.release(node.hist);
        }
      } else if (node.hist) ctx.release(node.hist);
      node.hist = null;
      next.push(children[0], children[1]);
    }
    level = next;
  }
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    thresholdBin: Int32Array.from(thresholdBin),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    cover: Float64Array.from(cover),
  };
}

/**
 * Output of a tree for row r of a raw row-major matrix.
 *
 * @example
 * ```ts
 * const y0 = predictTreeRow(tree, X.values, X.nCols, 0);
 * ```
 */
export function predictTreeRow(
  tree: FlatTree,
  values: Float64Array,
  nCols: number,
  r: number,
): number {
  const { feature, threshold, left, right, value } = tree;
  let node = 0;
  const base = r * nCols;
  while (feature[node] >= 0) {
    node = values[base + feature[node]] <= threshold[node] ? left[node] : right[node];
  }
  return value[node];
}

/**
 * Add `tree`'s output for every row of X into `out`.
 *
 * @example
 * ```ts
 * addTreePredictions(tree, X, predictions);
 * ```
 */
export function addTreePredictions(tree: FlatTree, X: DenseMatrix, out: Float64Array): void {
  for (let r = 0; r < X.nRows; r++) out[r] += predictTreeRow(tree, X.values, X.nCols, r);
}

/**
 * Add `tree`'s output for every row of a binned matrix into `out` (training-time predictions).
 *
 * @example
 * ```ts
 * addTreePredictionsBinned(tree, binned, trainPredictions);
 * ```
 */
export function addTreePredictionsBinned(
  tree: FlatTree,
  binned: BinnedMatrix,
  out: Float64Array,
): void {
  const { feature, thresholdBin, left, right, value } = tree;
  const { bins, nRows } = binned;
  for (let r = 0; r < nRows; r++) {
    let node = 0;
    while (feature[node] >= 0) {
      node = bins[feature[node] * nRows + r] <= thresholdBin[node] ? left[node] : right[node];
    }
    out[r] += value[node];
  }
}

/**
 * Maximum depth of a tree (a single leaf has depth 0).
 *
 * @example
 * ```ts
 * treeDepth(tree); // ≤ maxDepth
 * ```
 */
export function treeDepth(tree: FlatTree): number {
  const walk = (n: number): number =>
    tree.feature[n] < 0 ? 0 : 1 + Math.max(walk(tree.left[n]), walk(tree.right[n]));
  return walk(0);
}

/**
 * Plain-JSON form of a tree.
 *
 * @example
 * ```ts
 * const json = treeToJSON(tree);
 * ```
 */
export function treeToJSON(t: FlatTree): FlatTreeJSON {
  return {
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold),
    thresholdBin: Array.from(t.thresholdBin),
    left: Array.from(t.left),
    right: Array.from(t.right),
    value: Array.from(t.value),
    cover: Array.from(t.cover),
  };
}

/**
 * Rebuild a tree from its JSON form, checking that the arrays agree.
 *
 * @example
 * ```ts
 * const same = treeFromJSON(treeToJSON(tree));
 * ```
 */
export function treeFromJSON(j: FlatTreeJSON): FlatTree {
  const n = j.feature.length;
  for (const k of ["threshold", "thresholdBin", "left", "right", "value", "cover"] as const) {
    if (!Array.isArray(j[k]) || j[k].length !== n) {
      throw new Error(`tree JSON: '${k}' must be an array of ${n} numbers`);
    }
  }
  for (let i = 0; i < n; i++) {
    if (j.feature[i] >= 0 && !(j.left[i] > i && j.right[i] > i && j.right[i] < n)) {
      throw new Error(`tree JSON: node ${i} has invalid children`);
    }
  }
  return {
    feature: Int32Array.from(j.feature),
    threshold: Float64Array.from(j.threshold),
    thresholdBin: Int32Array.from(j.thresholdBin),
    left: Int32Array.from(j.left),
    right: Int32Array.from(j.right),
    value: Float64Array.from(j.value),
    cover: Float64Array.from(j.cover),
  };
}
