/**
 * Check exported HTML reports in a real headless Chromium: every plotly figure renders and no
 * script error occurs.
 *
 * Starts Debian's `chromium` headless with a fresh profile and `--remote-debugging-port=0`, reads
 * the DevTools WebSocket URL from its stderr and speaks the Chrome DevTools Protocol over Deno's
 * built-in `WebSocket` (no puppeteer, no browser download). Each file is opened via `file://` in
 * its own target; `Runtime.exceptionThrown` and `console.error` calls count as script errors.
 * After the load event the page is polled until every `.plotly-graph-div` holds a `.main-svg`
 * and has `_fullLayout` set (rendered by plotly.js), or the per-page timeout passes. Host names
 * do not resolve (`--host-resolver-rules`), so a report only passes when it renders offline;
 * failed resource loads (e.g. nbconvert's CDN links) are listed as warnings, not errors.
 *
 * Usage: `deno run -A notebooks/tools/check_html_chromium.ts report.html …` (exit 1 on failure).
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { findChromium } from "../../lib/run/system_setup.ts";

export { findChromium };

/** The outcome of checking one HTML file. */
export interface PageCheck {
  readonly file: string;
  /** `.plotly-graph-div` elements in the page. */
  readonly expectedFigures: number;
  /** Of those, the ones plotly.js rendered (`.main-svg` inside and `_fullLayout` set). */
  readonly renderedFigures: number;
  /** DOM ids (or `#index`) of figures that did not render. */
  readonly unrenderedFigures: readonly string[];
  /** Uncaught exceptions and `console.error` messages. */
  readonly scriptErrors: readonly string[];
  /** Failed resource loads and other non-script log errors (informational). */
  readonly warnings: readonly string[];
  /** Set when the page did not load in time or the protocol failed. */
  readonly loadError?: string;
}

/** Whether a page passed: loaded, no script error, every figure rendered. */
export function pagePassed(p: PageCheck): boolean {
  return p.loadError === undefined && p.scriptErrors.length === 0 &&
    p.unrenderedFigures.length === 0 && p.renderedFigures === p.expectedFigures;
}

/** One line per problem, each naming the file (and figure): empty when the page passed. */
export function pageProblems(p: PageCheck): string[] {
  const out: string[] = [];
  if (p.loadError) out.push(`${p.file}: ${p.loadError}`);
  for (const e of p.scriptErrors) out.push(`${p.file}: script error: ${e}`);
  for (const id of p.unrenderedFigures) {
    out.push(
      `${p.file}: plotly figure ${id} did not render ` +
        `(${p.renderedFigures}/${p.expectedFigures} figures rendered)`,
    );
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Pending = { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void };
type Listener = (params: Record<string, unknown>, sessionId?: string) => void;

/** One DevTools message: a reply (`id`) or an event (`method`). */
const CdpMessage = z.object({
  id: z.number().optional(),
  method: z.string().optional(),
  sessionId: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ code: z.number(), message: z.string() }).optional(),
});

/** Default bound (ms) on the reply to one DevTools command. */
export const COMMAND_TIMEOUT_MS = 15_000;

/** A minimal Chrome DevTools Protocol client over one browser WebSocket (flat sessions). */
export class CdpClient {
  #ws: WebSocket;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #listeners = new Map<string, Set<Listener>>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (ev) => this.#onMessage(String(ev.data));
    ws.onclose = () => {
      for (const p of this.#pending.values()) p.reject(new Error("DevTools connection closed"));
      this.#pending.clear();
    };
  }

  /** Open the WebSocket at `url`. */
  static connect(url: string): Promise<CdpClient> {
    return new Promise((ok, fail) => {
      const ws = new WebSocket(url);
      ws.onopen = () => ok(new CdpClient(ws));
      ws.onerror = () => fail(new Error(`cannot connect to DevTools at ${url}`));
    });
  }

