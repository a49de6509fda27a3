import assert from "node:assert/strict";
import { join } from "node:path";
import { runCliCaptured } from "./cli_capture.ts";

const WORDS = "the school students phones learning because however therefore reason example".split(
  " ",
);

/** An ASAP-like corpus generated here (no real data): three prompts on 2–12, 0–3 and 1–6. */
async function fixture(dir: string): Promise<string> {
  const scales: Record<string, [number, number]> = { p1: [2, 12], p2: [0, 3], p3: [1, 6] };
  const lines = ["essay_id\tessay_set\tessay\tdomain1_score"];
  for (const [p, [lo, hi]] of Object.entries(scales)) {
    for (let i = 0; i < 40; i++) {
      const score = lo + (i % (hi - lo + 1));
      const n = 30 + Math.round((150 * (score - lo)) / (hi - lo)) + (i % 7);
      const text = Array.from({ length: n }, (_, k) => WORDS[(k * 7 + i) % WORDS.length]).join(" ");
      lines.push(`${p}-${i}\t${p}\t${text}.\t${score}`);
    }
  }
  await Deno.writeTextFile(join(dir, "asap_like.tsv"), lines.join("\n") + "\n");
  const manifest = {
    name: "asap_like",
    language: "en",
    format: "tsv",
    files: { data: "asap_like.tsv", split: { kind: "random", testFraction: 0.2, seed: 3 } },
    columns: { id: "essay_id", text: "essay", score: "domain1_score", prompt: "essay_set" },
    scale: {
      kind: "per_prompt",
      prompts: Object.fromEntries(
        Object.entries(scales).map((
          [p, [min, max]],
        ) => [p, { kind: "numeric", min, max, step: 1 }]),
      ),
      training: "normalise",
    },
    wordWindow: { min: 1, max: 1000 },
  };
  const path = join(dir, "asap_like.json");
  await Deno.writeTextFile(path, JSON.stringify(manifest));
  return path;
}

async function artifacts(root: string, suffix: string): Promise<string[]> {
  for await (const e of Deno.readDir(root)) {
    if (e.isDirectory && e.name.endsWith(suffix)) {
      return [...Deno.readDirSync(join(root, e.name, "artifacts"))].map((f) => f.name).sort();
    }
  }
  throw new Error(`no run directory *${suffix}`);
}

// Per-prompt scales are wired through loading, validation and prepare-dataset; every step that
// reads one scale for the corpus (make-splits, cv, run, score, …) refuses with one clear error
// and writes nothing, instead of computing on a wrong grid.
Deno.test("per-prompt scales: prepare-dataset runs; make-splits and the runbook refuse clearly", async () => {
  const root = await Deno.makeTempDir({ prefix: "per_prompt_steps_" });
  const manifest = await fixture(root);
  const out = join(root, "out");
  const common = ["--output-root", out, "--experiment-log-path", join(root, "LOG.md")];
  const prep = await runCliCaptured([
    "prepare-dataset",
    "--dataset",
    manifest,
    "--run-name",
    "p",
    ...common,
  ]);
  assert.equal(prep.code, 0, prep.out);
  const prepDir = (await Array.fromAsync(Deno.readDir(out))).find((e) => e.name.endsWith("_p"))!;
  const report = JSON.parse(
    await Deno.readTextFile(join(out, prepDir.name, "reports", "dataset_integrity_report.json")),
  );
  assert.match(report.dataset.scale, /^p1: 2–12 in steps of 1; p2: 0–3 in steps of 1; p3: 1–6/);
  const dist = report.score_distribution;
  assert.equal(dist.train.raw["p2: 3"] + dist.test.raw["p2: 3"], 10);
  assert.equal(dist.train.raw["p1: 12"] + dist.test.raw["p1: 12"], 3);
  assert.equal(report.counts.train.raw + report.counts.test.raw, 120);
  assert.equal(report.counts.test.raw, 24);

  const prepared = join(
    out,
    prepDir.name,
    "artifacts",
    "datasets",
    "asap_like_prepared_manifest.json",
  );
  const splits = await runCliCaptured([
    "make-splits",
    "--dataset",
    prepared,
    "--run-name",
    "s",
    ...common,
  ]);
  assert.equal(splits.code, 1);
  assert.match(
    splits.out,
    /^error: make-splits does not support per-prompt score scales yet \(the manifest's scale\.kind is "per_prompt": p1: 2–12/m,
  );
  assert.doesNotMatch(splits.out, /\n\s+at /); // one message, no stack
  assert.deepEqual(
    (await artifacts(out, "_s")).filter((f) => f !== "status.json" && f !== "manifest.json"),
    [],
  );
  const rb = await runCliCaptured([
    "runbook",
    "--dataset",
    manifest,
    "--run-name",
    "rb",
    ...common,
  ]);
  assert.equal(rb.code, 1);
  assert.match(rb.out, /make-splits does not support per-prompt score scales yet/);
});
