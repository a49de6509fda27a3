import assert from "node:assert/strict";
import { join } from "node:path";
import { loadCorpus } from "../../lib/dataset/corpus_loader.ts";
import { DatasetError } from "../../lib/dataset/csv_table.ts";
import {
  ManifestError,
  parseDatasetManifest,
  readDatasetManifest,
} from "../../lib/dataset/manifest.ts";
import {
  datasetScale,
  denormalisedScore,
  describeDatasetScale,
  isPerPromptScale,
  normalisedBin,
  normalisedLabel,
  perPromptScale,
  PerPromptScaleUnsupportedError,
  singleScale,
} from "../../lib/dataset/per_prompt_scale.ts";
import { scaleValue, scoreScale } from "../../lib/dataset/score_scale.ts";

const SCALE = {
  kind: "per_prompt",
  prompts: {
    p1: { kind: "numeric", min: 2, max: 12, step: 1 },
    p2: { kind: "numeric", min: 0, max: 3, step: 1 },
    p3: { kind: "ordinal", levels: ["low", "mid", "high"] },
  },
  training: "normalise",
};

function manifest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "per_prompt",
    language: "en",
    format: "tsv",
    files: { data: "essays.tsv", split: { kind: "random", testFraction: 0.25, seed: 5 } },
    columns: { id: "id", text: "text", score: "score", prompt: "prompt" },
    scale: SCALE,
    wordWindow: { min: 1, max: 1000 },
    ...extra,
  };
}

/** 40 essays per prompt, every level of each prompt's scale present. */
function rows(): string[] {
  const out: string[] = [];
  const levels: Record<string, string[]> = {
    p1: Array.from({ length: 11 }, (_, k) => String(2 + k)),
    p2: ["0", "1", "2", "3"],
    p3: ["low", "mid", "high"],
  };
  for (const [p, ls] of Object.entries(levels)) {
    for (let i = 0; i < 40; i++) {
      out.push(`${p}-${i}\t${p}\tEssay ${i} of ${p}.\t${ls[i % ls.length]}`);
    }
  }
  return out;
}

async function write(lines: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    join(dir, "essays.tsv"),
    "id\tprompt\ttext\tscore\n" + lines.join("\n") + "\n",
  );
  const path = join(dir, "m.json");
  await Deno.writeTextFile(path, JSON.stringify(manifest(extra)));
  return path;
}

Deno.test("per-prompt scales: the manifest shape, and errors that name the field", () => {
  const m = parseDatasetManifest(manifest(), "m.json");
  assert.equal(m.scale.kind, "per_prompt");
  const bad = (scale: unknown, pattern: RegExp) =>
    assert.throws(
      () => parseDatasetManifest(manifest({ scale }), "m.json"),
      (e: Error) => e instanceof ManifestError && pattern.test(e.message),
    );
  bad({ ...SCALE, training: "pooled" }, /scale\.training: /);
  bad({ ...SCALE, prompts: {} }, /scale\.prompts: at least one prompt/);
  bad(
    { ...SCALE, prompts: { p1: { kind: "numeric", min: 0, max: 5, step: 2 } } },
    /scale\.prompts\.p1\.step: step 2 does not divide the range 0–5/,
  );
  bad({ kind: "numeric", min: 1, max: 5, step: 0.3 }, /scale\.step: step 0\.3 does not divide/);
});

Deno.test("per-prompt scales: normalised labels, mapping back rounds to the step and clips", () => {
  const pp = perPromptScale(SCALE as never);
  assert.equal(pp.bins, 2); // the coarsest prompt (3 levels)
  for (const [, s] of pp.byPrompt) {
    for (let k = 0; k < s.nLevels; k++) {
      const v = scaleValue(s, k);
      const x = normalisedLabel(s, v);
      assert.ok(x >= 0 && x <= 1);
      assert.equal(denormalisedScore(s, x), v, `${v} round trip`);
    }
  }
  const p1 = pp.byPrompt.get("p1")!;
  assert.equal(normalisedLabel(p1, 7), 0.5);
  assert.equal(denormalisedScore(p1, 0.54), 7); // 2 + 5.4 = 7.4 → 7
  assert.equal(denormalisedScore(p1, 0.55), 8); // 7.5 → 8 (halves up)
  assert.equal(denormalisedScore(p1, 1.3), 12);
  assert.equal(denormalisedScore(p1, -0.2), 2);
  assert.equal(denormalisedScore(pp.byPrompt.get("p2")!, 0.6), 2); // 1.8 → 2
  assert.deepEqual([0, 0.24, 0.25, 0.5, 0.76, 1].map((x) => normalisedBin(pp, x)), [
    0,
    0,
    1,
    1,
    2,
    2,
  ]);
  assert.match(
    describeDatasetScale(pp),
    /^p1: 2–12 in steps of 1; p2: 0–3 in steps of 1; p3: low < mid < high/,
  );
  assert.ok(!isPerPromptScale(datasetScale({ kind: "numeric", min: 1, max: 5, step: 0.5 })));
  assert.throws(() => singleScale(pp, "cv"), PerPromptScaleUnsupportedError);
  assert.equal(
    singleScale(scoreScale({ kind: "numeric", min: 0, max: 3, step: 1 }), "cv").nLevels,
    4,
  );
});

Deno.test("per-prompt scales: loading parses each score on its prompt's scale", async () => {
  const corpus = await loadCorpus(await readDatasetManifest(await write(rows())));
  const all = [...corpus.train, ...corpus.test];
  assert.equal(all.length, 120);
  assert.ok(isPerPromptScale(corpus.scale));
  const byId = new Map(all.map((e) => [e.id, e]));
  assert.equal(byId.get("p1-5")!.overall, 0.5); // 7 on 2–12
  assert.equal(byId.get("p2-3")!.overall, 1); // 3 on 0–3
  assert.equal(byId.get("p3-1")!.overall, 0.5); // "mid"
  // the random test split stratifies by normalised bin: each bin's share within one essay
  for (let b = 0; b <= 2; b++) {
    const inBin = all.filter((e) => normalisedBin(corpus.scale as never, e.overall) === b);
    const t = corpus.test.filter((e) => normalisedBin(corpus.scale as never, e.overall) === b);
    assert.ok(
      Math.abs(t.length - 0.25 * inBin.length) <= 1,
      `bin ${b}: ${t.length}/${inBin.length}`,
    );
  }
});

Deno.test("per-prompt scales: off-scale and unknown-prompt errors name the prompt's scale", async () => {
  const error = async (extraRow: string): Promise<Error> => {
    try {
      await loadCorpus(await readDatasetManifest(await write([...rows(), extraRow])));
    } catch (e) {
      return e as Error;
    }
    throw new Error("expected an error");
  };
  const off = await error("x1\tp2\tText.\t4");
  assert.ok(off instanceof DatasetError);
  assert.match(
    off.message,
    /row 121 .*column "score": off-scale score 4; expected 0–3 \(prompt "p2"'s scale\)/,
  );
  const onOther = await error("x1\tp2\tText.\t12"); // fine on p1's scale, not on p2's
  assert.match(onOther.message, /off-scale score 12; expected 0–3 \(prompt "p2"'s scale\)/);
  const level = await error("x1\tp3\tText.\tvery high");
  assert.match(
    level.message,
    /level "very high" is not in the scale; expected one of low, mid, high \(prompt "p3"'s scale\)/,
  );
  const unknown = await error("x1\tp9\tText.\t3");
  assert.match(
    unknown.message,
    /column "prompt": prompt "p9" has no scale in the manifest's scale\.prompts \(scales are given for: p1, p2, p3\)/,
  );
});