  #onMessage(text: string): void {
    const parsed = CdpMessage.safeParse(JSON.parse(text));
    if (!parsed.success) return; // not a protocol message we understand
    const msg = parsed.data;
    if (msg.id !== undefined) {
      const p = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(`${msg.error.message} (${msg.error.code})`));
      else p?.resolve(msg.result ?? {});
      return;
    }
    if (msg.method === undefined) return;
    for (const fn of this.#listeners.get(msg.method) ?? []) fn(msg.params ?? {}, msg.sessionId);
  }

  /**
   * Send a command (to a page when `sessionId` is given); resolves to its result, rejects on a
   * protocol error or when no reply came within `timeoutMs`.
   */
  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
    timeoutMs: number = COMMAND_TIMEOUT_MS,
  ): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        fail(new Error(`DevTools ${method} got no reply within ${timeoutMs} ms`));
      }, Math.max(1, timeoutMs));
      this.#pending.set(id, {
        resolve: (v) => (clearTimeout(timer), ok(v)),
        reject: (e) => (clearTimeout(timer), fail(e)),
      });
      this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /** Subscribe to an event; returns the unsubscribe function. */
  on(method: string, fn: Listener): () => void {
    const set = this.#listeners.get(method) ?? new Set();
    set.add(fn);
    this.#listeners.set(method, set);
    return () => set.delete(fn);
  }

  /** Close the socket. */
  close(): void {
    this.#ws.close();
  }
}

/** A running headless Chromium with its DevTools endpoint. */
export interface Browser {
  readonly cdp: CdpClient;
  /** Kill Chromium and remove its temporary profile directory. */
  close(): Promise<void>;
}

/** The command-line flags of the headless browser (profile dir appended at launch). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND",
  "--remote-debugging-port=0",
] as const;

async function readDevToolsUrl(
  stderr: ReadableStream<Uint8Array>,
  timeoutMs: number,
): Promise<string> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const timer = setTimeout(() => reader.cancel().catch(() => {}), timeoutMs);
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (m) {
        // Keep draining stderr so Chromium never blocks on a full pipe.
        (async () => {
          try {
            while (!(await reader.read()).done) { /* discard */ }
          } catch { /* closed */ }
        })();
        return m[1];
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(
    `chromium did not print "DevTools listening on ws://…" within ${timeoutMs} ms; stderr:\n` +
      seen.trim().split("\n").slice(-10).join("\n"),
  );
}

/** Remove a profile dir, retrying while exiting helper processes may still write into it. */
async function removeProfile(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      await Deno.remove(dir, { recursive: true });
      return;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      await sleep(200);
    }
  }
  console.warn(`check_html_chromium: could not remove the profile dir ${dir}`);
}

