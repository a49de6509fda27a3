/**
 * The native harper build (`deno task build-native`) must give the checker exactly the matches
 * harper.js gives: same rules, kinds, spans (UTF-16 offsets after mapping) on the embedded essays
 * and on edge texts (astral characters, an empty text, British spelling). Messages are compared
 * too where harper words them deterministically. The library's plain-Rust chunker must give burn's
 * values bit for bit. Under CI the library must have been built (the
 * test command builds it); elsewhere the test is skipped when it has not.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { loadEllipseCsv } from "../../../lib/dataset/ellipse_csv.ts";
import {
  harperLintMatches,
  harperMatches,
  harperRulesOff,
  newHarperLinter,
} from "../../../lib/features/checkers/harper_checker.ts";
import {
  auditNativeChunker,
  harperBackend,
  nativeHarperLibraryPath,
  nativeHarperLints,
} from "../../../lib/features/checkers/harper_native.ts";
import type { ErrorMatch } from "../../../lib/features/types.ts";

const built = existsSync(nativeHarperLibraryPath());
const inCi = Deno.env.get("CI") === "true";

/** Matches without the message (some harper messages list alternatives in hash order). */
function keys(matches: readonly ErrorMatch[]): string[] {
  return matches.map((m) => `${m.offset}:${m.length}:${m.ruleId}:${m.categoryId}`);
}

/** Texts that phrase and word rules fire on, in several cases and with typographic characters. */
const PHRASE_RULE_TEXTS = [
  "I could of done it, but we rally like it and they was exited to go.",
  "I COULD OF DONE IT. WE RALLY LIKE IT. Alot of people want a ipad.",
  "We Rally Like It. Harvard university and new years eve are worse then before.",
  "I can’t hardly wait, it’s worst then yesterday — an user said so.",
  "Its a dog eat dog world; me and him could care less, irregardless of the cost.",
  "HE GO TO SCHOOL EVERY DAY, AND I HAS A COLOR DOG.",
];

Deno.test("native harper library is built under CI", { ignore: !inCi }, () => {
  assert.ok(
    built,
    `${nativeHarperLibraryPath()} missing: the test command runs \`deno task build-native\``,
  );
});

Deno.test({
  name: "native harper gives the same matches as harper.js",
  ignore: !built,
  async fn() {
    assert.equal(harperBackend(), "native");
    const essays = await loadEllipseCsv("data/embedded/ellipse_embedded_train.csv", "train");
    const texts = [
      ...essays.slice(0, 40).map((e) => e.text),
      "",
      "He go to school 😀 every day , and i has a colour dog.",
      "Their going too the park tomorow. Me and him is best freinds.",
      // Phrase and word rules in other cases and with typographic apostrophes and dashes: the
      // patched library skips a rule on a chunk only when none of the words its expression
      // requires occurs there (compared normalized and up to ASCII case), so these must still fire.
      ...PHRASE_RULE_TEXTS,
    ];
    for (const [language, sample] of [["en-US", texts], ["en-GB", texts.slice(-3)]] as const) {
      const wasm = await newHarperLinter(language, harperRulesOff(false));
      let total = 0;
      for (const text of sample) {
        const expected = harperMatches(
          text,
          await wasm.organizedLints(text, { language: "plaintext" }),
        );
        const actual = harperLintMatches(text, nativeHarperLints(text, language, false));
        assert.deepEqual(keys(actual), keys(expected), `${language}: ${text.slice(0, 60)}`);
        total += expected.length;
      }
      assert.ok(total > 0, `${language}: the sample has matches to compare`);
    }
  },
});

Deno.test({
  name: "native harper's chunker gives burn's values bit for bit",
  ignore: !built,
  async fn() {
    const essays = await loadEllipseCsv("data/embedded/ellipse_embedded_train.csv", "train");
    // Essays the test above has not parsed (harper caches chunked sentences).
    const texts = [
      ...essays.slice(40, 100).map((e) => e.text),
      "The big brown dog and the small cat ran past the old house near the river.",
    ];
    const { result, counts } = auditNativeChunker(() =>
      texts.map((t) => nativeHarperLints(t, "en-US", false))
    );
    assert.equal(result.length, texts.length);
    assert.ok(counts.compared > 5_000, `tokens compared: ${counts.compared}`);
    assert.equal(counts.bitsDiffer, 0, "tokens whose value differs from burn's");
    assert.equal(counts.flagsDiffer, 0, "tokens whose noun-phrase flag differs");
  },
});

Deno.test({
  name: "workers that used the native library can end and start again",
  ignore: !built,
  async fn() {
    // A child process: three rounds of two workers that lint natively and are terminated (an
    // allocator registered in the library once made the process segfault when a worker ended).
    const dir = await Deno.makeTempDir({ prefix: "harper_native_workers_" });
    const module = new URL("../../../lib/features/checkers/harper_native.ts", import.meta.url);
    await Deno.writeTextFile(
      `${dir}/worker.ts`,
      `import { nativeHarperLints } from ${JSON.stringify(module.href)};
self.onmessage = (e) => self.postMessage(nativeHarperLints(e.data, "en-US", false).length);`,
    );
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `for (let round = 0; round < 3; round++) {
  const workers = [0, 1].map(() => new Worker(new URL("./worker.ts", import.meta.url), { type: "module" }));
  const counts = await Promise.all(workers.map((w) => new Promise((resolve) => {
    w.onmessage = (e) => resolve(e.data);
    w.postMessage("He go to school every day and i has a dog.");
  })));
  workers.forEach((w) => w.terminate());
  await new Promise((r) => setTimeout(r, 100));
  console.log(JSON.stringify(counts));
}`,
    );
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--config",
          new URL("../../../deno.json", import.meta.url).pathname,
          `${dir}/main.ts`,
        ],
        env: { WORKBENCH_HARPER: "native", HARPER_NATIVE_LIB: nativeHarperLibraryPath() },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(
        out.code,
        0,
        `child exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`,
      );
      const rounds = stdout.trim().split("\n").map((l) => JSON.parse(l) as number[]);
      assert.equal(rounds.length, 3);
      for (const counts of rounds) assert.ok(counts.every((c) => c > 0), stdout);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
