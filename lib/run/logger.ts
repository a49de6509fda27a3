/**
 * The run logger: INFO-level lines with UTC timestamps into `run.log` (and echoed to stderr),
 * and per-stage progress every 100 items.
 *
 * @module
 */

/** Log levels written to `run.log`. */
export type LogLevel = "INFO" | "WARN" | "ERROR";

/** A line sink (a run's `run.log`, or memory in tests). */
export interface LogSink {
  write(line: string): void;
}

/** Appends synchronously to a file (so a crash never loses earlier lines). */
export function fileLogSink(path: string): LogSink {
  return { write: (line) => Deno.writeTextFileSync(path, line, { append: true }) };
}

/** Writes to stderr, unless `quiet`. */
export function stderrLogSink(): LogSink {
  const encoder = new TextEncoder();
  return { write: (line) => Deno.stderr.writeSync(encoder.encode(line)) };
}

/** A logger writing formatted lines to sinks. */
export class RunLogger {
  #lastProgress = new Map<string, number>();

  /** @param sinks where lines go; @param clock injectable for tests */
  constructor(
    private readonly sinks: readonly LogSink[],
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Write one line at a level. */
  log(level: LogLevel, message: string): void {
    const line = `${this.clock().toISOString()} ${level} ${message}\n`;
    for (const sink of this.sinks) sink.write(line);
  }

  /** INFO line. */
  info(message: string): void {
    this.log("INFO", message);
  }

  /** WARN line. */
  warn(message: string): void {
    this.log("WARN", message);
  }

  /** ERROR line. */
  error(message: string): void {
    this.log("ERROR", message);
  }

  /**
   * Progress of a stage: logs at every multiple of `every` items and at the end.
   *
   * @example
   * ```ts
   * for (let i = 1; i <= n; i++) logger.progress("tier1", i, n); // logs 100, 200, …, n
   * ```
   */
  progress(stage: string, done: number, total: number, every = 100): void {
    const last = this.#lastProgress.get(stage) ?? 0;
    const crossed = Math.floor(done / every) > Math.floor(last / every);
    if (done === total || crossed) {
      if (done !== last || done === total) {
        this.info(
          `[${stage}] ${done}/${total} (${total ? ((100 * done) / total).toFixed(1) : "100.0"}%)`,
        );
      }
    }
    this.#lastProgress.set(stage, done);
    if (done === total) this.#lastProgress.delete(stage);
  }
}
