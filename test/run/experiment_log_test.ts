import assert from "node:assert/strict";
import { join } from "node:path";
import {
  appendExperimentLogEntry,
  type ExperimentLogEntry,
  ExperimentLogRefusal,
  formatExperimentLogEntry,
} from "../../lib/run/experiment_log.ts";

const entry: ExperimentLogEntry = {
  date: "2026-02-04",
  runName: "ellipse_cv_combined",
  command: "deno task essay-scoring-research cv --scheme stratified_text",
  datasetKind: "ellipse",
  minWords: 200,
  maxWords: 1000,
  excludedPrompts: ["Letter to employer"],
  splitsPath: "output/x/artifacts/splits.json",
  scheme: "stratified_text",
  featureSet: "combined",
  offload: { languageTool: "http://127.0.0.1:18085" },
  outputDir: "output/essay_scoring/x/",
  results: [{ label: "QWK (CV mean±std)", value: "0.612 ± 0.021" }],
  notes: ["first try"],
};

Deno.test("entry follows the runbook template", () => {
  const text = formatExperimentLogEntry(entry);
  assert.equal(
    text,
    [
      "2026-02-04: `ellipse_cv_combined`",
      "- command: `deno task essay-scoring-research cv --scheme stratified_text`",
      '- dataset: ELLIPSE (train/test), 200–1000 words, excluded prompts: ["Letter to employer"]',
      "- splits: `output/x/artifacts/splits.json` (scheme=stratified_text)",
      "- feature_set: combined",
      "- offload: lt=http://127.0.0.1:18085 embed=local",
      "- output: `output/essay_scoring/x/`",
      "- results:",
      "  - QWK (CV mean±std): 0.612 ± 0.021",
      "  - notes:",
      "    - first try",
      "",
    ].join("\n"),
  );
});

Deno.test("entry names its data files and flags the embedded synthetic data", () => {
  const real = formatExperimentLogEntry({ ...entry, datasetFiles: ["d/train.csv", "d/test.csv"] });
  assert.match(
    real,
    /excluded prompts: \["Letter to employer"\]; files: `d\/train.csv`, `d\/test.csv`\n/,
  );
  const embedded = formatExperimentLogEntry({
    ...entry,
    datasetFiles: ["data/embedded/ellipse_embedded_train.csv"],
  });
  assert.match(embedded, /\(embedded synthetic data: a pipeline check, not a research result\)/);
});

Deno.test("log is append-only: earlier bytes are never changed", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "sub", "LOG.md");
  await appendExperimentLogEntry(path, entry);
  const first = await Deno.readTextFile(path);
  await appendExperimentLogEntry(path, { ...entry, runName: "second" });
  const second = await Deno.readTextFile(path);
  assert.ok(second.startsWith(first), "earlier content must be a prefix of the new content");
  assert.match(second.slice(first.length), /^\n2026-02-04: `second`/);
  // Hand-edited file without a trailing newline: still appended after it, untouched.
  await Deno.writeTextFile(path, second + "manual note");
  await appendExperimentLogEntry(path, { ...entry, runName: "third" });
  const third = await Deno.readTextFile(path);
  assert.ok(third.startsWith(second + "manual note\n\n2026-02-04: `third`"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("IELTS runs are refused and nothing is written", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "LOG.md");
  await assert.rejects(
    () => appendExperimentLogEntry(path, { ...entry, datasetKind: "ielts" }),
    ExperimentLogRefusal,
  );
  await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});
