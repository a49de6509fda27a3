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
  describeDatasetScale,
  gridBin,
  gridLabel,
  gridLevelName,
  isPerPromptScale,
  perPromptScale,
  PerPromptScaleUnsupportedError,
  singleScale,
} from "../../lib/dataset/per_prompt_scale.ts";
import { scaleValue, scoreScale } from "../../lib/dataset/score_scale.ts";
import { gridToValue } from "../../lib/dataset/common_grid.ts";

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
  // lcm(7, 11, 13) = 1001 > 600: the grid is refused, naming each prompt's level count
  bad(
    {
      ...SCALE,
      prompts: {
        a: { kind: "numeric", min: 0, max: 7, step: 1 },
        b: { kind: "numeric", min: 0, max: 11, step: 1 },
        c: { kind: "numeric", min: 0, max: 13, step: 1 },
      },
    },
    /scale\.prompts: the common training grid would have L = lcm\(levels − 1\) = 1001 steps, more than 600 \(a: 8 levels, b: 12 levels, c: 14 levels\)/,
  );
});

Deno.test("per-prompt scales: labels on the common grid, mapping back rounds halves up and clips", () => {
  const pp = perPromptScale(SCALE as never);
  assert.equal(pp.bins, 2); // the coarsest prompt (3 levels)
  assert.equal(pp.gridSize, 30); // lcm(10, 3, 2)
  assert.deepEqual([pp.grid.min, pp.grid.max, pp.grid.step, pp.grid.nLevels], [0, 30, 1, 31]);
  for (const [, s] of pp.byPrompt) {
    for (let k = 0; k < s.nLevels; k++) {
      const v = scaleValue(s, k);
      const x = gridLabel(pp, s, v);
      assert.ok(Number.isInteger(x) && x >= 0 && x <= 30, `${v} → ${x}`);
      assert.equal(gridToValue(s, pp.gridSize, x), v, `${v} round trip`);
    }
  }
  const p1 = pp.byPrompt.get("p1")!;
  assert.equal(gridLabel(pp, p1, 7), 15);
  assert.deepEqual([0, 7, 8, 15, 22, 23, 30].map((x) => gridBin(pp, x)), [0, 0, 1, 1, 1, 2, 2]);
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
  assert.equal(byId.get("p1-5")!.overall, 15); // 7 on 2–12: level 5 of 10 → 5 · 30 / 10
  assert.equal(byId.get("p2-3")!.overall, 30); // 3 on 0–3
  assert.equal(byId.get("p3-1")!.overall, 15); // "mid"
  // the random test split stratifies by the grid label's bin: each bin's share within one essay
  for (let b = 0; b <= 2; b++) {
    const inBin = all.filter((e) => gridBin(corpus.scale as never, e.overall) === b);
    const t = corpus.test.filter((e) => gridBin(corpus.scale as never, e.overall) === b);
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

Deno.test("gridLevelName names a common-grid level and the prompt levels on it", () => {
  // p1 2–12 (10 steps), p2 0–3 (3), p3 low/mid/high (2): L = 30
  const pp = perPromptScale(SCALE as Parameters<typeof perPromptScale>[0]);
  assert.equal(pp.gridSize, 30);
  assert.equal(gridLevelName(pp, 0), "common-grid level 0 (p1: 2, p2: 0, p3: low)");
  assert.equal(gridLevelName(pp, 15), "common-grid level 15 (p1: 7, p3: mid)");
  assert.equal(gridLevelName(pp, 20), "common-grid level 20 (p2: 2)");
  assert.equal(gridLevelName(pp, 7), "common-grid level 7");
});
