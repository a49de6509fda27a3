/**
 * The manifest's seeded random test split (`files.split` = `{ "kind": "random", "testFraction",
 * "seed" }`): for a one-file corpus without an official split and with too few prompts for a
 * prompt hold-out (a single ASAP prompt, say). The test part is stratified by score level and
 * grouped by the normalised-text hash (`text_hash.ts`), so duplicate texts stay on one side; it
 * reuses the splits layer's stratified, group-keeping, seeded two-way splitter
 * (`splits/train_val_split.ts`, built on `splits/seeded_order.ts`), so the same file and seed give
 * the same split, byte for byte.
 *
 * @module
 */
import { DatasetError } from "./csv_table.ts";
import type { Essay } from "./essay.ts";
import { stratumOf } from "./score_scale.ts";
import { type DatasetScale, gridBin, isPerPromptScale } from "./per_prompt_scale.ts";
import { normalisedTextHash } from "./text_hash.ts";
import { stratifiedGroupTrainValSplit } from "../splits/train_val_split.ts";

/**
 * A seeded random test split of one file: `round(testFraction · n)` essays go to test (as near
 * as whole text groups allow), each score level in proportion (largest remainder; on per-prompt
 * scales each bin of the common-grid label, `per_prompt_scale.ts`), essays with
 * the same normalised text on the same side. Throws a `DatasetError` naming `files.split` when
 * the file is too small for the fraction.
 *
 * @example
 * ```ts
 * randomTestSplit(essays, 0.2, 7, "essays.tsv", scale).filter((e) => e.split === "test");
 * ```
 */
export function randomTestSplit(
  essays: readonly Essay[],
  testFraction: number,
  seed: number,
  file: string,
  scale: DatasetScale,
): Essay[] {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new DatasetError(file, `files.split.testFraction ${testFraction}: expected 0 < f < 1`);
  }
  let test: Set<number>;
  try {
    const split = stratifiedGroupTrainValSplit({
      labels: essays.map((e) =>
        isPerPromptScale(scale) ? gridBin(scale, e.overall) : stratumOf(scale, e.overall)
      ),
      groups: essays.map((e) => normalisedTextHash(e.text)),
      valFraction: testFraction,
      seed,
    });
    test = new Set(split.valIndices);
  } catch (error) {
    throw new DatasetError(
      file,
      `files.split random (testFraction ${testFraction}, seed ${seed}) cannot split ` +
        `${essays.length} essays: ${(error as Error).message.replace(/validation/g, "test")}`,
    );
  }
  return essays.map((e, i) => ({ ...e, split: test.has(i) ? "test" : "train" }));
}
