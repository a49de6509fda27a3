import assert from "node:assert/strict";
import { handcraftedFeaturesNotDefinedFor } from "../../../lib/features/feature_languages.ts";
import {
  lix,
  swedishSpellingErrorsPer100Words,
} from "../../../lib/features/language/swedish_features.ts";
import { languageFeatureMatrix } from "../../../lib/features/language/language_features.ts";
import { assertEncoderLanguage, languageFeatureSelection } from "../../../lib/steps/step_config.ts";
import { resolveExperimentConfig } from "../../../lib/run/config.ts";
import { readDatasetManifest } from "../../../lib/dataset/manifest.ts";

Deno.test("feature languages: English-only features are named, neutral ones stay", () => {
  const sv = handcraftedFeaturesNotDefinedFor("sv-SE");
  for (const f of ["flesch_kincaid", "spelling_errors_per_100_words", "connective_density"]) {
    assert.ok(sv.includes(f), f);
  }
  for (const f of ["ttr", "mtld", "paragraph_count", "long_word_ratio"]) {
    assert.ok(!sv.includes(f), f);
  }
  assert.deepEqual(handcraftedFeaturesNotDefinedFor("en-GB"), []);
});

Deno.test("LIX and Swedish spelling (dictionary-sv through nspell)", () => {
  // 7 words, 2 sentences, 1 word longer than six letters (Mobiltelefoner)
  assert.equal(lix("Jag gillar skolan. Mobiltelefoner stör alla elever."), 7 / 2 + 100 / 7);
  assert.equal(swedishSpellingErrorsPer100Words("Jag tycker att eleverna lär sig mycket."), 0);
  // tyker, sjelv, åxå, xqzzy are not Swedish words; Anna (a name mid-sentence) is not checked
  const e = swedishSpellingErrorsPer100Words("Jag tyker att Anna sjelv vill åxå ha xqzzy.");
  assert.equal(e, (100 * 4) / 9);
  const m = languageFeatureMatrix("sv", ["Hej hej.", "Det var en gång."])!;
  assert.deepEqual(m.names, ["sv_lix", "sv_spelling_errors_per_100_words"]);
  assert.equal(m.X.nRows, 2);
  assert.equal(languageFeatureMatrix("en", ["x"]), null);
});

Deno.test("a Swedish manifest: English-only features left out with a WARNING; English encoder refused", async () => {
  const dataset = await readDatasetManifest("data/embedded/swedish_embedded.json");
  const base = resolveExperimentConfig(undefined, {
    dataset,
    datasetKind: "manifest",
    featureSet: "handcrafted",
  });
  const { config, warnings } = languageFeatureSelection(base);
  assert.ok(config.excludedFeatures.includes("flesch_kincaid"));
  assert.deepEqual(config.languageExcludedFeatures, handcraftedFeaturesNotDefinedFor("sv"));
  assert.match(warnings[0], /^WARNING: dataset language "sv": 30 handcrafted features .*smog/);
  assert.throws(
    () => assertEncoderLanguage({ ...base, featureSet: "combined" }),
    /local sentence encoder \(USE-lite\) is English-only; the dataset "swedish_embedded" is in "sv"/,
  );
  const remote = languageFeatureSelection({
    ...base,
    featureSet: "combined",
    embeddingServiceUrl: "http://127.0.0.1:9/",
  });
  assert.ok(remote.config.excludedFeatures.includes("smog"));
  const english = resolveExperimentConfig(undefined, {});
  assert.equal(languageFeatureSelection(english).config, english);
});
