/**
 * The LanguageTool client in both dialects (HEMMA_PROTOCOL.md §A.3, §A.9): stock `/v2/check`
 * against a replay of a recorded LanguageTool 6.4 answer, the HuleEdu `/v1/check` against our
 * server, the `auto` probe, the original counting rule, the original cache key and entry format
 * (an existing entry is reused with no request), and the service's error envelopes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  connectLanguageToolChecker,
  writeCacheEntryJson,
} from "../../lib/offload/language_tool_client.ts";
import { OffloadHttpError, OffloadRequestError } from "../../lib/offload/http_client.ts";
import { languageToolCacheKey } from "../../lib/offload/hemma/cache_keys.ts";
import {
  buildCheckResponse,
  originalCounts,
  stockResponseToErrors,
} from "../../lib/offload/hemma/language_tool.ts";
import { deriveErrorCounts } from "../../lib/features/checkers/error_categories.ts";
import { OffloadMetricsCollector } from "../../lib/offload/offload_metrics.ts";
import { startTestServer, tempDir } from "./helpers.ts";

const fast = { maxRetries: 2, backoffBaseMs: 10, backoffMaxMs: 40 };

/** A fake stock LanguageTool: `/v2/languages` and `/v2/check` replaying `answer`. */
function fakeStock(answer: string) {
  const seen: URLSearchParams[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/v2/languages") {
      return Response.json([{ name: "English (US)", code: "en", longCode: "en-US" }]);
    }
    if (path !== "/v2/check") return new Response("not found", { status: 404 });
    const form = new URLSearchParams(await req.text());
    seen.push(form);
    if (!form.get("language")) {
      return new Response("Error: Missing 'language' parameter", { status: 400 });
    }
    return new Response(answer, { headers: { "content-type": "application/json" } });
  });
  return { server, seen, url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}` };
}

Deno.test("stock dialect: form fields, whitespace issues dropped, original counts, cache entry", async () => {
  const recorded = await Deno.readTextFile(
    new URL("../fixtures/languagetool_check_response.json", import.meta.url),
  );
  const stock = fakeStock(recorded);
  const cacheRoot = await tempDir();
  const collector = new OffloadMetricsCollector();
  const lt = await connectLanguageToolChecker({
    baseUrl: stock.url,
    cacheRoot,
    collector,
    ...fast,
  });
  try {
    assert.equal(lt.protocol, "stock"); // auto: /v2/languages answered a JSON array
    const text = "He go to school. It is a exemple ,and i\n\nlike it .Its fine";
    const matches = await lt.check(text, "en-US");
    const sent = stock.seen[0];
    assert.equal(sent.get("text"), "He go to school. It is a exemple ,and i like it .Its fine");
    assert.equal(sent.get("language"), "en-US");
    assert.equal(sent.get("enabledOnly"), "false");
    // 9 matches, 2 of them whitespace issues: 7 remain
    assert.equal(matches.length, 7);
    assert.deepEqual(deriveErrorCounts(matches), { grammar: 4, spelling: 2, punctuation: 1 });
    const path = lt.cachePath(text)!;
    assert.equal(
      path,
      join(
        cacheRoot,
        "offload_language_tool",
        `${
          languageToolCacheKey({
            languageToolUrl: stock.url,
            language: "en-US",
            requestTimeoutS: 60,
            normalizedText: sent.get("text")!,
          })
        }.json`,
      ),
    );
    const raw = await Deno.readTextFile(path);
    assert.match(
      raw,
      /^\{"schema_version":1,"language_tool_url":"http:\/\/127\.0\.0\.1:\d+","language":"en-US","request_timeout_s":60\.0,"request_options":\{\},"text_sha256":"[0-9a-f]{64}","text_chars":57,"derived_counts":\{"grammar":4\.0,"spelling":2\.0,"punctuation":1\.0\},"response":\{"errors":\[/,
    );
    const entry = JSON.parse(raw);
    assert.equal(entry.response.total_grammar_errors, 7);
    assert.deepEqual(entry.response.grammar_category_counts, {
      GRAMMAR: 2,
      MISC: 1,
      TYPOS: 1,
      CASING: 1,
      TYPOGRAPHY: 1,
      PUNCTUATION: 1,
    });
    // the same text again (other whitespace) is a hit: no second request
    await lt.check(text.replace("\n\n", " "), "en-US");
    assert.equal(stock.seen.length, 1);
    assert.equal(collector.service("language_tool").hits, 1);
    assert.equal(collector.service("language_tool").requests, 1);
    // a 4xx of the stock server is not retried and names its plain-text message
    const err = await lt.check("x", "").then(() => undefined, (e) => e);
    assert.ok(err instanceof OffloadHttpError);
    assert.match(err.message, /Missing 'language' parameter/);
  } finally {
    await lt.close();
    await stock.server.shutdown();
  }
});

Deno.test("huleedu dialect against our server's /v1/check; auto picks it", async () => {
  const srv = startTestServer();
  const lt = await connectLanguageToolChecker({ baseUrl: srv.url, useCache: false, ...fast });
  try {
    assert.equal(lt.protocol, "huleedu");
    const matches = await lt.check("They are is here , and teh dog too.", "en-US");
    assert.deepEqual(deriveErrorCounts(matches), { grammar: 1, spelling: 1, punctuation: 1 });
    const detailed = await lt.checkDetailed("teh");
    assert.equal(detailed.errors[0].category_id, "TYPOS");
    assert.equal(detailed.language, "en-US");
    // empty after normalisation: no request, no errors (the service would answer 400)
    assert.deepEqual(await lt.check(" \n\t ", "en-US"), []);
  } finally {
    await lt.close();
    await srv.shutdown();
  }
});

Deno.test("an existing cache entry of the original pipeline is reused with no request", async () => {
  // Appendix 1: URL http://127.0.0.1:18085, timeout 60.0 → a4dda838….json. Nothing listens there.
  const cacheRoot = await tempDir();
  const dir = join(cacheRoot, "offload_language_tool");
  await Deno.mkdir(dir, { recursive: true });
  const text = "I recieve your letter yesterday , thanks. She go home";
  const response = buildCheckResponse(
    stockResponseToErrors({ matches: WORKED_EXAMPLE_MATCHES }, text),
    "en-US",
    87,
  );
  await Deno.writeTextFile(
    join(dir, "a4dda838d999b391cd3a388e17798575a2f856214d884f87cad8ab8fbdcdd069.json"),
    writeCacheEntryJson({
      schema_version: 1,
      language_tool_url: "http://127.0.0.1:18085",
      language: "en-US",
      request_timeout_s: 60,
      request_options: {},
      text_sha256: "acc20b144db7255ec1f389e76b916b729f1621c11967d957a41d2672d240d817",
      text_chars: 53,
      derived_counts: originalCounts(response.errors),
      response,
    }),
  );
  const lt = await connectLanguageToolChecker({
    baseUrl: "http://127.0.0.1:18085",
    protocol: "huleedu",
    cacheRoot,
    maxRetries: 0,
  });
  try {
    const matches = await lt.check(`  ${text.replace(" , ", "  ,\n ")}`, "en-US");
    assert.deepEqual(deriveErrorCounts(matches), { grammar: 1, spelling: 1, punctuation: 1 });
  } finally {
    await lt.close();
  }
});

Deno.test("§A.3.7 worked example: the wrapper's mapping and the service's answer", () => {
  const text = "I recieve your letter yesterday , thanks. She go home";
  const r = buildCheckResponse(
    stockResponseToErrors({ matches: WORKED_EXAMPLE_MATCHES }, text),
    "en-US",
    87,
  );
  assert.equal(r.total_grammar_errors, 3);
  assert.deepEqual(r.grammar_category_counts, { TYPOS: 1, GRAMMAR: 1, PUNCTUATION: 1 });
  assert.deepEqual(r.grammar_rule_counts, {
    MORFOLOGIK_RULE_EN_US: 1,
    HE_VERB_AGR: 1,
    PUNCTUATION_PARAGRAPH_END: 1,
  });
  assert.deepEqual(r.errors[0], {
    rule_id: "MORFOLOGIK_RULE_EN_US",
    message: "Possible spelling mistake found.",
    short_message: "Spelling mistake",
    offset: 2,
    length: 7,
    replacements: ["receive", "relieve", "recede", "reverie", "receiver"],
    category: "Possible Typo",
    severity: "info",
    category_id: "TYPOS",
    category_name: "Possible Typo",
    context: text,
    context_offset: 2,
  });
  assert.equal(r.errors[1].severity, "warning");
  assert.equal(r.errors[2].short_message, "");
  assert.deepEqual(originalCounts(r.errors), { grammar: 1, spelling: 1, punctuation: 1 });
  // §A.9.3: SPELL only in the category; PUNCT in the rule id wins; category as a fallback
  assert.deepEqual(
    originalCounts([
      { category_id: "GRAMMAR", rule_id: "EN_SPELLING_X" },
      { category_id: "TYPOGRAPHY", rule_id: "UNPAIRED_PUNCT" },
      { category_id: "", category: "Possible Typo", rule_id: "X" },
      { category_id: "", category: "misspelling", rule_id: "X" },
      "not an object",
    ]),
    { grammar: 2, spelling: 1, punctuation: 1 },
  );
  assert.deepEqual(originalCounts("not a list"), { grammar: 0, spelling: 0, punctuation: 0 });
});

Deno.test("the service's error envelopes: 400 is not retried, 500 is, both named", async () => {
  let calls = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    calls++;
    const body = await req.json();
    const error = body.text === "bad"
      ? { code: "VALIDATION_ERROR", message: "Invalid request format: …", details: {} }
      : {
        code: "PROCESSING_ERROR",
        message: "Grammar analysis failed: [TIMEOUT] LanguageTool request timed out",
      };
    return Response.json({ error }, { status: body.text === "bad" ? 400 : 500 });
  });
  const url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  const lt = await connectLanguageToolChecker({
    baseUrl: url,
    protocol: "huleedu",
    useCache: false,
    ...fast,
  });
  try {
    const e400 = await lt.check("bad", "en-US").then(() => undefined, (e) => e);
    assert.ok(e400 instanceof OffloadHttpError);
    assert.equal(e400.errorCode, "VALIDATION_ERROR");
    assert.equal(calls, 1);
    const e500 = await lt.check("slow", "en-US").then(() => undefined, (e) => e);
    assert.ok(e500 instanceof OffloadRequestError);
    assert.match(e500.message, /PROCESSING_ERROR: Grammar analysis failed: \[TIMEOUT\]/);
    assert.equal(calls, 1 + 3);
  } finally {
    await lt.close();
    await server.shutdown();
  }
});

/** The stock matches of HEMMA_PROTOCOL.md §A.3.7. */
const WORKED_EXAMPLE_MATCHES = [
  {
    message: "Possible spelling mistake found.",
    shortMessage: "Spelling mistake",
    replacements: ["receive", "relieve", "recede", "reverie", "receiver", "recipe"].map((
      value,
    ) => ({ value })),
    offset: 2,
    length: 7,
    context: {
      text: "I recieve your letter yesterday , thanks. She go home",
      offset: 2,
      length: 7,
    },
    rule: {
      id: "MORFOLOGIK_RULE_EN_US",
      issueType: "misspelling",
      category: { id: "TYPOS", name: "Possible Typo" },
    },
  },
  {
    message: "Don't put a space before the comma.",
    shortMessage: "",
    replacements: [{ value: "," }],
    offset: 31,
    length: 2,
    context: { text: "…", offset: 31, length: 2 },
    rule: {
      id: "COMMA_PARENTHESIS_WHITESPACE",
      issueType: "whitespace",
      category: { id: "TYPOGRAPHY", name: "Typography" },
    },
  },
  {
    message: "The pronoun ‘She’ is usually used with a third-person or a past tense verb.",
    shortMessage: "Grammatical problem",
    replacements: [{ value: "goes" }, { value: "went" }],
    offset: 46,
    length: 2,
    context: {
      text: "I recieve your letter yesterday , thanks. She go home",
      offset: 46,
      length: 2,
    },
    rule: { id: "HE_VERB_AGR", issueType: "grammar", category: { id: "GRAMMAR", name: "Grammar" } },
  },
  {
    message: "Please add a punctuation mark at the end of paragraph.",
    shortMessage: "",
    replacements: [{ value: "home." }],
    offset: 49,
    length: 4,
    context: { text: "…", offset: 49, length: 4 },
    rule: {
      id: "PUNCTUATION_PARAGRAPH_END",
      issueType: "typographical",
      category: { id: "PUNCTUATION", name: "Punctuation" },
    },
  },
];

Deno.test("auto probe: the HuleEdu service (500 UNKNOWN_ERROR on /v2/languages, JSON /healthz)", async () => {
  const paths: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    paths.push(`${req.method} ${path}`);
    if (path === "/healthz") {
      return Response.json({ service: "language-tool-service", status: "degraded" }, {
        status: 503,
      });
    }
    return Response.json({
      error: { code: "UNKNOWN_ERROR", message: "An unexpected error occurred", service: "unknown" },
    }, { status: 500 });
  });
  const url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  try {
    const lt = await connectLanguageToolChecker({
      baseUrl: url,
      useCache: false,
      backoffBaseMs: 5,
    });
    assert.equal(lt.protocol, "huleedu");
    assert.deepEqual(paths, ["GET /v2/languages", "GET /healthz"]);
    await lt.close();
  } finally {
    await server.shutdown();
  }
});
