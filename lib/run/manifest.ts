/**
 * The run manifest: what exactly produced a run (command line, resolved config, input file
 * sha256s, Deno and package versions, git commit), written once at run start.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { ExperimentConfig } from "./config.ts";

/** An input file identified by content. */
export interface InputFileRecord {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** The content of `manifest.json`. */
export interface RunManifest {
  readonly schema_version: 1;
  readonly command: string;
  readonly argv: readonly string[];
  readonly command_line: string;
  readonly config: ExperimentConfig;
  readonly inputs: readonly InputFileRecord[];
  readonly versions: {
    readonly deno: string;
    readonly v8: string;
    readonly typescript: string;
    readonly packages: Readonly<Record<string, string>>;
  };
  readonly git: { readonly commit: string | null; readonly dirty: boolean | null };
  readonly created_at: string;
  readonly hostname: string;
}

/**
 * sha256 (hex) and size of a file's bytes.
 *
 * @example
 * ```ts
 * const { sha256 } = await fileSha256("data/embedded/ellipse_embedded_train.csv");
 * ```
 */
export async function fileSha256(path: string): Promise<InputFileRecord> {
  const bytes = await Deno.readFile(path);
  return { path, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
}

/** npm package versions pinned in the project's `deno.json` imports map. */
export async function pinnedPackageVersions(
  denoJsonPath = "deno.json",
): Promise<Record<string, string>> {
  try {
    const json = JSON.parse(await Deno.readTextFile(denoJsonPath)) as {
      imports?: Record<string, string>;
    };
    const out: Record<string, string> = {};
    for (const spec of Object.values(json.imports ?? {})) {
      const m = /^npm:(@?[^@]+)@([^/]+)/.exec(spec);
      if (m) out[m[1]] = m[2];
    }
    return out;
  } catch {
    return {};
  }
}

/** The git commit of the working tree, and whether it has uncommitted changes (null outside git). */
export async function gitState(): Promise<{ commit: string | null; dirty: boolean | null }> {
  const run = async (args: string[]) => {
    try {
      const out = await new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).output();
      return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
    } catch {
      return null;
    }
  };
  const commit = await run(["rev-parse", "HEAD"]);
  if (commit === null) return { commit: null, dirty: null };
  const status = await run(["status", "--porcelain", "--untracked-files=no"]);
  return { commit, dirty: status === null ? null : status.length > 0 };
}

/**
 * The command line a run records: the CLI invocation, or for runs that only notebooks make
 * (commands named `notebook:<what>`) a note that no CLI command exists for them.
 *
 * @example
 * ```ts
 * commandLineOf("cv", ["--scheme", "prompt_holdout"]);
 * // "deno task essay-scoring-research cv --scheme prompt_holdout"
 * ```
 */
export function commandLineOf(command: string, argv: readonly string[]): string {
  const args = argv.map(shellQuote).join(" ");
  if (command.startsWith("notebook:")) {
    return `(notebook-only run "${command.slice("notebook:".length)}"; no CLI command) ${args}`
      .trimEnd();
  }
  return ["deno task essay-scoring-research", command, args].filter((p) => p !== "").join(" ");
}

/**
 * Quote one argument for a POSIX shell, so a logged command can be pasted back as is.
 *
 * @example
 * ```ts
 * shellQuote("a|b"); // "'a|b'"
 * shellQuote("--seed"); // "--seed"
 * ```
 */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'"'"'`)}'`;
}

/**
 * Assemble the manifest of a run.
 *
 * @example
 * ```ts
 * const m = await buildRunManifest("prepare-dataset", Deno.args, config, [trainPath, testPath]);
 * ```
 */
export async function buildRunManifest(
  command: string,
  argv: readonly string[],
  config: ExperimentConfig,
  inputPaths: readonly string[],
): Promise<RunManifest> {
  const inputs: InputFileRecord[] = [];
  for (const path of inputPaths) inputs.push(await fileSha256(path));
  return {
    schema_version: 1,
    command,
    argv: [...argv],
    command_line: commandLineOf(command, argv),
    config,
    inputs,
    versions: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
      packages: await pinnedPackageVersions(),
    },
    git: await gitState(),
    created_at: new Date().toISOString(),
    hostname: Deno.hostname(),
  };
}
