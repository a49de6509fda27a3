/// <reference lib="deno.worker" />
/**
 * Web Worker entry for `RandomForest.fitAsync`: receives a `ForestTask`, grows its trees with
 * `growForestTrees`, posts them back as JSON.
 *
 * @module
 */
import { type ForestTask, growForestTrees } from "./random_forest.ts";
import { treeToJSON } from "./tree.ts";

self.onmessage = (e: MessageEvent<ForestTask>) => {
  try {
    const trees = growForestTrees(e.data).map(treeToJSON);
    self.postMessage({ trees });
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
};
