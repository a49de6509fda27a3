import assert from "node:assert/strict";
import { buildSplitsFile } from "../../lib/splits/build_splits.ts";
import type { SplitsFile } from "../../lib/splits/splits_file.ts";
import {
  duplicateTextGroups,
  schemeBalance,
  splitsReportMarkdown,
} from "../../lib/splits/splits_report.ts";
import { syntheticEssays } from "./synthetic_essays.ts";

function build(kind: "ellipse" | "ielts" = "ellipse"): SplitsFile {
  return buildSplitsFile({
    essays: syntheticEssays(21, { n: 400, nPrompts: 10, duplicateShare: 0.1 }),
    seed: 42,
    nSplits: 5,
    createdFrom: {
      dataset_kind: kind,
      train_file: "train.csv",
      train_sha256: "a".repeat(64),
      test_file: "test.csv",
      test_sha256: "b".repeat(64),
    },
    filters: { min_words: 200, max_words: 1000, excluded_prompts: ["Letter to employer"] },
  });
}

Deno.test("splits report: sizes, distributions, deviation, duplicates and OK check lines", () => {
  const splits = build();
  const md = splitsReportMarkdown(splits, { splitsPath: "artifacts/splits.json" });
  assert.match(md, /^# Splits report/);
  assert.match(md, /essays split \(filtered official train\): 400; folds: 5; seed: 42/);
  assert.match(md, /## Scheme `stratified_text`/);
  assert.match(md, /## Scheme `prompt_holdout`/);
  assert.match(md, /## `run` split/);
  assert.equal(md.match(/- no text group straddles folds: OK/g)?.length, 2);
  assert.match(md, /- no prompt straddles folds: OK/);
  assert.equal(md.match(/- every essay validated exactly once: OK/g)?.length, 2);
  assert.match(md, /- no text group on both sides of the run split: OK/);
  assert.match(
    md,
    /Largest absolute deviation of a fold's class share from the overall share: [\d.]+ percentage points \(fold \d, Overall \d\.\d\)/,
  );
  const dups = duplicateTextGroups(splits);
  assert.ok(dups.length > 0);
  assert.match(md, new RegExp(`${dups.length} text groups? with more than one essay`));
  assert.ok(md.includes(dups[0].essays[0].id));
  assert.doesNotMatch(md, /IELTS/);
  // Fold rows: sizes add up to the data set.
  const balance = schemeBalance(splits, "stratified_text");
  assert.equal(balance.parts.reduce((s, p) => s + p.nVal, 0), 400);
  assert.ok(balance.maxAbsDeviation.value < 0.05, `deviation ${balance.maxAbsDeviation.value}`);
});

Deno.test("splits report: check lines are computed from the folds, not asserted", () => {
  const splits = build();
  // Bypass validation: move one essay's id into a second fold, and plant a straddling hash.
  const broken: SplitsFile = JSON.parse(JSON.stringify(splits));
  const folds = broken.schemes.stratified_text.folds;
  folds[1].val_ids.push(folds[0].val_ids[0]);
  const md = splitsReportMarkdown(broken);
  assert.match(md, /- no text group straddles folds: FAILED \(1 text groups\)/);
  assert.match(md, /- every essay validated exactly once: FAILED \(1 essays\)/);
  const b = schemeBalance(broken, "stratified_text");
  assert.equal(b.straddlingTextGroups, 1);
});

Deno.test("splits report: IELTS banner and train/test shared texts", () => {
  const splits = build("ielts");
  const testHashes = new Set([splits.essays[0].text_sha256]);
  const md = splitsReportMarkdown(splits, { testTextHashes: testHashes });
  assert.match(md, /IELTS smoke test — not a result/);
  assert.match(
    md,
    /Train essays whose normalised text also occurs in the official test set: [1-9]/,
  );
});

Deno.test("splits report: a text shared by two prompts is named and held out together", () => {
  const essays = syntheticEssays(21, { n: 300, nPrompts: 10, duplicateShare: 0 });
  const a = essays.find((e) => e.prompt === "Prompt A")!;
  const b = essays.find((e) => e.prompt === "Prompt B")!;
  essays.push({ id: "XCOPY", text: a.text, prompt: b.prompt, overall: a.overall });
  const splits = buildSplitsFile({
    essays,
    seed: 42,
    nSplits: 5,
    createdFrom: {
      dataset_kind: "ellipse",
      train_file: "train.csv",
      train_sha256: "a".repeat(64),
      test_file: null,
      test_sha256: null,
    },
    filters: { min_words: 0, max_words: 1000, excluded_prompts: [] },
  });
  const md = splitsReportMarkdown(splits);
  assert.match(
    md,
    /1 text group span more than one prompt; those prompts are held out together: \{Prompt A \+ Prompt B\}/,
  );
  const fold = splits.schemes.prompt_holdout.folds.find((f) => f.val_prompts.includes("Prompt A"))!;
  assert.ok(fold.val_prompts.includes("Prompt B"));
});
