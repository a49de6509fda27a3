/**
 * Run directories and their observability files.
 *
 * `output/essay_scoring/<UTC yyyymmdd_hhmmss>_<run-name>/` holds `run.log` (INFO lines, stage and
 * progress), `status.json` (written atomically at every stage start, completion and failure),
 * `stderr.log` (warnings and errors of the run, with stacks), `fault.log` (a heartbeat with stage,
 * elapsed time and memory every N minutes — a snapshot, not a failure — plus the stack of any
 * crash), `manifest.json`, `artifacts/` and `reports/`.
 *
 * Interruption: when the CLI installed interrupt handling (`interrupt.ts`), a SIGINT/SIGTERM
 * marks the open run `failed` with reason `interrupted` and its stage at once, aborts
 * {@link RunContext.signal}, and makes the running stage throw an `InterruptedError` (after at
 * most the grace period, even if the stage's work does not watch the signal). A run directory
 * left failed or interrupted can be reopened with {@link RunContext.resume} (`--resume`).
 *
 * @module
 */
import { join, resolve } from "node:path";
import type { ExperimentConfig } from "./config.ts";
import { writeFileAtomicSync, writeJsonAtomic } from "./atomic_write.ts";
import { fileLogSink, type LogSink, RunLogger, stderrLogSink } from "./logger.ts";
import { buildRunManifest, commandLineOf, gitState, type RunManifest } from "./manifest.ts";
import type { ResumeTarget } from "./resume.ts";
import {
  activeInterruptHandling,
  InterruptedError,
  type InterruptSignalName,
} from "./interrupt.ts";
import {
  completeRun,
  completeStage,
  failRun,
  initialRunStatus,
  resumeRunStatus,
  type RunStatus,
  startStage,
} from "./status.ts";

/**
 * The run directory name for a UTC time and run name: `yyyymmdd_hhmmss_<name>`.
 *
 * @example
 * ```ts
 * runDirectoryName(new Date("2026-02-04T06:12:42Z"), "x"); // "20260204_061242_x"
 * ```
 */
