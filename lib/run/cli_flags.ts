/**
 * Command-line flags: declarative specs, strict parsing (unknown flags rejected with a
 * suggestion), `--help` text, and the mapping of flags onto `ExperimentConfig` keys.
 *
 * Flag names are the runbook's (`--dataset-kind`, `--min-words`, `--ellipse-train-path`, …);
 * each maps to the camelCase config key of the same words unless `configKey` says otherwise
 * (`treeParams.maxDepth` style paths reach nested params).
 *
 * @module
 */
import { ExperimentConfigSchema } from "./config.ts";

/** Value kinds a flag can take. */
export type FlagType = "string" | "int" | "number" | "boolean" | "list";

/** One flag of a command. */
export interface FlagSpec {
  /** Kebab-case name without dashes, e.g. `min-words`. */
  readonly name: string;
  readonly type: FlagType;
  readonly description: string;
  /** Config key (dot path for nested params); `null` for flags that are not config. */
  readonly configKey?: string | null;
}

/** A CLI command: its flags and what it runs. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
  /** Runs the command; resolves to the process exit code. */
  run(invocation: CommandInvocation): Promise<number>;
}

/** What a command receives. */
export interface CommandInvocation {
  /** Parsed flag values by flag name. */
  readonly values: Readonly<Record<string, unknown>>;
  /** The raw argv after the command name (recorded in manifests). */
  readonly argv: readonly string[];
}

/** A usage error (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Flags every dataset-reading command takes. */
export const DATASET_FLAGS: readonly FlagSpec[] = [
  { name: "config", type: "string", configKey: null, description: "JSON config file (flags win)" },
  {
    name: "dataset",
    type: "string",
    configKey: null,
    description: "dataset manifest JSON (any corpus; see docs/dataset_manifest.md); " +
      "default: the built-in ELLIPSE manifest from the ELLIPSE flags",
  },
  {
    name: "allow-genre-mix",
    type: "boolean",
    description: "run on a corpus that mixes genres without a declared scope (reports say so)",
  },
  { name: "dataset-kind", type: "string", description: "ellipse | ielts (ielts: smoke only)" },
  { name: "ellipse-train-path", type: "string", description: "ELLIPSE train CSV" },
  { name: "ellipse-test-path", type: "string", description: "ELLIPSE test CSV" },
  { name: "ielts-path", type: "string", description: "IELTS CSV (blocked: smoke tests only)" },
  {
    name: "min-words",
    type: "int",
    description: "word window minimum (inclusive); unset: a --dataset manifest's wordWindow.min, " +
      "else ELLIPSE's",
  },
  {
    name: "max-words",
    type: "int",
    description: "word window maximum (inclusive); unset: a --dataset manifest's wordWindow.max, " +
      "else ELLIPSE's",
  },
  {
    name: "excluded-prompts",
    type: "list",
    configKey: "ellipseExcludedPrompts",
    description: "prompt names to exclude (prompt-level), separated by '|'; unset: a --dataset " +
      "manifest's excludedPrompts, else ELLIPSE's",
  },
  { name: "run-name", type: "string", description: "run name (directory suffix)" },
  { name: "seed", type: "int", description: "random seed" },
  { name: "output-root", type: "string", description: "where run directories go" },
  { name: "experiment-log-path", type: "string", description: "append-only experiment log" },
  { name: "heartbeat-minutes", type: "number", description: "fault.log heartbeat period" },
];

/** Converts `min-words` to `minWords`. */
export function kebabToCamel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

function parseValue(spec: FlagSpec, raw: string): unknown {
  switch (spec.type) {
    case "string":
      return raw;
    case "int": {
      if (!/^[+-]?\d+$/.test(raw.trim())) {
        throw new UsageError(`--${spec.name} expects a whole number, got "${raw}"`);
      }
      return Number(raw);
    }
    case "number": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) {
        throw new UsageError(`--${spec.name} expects a number, got "${raw}"`);
      }
      return n;
    }
    case "boolean": {
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      throw new UsageError(`--${spec.name} expects true or false, got "${raw}"`);
    }
    case "list":
      return raw === "" ? [] : raw.split("|").map((s) => s.trim()).filter((s) => s !== "");
  }
}

/**
 * Parse `--flag value`, `--flag=value` and bare boolean flags against specs.
 *
 * @example
 * ```ts
 * parseFlags(["--min-words", "150"], DATASET_FLAGS).values["min-words"]; // 150
 * ```
 */
export function parseFlags(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  command = "command",
): { values: Record<string, unknown>; help: boolean } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: Record<string, unknown> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      throw new UsageError(`unexpected argument "${arg}" for ${command}; flags start with --`);
    }
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = byName.get(name);
    if (!spec) {
      const close = specs.map((s) => s.name).filter((n) => editDistance(n, name) <= 2);
      throw new UsageError(
        `unknown flag --${name} for ${command}` +
          (close.length ? ` (did you mean --${close[0]}?)` : "") +
          `; run \`deno task essay-scoring-research ${command} --help\``,
      );
    }
    if (name in values) throw new UsageError(`--${name} given twice`);
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (spec.type === "boolean" && (i + 1 >= argv.length || argv[i + 1].startsWith("--"))) {
      raw = "true";
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      raw = argv[++i];
    }
    values[name] = parseValue(spec, raw);
  }
  return { values, help };
}

/**
 * Map parsed flag values onto config overrides (nested paths become nested objects).
 *
 * @example
 * ```ts
 * configOverridesFromFlags({ "min-words": 150 }, DATASET_FLAGS); // { minWords: 150 }
 * ```
 */
export function configOverridesFromFlags(
  values: Readonly<Record<string, unknown>>,
  specs: readonly FlagSpec[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    if (!(spec.name in values) || spec.configKey === null) continue;
    const path = (spec.configKey ?? kebabToCamel(spec.name)).split(".");
    let target = out;
    for (const key of path.slice(0, -1)) {
      target[key] = (target[key] as Record<string, unknown> | undefined) ?? {};
      target = target[key] as Record<string, unknown>;
    }
    target[path[path.length - 1]] = values[spec.name];
  }
  return out;
}

function configDefault(path: string): unknown {
  // deno-lint-ignore no-explicit-any
  let node: any = ExperimentConfigSchema.parse({});
  for (const key of path.split(".")) node = node?.[key];
  return node;
}

/**
 * The `--help` text of a command (flags with their config defaults).
 *
 * @example
 * ```ts
 * console.log(commandHelp(spec));
 * ```
 */
export function commandHelp(spec: CommandSpec): string {
  const width = Math.max(...spec.flags.map((f) => f.name.length), 4) + 2;
  const lines = [
    `deno task essay-scoring-research ${spec.name} [flags]`,
    "",
    spec.summary,
    "",
    "Flags:",
  ];
  for (const f of spec.flags) {
    const def = f.configKey === null
      ? undefined
      : configDefault(f.configKey ?? kebabToCamel(f.name));
    const shown = def === undefined
      ? ""
      : ` (default: ${Array.isArray(def) ? def.join(" | ") : String(def)})`;
    lines.push(`  --${f.name.padEnd(width)} ${f.description}${shown}`);
  }
  lines.push(`  --${"help".padEnd(width)} show this help`);
  return lines.join("\n");
}
