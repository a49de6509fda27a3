/**
 * A real, stock LanguageTool server as an optional local dependency:
 * `deno task serve-languagetool [--port 8081] [--heap 512m]`.
 *
 * Fetches the pinned LanguageTool ({@link LANGUAGE_TOOL_VERSION}: `org.languagetool:
 * languagetool-server` and the language modules of {@link LOCAL_LANGUAGE_TOOL_MODULES},
 * `language-en` and `language-sv`, from Maven Central with `mvn dependency:copy-dependencies`)
 * once into `~/.cache/essay-scoring/languagetool-<version>/lib/` (≈ 250 MB, ≈ 30 s here; a cache
 * fetched before a module was added is completed on the next start), then
 * starts `org.languagetool.server.HTTPServer` on loopback (≈ 6 s to answer; JVM options
 * {@link LANGUAGE_TOOL_JVM_OPTIONS}, `--config` {@link languageToolServerConfig}) and prints
 * `LISTENING <url>`. Needs Java 17+ and Maven; the default `deno task main` never does this.
 * Point `deno task serve-offload --language-tool-url <url>` at it for Tier 1, as on Hemma.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LOCAL_LANGUAGE_TOOL_MODULES } from "./languagetool_language.ts";

/** The pinned LanguageTool version (Hemma declares 6.6). */
export const LANGUAGE_TOOL_VERSION = "6.6";

/** Where the jars are cached (under the user's home). */
export function languageToolHome(version = LANGUAGE_TOOL_VERSION): string {
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  const base = Deno.env.get("ESSAY_SCORING_LT_HOME") ?? join(home, ".cache", "essay-scoring");
  return join(base, `languagetool-${version}`);
}

