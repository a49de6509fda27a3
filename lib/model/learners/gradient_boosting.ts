/**
 * `GradientBoostedTrees`: gradient boosting with squared error on the histogram tree core
 * (`binning.ts` → `histogram.ts` → `tree.ts`), the default learner (the original used XGBoost).
 *
 * Each round fits one depth-wise tree to the residual gradients of a row subsample
 * (`subsample`, without replacement) restricted to a per-tree column subsample
 * (`colsampleByTree`); leaf values are shrunk by `learningRate`. With `earlyStoppingRounds > 0`
 * a seeded `validationFraction` of the *training* rows passed to `fit` is held out (whole text
 * groups when `fit` is given `groups`, so a duplicated text is never on both sides), boosting
 * stops when its RMSE has not improved for that many rounds, and the model keeps the trees up to
 * the best round. Nothing outside `fit`'s data is ever looked at, so callers never early-stop on
 * the fold being scored.
 *
 * Single-threaded by design: at ≈1,300 × 550 a round costs about a millisecond, less than a
 * round trip to a Web Worker (see `lib/bench/model_bench.ts`); parallelism pays one level up
 * (CV folds) instead.
 *
 * @module
 */
import { TreeParamsSchema } from "../params.ts";
import { applyBinMapper, fitBinMapper } from "./binning.ts";
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
import { groupedHoldout, rowGroupsOrSingletons } from "./inner_folds.ts";
import { sampleIndices, seededRandom } from "./random.ts";
import {
  addTreePredictions,
  addTreePredictionsBinned,
  type FlatTree,
  type FlatTreeJSON,
  growTree,
  treeFromJSON,
  TreeGrowingContext,
  treeToJSON,
} from "./tree.ts";

/** Fitted state of a boosted model, as saved in JSON. */
interface GbmState {
  nFeatures: number;
  baseScore: number;
  bestIteration: number;
  validationRmse: number[];
  trees: FlatTreeJSON[];
}

/** Gradient-boosted regression trees (squared error). */
export class GradientBoostedTrees implements Regressor, TreeEnsemble {
  /** Learner name. */
  readonly name = "gbm";
  /** Resolved hyper-parameters. */
  readonly params: TreeParams;
  /** Seed of row/column subsampling and of the early-stopping split. */
  readonly seed: number;
  /** Fitted trees (leaf values include the learning rate). */
  trees: FlatTree[] = [];
  /** Mean of the training targets: the prediction before any tree. */
  baseScore = 0;
  /** Aggregation for TreeSHAP: boosting sums its trees. */
  readonly aggregation = "sum" as const;
  /** Number of features seen in fit (−1 before fit). */
  nFeatures = -1;
  /** Rounds kept (1-based count of trees). */
  bestIteration = 0;
  /** RMSE on the inner early-stopping split after each round (empty without early stopping). */
  validationRmse: number[] = [];

  /**
   * @example
   * ```ts
   * const gbm = new GradientBoostedTrees({ nEstimators: 300, maxDepth: 6 }, 42);
   * gbm.fit(X, y).predict(Xtest);
   * ```
   */
  constructor(params: Partial<TreeParams> = {}, seed = 42) {
    this.params = TreeParamsSchema.parse(params);
    this.seed = seed;
  }