/** Start headless Chromium with a fresh profile and connect to its DevTools WebSocket. */
export async function launchChromium(
  binary: string | undefined = findChromium(),
  startTimeoutMs = 30_000,
): Promise<Browser> {
  if (!binary) {
    throw new Error("chromium is not installed (`deno task setup` installs it as root)");
  }
  const profile = await Deno.makeTempDir({ prefix: "essay-chromium-" });
  const child = new Deno.Command(binary, {
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "about:blank"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const close = async () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status.catch(() => {});
    await removeProfile(profile);
  };
  try {
    const url = await readDevToolsUrl(child.stderr, startTimeoutMs);
    const cdp = await CdpClient.connect(url);
    return {
      cdp,
      close: async () => {
        // Graceful first (Chromium's helper processes exit and stop writing the profile).
        await cdp.send("Browser.close", {}, undefined, 5000).catch(() => {});
        let timer: ReturnType<typeof setTimeout> | undefined;
        const exited = await Promise.race([
          child.status.then(() => true),
          new Promise<boolean>((r) => timer = setTimeout(() => r(false), 5000)),
        ]);
        clearTimeout(timer);
        cdp.close();
        if (!exited) console.warn("check_html_chromium: chromium did not close; killing it");
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Evaluated in the page: every plotly div with whether plotly.js rendered it. */
const FIGURE_PROBE = `JSON.stringify(Array.from(document.querySelectorAll(".plotly-graph-div"))
  .map((d, i) => ({ id: d.id || "#" + i,
    rendered: !!d.querySelector(".main-svg") && !!d._fullLayout })))`;

const FigureProbe = z.array(z.object({ id: z.string(), rendered: z.boolean() }));

function describeException(params: Record<string, unknown>): string {
  const d = params.exceptionDetails as {
    text?: string;
    url?: string;
    lineNumber?: number;
    exception?: { description?: string };
  };
  const what = d?.exception?.description ?? d?.text ?? "exception";
  return `${what.split("\n")[0]}${
    d?.url ? ` (${d.url.split("/").pop()}:${(d.lineNumber ?? 0) + 1})` : ""
  }`;
}

function describeConsole(params: Record<string, unknown>): string {
  const args = (params.args as { value?: unknown; description?: string }[] | undefined) ?? [];
  return `console.error: ${args.map((a) => String(a.value ?? a.description ?? "")).join(" ")}`;
}

/** Open one file in a new target of `browser` and check it (see the module doc). */
export async function checkPage(
  browser: Browser,
  file: string,
  timeoutMs = 30_000,
): Promise<PageCheck> {
  const { cdp } = browser;
  const path = resolve(file);
  const scriptErrors: string[] = [];
  const warnings: string[] = [];
  const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
  const sid = String(sessionId);
  let loaded = false;
  const mine = (fn: (p: Record<string, unknown>) => void): Listener => (p, s) => {
    if (s === sid) fn(p);
  };
  const offs = [
    cdp.on("Runtime.exceptionThrown", mine((p) => scriptErrors.push(describeException(p)))),
    cdp.on(
      "Runtime.consoleAPICalled",
      mine((p) => {
        if (p.type === "error") scriptErrors.push(describeConsole(p));
      }),
    ),
    cdp.on(
      "Log.entryAdded",
      mine((p) => {
        const e = p.entry as { level?: string; source?: string; text?: string; url?: string };
        if (e?.level === "error" && e.source !== "javascript") {
          warnings.push(`${e.source}: ${e.text}${e.url ? ` ${e.url}` : ""}`);
        }
      }),
    ),
    cdp.on("Page.loadEventFired", mine(() => loaded = true)),
  ];
  const deadline = Date.now() + timeoutMs;
  let figures: { id: string; rendered: boolean }[] = [];
  let loadError: string | undefined;
  try {
    await cdp.send("Runtime.enable", {}, sid);
    await cdp.send("Log.enable", {}, sid);
    await cdp.send("Page.enable", {}, sid);
    const nav = await cdp.send("Page.navigate", { url: pathToFileURL(path).href }, sid);
    if (nav.errorText) throw new Error(`navigation failed: ${nav.errorText}`);
    while (Date.now() < deadline) {
      if (loaded) {
        const r = await cdp.send(
          "Runtime.evaluate",
          { expression: FIGURE_PROBE, returnByValue: true },
          sid,
          Math.max(1, deadline - Date.now()),
        );
        figures = FigureProbe.parse(JSON.parse(String((r.result as { value?: unknown }).value)));
        if (figures.every((f) => f.rendered)) break;
      }
      await sleep(100);
    }
    if (!loaded) loadError = `page did not fire its load event within ${timeoutMs} ms`;
    // Let late errors (timers started at load) surface before judging.
    await sleep(200);
  } catch (error) {
    loadError = (error as Error).message;
  } finally {
    for (const off of offs) off();
    await cdp.send("Target.closeTarget", { targetId }).catch(() => {});
  }
  return {
    file: path,
    expectedFigures: figures.length,
    renderedFigures: figures.filter((f) => f.rendered).length,
    unrenderedFigures: figures.filter((f) => !f.rendered).map((f) => f.id),
    scriptErrors,
    warnings,
    loadError,
  };
}

/**
 * Check every file in one Chromium; the browser is killed and its profile removed at the end,
 * also on error.
 *
 * @example
 * ```ts
 * const pages = await checkHtmlFiles(["output/notebooks/x/03_cv.html"]);
 * const problems = pages.flatMap(pageProblems); // [] when all passed
 * ```
 */
export async function checkHtmlFiles(
  files: readonly string[],
  options: { timeoutMs?: number; binary?: string } = {},
): Promise<PageCheck[]> {
  const browser = await launchChromium(options.binary ?? findChromium());
  try {
    const results: PageCheck[] = [];
    for (const f of files) results.push(await checkPage(browser, f, options.timeoutMs));
    return results;
  } finally {
    await browser.close();
  }
}

if (import.meta.main) {
  if (Deno.args.length === 0) {
    console.error("usage: check_html_chromium.ts report.html [...]");
    Deno.exit(2);
  }
  try {
    const pages = await checkHtmlFiles(Deno.args);
    for (const p of pages) {
      console.error(
        `${pagePassed(p) ? "✔" : "✘"} ${p.file}: ${p.renderedFigures}/${p.expectedFigures} ` +
          `plotly figures rendered, ${p.scriptErrors.length} script errors`,
      );
      for (const line of pageProblems(p)) console.error(`    ${line}`);
      for (const w of p.warnings) console.error(`    (warning) ${w}`);
    }
    Deno.exit(pages.every(pagePassed) ? 0 : 1);
  } catch (error) {
    console.error(`check_html_chromium: ${(error as Error).message}`);
    Deno.exit(2);
  }
}
