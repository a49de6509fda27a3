/**
 * `RandomForest`: bagged regression trees on the same histogram core as boosting.
 *
 * Each tree sees a bootstrap sample of the rows (drawn with replacement; a row drawn k times gets
 * hessian weight k, so the leaf value — gradient −y·k, hessian k, λ = 0 — is the bootstrap mean)
 * and either a per-tree column subsample or, with `featureSampling: "node"`, a fresh subsample of
 * `colsampleByTree · p` features at every node (Breiman's mtry). Predictions average the trees.
 * Tree t draws its randomness from the stream (seed, t), so the forest is identical whether it is
 * grown in one thread or split over Web Workers (`fitAsync`, two workers by default: trees are
 * independent, so this is where the second core pays).
 *
 * Uses from `TreeParams`: `nEstimators`, `maxDepth`, `minChildWeight` (minimum bootstrap rows per
 * leaf), `colsampleByTree` (feature fraction), `maxBins`.
 *
 * @module
 */
import { TreeParamsSchema } from "../params.ts";
import { applyBinMapper, type BinnedMatrix, fitBinMapper } from "./binning.ts";
import {
  checkPredictData,
  checkSampleWeights,
  checkTrainingData,
  type FitOptions,
  type Regressor,
  type RegressorJSON,
  type TreeEnsemble,
  type TreeParams,
} from "./estimator.ts";
import { histogramLayout } from "./histogram.ts";
import type { DenseMatrix } from "./matrix.ts";
import { sampleIndices, seededRandom } from "./random.ts";
import {
  addTreePredictions,
  type FlatTree,
  type FlatTreeJSON,
  growTree,
  treeFromJSON,
  TreeGrowingContext,
  treeToJSON,
} from "./tree.ts";

/** Where a forest draws its feature subsamples. */
export type FeatureSampling = "tree" | "node";

/** Forest-specific options on top of `TreeParams`. */
export interface RandomForestOptions {
  /** Per-tree or per-node feature subsampling (default "node"). */
  readonly featureSampling?: FeatureSampling;
  /** Web Workers used by `fitAsync` (default 2; 1 = in this thread). */
  readonly workers?: number;
}

/** Inputs to grow trees `[from, to)` of a forest; also the message sent to a worker. */
export interface ForestTask {
  readonly binned: BinnedMatrix;
  readonly y: Float64Array;
  /** Bootstrap probabilities ∝ these weights (null = uniform). */
  readonly sampleWeights: Float64Array | null;
  readonly params: TreeParams;
  readonly featureSampling: FeatureSampling;
  readonly seed: number;
  readonly from: number;
  readonly to: number;
}

/**
 * Grow trees `[from, to)` of a forest; tree t depends only on (data, params, seed, t).
 *
 * @example
 * ```ts
 * const trees = growForestTrees({ binned, y, params, featureSampling: "node", seed: 1, from: 0, to: 10 });
 * ```
 */
export function growForestTrees(task: ForestTask): FlatTree[] {
  const { binned, y, params: p, featureSampling, seed } = task;
  const n = binned.nRows;
  const p0 = binned.nFeatures;
  const ctx = new TreeGrowingContext(binned, histogramLayout(binned));
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const counts = new Int32Array(n);
  const nFeat = Math.max(1, Math.round(p0 * p.colsampleByTree));
  const all = Int32Array.from({ length: p0 }, (_, i) => i);
  const trees: FlatTree[] = [];
  const draw = bootstrapDraw(n, task.sampleWeights);
  for (let t = task.from; t < task.to; t++) {
    const random = seededRandom(seed, `rf-tree-${t}`);
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[draw(random())]++;
    let m = 0;
    for (let i = 0; i < n; i++) if (counts[i] > 0) m++;
    const rows = new Uint32Array(m);
    m = 0;
    for (let i = 0; i < n; i++) {
      hess[i] = counts[i];
      grad[i] = -y[i] * counts[i];
      if (counts[i] > 0) rows[m++] = i;
    }
    const features = featureSampling === "tree"
      ? Int32Array.from(sampleIndices(p0, nFeat, random))
      : all;
    trees.push(growTree(ctx, rows, grad, hess, {
      maxDepth: p.maxDepth,
      minChildWeight: p.minChildWeight,
      lambdaL2: 0,
      leafScale: 1,
      features,
      featuresPerNode: featureSampling === "node" ? nFeat : undefined,
      random,
    }));
  }
  return trees;
}

/**
 * A bootstrap row draw from a uniform number u in [0, 1): uniform over rows without weights (or
 * when every weight is equal, the same draw), else row i with probability w_i / Σ w.
 */
