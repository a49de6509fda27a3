/**
 * Build a learner from `--model` and its parameters (`params.ts`), and rebuild any saved model from its
 * JSON — the one place that knows every learner.
 *
 * @module
 */
import type { LearnerParams, ModelKind } from "../params.ts";
import type { Regressor, RegressorJSON } from "./estimator.ts";
import { GradientBoostedTrees } from "./gradient_boosting.ts";
import { MlRandomForest } from "./ml_random_forest.ts";
import { RandomForest } from "./random_forest.ts";
import { Ridge } from "./ridge.ts";

/**
 * A fresh, unfitted learner of the given kind with its params and an explicit seed.
 *
 * @example
 * ```ts
 * const model = createRegressor("gbm", config, config.seed);
 * ```
 */
export function createRegressor(
  kind: ModelKind,
  config: LearnerParams,
  seed: number,
): Regressor {
  switch (kind) {
    case "gbm":
      return new GradientBoostedTrees(config.treeParams, seed);
    case "rf":
      return new RandomForest(config.treeParams, seed);
    case "ml-random-forest":
      return new MlRandomForest(config.treeParams, seed);
    case "ridge":
      return new Ridge(config.ridgeParams, seed);
    default: {
      const never: never = kind;
      throw new Error(`unknown model kind '${never}'`);
    }
  }
}

/**
 * Rebuild a fitted learner from `toJSON()` output (e.g. `artifacts/model.json`).
 *
 * @example
 * ```ts
 * const model = regressorFromJSON(JSON.parse(await Deno.readTextFile(path)));
 * ```
 */
export function regressorFromJSON(json: RegressorJSON): Regressor {
  if (typeof json !== "object" || json === null || json.formatVersion !== 1) {
    throw new Error("model JSON: expected an object with formatVersion 1");
  }
  switch (json.kind) {
    case "gbm":
      return GradientBoostedTrees.fromJSON(json);
    case "rf":
      return RandomForest.fromJSON(json);
    case "ml-random-forest":
      return MlRandomForest.fromJSON(json);
    case "ridge":
      return Ridge.fromJSON(json);
    default:
      throw new Error(`model JSON: unknown kind '${json.kind}'`);
  }
}