export function runDirectoryName(now: Date, runName: string): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}_` +
    `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}_${runName}`;
}

/** Options for opening a run. */
export interface RunOptions {
  readonly command: string;
  readonly config: ExperimentConfig;
  readonly argv?: readonly string[];
  /** Input files recorded (sha256) in the manifest. */
  readonly inputPaths?: readonly string[];
  /** Echo log lines to stderr (default true unless `quiet`). */
  readonly echo?: boolean;
  /** Clock, for tests. */
  readonly clock?: () => Date;
  /** Continue this interrupted run directory instead of creating one (`--resume`). */
  readonly resume?: ResumeTarget;
}

/** Options for reopening a run directory ({@link RunContext.resume}). */
export interface ResumeRunOptions {
  /** The run directory to continue. */
  readonly dir: string;
  /** Its manifest (already checked against the resuming invocation by the caller). */
  readonly manifest: RunManifest;
  /** Its status as found (failed, or running with a dead process). */
  readonly status: RunStatus;
  /** The resuming invocation's argv (recorded in status.json and run.log). */
  readonly argv: readonly string[];
  readonly echo?: boolean;
  readonly clock?: () => Date;
}

const NEVER_ABORTED = new AbortController().signal;

/** An open run: paths, logger and status transitions. */
export class RunContext {
  #status: RunStatus;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #restoreConsole: (() => void) | undefined;
  #crashListener: ((event: Event) => void) | undefined;
  #unsubscribeInterrupt: (() => void) | undefined;
  #interruptedBy: InterruptSignalName | undefined;
  readonly startedMs = performance.now();

  private constructor(
    readonly dir: string,
    readonly config: ExperimentConfig,
    readonly manifest: RunManifest,
    readonly log: RunLogger,
    private readonly clock: () => Date,
    status: RunStatus,
  ) {
    this.#status = status;
  }

  /**
   * Create the run directory and its files, write the manifest and the first status.
   *
   * @example
   * ```ts
   * const run = await RunContext.open({ command: "prepare-dataset", config });
   * await run.stage("load", async () => {});
   * await run.complete();
   * ```
   */
  static async open(options: RunOptions): Promise<RunContext> {
    const clock = options.clock ?? (() => new Date());
    const config = options.config;
    await Deno.mkdir(config.outputRoot, { recursive: true });
    let dir = "";
    for (let attempt = 1;; attempt++) {
      const name = runDirectoryName(clock(), config.runName) + (attempt > 1 ? `_${attempt}` : "");
      dir = join(config.outputRoot, name);
      try {
        await Deno.mkdir(dir);
        break;
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists) || attempt > 50) throw error;
      }
    }
    await Deno.mkdir(join(dir, "artifacts"), { recursive: true });
    await Deno.mkdir(join(dir, "reports"), { recursive: true });
    for (const f of ["run.log", "stderr.log", "fault.log"]) {
      await Deno.writeTextFile(join(dir, f), "");
    }
    const sinks: LogSink[] = [fileLogSink(join(dir, "run.log"))];
    if (options.echo ?? true) sinks.push(stderrLogSink());
    const log = new RunLogger(sinks, clock);
    const manifest = await buildRunManifest(
      options.command,
      options.argv ?? [],
      config,
      options.inputPaths ?? [],
    );
    await writeJsonAtomic(join(dir, "manifest.json"), manifest);
    const status: RunStatus = {
      ...initialRunStatus(config.runName, options.command, dir, clock().toISOString()),
      pid: Deno.pid,
      hostname: Deno.hostname(),
    };
    const run = new RunContext(dir, config, manifest, log, clock, status);
    run.#attach();
    log.info(`run ${options.command} started in ${resolve(dir)}`);
    if (config.datasetKind === "ielts") {
      log.warn("IELTS dataset is BLOCKED: smoke test only, results must not be reported");
    }
    return run;
  }

  /**
   * Reopen an interrupted or failed run directory to continue it: same manifest and config,
   * `status.json` back to `running` with the resume recorded in `resumes`, log files appended to.
   * The caller checks that the resuming invocation matches the manifest (`resume.ts`).
   *
   * @example
   * ```ts
   * const run = await RunContext.resume({ dir, manifest, status, argv });
   * ```
   */
  static async resume(options: ResumeRunOptions): Promise<RunContext> {
    const clock = options.clock ?? (() => new Date());
    const { dir, manifest } = options;
    const sinks: LogSink[] = [fileLogSink(join(dir, "run.log"))];
    if (options.echo ?? true) sinks.push(stderrLogSink());
    const log = new RunLogger(sinks, clock);
    const commandLine = commandLineOf(manifest.command, options.argv);
    const status = resumeRunStatus(options.status, clock().toISOString(), {
      commandLine,
      pid: Deno.pid,
      hostname: Deno.hostname(),
      git: await gitState(),
    });
    const run = new RunContext(dir, manifest.config, manifest, log, clock, status);
    run.#attach();
    const previous = options.status.error;
    log.info(
      `run ${manifest.command} resumed in ${resolve(dir)} (resume ${status.resumes!.length}; ` +
        `previous attempt: ${options.status.state}` +
        (previous ? `, ${previous.reason} in stage ${previous.stage ?? "-"}` : "") +
        `): ${commandLine}`,
    );
    if (status.resumes!.at(-1)?.git?.commit !== manifest.git.commit) {
      log.warn(
        `resumed with code at git commit ${status.resumes!.at(-1)?.git?.commit ?? "unknown"}; ` +
          `the run started at ${manifest.git.commit ?? "unknown"} (the config is the same; ` +
          "stored features are reused only if the extractor fingerprint matches)",
      );
    }
    return run;
  }

  /** Start writing status, heartbeat, console tee and the crash and interrupt hooks. */
  #attach(): void {
    this.#writeStatus();
    this.#startHeartbeat(this.config.heartbeatMinutes);
    this.#teeConsole();
    this.#listenForCrashes();
    this.#unsubscribeInterrupt = activeInterruptHandling()?.onInterrupt((signal) =>
      this.#interrupted(signal)
    );
  }

  /**
   * Aborted when the run is interrupted (SIGINT/SIGTERM with the CLI's interrupt handling);
   * pass it to long work (extraction) so it stops handing out work.
   */
  get signal(): AbortSignal {
    return activeInterruptHandling()?.signal ?? NEVER_ABORTED;
  }

  /** The signal that interrupted this run, if any. */
  get interruptedBy(): InterruptSignalName | undefined {
    return this.#interruptedBy;
  }

  /** A signal arrived: mark the run interrupted now (status, logs); the stage unwinds after. */
  #interrupted(signal: InterruptSignalName): void {
    this.#interruptedBy = signal;
    if (this.#status.state !== "running") return;
    const stage = this.#status.stages.find((s) => s.state === "running")?.name ?? null;
    this.#status = failRun(
      this.#status,
      new InterruptedError(signal),
      this.clock().toISOString(),
      { signal },
    );
    this.#writeStatus();
    const resumable = ["cv", "drop-column", "run"].includes(this.manifest.command);
    this.log.warn(
      `interrupted by ${signal} in stage ${stage ?? "-"}: stopping; work finished so far is kept` +
        (resumable
          ? ` (continue with: deno task essay-scoring-research ${this.manifest.command} --resume ${this.dir})`
          : ""),
    );
    Deno.writeTextFileSync(
      join(this.dir, "fault.log"),
      `${this.clock().toISOString()} INTERRUPTED by ${signal} in stage ${stage ?? "-"}\n`,
      { append: true },
    );
    this.#close();
  }

  /** The current status (as last written). */
  get status(): RunStatus {
    return this.#status;
  }

  /** Path under `artifacts/`. */
  artifactPath(...parts: string[]): string {
    return join(this.dir, "artifacts", ...parts);
  }

  /** Path under `reports/`. */
  reportPath(...parts: string[]): string {
    return join(this.dir, "reports", ...parts);
  }

  /** Progress of a stage, logged every 100 items. */
  progress(stage: string, done: number, total: number): void {
    this.log.progress(stage, done, total);
  }

  /**
   * Run `body` as a named stage: status `running` before, `completed` after; on error the stage
   * and the run are marked failed (status.json, run.log, stderr.log, fault.log) and it rethrows.
   */
  async stage<T>(name: string, body: () => Promise<T> | T): Promise<T> {
    if (this.#interruptedBy) throw new InterruptedError(this.#interruptedBy);
    this.#status = startStage(this.#status, name, this.clock().toISOString());
    this.#writeStatus();
    this.log.info(`stage ${name}: started`);
    const t0 = performance.now();
    let result: T;
    try {
      result = await this.#untilInterrupted(Promise.resolve().then(body));
    } catch (error) {
      await this.fail(error);
      throw error;
    }
    this.#status = completeStage(this.#status, name, this.clock().toISOString());
    this.#writeStatus();
    this.log.info(`stage ${name}: completed in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    return result;
  }

  /**
   * `work`'s result; but once the run is interrupted, an `InterruptedError` as soon as `work`
   * settles, or after the grace period if it does not watch the signal.
   */
  #untilInterrupted<T>(work: Promise<T>): Promise<T> {
    const interrupts = activeInterruptHandling();
    if (!interrupts) return work;
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const unsubscribe = interrupts.onInterrupt((signal) => {
        timer = setTimeout(
          () => reject(new InterruptedError(signal)),
          Math.min(interrupts.graceMs / 2, 3000),
        );
      });
      work.then(
        (value) =>
          this.#interruptedBy ? reject(new InterruptedError(this.#interruptedBy)) : resolve(value),
        (error) => reject(this.#interruptedBy ? new InterruptedError(this.#interruptedBy) : error),
      ).finally(() => {
        clearTimeout(timer);
        unsubscribe();
      });
    });
  }

  /** Mark the run completed and release its timers and hooks. */
  complete(): Promise<void> {
    if (this.#interruptedBy) return Promise.reject(new InterruptedError(this.#interruptedBy));
    this.#status = completeRun(this.#status, this.clock().toISOString());
    this.#writeStatus();
    this.log.info(`run completed in ${((performance.now() - this.startedMs) / 1000).toFixed(2)} s`);
    this.#close();
    return Promise.resolve();
  }

  /** Mark the run failed with an error (idempotent) and release its timers and hooks. */
  fail(error: unknown): Promise<void> {
    if (this.#status.state !== "running") return Promise.resolve();
    const err = error instanceof Error ? error : new Error(String(error));
    this.#status = failRun(
      this.#status,
      err,
      this.clock().toISOString(),
      err instanceof InterruptedError ? { signal: err.signal } : undefined,
    );
    this.#writeStatus();
    this.log.error(`run failed: ${err.message}`);
    const stack =
      `${this.clock().toISOString()} CRASH in stage ${this.#status.error?.stage ?? "-"}\n` +
      `${err.stack ?? err.message}\n`;
    Deno.writeTextFileSync(join(this.dir, "fault.log"), stack, { append: true });
    Deno.writeTextFileSync(join(this.dir, "stderr.log"), stack, { append: true });
    this.#close();
    return Promise.resolve();
  }

  #writeStatus(): void {
    const statusPath = join(this.dir, "status.json");
    writeFileAtomicSync(statusPath, JSON.stringify(this.#status, null, 2) + "\n");
    activeInterruptHandling()?.reportRun(
      this.#status.state === "running"
        ? { statusPath, runLogPath: join(this.dir, "run.log"), status: this.#status }
        : null,
    );
  }

  #startHeartbeat(minutes: number): void {
    const faultLog = join(this.dir, "fault.log");
    const beat = () => {
      const m = Deno.memoryUsage();
      const line = `${this.clock().toISOString()} heartbeat stage=${this.#status.stage ?? "-"} ` +
        `elapsed_s=${((performance.now() - this.startedMs) / 1000).toFixed(1)} ` +
        `rss_mb=${(m.rss / 2 ** 20).toFixed(1)} heap_used_mb=${(m.heapUsed / 2 ** 20).toFixed(1)}` +
        ` (a periodic snapshot, not a failure)\n`;
      Deno.writeTextFileSync(faultLog, line, { append: true });
    };
    const timer = setInterval(beat, Math.max(50, minutes * 60_000));
    Deno.unrefTimer(timer);
    this.#heartbeat = timer;
  }

  #teeConsole(): void {
    const stderrLog = join(this.dir, "stderr.log");
    const original = { warn: console.warn, error: console.error };
    const tee = (level: "warn" | "error") => (...args: unknown[]) => {
      const text = args.map((a) => a instanceof Error ? (a.stack ?? a.message) : String(a)).join(
        " ",
      );
      try {
        Deno.writeTextFileSync(stderrLog, `${new Date().toISOString()} ${text}\n`, {
          append: true,
        });
      } catch { /* run dir gone; still print */ }
      original[level](...args);
    };
    console.warn = tee("warn");
    console.error = tee("error");
    this.#restoreConsole = () => {
      console.warn = original.warn;
      console.error = original.error;
    };
  }

  #listenForCrashes(): void {
    this.#crashListener = (event: Event) => {
      const reason = (event as PromiseRejectionEvent).reason ?? (event as ErrorEvent).error;
      void this.fail(reason ?? new Error("uncaught error"));
    };
    globalThis.addEventListener("unhandledrejection", this.#crashListener);
    globalThis.addEventListener("error", this.#crashListener);
  }

  #close(): void {
    this.#unsubscribeInterrupt?.();
    this.#unsubscribeInterrupt = undefined;
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#restoreConsole?.();
    this.#restoreConsole = undefined;
    if (this.#crashListener) {
      globalThis.removeEventListener("unhandledrejection", this.#crashListener);
      globalThis.removeEventListener("error", this.#crashListener);
      this.#crashListener = undefined;
    }
  }
}

/**
 * Open a run, execute `body`, and close the run as completed or failed (rethrowing the error).
 *
 * @example
 * ```ts
 * await withRun({ command: "prepare-dataset", config }, async (run) => {
 *   await run.stage("load", () => load());
 * });
 * ```
 */
export async function withRun<T>(
  options: RunOptions,
  body: (run: RunContext) => Promise<T>,
): Promise<{ run: RunContext; result: T }> {
  const run = options.resume
    ? await RunContext.resume({
      ...options.resume,
      argv: options.argv ?? [],
      echo: options.echo,
      clock: options.clock,
    })
    : await RunContext.open(options);
  try {
    const result = await body(run);
    await run.complete();
    return { run, result };
  } catch (error) {
    await run.fail(error);
    throw error;
  }
}
