/**
 * LanguageTool in the corpus's language (issue 18): the BCP 47 → LanguageTool code mapping, the
 * checker decision per language, the cache key (English unchanged: the pinned Appendix 3 vector;
 * Swedish keyed by `sv`), what local extraction sends, and which error counts a Swedish dataset
 * keeps with each checker.
 */
import assert from "node:assert/strict";
import { languageToolCode, localLanguageToolHas } from "../../lib/offload/languagetool_language.ts";
import { type CheckerProbes, resolveCheckerChoice } from "../../lib/offload/checker_choice.ts";
import { createExtractorForConfig } from "../../lib/offload/backend.ts";
import { connectLanguageToolChecker } from "../../lib/offload/language_tool_client.ts";
import { checkerForLanguage, languageFeatureSelection } from "../../lib/steps/step_config.ts";
import { resolveExperimentConfig } from "../../lib/run/config.ts";
import { readDatasetManifest } from "../../lib/dataset/manifest.ts";
import { tempDir } from "./helpers.ts";

const probes = (java: number | null): CheckerProbes => ({
  javaMajor: () => Promise.resolve(java),
  languageToolObtainable: () => Promise.resolve(true),
});

Deno.test("languageToolCode: en → en-US as always, English variants kept, sv → sv", () => {
  assert.equal(languageToolCode("en"), "en-US");
  assert.equal(languageToolCode("en-US"), "en-US");
  assert.equal(languageToolCode("en-GB"), "en-GB");
  assert.equal(languageToolCode("en-150"), "en-US");
  assert.equal(languageToolCode("sv"), "sv");
  assert.equal(languageToolCode("sv-SE"), "sv");
  assert.equal(languageToolCode("sv-FI"), "sv");
  assert.equal(languageToolCode("de-DE"), "de-DE");
  assert.ok(localLanguageToolHas("sv-SE") && localLanguageToolHas("en"));
  assert.ok(!localLanguageToolHas("de"));
});

Deno.test("resolveCheckerChoice per language: sv locally, a language without a local module not", async () => {
  const sv = await resolveCheckerChoice("auto", undefined, probes(17), "sv-SE");
  assert.deepEqual([sv.kind, sv.language], ["languagetool-local", "sv"]);
  const en = await resolveCheckerChoice("auto", undefined, probes(17));
  assert.equal(en.language, "en-US");
  const de = await resolveCheckerChoice("auto", undefined, probes(17), "de");
  assert.equal(de.kind, "local");
  assert.match(de.reason, /no "de" module; the local checker is English-only/);
  await assert.rejects(
    resolveCheckerChoice("languagetool", undefined, probes(17), "de"),
    /--checker languagetool: .*no "de" module/,
  );
  const url = await resolveCheckerChoice("languagetool", "http://lt:8081", probes(null), "de");
  assert.deepEqual([url.kind, url.language], ["languagetool-url", "de"]);
  const noJava = await resolveCheckerChoice("auto", undefined, probes(null), "sv");
  assert.equal(noJava.kind, "local");
  assert.match(noJava.reason, /no java on PATH; the local checker is English-only/);
});

/** A fake stock LanguageTool recording the `language` of each check. */
function fakeStock() {
  const languages: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/v2/languages") return Response.json([{ code: "sv", longCode: "sv" }]);
    const form = new URLSearchParams(await req.text());
    languages.push(form.get("language")!);
    return Response.json({ matches: [] });
  });
  return { server, languages, url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}` };
}

Deno.test("the cache key holds the language: English as pinned (Appendix 3), Swedish its own", async () => {
  const stock = fakeStock();
  const lt = await connectLanguageToolChecker({
    baseUrl: stock.url,
    identityUrl: "http://127.0.0.1:18085",
    cacheRoot: await tempDir(),
  });
  try {
    const text = "  I recieve your letter yesterday ,\n\n thanks.\tShe go home ";
    const english = lt.cachePath(text)!;
    assert.ok(
      english.endsWith("a4dda838d999b391cd3a388e17798575a2f856214d884f87cad8ab8fbdcdd069.json"),
    );
    assert.equal(lt.cachePath(text, "en-US"), english);
    const swedish = lt.cachePath(text, "sv")!;
    assert.notEqual(swedish, english);
    await lt.check("Jag tyker att skolan är braa.", "sv");
    assert.deepEqual(stock.languages, ["sv"]);
    const entry = JSON.parse(
      await Deno.readTextFile(lt.cachePath("Jag tyker att skolan är braa.", "sv")!),
    );
    assert.equal(entry.language, "sv");
  } finally {
    await lt.close();
    await stock.server.shutdown();
  }
});

Deno.test("local extraction sends the manifest's language; English stays en-US", async () => {
  const dataset = await readDatasetManifest("data/embedded/swedish_embedded.json");
  const stock = fakeStock();
  const essay = { id: "a", prompt: "p", text: "Jag tycker att skolan är bra." };
  const fingerprints: string[] = [];
  try {
    for (const ds of [dataset, undefined]) {
      const handle = await createExtractorForConfig(
        {
          backend: "local",
          outputRoot: "o",
          checker: "languagetool",
          languageToolServiceUrl: stock.url,
          dataset: ds,
        },
        { cacheRoot: await tempDir(), local: { workers: 0 } },
      );
      try {
        await handle.extractor.extract([essay], { featureSet: "handcrafted" });
        assert.equal(handle.buildMetrics().checker?.language, ds ? "sv" : "en-US");
        fingerprints.push(handle.extractor.fingerprint);
      } finally {
        await handle.close();
      }
    }
    assert.deepEqual(stock.languages, ["sv", "en-US"]);
    assert.notEqual(fingerprints[0], fingerprints[1]);
  } finally {
    await stock.server.shutdown();
  }
});

Deno.test("a Swedish dataset keeps LanguageTool's error counts with LanguageTool, none without", async () => {
  const dataset = await readDatasetManifest("data/embedded/swedish_embedded.json");
  const base = resolveExperimentConfig(undefined, {
    dataset,
    datasetKind: "manifest",
    featureSet: "handcrafted",
  });
  const counts = [
    "grammar_errors_per_100_words",
    "spelling_errors_per_100_words",
    "punctuation_errors_per_100_words",
    "capitalization_errors_per_100_words",
  ];
  const lt = await checkerForLanguage(base, probes(17));
  assert.equal(lt.family, "languagetool");
  assert.equal(lt.config.checker, "languagetool");
  assert.match(lt.note!, /LanguageTool \(sv\)/);
  const withLt = languageFeatureSelection(lt.config, lt.family).config.excludedFeatures;
  for (const f of counts) assert.ok(!withLt.includes(f), f);
  assert.ok(withLt.includes("agreement_errors_per_100_words"));
  assert.ok(withLt.includes("flesch_kincaid"));

  const local = await checkerForLanguage(base, probes(null));
  assert.deepEqual([local.family, local.config.checker], ["local", "local"]);
  const withLocal = languageFeatureSelection(local.config, local.family).config.excludedFeatures;
  for (const f of counts) assert.ok(withLocal.includes(f), f);

  // --checker local is kept; English and hemma configs are not touched
  const pinned = await checkerForLanguage({ ...base, checker: "local" }, probes(17));
  assert.equal(pinned.family, "local");
  const english = resolveExperimentConfig(undefined, {});
  assert.equal((await checkerForLanguage(english, probes(17))).config, english);
  const hemma = { ...base, backend: "hemma" as const };
  assert.equal((await checkerForLanguage(hemma, probes(17))).config, hemma);
});
