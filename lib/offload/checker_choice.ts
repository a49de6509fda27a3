/**
 * `--checker auto|languagetool|local`: which Tier 1 error checker local extraction uses.
 *
 * - `local`: harper.js + nspell in the extraction workers (no Java, no network);
 * - `languagetool`: LanguageTool — the configured `--language-tool-service-url`, else a stock
 *   LanguageTool started on loopback from the jars cached by `deno task serve-languagetool`
 *   (fetched once from Maven Central when missing); an error when neither is possible;
 * - `auto` (the default for real data): LanguageTool when a URL is configured or Java 17+ is
 *   present (LanguageTool's error densities are the strongest Tier 1 signal measured, see
 *   README), else the local checker. The embedded data set's default runbook resolves `auto` to
 *   `local`, for speed (it says so in its log).
 *
 * The language checked in is the dataset manifest's (`languagetool_language.ts`: `en` → `en-US`,
 * `sv` → `sv`); with a non-English dataset and no LanguageTool, `auto` falls back to the local
 * checker, which is English-only and so does not run: its error counts are left out.
 *
 * A started LanguageTool is shared by every extractor of the process ({@link acquireLocalLanguageTool}),
 * kept for {@link LANGUAGE_TOOL_IDLE_STOP_MS} after its last user released it (so the steps of
 * a runbook reuse it), and killed when the process exits. The choice (checker name, URL, why) is
 * logged and recorded by the caller; the checker's name is part of the extractor fingerprint.
 *
 * @module
 */
import {
  ensureLanguageTool,
  languageToolFetched,
  type RunningLanguageTool,
  startLanguageTool,
} from "./languagetool_server.ts";
import { languageToolCode, localLanguageToolHas } from "./languagetool_language.ts";

/** The `--checker` values. */
export const CHECKER_MODES = ["auto", "languagetool", "local"] as const;
/** A `--checker` value. */
export type CheckerMode = (typeof CHECKER_MODES)[number];

/** What a checker mode resolved to. */
export interface CheckerChoice {
  readonly mode: CheckerMode;
  /** `languagetool-url` (configured), `languagetool-local` (started here) or `local`. */
  readonly kind: "languagetool-url" | "languagetool-local" | "local";
  /** The LanguageTool language code checked in (`en-US`, `sv`; see `languagetool_language.ts`). */
  readonly language: string;
  /** Why (for the log and reports). */
  readonly reason: string;
}

/** What the decision needs to know about this machine (injected for tests). */
export interface CheckerProbes {
  /** Major version of `java` on PATH, or null when there is none. */
  javaMajor(): Promise<number | null>;
  /** Whether the LanguageTool jars are cached or can be fetched (Maven on PATH). */
  languageToolObtainable(): Promise<boolean>;
}

/** Why no local LanguageTool can be started, or null when one can. */
async function localLanguageToolObstacle(
  probes: CheckerProbes,
  language: string,
): Promise<{ java: number | null; why: string | null }> {
  if (!localLanguageToolHas(language)) {
    return { java: null, why: `the local LanguageTool has no "${language}" module` };
  }
  const java = await probes.javaMajor();
  if (java === null) return { java, why: "no java on PATH" };
  if (java < 17) return { java, why: `java ${java} is older than 17` };
  if (!(await probes.languageToolObtainable())) {
    return {
      java,
      why: "the LanguageTool jars are not cached and mvn is not on PATH to fetch them",
    };
  }
  return { java, why: null };
}

/**
 * Resolve a checker mode for the dataset's language (a BCP 47 tag, default `en`; see the module
 * docs). Throws for `languagetool` when no URL is given and no local LanguageTool can be started
 * in that language.
 *
 * @example
 * ```ts
 * await resolveCheckerChoice("auto", undefined, systemCheckerProbes(), "sv");
 * // { mode: "auto", kind: "languagetool-local", language: "sv", reason: "…Java 17 found…" }
 * ```
 */
