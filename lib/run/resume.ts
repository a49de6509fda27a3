/**
 * `--resume <run-dir>`: continue an interrupted (or failed) `cv`, `drop-column` or `run` in its
 * own run directory.
 *
 * The run directory's `manifest.json` says what the run is; the resuming invocation must be the
 * same run: the same command, the same resolved config, the same step flags that change results
 * (`--text-stacking`, `--cutpoint-inner-folds`, …; worker counts may differ, they change speed
 * only) and input files with the same sha256. Anything else is refused with a
 * {@link ResumeMismatchError} that lists every difference. `--resume <dir>` alone replays the
 * recorded flags (after the same checks: a `--config` file edited since is refused too).
 *
 * A completed run is refused, and so is one whose `status.json` says running while its process
 * is still alive on this host. What resuming reuses is up to the step: extraction continues from
 * the chunks in the run's feature store (`extractWithStore`), a finished store is loaded, and
 * later stages run again.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { type CommandInvocation, type FlagSpec, parseFlags, UsageError } from "./cli_flags.ts";
import { type ExperimentConfig, ExperimentConfigSchema } from "./config.ts";
import { fileSha256, type RunManifest } from "./manifest.ts";
import type { RunStatus } from "./status.ts";

/** The `--resume` flag (not a config key). */
export const RESUME_FLAG: FlagSpec = {
  name: "resume",
  type: "string",
  configKey: null,
  description: "continue an interrupted run in its run directory (same flags and inputs, or " +
    "none: the recorded ones are used); extraction resumes from the stored chunks",
};

/** Step flags that do not change results, so a resume may give other values. */
export const RESUME_FREE_FLAGS: readonly string[] = [
  "resume",
  "extraction-workers",
  "cv-workers",
  "config",
];

/** The resuming invocation differs from the run it would continue. */
export class ResumeMismatchError extends UsageError {
  override name = "ResumeMismatchError";
  /** Create the error with every difference found. */
  constructor(readonly dir: string, readonly differences: readonly string[]) {
    super(
      `cannot resume ${dir}: the invocation differs from the run's manifest.json:\n` +
        differences.map((d) => `  - ${d}`).join("\n") +
        "\nresume with the run's own flags (or only --resume), or start a new run",
    );
  }
}

const ManifestSchema = z.object({
  schema_version: z.literal(1),
  command: z.string(),
  argv: z.array(z.string()),
  command_line: z.string(),
  config: z.record(z.string(), z.unknown()),
  inputs: z.array(z.object({ path: z.string(), sha256: z.string(), bytes: z.number() })),
}).passthrough();

const StatusSchema = z.object({
  state: z.enum(["running", "completed", "failed"]),
  stage: z.string().nullable(),
  stages: z.array(z.object({ name: z.string(), state: z.string() }).passthrough()),
  pid: z.number().int().optional(),
  hostname: z.string().optional(),
}).passthrough();

/** A run directory found resumable. */
export interface ResumeTarget {
  readonly dir: string;
  readonly manifest: RunManifest;
  readonly status: RunStatus;
}

async function readJson<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(`--resume: cannot read ${what} ${path} (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--resume: ${path} is not valid JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `--resume: ${path} is not a ${what}: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** Whether process `pid` is alive on this host (Linux `/proc`; unknown elsewhere → true). */
export function processAlive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      try {
        Deno.statSync("/proc/self");
        return false;
      } catch {
        return true;
      }
    }
    return true;
  }
}

/**
 * Read a run directory's manifest and status and check it can be resumed by `command`.
 *
 * @example
 * ```ts
 * const target = await loadResumeTarget("output/essay_scoring/20260101_000000_cv", "cv");
 * ```
 */
export async function loadResumeTarget(dir: string, command: string): Promise<ResumeTarget> {
  const manifest = await readJson(join(dir, "manifest.json"), ManifestSchema, "run manifest");
  const status = await readJson(join(dir, "status.json"), StatusSchema, "run status");
  if (manifest.command !== command) {
    throw new UsageError(
      `--resume: ${dir} is a \`${manifest.command}\` run, not \`${command}\`; resume it with ` +
        `\`deno task essay-scoring-research ${manifest.command} --resume ${dir}\``,
    );
  }
  if (status.state === "completed") {
    throw new UsageError(`--resume: ${dir} has already completed; nothing to resume`);
  }
  if (
    status.state === "running" && status.pid !== undefined &&
    (status.hostname === undefined || status.hostname === Deno.hostname()) &&
    processAlive(status.pid)
  ) {
    throw new UsageError(
      `--resume: ${dir} is still running (process ${status.pid} is alive); stop it first ` +
        "(Ctrl-C or kill), then resume",
    );
  }
  return {
    dir,
    manifest: manifest as unknown as RunManifest,
    status: status as unknown as RunStatus,
  };
}

/**
 * Dotted paths where two JSON values differ (`a.b: 1 → 2`), for messages.
 *
 * @example
 * ```ts
 * jsonDifferences({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 3 } }); // ["b.c: 2 → 3"]
 * ```
 */
