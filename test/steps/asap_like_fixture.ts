/**
 * A generated ASAP-like corpus for the per-prompt scale tests (no real data): prompts p1 (2–12,
 * 11 levels), p2 (0–3, 4) and p3 (1–6, 6), so the common grid is L = lcm(10, 3, 5) = 30; 80 essays
 * each, whose length follows the score. Written as a TSV plus its dataset manifest.
 *
 * @module
 */
import { join } from "node:path";

const WORDS = "the school students phones learning because however therefore reason example".split(
  " ",
);

/** Each prompt's score range. */
export const ASAP_LIKE_SCALES: Record<string, [number, number]> = {
  p1: [2, 12],
  p2: [0, 3],
  p3: [1, 6],
};

/** Write the corpus and its manifest into `dir`; returns the manifest path and every score. */
export async function writeAsapLikeFixture(
  dir: string,
): Promise<{ manifest: string; scores: Map<string, number> }> {
  const lines = ["essay_id\tessay_set\tessay\tdomain1_score"];
  const scores = new Map<string, number>();
  for (const [p, [lo, hi]] of Object.entries(ASAP_LIKE_SCALES)) {
    for (let i = 0; i < 80; i++) {
      const score = lo + (i % (hi - lo + 1));
      const n = 30 + Math.round((150 * (score - lo)) / (hi - lo)) + (i % 7);
      const text = Array.from({ length: n }, (_, k) => WORDS[(k * 7 + i) % WORDS.length]).join(" ");
      lines.push(`${p}-${i}\t${p}\t${text}.\t${score}`);
      scores.set(`${p}-${i}`, score);
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
        Object.entries(ASAP_LIKE_SCALES).map((
          [p, [min, max]],
        ) => [p, { kind: "numeric", min, max, step: 1 }]),
      ),
      training: "normalise",
    },
    wordWindow: { min: 1, max: 1000 },
  };
  const path = join(dir, "asap_like.json");
  await Deno.writeTextFile(path, JSON.stringify(manifest));
  return { manifest: path, scores };
}

/** The run directory under `root` whose name ends with `suffix`. */
export async function runDir(root: string, suffix: string): Promise<string> {
  for await (const e of Deno.readDir(root)) {
    if (e.isDirectory && e.name.endsWith(suffix)) return join(root, e.name);
  }
  throw new Error(`no run directory *${suffix}`);
}
