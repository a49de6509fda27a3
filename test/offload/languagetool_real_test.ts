/**
 * Integration test against a REAL stock LanguageTool (the pinned 6.6, fetched from Maven Central
 * once into `~/.cache/essay-scoring/` and started by the test on a free loopback port): our
 * LanguageTool client in the stock dialect directly, and in the HuleEdu `/v1/check` dialect
 * through our offload server standing in front of it (as the user's service does). Skipped, with
 * the reason printed, only when Java or Maven is not installed.
 */
import assert from "node:assert/strict";
import {
  missingJavaTools,
  type RunningLanguageTool,
  startLanguageTool,
} from "../../lib/offload/languagetool_server.ts";
import { connectLanguageToolChecker } from "../../lib/offload/language_tool_client.ts";
import { deriveErrorCounts } from "../../lib/features/checkers/error_categories.ts";
import { fixtureEncoder, fixtureExtractor } from "./fixtures/fixture_components.ts";
import { startTestServer, tempDir } from "./helpers.ts";
import { systemDependency } from "../system_dependencies.ts";

const missing = await missingJavaTools();
const NO_JAVA = systemDependency(
  "Java/LanguageTool",
  missing ? `${missing} not installed (apt-get install -y default-jre-headless maven)` : null,
  "languagetool_real_test",
);

const TEXT = "I recieve your letter yesterday , thanks. She go home";

// One LanguageTool 6.6 (a JVM start costs 10–30 s) serves both steps.
Deno.test({
  name: "real LanguageTool 6.6",
  ignore: NO_JAVA,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    let lt: RunningLanguageTool | undefined;
    try {
      lt = await startLanguageTool({ port: 0, startTimeoutMs: 180_000 });
      const url = lt.url;
      await t.step("stock dialect directly and /v1/check through our server", async () => {
        // 1. stock dialect, straight to LanguageTool (auto probe: /v2/languages is a JSON array)
        const stock = await connectLanguageToolChecker({
          baseUrl: url,
          cacheRoot: await tempDir(),
          timeoutS: 120,
        });
        assert.equal(stock.protocol, "stock");
        const direct = await stock.checkDetailed(TEXT);
        const rules = direct.errors.map((e) => e.rule_id);
        assert.ok(rules.includes("MORFOLOGIK_RULE_EN_US"), rules.join());
        assert.ok(rules.includes("HE_VERB_AGR"), rules.join());
        // COMMA_PARENTHESIS_WHITESPACE (issueType whitespace) is dropped, as by the service
        assert.ok(!rules.includes("COMMA_PARENTHESIS_WHITESPACE"), rules.join());
        const counts = deriveErrorCounts(await stock.check(TEXT, "en-US"));
        assert.equal(counts.spelling, 1);
        assert.ok(counts.grammar >= 1);
        const recieve = direct.errors.find((e) => e.rule_id === "MORFOLOGIK_RULE_EN_US")!;
        assert.equal(recieve.category_id, "TYPOS");
        assert.equal(recieve.category, "Possible Typo");
        assert.equal(recieve.offset, 2);
        assert.ok(recieve.replacements.includes("receive"));

        // 2. our offload server in front of it, answering the service's /v1/check
        const upstream = await connectLanguageToolChecker({
          baseUrl: url,
          protocol: "stock",
          useCache: false,
          timeoutS: 120,
        });
        const srv = startTestServer({
          extractor: fixtureExtractor(),
          encoder: fixtureEncoder(),
          checker: upstream,
          languageTool: { url: url, version: "6.6" },
        });
        try {
          const huleedu = await connectLanguageToolChecker({
            baseUrl: srv.url,
            protocol: "huleedu",
            useCache: false,
            timeoutS: 120,
          });
          const via = await huleedu.checkDetailed(TEXT);
          assert.deepEqual(via.errors, direct.errors);
          assert.equal(via.total_grammar_errors, direct.errors.length);
          assert.deepEqual(deriveErrorCounts(await huleedu.check(TEXT, "en-US")), counts);
          await huleedu.close();
        } finally {
          await srv.shutdown();
          await upstream.close();
          await stock.close();
        }
      });
      // Swedish (issue 18): the local LanguageTool carries `language-sv`; a sentence with two
      // known misspellings (tyker → tycker, braa → bra) and a repeated word, checked in `sv`.
      await t.step("checks Swedish in sv: misspellings and a repeated word", async () => {
        const checker = await connectLanguageToolChecker({
          baseUrl: url,
          cacheRoot: await tempDir(),
          timeoutS: 120,
          language: "sv",
        });
        try {
          const text = "Jag tyker att att skolan är braa.";
          const detailed = await checker.checkDetailed(text);
          const rules = detailed.errors.map((e) => e.rule_id);
          assert.deepEqual(rules.filter((r) => r === "HUNSPELL_RULE").length, 2, rules.join());
          assert.ok(rules.includes("WORD_REPEAT_RULE"), rules.join());
          assert.deepEqual(deriveErrorCounts(await checker.check(text, "sv")), {
            grammar: 1,
            spelling: 2,
            punctuation: 0,
          });
          // the same sentence in en-US is a different check (and cache entry)
          assert.notEqual(checker.cachePath(text, "en-US"), checker.cachePath(text));
          const correct = await checker.check("Jag tycker att skolan är bra.", "sv");
          assert.deepEqual(correct, []);
        } finally {
          await checker.close();
        }
      });
    } finally {
      await lt?.stop();
    }
  },
});
