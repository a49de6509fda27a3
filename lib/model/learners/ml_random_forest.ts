/**
 * Adapter of npm `ml-random-forest` (`RandomForestRegression`, the design card's reference
 * learner) behind the common `Regressor` contract.
 *
 * Mapping from `TreeParams`: `nEstimators`; `maxDepth` → CART `maxDepth`; `minChildWeight` →
 * CART `minNumSamples`; `colsampleByTree` → `maxFeatures` (features per tree, drawn without
 * replacement); rows are bootstrapped (`useSampleBagging`). Out-of-bag bookkeeping is off
 * (`noOOB: true`): with it on the library is much slower still. Slow (≈ 75 s for 10 trees on
 * 1,300 × 600): keep it for small runs and comparisons.
 *
 * @module
 */
import { RandomForestRegression } from "ml-random-forest";
import { TreeParamsSchema } from "../params.ts";
import {
  checkPredictData,
  checkTrainingData,
  type FitOptions,
  type Regressor,
  type RegressorJSON,
  type TreeParams,
} from "./estimator.ts";
import type { DenseMatrix } from "./matrix.ts";

function toRows(X: DenseMatrix): number[][] {
  const rows: number[][] = new Array(X.nRows);
  for (let r = 0; r < X.nRows; r++) {
    rows[r] = Array.from(X.values.subarray(r * X.nCols, (r + 1) * X.nCols));
  }
  return rows;
}

interface MlForestState {
  nFeatures: number;
  model: unknown;
}

/** `ml-random-forest` regression behind the `Regressor` contract. */
export class MlRandomForest implements Regressor {
  /** Learner name. */
  readonly name = "ml-random-forest";
  /** Resolved hyper-parameters. */
  readonly params: TreeParams;
  /** Seed passed to the library (32-bit integer). */
  readonly seed: number;
  /** Number of features seen in fit (−1 before fit). */
  nFeatures = -1;
  private model: RandomForestRegression | null = null;

  /**
   * @example
   * ```ts
   * const rf = new MlRandomForest({ nEstimators: 10, maxDepth: 8 }, 42).fit(X, y);
   * ```
   */
  constructor(params: Partial<TreeParams> = {}, seed = 42) {
    this.params = TreeParamsSchema.parse(params);
    this.seed = seed | 0;
  }

  /** Fit on X, y. */
  fit(X: DenseMatrix, y: ArrayLike<number>, options: FitOptions = {}): this {
    const sampleWeights = options.sampleWeights;
    if (sampleWeights) {
      throw new Error(
        "ml-random-forest: sample weights are not supported (use --model rf, gbm or ridge)",
      );
    }
    checkTrainingData(X, y, this.name);
    const p = this.params;
    const model = new RandomForestRegression({
      nEstimators: p.nEstimators,
      maxFeatures: p.colsampleByTree,
      replacement: false,
      useSampleBagging: true,
      seed: this.seed,
      noOOB: true,
      treeOptions: { maxDepth: p.maxDepth, minNumSamples: Math.max(1, p.minChildWeight) },
    });
    model.train(toRows(X), Array.from(y));
    this.model = model;
    this.nFeatures = X.nCols;
    return this;
  }

  /** Predict one value per row. */
  predict(X: DenseMatrix): Float64Array {
    checkPredictData(X, this.nFeatures, this.name);
    if (!this.model) throw new Error("ml-random-forest: predict called before fit");
    return Float64Array.from(this.model.predict(toRows(X)));
  }

  /** Serialise hyper-parameters and the library's own model JSON. */
  toJSON(): RegressorJSON {
    if (!this.model) throw new Error("ml-random-forest: toJSON called before fit");
    const state: MlForestState = {
      nFeatures: this.nFeatures,
      model: JSON.parse(JSON.stringify(this.model.toJSON())),
    };
    return { kind: this.name, formatVersion: 1, params: this.params, seed: this.seed, state };
  }

  /**
   * Rebuild a fitted model from `toJSON()` output.
   *
   * @example
   * ```ts
   * const again = MlRandomForest.fromJSON(rf.toJSON());
   * ```
   */
  static fromJSON(json: RegressorJSON): MlRandomForest {
    if (json.kind !== "ml-random-forest") {
      throw new Error(`expected an 'ml-random-forest' model, got '${json.kind}'`);
    }
    const s = json.state as MlForestState;
    const m = new MlRandomForest(json.params as Partial<TreeParams>, json.seed);
    m.model = RandomForestRegression.load(
      s.model as Parameters<typeof RandomForestRegression.load>[0],
    );
    m.nFeatures = s.nFeatures;
    return m;
  }
}