function bootstrapDraw(n: number, weights: Float64Array | null): (u: number) => number {
  if (!weights || weights.every((v) => v === weights[0])) return (u) => Math.floor(u * n);
  const cumulative = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) cumulative[i] = s += weights[i];
  return (u) => {
    const target = u * s;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

interface ForestState {
  nFeatures: number;
  featureSampling: FeatureSampling;
  trees: FlatTreeJSON[];
}

/** Random forest regression on the histogram tree core. */
export class RandomForest implements Regressor, TreeEnsemble {
  /** Learner name. */
  readonly name = "rf";
  /** Resolved hyper-parameters (tree params + feature sampling). */
  readonly params: TreeParams & { featureSampling: FeatureSampling };
  /** Seed of bootstrap and feature sampling. */
  readonly seed: number;
  /** Workers used by `fitAsync`. */
  readonly workers: number;
  /** Fitted trees. */
  trees: FlatTree[] = [];
  /** A forest has no base score. */
  readonly baseScore = 0;
  /** Aggregation for TreeSHAP: a forest averages its trees. */
  readonly aggregation = "mean" as const;
  /** Number of features seen in fit (−1 before fit). */
  nFeatures = -1;

  /**
   * @example
   * ```ts
   * const rf = new RandomForest({ nEstimators: 200, maxDepth: 12, minChildWeight: 2 }, 42);
   * await rf.fitAsync(X, y);
   * ```
   */
  constructor(params: Partial<TreeParams> = {}, seed = 42, options: RandomForestOptions = {}) {
    this.params = {
      ...TreeParamsSchema.parse(params),
      featureSampling: options.featureSampling ?? "node",
    };
    this.seed = seed;
    this.workers = Math.max(1, Math.floor(options.workers ?? 2));
  }

  private task(
    X: DenseMatrix,
    y: ArrayLike<number>,
    from: number,
    to: number,
    sampleWeights?: ArrayLike<number>,
  ): ForestTask {
    const binned = applyBinMapper(fitBinMapper(X, this.params.maxBins), X);
    if (sampleWeights) checkSampleWeights(sampleWeights, X.nRows, this.name);
    return {
      binned,
      y: Float64Array.from(y),
      sampleWeights: sampleWeights ? Float64Array.from(sampleWeights) : null,
      params: this.params,
      featureSampling: this.params.featureSampling,
      seed: this.seed,
      from,
      to,
    };
  }

  /** Fit in this thread. */
  fit(X: DenseMatrix, y: ArrayLike<number>, options: FitOptions = {}): this {
    const sampleWeights = options.sampleWeights;
    checkTrainingData(X, y, this.name);
    this.trees = growForestTrees(this.task(X, y, 0, this.params.nEstimators, sampleWeights));
    this.nFeatures = X.nCols;
    return this;
  }

  /** Fit with trees split over `workers` Web Workers; identical result to `fit`. */
  async fitAsync(X: DenseMatrix, y: ArrayLike<number>, options: FitOptions = {}): Promise<this> {
    const sampleWeights = options.sampleWeights;
    checkTrainingData(X, y, this.name);
    const nTrees = this.params.nEstimators;
    const w = Math.min(this.workers, nTrees);
    if (w <= 1) return this.fit(X, y, options);
    const base = this.task(X, y, 0, nTrees, sampleWeights);
    const chunks: Promise<FlatTreeJSON[]>[] = [];
    for (let k = 0; k < w; k++) {
      const from = Math.floor((k * nTrees) / w);
      const to = Math.floor(((k + 1) * nTrees) / w);
      chunks.push(runForestWorker({ ...base, from, to }));
    }
    const parts = await Promise.all(chunks);
    this.trees = parts.flat().map(treeFromJSON);
    this.nFeatures = X.nCols;
    return this;
  }

  /** Average of the trees' predictions. */
  predict(X: DenseMatrix): Float64Array {
    checkPredictData(X, this.nFeatures, this.name);
    const out = new Float64Array(X.nRows);
    for (const t of this.trees) addTreePredictions(t, X, out);
    const k = this.trees.length;
    for (let i = 0; i < out.length; i++) out[i] /= k;
    return out;
  }

  /** Serialise hyper-parameters, seed and trees. */
  toJSON(): RegressorJSON {
    const state: ForestState = {
      nFeatures: this.nFeatures,
      featureSampling: this.params.featureSampling,
      trees: this.trees.map(treeToJSON),
    };
    const { featureSampling: _fs, ...treeParams } = this.params;
    return { kind: this.name, formatVersion: 1, params: treeParams, seed: this.seed, state };
  }

  /**
   * Rebuild a fitted forest from `toJSON()` output.
   *
   * @example
   * ```ts
   * const again = RandomForest.fromJSON(rf.toJSON());
   * ```
   */
  static fromJSON(json: RegressorJSON): RandomForest {
    if (json.kind !== "rf") throw new Error(`expected an 'rf' model, got '${json.kind}'`);
    const s = json.state as ForestState;
    const m = new RandomForest(json.params as Partial<TreeParams>, json.seed, {
      featureSampling: s.featureSampling,
    });
    m.nFeatures = s.nFeatures;
    m.trees = s.trees.map(treeFromJSON);
    return m;
  }
}

function runForestWorker(task: ForestTask): Promise<FlatTreeJSON[]> {
  const worker = new Worker(new URL("./random_forest_worker.ts", import.meta.url).href, {
    type: "module",
  });
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ trees?: FlatTreeJSON[]; error?: string }>) => {
      worker.terminate();
      if (e.data.error) reject(new Error(`random forest worker: ${e.data.error}`));
      else resolve(e.data.trees ?? []);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      reject(new Error(`random forest worker failed: ${e.message}`));
    };
    worker.postMessage(task);
  });
}