  /**
   * Fit on X, y. `options.groups`: the early-stopping holdout keeps each group whole;
   * `options.sampleWeights` scale each row's gradient and hessian.
   */
  fit(X: DenseMatrix, y: ArrayLike<number>, options: FitOptions = {}): this {
    const sampleWeights = options.sampleWeights;
    checkTrainingData(X, y, this.name);
    if (sampleWeights) checkSampleWeights(sampleWeights, X.nRows, this.name);
    const w = sampleWeights ?? new Float64Array(X.nRows).fill(1);
    const p = this.params;
    const n = X.nRows;
    const binned = applyBinMapper(fitBinMapper(X, p.maxBins), X);
    const ctx = new TreeGrowingContext(binned, histogramLayout(binned));

    // inner early-stopping split of the training rows only
    let trainRows: Uint32Array;
    let validRows: Uint32Array = new Uint32Array(0);
    const nValid = p.earlyStoppingRounds > 0 ? Math.floor(n * p.validationFraction) : 0;
    const holdout = nValid >= 1 && n - nValid >= 2
      ? groupedHoldout(
        rowGroupsOrSingletons(options.groups, n),
        nValid,
        seededRandom(this.seed, "es"),
      )
      : null;
    if (holdout && holdout.validRows.length >= 1 && holdout.trainRows.length >= 2) {
      validRows = holdout.validRows;
      trainRows = holdout.trainRows;
    } else {
      trainRows = Uint32Array.from({ length: n }, (_, i) => i);
    }
    let base = 0;
    let wSum = 0;
    for (const r of trainRows) {
      base += w[r] * y[r];
      wSum += w[r];
    }
    base /= wSum;

    const pred = new Float64Array(n).fill(base);
    const grad = new Float64Array(n);
    const hess = Float64Array.from(w);
    const random = seededRandom(this.seed, "gbm");
    const nSub = Math.max(2, Math.round(trainRows.length * p.subsample));
    const nColsTree = Math.max(1, Math.round(X.nCols * p.colsampleByTree));
    const trees: FlatTree[] = [];
    const validationRmse: number[] = [];
    let best = Infinity;
    let bestIteration = 0;
    const rows = new Uint32Array(Math.min(nSub, trainRows.length));
    for (let round = 0; round < p.nEstimators; round++) {
      // row subsample (positions into trainRows) and column subsample for this tree
      const pick = p.subsample < 1 ? sampleIndices(trainRows.length, nSub, random) : null;
      for (let i = 0; i < rows.length; i++) rows[i] = trainRows[pick ? pick[i] : i];
      const features = p.colsampleByTree < 1
        ? Int32Array.from(sampleIndices(X.nCols, nColsTree, random))
        : Int32Array.from({ length: X.nCols }, (_, i) => i);
      for (let i = 0; i < rows.length; i++) {
        grad[rows[i]] = w[rows[i]] * (pred[rows[i]] - y[rows[i]]);
      }
      const tree = growTree(ctx, rows, grad, hess, {
        maxDepth: p.maxDepth,
        minChildWeight: p.minChildWeight,
        lambdaL2: p.lambdaL2,
        leafScale: p.learningRate,
        features,
      });
      trees.push(tree);
      addTreePredictionsBinned(tree, binned, pred);
      if (validRows.length > 0) {
        let se = 0;
        for (const r of validRows) se += (pred[r] - y[r]) ** 2;
        const rmse = Math.sqrt(se / validRows.length);
        validationRmse.push(rmse);
        if (rmse < best - 1e-12) {
          best = rmse;
          bestIteration = round + 1;
        } else if (round + 1 - bestIteration >= p.earlyStoppingRounds) break;
      } else bestIteration = round + 1;
    }
    this.trees = trees.slice(0, bestIteration);
    this.baseScore = base;
    this.nFeatures = X.nCols;
    this.bestIteration = bestIteration;
    this.validationRmse = validationRmse;
    return this;
  }

  /** Predict one value per row. */
  predict(X: DenseMatrix): Float64Array {
    checkPredictData(X, this.nFeatures, this.name);
    const out = new Float64Array(X.nRows).fill(this.baseScore);
    for (const t of this.trees) addTreePredictions(t, X, out);
    return out;
  }

  /** Serialise hyper-parameters, seed and trees. */
  toJSON(): RegressorJSON {
    const state: GbmState = {
      nFeatures: this.nFeatures,
      baseScore: this.baseScore,
      bestIteration: this.bestIteration,
      validationRmse: this.validationRmse,
      trees: this.trees.map(treeToJSON),
    };
    return { kind: this.name, formatVersion: 1, params: this.params, seed: this.seed, state };
  }

  /**
   * Rebuild a fitted model from `toJSON()` output.
   *
   * @example
   * ```ts
   * const again = GradientBoostedTrees.fromJSON(JSON.parse(JSON.stringify(gbm)));
   * ```
   */
  static fromJSON(json: RegressorJSON): GradientBoostedTrees {
    if (json.kind !== "gbm") throw new Error(`expected a 'gbm' model, got '${json.kind}'`);
    const m = new GradientBoostedTrees(json.params as Partial<TreeParams>, json.seed);
    const s = json.state as GbmState;
    m.nFeatures = s.nFeatures;
    m.baseScore = s.baseScore;
    m.bestIteration = s.bestIteration;
    m.validationRmse = s.validationRmse;
    m.trees = s.trees.map(treeFromJSON);
    return m;
  }
}