async function commandWorks(cmd: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Whether Java and Maven are on PATH (`null`) or what is missing. */
export async function missingJavaTools(): Promise<string | null> {
  const missing: string[] = [];
  if (!(await commandWorks("java", ["-version"]))) missing.push("java (17+)");
  if (!(await commandWorks("mvn", ["-v"]))) missing.push("mvn");
  return missing.length ? missing.join(" and ") : null;
}

function pom(version: string, modules: readonly string[]): string {
  const dependency = (artifact: string) =>
    `    <dependency><groupId>org.languagetool</groupId><artifactId>${artifact}</artifactId>` +
    `<version>${version}</version></dependency>`;
  const artifacts = ["languagetool-server", ...modules.map((m) => `language-${m}`)];
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.essay-scoring</groupId><artifactId>languagetool-fetch</artifactId>
  <version>1</version><packaging>pom</packaging>
  <dependencies>
${artifacts.map(dependency).join("\n")}
  </dependencies>
</project>
`;
}

/**
 * Whether the jars of `version` with every language module are cached (the fetch marker and each
 * `language-<module>-<version>.jar`).
 */
export async function languageToolFetched(
  version = LANGUAGE_TOOL_VERSION,
  modules: readonly string[] = LOCAL_LANGUAGE_TOOL_MODULES,
): Promise<boolean> {
  const dir = languageToolHome(version);
  for (const file of ["COMPLETE", ...modules.map((m) => `lib/language-${m}-${version}.jar`)]) {
    try {
      await Deno.stat(join(dir, file));
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Make sure the jars of `version` and its language modules (default
 * {@link LOCAL_LANGUAGE_TOOL_MODULES}) are in the cache (fetching them with Maven once; a cache
 * that lacks a module is completed); returns the `lib/` directory. Bounded by `timeoutMs`
 * (default 10 min).
 */
export async function ensureLanguageTool(
  options: {
    version?: string;
    modules?: readonly string[];
    timeoutMs?: number;
    log?: (l: string) => void;
  } = {},
): Promise<string> {
  const version = options.version ?? LANGUAGE_TOOL_VERSION;
  const modules = options.modules ?? LOCAL_LANGUAGE_TOOL_MODULES;
  const dir = languageToolHome(version);
  const lib = join(dir, "lib");
  const marker = join(dir, "COMPLETE");
  if (await languageToolFetched(version, modules)) return lib;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "pom.xml"), pom(version, modules));
  options.log?.(`fetching LanguageTool ${version} from Maven Central into ${lib} (once)`);
  const t0 = performance.now();
  const child = new Deno.Command("mvn", {
    args: [
      "-q",
      "-B",
      "-f",
      join(dir, "pom.xml"),
      "dependency:copy-dependencies",
      `-DoutputDirectory=${lib}`,
      "-DincludeScope=runtime",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 600_000);
  const out = await child.output();
  clearTimeout(timer);
  if (!out.success) {
    const tail = new TextDecoder().decode(out.stdout).slice(-2000) +
      new TextDecoder().decode(out.stderr).slice(-2000);
    throw new Error(`mvn could not fetch LanguageTool ${version} (exit ${out.code}):\n${tail}`);
  }
  await Deno.writeTextFile(marker, new Date().toISOString());
  options.log?.(`fetched in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return lib;
}

/** JVM options of the server (measured in `docs/features_extraction.md`, "LanguageTool path"). */
export const LANGUAGE_TOOL_JVM_OPTIONS: readonly string[] = [
  "-XX:+UseParallelGC",
  "-XX:TieredStopAtLevel=1",
];

/**
 * The server's `--config` properties: `maxCheckThreads` = the machine's cores (LanguageTool's
 * default is 10 threads; measured in `docs/features_extraction.md`, "LanguageTool path"). Only
 * settings that leave every match unchanged belong here.
 *
 * @example
 * ```ts
 * languageToolServerConfig(2); // { maxCheckThreads: "2" }
 * ```
 */
export function languageToolServerConfig(
  cores = typeof navigator !== "undefined" ? navigator.hardwareConcurrency ?? 2 : 2,
): Readonly<Record<string, string>> {
  return { maxCheckThreads: String(Math.max(1, Math.floor(cores))) };
}

/** Write the properties file of a `--config` (content-addressed in the jar cache); its path. */
async function writeServerConfig(
  lib: string,
  config: Readonly<Record<string, string>>,
): Promise<string> {
  const text = Object.entries(config).map(([k, v]) => `${k}=${v}\n`).join("");
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  const name = Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
  const path = join(lib, "..", `server-${name}.properties`);
  await Deno.writeTextFile(path, text);
  return path;
}

/** A running stock LanguageTool server. */
export interface RunningLanguageTool {
  readonly url: string;
  readonly port: number;
  readonly process: Deno.ChildProcess;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the JVM has exited. */
  stop(): Promise<void>;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Options of {@link startLanguageTool}. */
export interface StartLanguageToolOptions {
  port?: number;
  heap?: string;
  version?: string;
  startTimeoutMs?: number;
  log?: (l: string) => void;
  inheritOutput?: boolean;
  /** JVM options before the class path (default {@link LANGUAGE_TOOL_JVM_OPTIONS}). */
  jvmOptions?: readonly string[];
  /** `--config` properties (default {@link languageToolServerConfig}; `{}` = none). */
  serverConfig?: Readonly<Record<string, string>>;
}

/** Spawn the JVM of the stock server (not waiting for it); `stop()` ends it. */
async function spawnLanguageTool(
  lib: string,
  port: number,
  options: StartLanguageToolOptions,
): Promise<{ process: Deno.ChildProcess; exited(): boolean; stop(): Promise<void> }> {
  const serverConfig = options.serverConfig ?? languageToolServerConfig();
  const configArgs = Object.keys(serverConfig).length === 0
    ? []
    : ["--config", await writeServerConfig(lib, serverConfig)];
  const process = new Deno.Command("java", {
    args: [
      `-Xmx${options.heap ?? "512m"}`,
      ...(options.jvmOptions ?? LANGUAGE_TOOL_JVM_OPTIONS),
      "-cp",
      `${lib}/*`,
      "org.languagetool.server.HTTPServer",
      "--port",
      String(port),
      "--allow-origin",
      "*",
      ...configArgs,
    ],
    env: { JAVA_TOOL_OPTIONS: "-Dfile.encoding=UTF-8" },
    // The JVM's log goes to stderr, so stdout carries only our `LISTENING <url>` line.
    stdout: options.inheritOutput ? "piped" : "null",
    stderr: options.inheritOutput ? "inherit" : "null",
  }).spawn();
  if (options.inheritOutput) {
    process.stdout.pipeTo(Deno.stderr.writable, { preventClose: true }).catch(() => {});
  }
  let exited = false;
  const status = process.status.then((s) => {
    exited = true;
    return s;
  });
  const stop = async () => {
    if (exited) return;
    try {
      process.kill("SIGTERM");
    } catch { /* already gone */ }
    const t = setTimeout(() => {
      try {
        process.kill("SIGKILL");
      } catch { /* gone */ }
    }, 5000);
    await status;
    clearTimeout(t);
  };
  return { process, exited: () => exited, stop };
}

/**
 * Start the stock server on 127.0.0.1 (`port` 0 picks a free one) and wait until
 * `GET /v2/languages` answers 200 (at most `startTimeoutMs`, default 120 s).
 */
export async function startLanguageTool(
  options: StartLanguageToolOptions = {},
): Promise<RunningLanguageTool> {
  const lib = await ensureLanguageTool({ version: options.version, log: options.log });
  const port = options.port || freePort();
  const { process, exited, stop } = await spawnLanguageTool(lib, port, options);
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + (options.startTimeoutMs ?? 120_000);
  const t0 = performance.now();
  while (performance.now() < deadline) {
    if (exited()) throw new Error(`LanguageTool exited during start (port ${port} in use?)`);
    try {
      const res = await fetch(`${url}/v2/languages`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) {
        options.log?.(
          `LanguageTool ${options.version ?? LANGUAGE_TOOL_VERSION} answers on ${url} after ${
            ((performance.now() - t0) / 1000).toFixed(1)
          } s`,
        );
        return { url, port, process, stop };
      }
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`LanguageTool did not answer on ${url} within the start timeout`);
}

/** CLI: fetch once, start, print `LISTENING <url>`, stop on SIGINT/SIGTERM. */
export async function serveLanguageTool(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: "string", default: "8081" },
      heap: { type: "string", default: "512m" },
      "fetch-only": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      `deno task serve-languagetool [--port 8081] [--heap 512m] [--fetch-only]\n` +
        `Stock LanguageTool ${LANGUAGE_TOOL_VERSION} on 127.0.0.1 (needs Java 17+ and Maven; ` +
        `jars cached in ${languageToolHome()}).`,
    );
    return;
  }
  const log = (l: string) => console.error(`[languagetool ${new Date().toISOString()}] ${l}`);
  const missing = await missingJavaTools();
  if (missing) throw new Error(`serve-languagetool needs ${missing} on PATH`);
  if (values["fetch-only"]) {
    console.log(await ensureLanguageTool({ log }));
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port must be a port");
  const lt = await startLanguageTool({ port, heap: values.heap, log, inheritOutput: true });
  console.log(`LISTENING ${lt.url}`);
  const onSignal = () => void lt.stop();
  for (const s of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(s, onSignal);
  await lt.process.status;
  for (const s of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(s, onSignal);
}

if (import.meta.main) {
  try {
    await serveLanguageTool(Deno.args);
  } catch (e) {
    console.error(`serve-languagetool: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