export async function resolveCheckerChoice(
  mode: CheckerMode,
  url: string | undefined,
  probes: CheckerProbes,
  datasetLanguage = "en",
): Promise<CheckerChoice> {
  const language = languageToolCode(datasetLanguage);
  const english = language.startsWith("en");
  if (mode === "local") {
    return {
      mode,
      kind: "local",
      language,
      reason: english
        ? "--checker local (the default for the embedded data set, for speed; " +
          "--checker auto or languagetool for LanguageTool)"
        : `--checker local: the local checker is English-only, so it is not run on "${language}" ` +
          "text and the error-count features are left out",
    };
  }
  if (url) {
    return { mode, kind: "languagetool-url", language, reason: `LanguageTool at ${url}` };
  }
  const { java, why } = await localLanguageToolObstacle(probes, language);
  if (why === null) {
    return {
      mode,
      kind: "languagetool-local",
      language,
      reason: `no LanguageTool URL configured; Java ${java} found: starting a local LanguageTool`,
    };
  }
  if (mode === "languagetool") {
    throw new Error(
      `--checker languagetool: no --language-tool-service-url and no local LanguageTool (${why}); ` +
        "install Java 17+ and Maven (deno task setup), or pass a URL, or use --checker local",
    );
  }
  return {
    mode,
    kind: "local",
    language,
    reason: english
      ? `auto: ${why}; using the local checker (harper.js + nspell)`
      : `auto: ${why}; the local checker is English-only, so no checker runs on "${language}" ` +
        "text and the error-count features are left out",
  };
}

/** Major version from `java -version` output (`openjdk version "17.0.15"`, `"1.8.0_392"`). Pure. */
export function parseJavaMajor(output: string): number | null {
  const m = output.match(/version "(\d+)(?:\.(\d+))?/);
  if (!m) return null;
  const first = Number(m[1]);
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}

async function commandOutput(cmd: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    if (!out.success) return null;
    return new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  } catch {
    return null;
  }
}

/** The probes of this machine: `java -version`, the jar cache, `mvn -v`. */
export function systemCheckerProbes(): CheckerProbes {
  return {
    javaMajor: async () => {
      const out = await commandOutput("java", ["-version"]);
      return out === null ? null : parseJavaMajor(out);
    },
    languageToolObtainable: async () => {
      if (await languageToolFetched()) return true;
      return (await commandOutput("mvn", ["-v"])) !== null;
    },
  };
}

/** Idle time after the last release before the shared LanguageTool is stopped. */
export const LANGUAGE_TOOL_IDLE_STOP_MS = 120_000;

/** LanguageTool JVM heap for the shared server. */
const SHARED_HEAP = "1g";

let shared: Promise<RunningLanguageTool> | undefined;
let users = 0;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let exitHookInstalled = false;
let resolvedShared: RunningLanguageTool | undefined;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  globalThis.addEventListener("unload", () => {
    if (resolvedShared) {
      try {
        resolvedShared.process.kill("SIGKILL");
      } catch { /* already gone */ }
    }
  });
}

/**
 * A LanguageTool started on loopback, shared by every user of this process; call `release()` when
 * done (it stops {@link LANGUAGE_TOOL_IDLE_STOP_MS} after the last release, or at process exit).
 */
export async function acquireLocalLanguageTool(
  log: (line: string) => void,
): Promise<{ readonly url: string; readonly pid: number; release(): void }> {
  if (idleTimer !== undefined) {
    clearTimeout(idleTimer);
    idleTimer = undefined;
  }
  users++;
  installExitHook();
  if (!shared) {
    shared = (async () => {
      await ensureLanguageTool({ log });
      const lt = await startLanguageTool({ heap: SHARED_HEAP, log });
      lt.process.unref();
      resolvedShared = lt;
      return lt;
    })();
    shared.catch(() => (shared = undefined));
  }
  let lt: RunningLanguageTool;
  try {
    lt = await shared;
  } catch (e) {
    users--;
    throw e;
  }
  let released = false;
  return {
    url: lt.url,
    pid: lt.process.pid,
    release: () => {
      if (released) return;
      released = true;
      if (--users > 0) return;
      const timer = setTimeout(() => {
        idleTimer = undefined;
        const stopping = shared;
        shared = undefined;
        resolvedShared = undefined;
        stopping?.then((s) => s.stop()).catch(() => undefined);
      }, LANGUAGE_TOOL_IDLE_STOP_MS);
      Deno.unrefTimer(timer);
      idleTimer = timer;
    },
  };
}

/** Stop the shared LanguageTool now (if started and unused), e.g. between benchmark runs. */
export async function stopLocalLanguageTool(): Promise<void> {
  if (users > 0 || !shared) return;
  if (idleTimer !== undefined) clearTimeout(idleTimer);
  idleTimer = undefined;
  const stopping = shared;
  shared = undefined;
  resolvedShared = undefined;
  await stopping.then((s) => s.stop()).catch(() => undefined);
}
