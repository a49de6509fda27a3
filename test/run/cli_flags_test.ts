import assert from "node:assert/strict";
import {
  commandHelp,
  configOverridesFromFlags,
  DATASET_FLAGS,
  parseFlags,
  UsageError,
} from "../../lib/run/cli_flags.ts";
import { resolveExperimentConfig } from "../../lib/run/config.ts";
import { main } from "../../lib/cli.ts";

Deno.test("flags parse with both syntaxes and map to config keys", () => {
  const { values } = parseFlags(
    ["--min-words", "150", "--max-words=900", "--excluded-prompts", "A | B", "--run-name", "x"],
    DATASET_FLAGS,
  );
  const overrides = configOverridesFromFlags(values, DATASET_FLAGS);
  assert.deepEqual(overrides, {
    minWords: 150,
    maxWords: 900,
    ellipseExcludedPrompts: ["A", "B"],
    runName: "x",
  });
  const config = resolveExperimentConfig(undefined, overrides);
  assert.equal(config.seed, 42);
  assert.equal(config.nSplits, 5);
  assert.equal(config.ellipseExcludedPrompts.length, 2);
});

Deno.test("unknown flags are rejected with a suggestion; bad values name the flag", () => {
  assert.throws(
    () => parseFlags(["--min-word", "3"], DATASET_FLAGS, "prepare-dataset"),
    (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(
        e.message,
        /unknown flag --min-word for prepare-dataset \(did you mean --min-words\?\)/,
      );
      return true;
    },
  );
  assert.throws(
    () => parseFlags(["--min-words", "many"], DATASET_FLAGS),
    /--min-words expects a whole number/,
  );
  assert.throws(() => parseFlags(["--seed"], DATASET_FLAGS), /--seed needs a value/);
});

Deno.test("config rejects an inverted word window and help lists defaults", () => {
  assert.throws(
    () => resolveExperimentConfig(undefined, { minWords: 500, maxWords: 100 }),
    /minWords must be <= maxWords/,
  );
  const help = commandHelp({
    name: "prepare-dataset",
    summary: "s",
    flags: DATASET_FLAGS,
    run: () => Promise.resolve(0),
  });
  assert.match(help, /--min-words\s+word window minimum \(inclusive\).*\(default: 200\)/);
  assert.match(help, /Letter to employer/);
});

Deno.test("CLI exit codes: help 0, unknown command/flag 2", async () => {
  const log = console.log;
  const err = console.error;
  const out: string[] = [];
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => out.push(a.join(" "));
  try {
    assert.equal(await main(["prepare-dataset", "--help"]), 0);
    assert.equal(await main(["prepare-dataset", "--bogus"]), 2);
    assert.equal(await main(["no-such-command"]), 2);
    // issue 14: cv --help lists the new flags; a test store without --evaluate-test is refused
    assert.equal(await main(["cv", "--help"]), 0);
    assert.equal(await main(["cv", "--reuse-test-feature-store-dir", "x"]), 2);
  } finally {
    console.log = log;
    console.error = err;
  }
  assert.ok(out.some((l) => l.includes("unknown flag --bogus")));
  assert.ok(out.some((l) => l.includes('unknown command "no-such-command"')));
  assert.ok(out.some((l) => l.includes("--evaluate-test") && l.includes("--blend-stacks")));
  assert.ok(out.some((l) => l.includes("--reuse-test-feature-store-dir needs --evaluate-test")));
});

Deno.test("manifests record the CLI line, and say so when a run has no CLI command", async () => {
  const { commandLineOf } = await import("../../lib/run/manifest.ts");
  assert.equal(
    commandLineOf("cv", ["--scheme", "prompt_holdout"]),
    "deno task essay-scoring-research cv --scheme prompt_holdout",
  );
  assert.match(
    commandLineOf("notebook:compare-runs", []),
    /^\(notebook-only run "compare-runs"; no CLI command\)/,
  );
});
