/**
 * `--checker auto|languagetool|local`: the decision (with injected machine probes), the default
 * per data set, and — where Java 17+ is installed — a real local LanguageTool started, used by
 * local extraction and recorded.
 */
import assert from "node:assert/strict";
import {
  type CheckerProbes,
  parseJavaMajor,
  resolveCheckerChoice,
  systemCheckerProbes,
} from "../../lib/offload/checker_choice.ts";
import { checkerModeOf, createExtractorForConfig } from "../../lib/offload/backend.ts";
import { tempDir } from "./helpers.ts";

const probes = (java: number | null, obtainable = true): CheckerProbes => ({
  javaMajor: () => Promise.resolve(java),
  languageToolObtainable: () => Promise.resolve(obtainable),
});

Deno.test("resolveCheckerChoice: URL first, then a local LanguageTool with Java 17+, else local", async () => {
  const url = "http://127.0.0.1:8081";
  assert.equal((await resolveCheckerChoice("auto", url, probes(null))).kind, "languagetool-url");
  assert.equal(
    (await resolveCheckerChoice("auto", undefined, probes(17))).kind,
    "languagetool-local",
  );
  assert.equal((await resolveCheckerChoice("auto", undefined, probes(11))).kind, "local");
  assert.equal((await resolveCheckerChoice("auto", undefined, probes(21, false))).kind, "local");
  assert.match((await resolveCheckerChoice("auto", undefined, probes(null))).reason, /no java/);
  assert.equal((await resolveCheckerChoice("local", url, probes(17))).kind, "local");
  assert.equal(
    (await resolveCheckerChoice("languagetool", url, probes(null))).kind,
    "languagetool-url",
  );
  await assert.rejects(
    resolveCheckerChoice("languagetool", undefined, probes(11)),
    /--checker languagetool: .*java 11 is older than 17/,
  );
});

Deno.test("parseJavaMajor reads both version styles", () => {
  assert.equal(parseJavaMajor('openjdk version "17.0.15" 2025-04-15'), 17);
  assert.equal(parseJavaMajor('java version "1.8.0_392"'), 8);
  assert.equal(parseJavaMajor("no java here"), null);
});

Deno.test("checkerModeOf: local for the embedded data, auto for other data, as given otherwise", () => {
  assert.equal(checkerModeOf({ backend: "local", outputRoot: "o" }), "local");
  assert.equal(
    checkerModeOf({ backend: "local", outputRoot: "o", languageToolServiceUrl: "http://x:1" }),
    "auto",
  );
  assert.equal(
    checkerModeOf({ backend: "local", outputRoot: "o", ellipseTrainPath: "/data/ELLIPSE.csv" }),
    "auto",
  );
  assert.equal(
    checkerModeOf({
      backend: "local",
      outputRoot: "o",
      ellipseTrainPath: "x.csv",
      checker: "local",
    }),
    "local",
  );
});

Deno.test("--checker auto without Java keeps the local checker and records why", async () => {
  const handle = await createExtractorForConfig(
    { backend: "local", outputRoot: "o", ellipseTrainPath: "/data/real.csv" },
    { cacheRoot: await tempDir(), local: { workers: 0 }, checkerProbes: probes(null) },
  );
  try {
    assert.equal(handle.checker?.kind, "local");
    assert.equal(handle.buildMetrics().checker?.mode, "auto");
    assert.equal(handle.services.languageTool, undefined);
  } finally {
    await handle.close();
  }
});

const java = await systemCheckerProbes().javaMajor();
const obtainable = await systemCheckerProbes().languageToolObtainable();

Deno.test({
  name: "--checker languagetool starts a local LanguageTool, extracts with it, names it stably",
  ignore: java === null || java < 17 || !obtainable,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const handle = await createExtractorForConfig(
      { backend: "local", outputRoot: "o", checker: "languagetool" },
      { cacheRoot: await tempDir(), local: { workers: 0 } },
    );
    try {
      assert.equal(handle.checker?.kind, "languagetool-local");
      assert.match(handle.services.languageTool ?? "", /^http:\/\/127\.0\.0\.1:\d+$/);
      const essay = {
        id: "a",
        prompt: "p",
        text: "He go to school every day. I has a dog and it are happy.\n\nThey is fine.",
      };
      const got = await handle.extractor.extract([essay], { featureSet: "handcrafted" });
      const col = got.handcrafted!.names.indexOf("grammar_errors_per_100_words");
      assert.ok(got.handcrafted!.values[col] > 0, "LanguageTool found the grammar errors");
      assert.equal(handle.buildMetrics().offload.language_tool.requests.count, 1);
    } finally {
      await handle.close();
    }
  },
});
