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
