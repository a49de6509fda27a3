/**
 * `deno task bench <name> --help` answers with the benchmark's flags (exit 0, every flag listed
 * with its description) instead of running it or throwing.
 */
import assert from "node:assert/strict";
import { benchMain, BENCHMARKS } from "../../lib/bench/main.ts";

Deno.test("every benchmark with registered flags answers --help with all of them", async () => {
  const printed: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => printed.push(a.join(" "));
  try {
    for (const [name, entry] of Object.entries(BENCHMARKS)) {
      if (!entry.flags) continue;
      printed.length = 0;
      assert.equal(await benchMain([name, "--help"]), 0, name);
      const text = printed.join("\n");
      assert.match(text, new RegExp(`^usage: deno task bench ${name} \\[flags\\]`));
      const { options, help } = await entry.flags();
      for (const flag of Object.keys(options)) {
        assert.ok(text.includes(`--${flag}`), `${name}: --${flag} missing from --help`);
        assert.ok(help[flag]?.length > 0, `${name}: --${flag} has no description`);
      }
    }
  } finally {
    console.log = log;
  }
});
