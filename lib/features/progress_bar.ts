/**
 * Progress reporting helpers for extraction: a terminal progress bar (drawn on stderr only when
 * stderr is a TTY), a throttle that forwards progress every N items (for `run.log`: every 100
 * essays per stage), and a fan-out that feeds several callbacks.
 *
 * @module
 */
import type { ProgressCallback } from "./types.ts";

/** A progress callback that also knows how to finish its output. */
export interface ProgressBar {
  readonly update: ProgressCallback;
  /** End the bar's line (no-op when nothing was drawn). */
  finish(): void;
}

/** Render one bar line (pure; exported for tests). */
export function renderProgressLine(
  stage: string,
  done: number,
  total: number,
  elapsedMs: number,
  width = 30,
): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 && total > done ? `${Math.ceil((total - done) / rate)}s` : "-";
  return `${stage.padEnd(12)} [${"#".repeat(filled)}${
    "-".repeat(width - filled)
  }] ${done}/${total} ${rate.toFixed(1)}/s eta ${eta}`;
}

/**
 * A progress bar on stderr, redrawn at most every `minIntervalMs`; silent when stderr is not a
 * terminal (logs stay clean).
 *
 * @example
 * ```ts
 * const bar = createProgressBar();
 * await extractor.extract(essays, { featureSet, onProgress: bar.update });
 * bar.finish();
 * ```
 */
export function createProgressBar(
  options: { minIntervalMs?: number; isTerminal?: boolean } = {},
): ProgressBar {
  const tty = options.isTerminal ?? Deno.stderr.isTerminal();
  const minInterval = options.minIntervalMs ?? 100;
  const encoder = new TextEncoder();
  const started = new Map<string, number>();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(stage, done, total) {
      if (!tty) return;
      const now = performance.now();
      if (!started.has(stage)) started.set(stage, now);
      if (now - lastDraw < minInterval && done < total) return;
      lastDraw = now;
      drawn = true;
      const line = renderProgressLine(stage, done, total, now - started.get(stage)!);
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${line}`));
    },
    finish() {
      if (tty && drawn) Deno.stderr.writeSync(encoder.encode("\n"));
      drawn = false;
    },
  };
}

/**
 * Forward progress of each stage only when it crosses a multiple of `every` items, and at the
 * end (`done === total`). For `run.log`: `throttleProgress(logProgress, 100)`.
 *
 * @example
 * ```ts
 * const log = throttleProgress((s, d, t) => logger.info(`${s}: ${d}/${t}`), 100);
 * ```
 */
export function throttleProgress(callback: ProgressCallback, every = 100): ProgressCallback {
  const lastBucket = new Map<string, number>();
  return (stage, done, total) => {
    const bucket = Math.floor(done / every);
    const previous = lastBucket.get(stage) ?? 0;
    if (bucket > previous || (done === total && previous !== Infinity)) {
      lastBucket.set(stage, done === total ? Infinity : bucket);
      callback(stage, done, total);
    }
  };
}

/** A callback that calls each given callback (skipping undefined ones). */
export function fanOutProgress(...callbacks: (ProgressCallback | undefined)[]): ProgressCallback {
  const active = callbacks.filter((c): c is ProgressCallback => c !== undefined);
  return (stage, done, total) => {
    for (const callback of active) callback(stage, done, total);
  };
}
