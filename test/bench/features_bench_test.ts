/**
 * `deno task bench features` refuses flag combinations it cannot honour before doing any work:
 * `--compare-ref` compares one CSV side by side, so several `--train-path` values are an error
 * (not a silent run on the last one).
 */
import assert from "node:assert/strict";
import { runFeaturesBench } from "../../lib/bench/features_bench.ts";

Deno.test("bench features --compare-ref with two CSVs is refused with what to do", async () => {
  await assert.rejects(
    runFeaturesBench([
      "--compare-ref",
      "main",
      "--train-path",
      "a.csv",
      "--train-path",
      "b.csv",
      "--out",
      "/nonexistent/never-written",
    ]),
    /--compare-ref runs one CSV side by side, got 2 --train-path values; concatenate them first/,
  );
});
