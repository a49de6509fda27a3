/**
 * Ctrl-C and `kill`: process-wide handling of SIGINT and SIGTERM for the CLI.
 *
 * The CLI installs it once ({@link installInterruptHandling}); open runs subscribe
 * (`RunContext`). On the first signal: the shared {@link AbortSignal} is aborted with an
 * {@link InterruptedError}, every subscriber runs (the run writes `status.json` = `failed`,
 * reason `interrupted`, with its stage), the step unwinds (extraction stops handing out work and
 * closes its workers; finished feature-store chunks stay on disk), and the CLI exits with 130
 * (SIGINT) or 143 (SIGTERM). If the process is still alive `graceMs` later it exits anyway; a
 * second signal exits at once.
 *
 * A long synchronous computation on the main thread (a model fit) cannot run signal listeners
 * until it yields, so a small watchdog worker (`interrupt_watchdog.ts`) also listens: if the main
 * thread has not handled the signal within a second it writes the interrupted status itself, and
 * if the process is still alive after the grace period it kills it. Without installation (tests,
 * notebooks: Jupyter interrupts its kernel with SIGINT) nothing is listened to and runs behave as
 * before.
 *
 * @module
 */

/** The signals that interrupt a run. */
export type InterruptSignalName = "SIGINT" | "SIGTERM";

/** The signals listened to. */
export const INTERRUPT_SIGNALS: readonly InterruptSignalName[] = ["SIGINT", "SIGTERM"];

/** Thrown (and used as the abort reason) when a run was interrupted by a signal. */
export class InterruptedError extends Error {
  /** Create the error for `signal`. */
  constructor(readonly signal: InterruptSignalName) {
    super(`interrupted by ${signal}`);
    this.name = "InterruptedError";
  }
}

/**
 * The conventional exit code after a signal: 128 + its number (SIGINT 130, SIGTERM 143).
 *
 * @example
 * ```ts
 * exitCodeForSignal("SIGINT"); // 130
 * ```
 */
export function exitCodeForSignal(signal: InterruptSignalName): number {
  return signal === "SIGINT" ? 130 : 143;
}

/** What a watchdog needs to know to write an interrupted status on the main thread's behalf. */
export interface WatchdogRunState {
  readonly statusPath: string;
  readonly runLogPath: string;
  /** The status as last written by the main thread. */
  readonly status: unknown;
}

/** Messages from the main thread to the watchdog worker. */
export type WatchdogMessage =
  | { readonly type: "config"; readonly graceMs: number }
  | { readonly type: "run"; readonly run: WatchdogRunState | null }
  | { readonly type: "handled" };

/** Options of {@link installInterruptHandling}. */
export interface InterruptHandlingOptions {
  /** After the first signal, exit this long later if still alive (default 10,000 ms). */
  readonly graceMs?: number;
  /** How to exit (default `Deno.exit`); tests inject a recorder. */
  readonly exit?: (code: number) => void;
  /** Start the watchdog worker (default true). */
  readonly watchdog?: boolean;
}

/** Installed interrupt handling; see the module docs. */
export class InterruptHandling {
  readonly #controller = new AbortController();
  readonly #subscribers = new Set<(signal: InterruptSignalName) => void>();
  readonly #listeners: [InterruptSignalName, () => void][] = [];
  #received: InterruptSignalName | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: Worker | undefined;

  /** @internal use {@link installInterruptHandling}. */
  constructor(
    readonly graceMs: number,
    private readonly exit: (code: number) => void,
    watchdog: boolean,
  ) {
    for (const name of INTERRUPT_SIGNALS) {
      const listener = () => this.interrupt(name);
      try {
        Deno.addSignalListener(name, listener);
        this.#listeners.push([name, listener]);
      } catch { /* a platform without this signal (SIGTERM on Windows) */ }
    }
    if (watchdog) {
      this.#watchdog = new Worker(new URL("./interrupt_watchdog.ts", import.meta.url).href, {
        type: "module",
      });
      this.#post({ type: "config", graceMs });
    }
  }

  /** Aborted (reason: {@link InterruptedError}) on the first signal. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The signal received, if any. */
  get received(): InterruptSignalName | undefined {
    return this.#received;
  }

  /** Call `callback` on the first signal (at once if it already came); returns an unsubscriber. */
  onInterrupt(callback: (signal: InterruptSignalName) => void): () => void {
    if (this.#received) callback(this.#received);
    else this.#subscribers.add(callback);
    return () => this.#subscribers.delete(callback);
  }

  /** Tell the watchdog which run is open now (or none), with its latest status. */
  reportRun(run: WatchdogRunState | null): void {
    this.#post({ type: "run", run });
  }

  /** Handle a signal as if it had been received (what the listeners call). */
  interrupt(signal: InterruptSignalName): void {
    if (this.#received) {
      this.exit(exitCodeForSignal(this.#received));
      return;
    }
    this.#received = signal;
    console.error(
      `\n${signal} received: stopping (finished work is kept; status.json says interrupted). ` +
        "Send it again to exit at once.",
    );
    this.#controller.abort(new InterruptedError(signal));
    for (const callback of [...this.#subscribers]) {
      try {
        callback(signal);
      } catch (error) {
        console.error(`interrupt handler failed: ${(error as Error).message}`);
      }
    }
    this.#subscribers.clear();
    this.#post({ type: "handled" });
    this.#timer = setTimeout(() => this.exit(exitCodeForSignal(signal)), this.graceMs);
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  /** Remove the listeners and stop the watchdog. */
  uninstall(): void {
    for (const [name, listener] of this.#listeners.splice(0)) {
      Deno.removeSignalListener(name, listener);
    }
    clearTimeout(this.#timer);
    this.#watchdog?.terminate();
    this.#watchdog = undefined;
    if (active === this) active = undefined;
  }

  #post(message: WatchdogMessage): void {
    this.#watchdog?.postMessage(message);
  }
}

let active: InterruptHandling | undefined;

/**
 * Listen for SIGINT/SIGTERM for the rest of the process (idempotent); see the module docs.
 *
 * @example
 * ```ts
 * if (import.meta.main) installInterruptHandling();
 * ```
 */
export function installInterruptHandling(
  options: InterruptHandlingOptions = {},
): InterruptHandling {
  active ??= new InterruptHandling(
    options.graceMs ?? 10_000,
    options.exit ?? ((code) => Deno.exit(code)),
    options.watchdog ?? true,
  );
  return active;
}

/** The installed interrupt handling, if any. */
export function activeInterruptHandling(): InterruptHandling | undefined {
  return active;
}