export function jsonDifferences(before: unknown, after: unknown, path = ""): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => jsonDifferences(before[k], after[k], path ? `${path}.${k}` : k));
  }
  const a = JSON.stringify(before);
  const b = JSON.stringify(after);
  if (a === b) return [];
  const show = (s: string | undefined) => s === undefined ? "(unset)" : s;
  return [`${path || "(value)"}: ${show(a)} → ${show(b)}`];
}

/**
 * The flag values recorded in a manifest's argv that `flags` knows (others, e.g. `runbook`-only
 * flags of a run the runbook started, are skipped with their value).
 *
 * @example
 * ```ts
 * recordedFlagValues(["--text-stacking", "false", "--skip-drop-column"], MODEL_FLAGS);
 * // { "text-stacking": false }
 * ```
 */
export function recordedFlagValues(
  argv: readonly string[],
  flags: readonly FlagSpec[],
): Record<string, unknown> {
  const known = new Map(flags.map((f) => [f.name, f]));
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const hasValue = eq < 0 && i + 1 < argv.length && !argv[i + 1].startsWith("--");
    if (known.has(name)) {
      kept.push(arg);
      if (hasValue) kept.push(argv[i + 1]);
    }
    if (hasValue) i++;
  }
  return parseFlags(kept, flags).values;
}

/**
 * Refuse (listing every difference) a resume whose config, result-changing step flags or input
 * files differ from the run's manifest.
 *
 * @example
 * ```ts
 * await checkResumeMatches(target, config, invocation.values, CV_FLAGS, inputPaths);
 * ```
 */
export async function checkResumeMatches(
  target: ResumeTarget,
  config: ExperimentConfig,
  values: Readonly<Record<string, unknown>>,
  flags: readonly FlagSpec[],
  inputPaths: readonly string[],
): Promise<void> {
  const { manifest } = target;
  const differences = jsonDifferences(manifest.config, JSON.parse(JSON.stringify(config)))
    .map((d) => `config ${d}`);
  const recorded = recordedFlagValues(manifest.argv, flags);
  for (const spec of flags) {
    if (spec.configKey !== null || RESUME_FREE_FLAGS.includes(spec.name)) continue;
    const was = JSON.stringify(recorded[spec.name]);
    const now = JSON.stringify(values[spec.name]);
    if (was !== now) {
      differences.push(`flag --${spec.name}: ${was ?? "(unset)"} → ${now ?? "(unset)"}`);
    }
  }
  const recordedInputs = new Map(manifest.inputs.map((i) => [i.path, i]));
  for (const path of inputPaths) {
    const before = recordedInputs.get(path);
    if (!before) {
      differences.push(`input ${path}: not an input of the run`);
      continue;
    }
    recordedInputs.delete(path);
    const now = await fileSha256(path);
    if (now.sha256 !== before.sha256) {
      differences.push(
        `input ${path}: sha256 ${before.sha256.slice(0, 12)}… → ${now.sha256.slice(0, 12)}… ` +
          `(${before.bytes} → ${now.bytes} bytes): the file changed since the run started`,
      );
    }
  }
  for (const path of recordedInputs.keys()) {
    differences.push(`input ${path}: not an input now (it was one of the run)`);
  }
  if (differences.length > 0) throw new ResumeMismatchError(target.dir, differences);
}

/** What a resuming command runs with. */
export interface ResolvedResume {
  readonly target: ResumeTarget;
  /** The config: the invocation's, or (only `--resume` given) the recorded one. */
  readonly config: ExperimentConfig;
  /** Flag values (for step options): the invocation's, or the recorded ones. */
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * For a command's `run`: when `--resume <dir>` was given, load the target, take the config and
 * flag values (the invocation's own, or the recorded ones when only `--resume` was given) and
 * check them and the inputs against the manifest; `undefined` without `--resume`.
 *
 * @example
 * ```ts
 * const resumed = await resolveResume(invocation, "cv", flags, configFromInvocation, inputs);
 * const config = resumed?.config ?? await configFromInvocation(invocation, flags);
 * ```
 */
export async function resolveResume(
  invocation: CommandInvocation,
  command: string,
  flags: readonly FlagSpec[],
  configOf: (
    invocation: CommandInvocation,
    flags: readonly FlagSpec[],
  ) => Promise<ExperimentConfig>,
  inputsOf: (config: ExperimentConfig) => Promise<readonly string[]>,
): Promise<ResolvedResume | undefined> {
  const dir = invocation.values["resume"];
  if (typeof dir !== "string") return undefined;
  const target = await loadResumeTarget(dir, command);
  const own = Object.keys(invocation.values).filter((k) => k !== "resume");
  let config: ExperimentConfig;
  let values: Readonly<Record<string, unknown>>;
  if (own.length > 0) {
    config = await configOf(invocation, flags);
    values = invocation.values;
  } else {
    const parsed = ExperimentConfigSchema.safeParse(target.manifest.config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(
        `--resume: the config recorded in ${dir}/manifest.json is not valid for this version ` +
          `(${issue.path.join(".") || "(root)"}: ${issue.message}); start a new run`,
      );
    }
    config = parsed.data;
    values = recordedFlagValues(target.manifest.argv, flags);
  }
  await checkResumeMatches(target, config, values, flags, await inputsOf(config));
  return { target, config, values };
}
