/**
 * `bench languagetool`: the settings it compares (`before` has no `--config`, the default now caps
 * the check threads at the cores), and its report flags a setting whose matches differ from
 * `before`'s (such a setting would change feature values).
 */
import assert from "node:assert/strict";
import {
  benchSettings,
  type LanguageToolBenchRun,
  renderLanguageToolBench,
} from "../../lib/bench/languagetool_bench.ts";
import {
  LANGUAGE_TOOL_JVM_OPTIONS,
  languageToolServerConfig,
} from "../../lib/offload/languagetool_server.ts";

Deno.test("LanguageTool server config: check threads = cores; before = no --config", () => {
  assert.deepEqual(languageToolServerConfig(2), { maxCheckThreads: "2" });
  assert.deepEqual(languageToolServerConfig(0), { maxCheckThreads: "1" });
  const s = benchSettings(2);
  assert.deepEqual(s.before.serverConfig, {});
  assert.deepEqual(s.cores.serverConfig, languageToolServerConfig(2));
  assert.deepEqual(s.cores.jvmOptions, LANGUAGE_TOOL_JVM_OPTIONS);
});

Deno.test("the bench report marks a setting whose matches differ from before's", () => {
  const run = (setting: string, digest: string): LanguageToolBenchRun => ({
    setting,
    repeat: 1,
    checkThreads: 2,
    essays: 10,
    startupServerCpuS: 2,
    startupWallS: 3,
    checkServerCpuSPerEssay: 0.3,
    clientCpuSPerEssay: 0.01,
    totalCpuSPerEssay: 0.5,
    wallEssaysPerS: 2,
    loadAverage: 1,
    matchesDigest: digest,
    matches: 40,
  });
  const md = renderLanguageToolBench(
    { command: "x", csv: "c.csv", essays: 10, concurrency: 8, cores: 2 },
    [run("before (default)", "aa"), run("maxCheckThreads=2", "aa"), run("bad", "bb")],
  );
  assert.match(
    md,
    /\| maxCheckThreads=2 \| 1 \| 2\.0 \| 0\.300 \| 0\.010 \| 0\.500 \| 4\.00 \| .* \| yes \(40\) \|/,
  );
  assert.match(md, /\| bad \| .* \| \*\*no\*\* \(40\) \|/);
});
