/**
 * A small pool of extraction Web Workers (`extraction_worker.ts`): starts N workers, waits for
 * each to load its models, and hands queued tasks to whichever worker is idle. One task runs per
 * worker at a time; results come back with transferred buffers.
 *
 * Closing never terminates a worker in the middle of a task: the task may be inside a native call
 * (harper, OpenBLAS), and a thread still running native code while the process exits can crash
 * it (seen as exit code 139 after Ctrl-C). A busy worker is terminated when its task ends, or
 * after a grace period.
 *
 * @module
 */
import type { FeatureSet } from "./types.ts";
import type { PipelineEssay, PipelineStage } from "./essay_pipeline.ts";
import type { WorkerConfig, WorkerReply, WorkerRequest } from "./extraction_worker.ts";

/** A finished task's payload. */
export type TaskResult = Extract<WorkerReply, { type: "result" }>;

interface QueuedTask {
  readonly taskId: number;
  readonly featureSet: FeatureSet;
  readonly essays: readonly PipelineEssay[];
  readonly onProgress?: (stage: PipelineStage, done: number) => void;
  readonly resolve: (result: TaskResult) => void;
  readonly reject: (error: Error) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  current?: QueuedTask;
}

/** How long {@link ExtractionWorkerPool.close} waits for a busy worker's task to end. */
export const WORKER_CLOSE_GRACE_MS = 10_000;

/** Identity the workers reported when ready. */
export interface WorkerIdentity {
  readonly encoderName: string;
  readonly checkerName?: string;
}

/** Pool of extraction workers; create with {@link startExtractionWorkerPool}. */
export class ExtractionWorkerPool {
  readonly #workers: PoolWorker[] = [];
  readonly #queue: QueuedTask[] = [];
  #nextTaskId = 0;
  #closed = false;
  /** Settles when every worker has been terminated after {@link close}. */
  #ended: Promise<void> = Promise.resolve();
  #failure?: Error;

  /** @internal use {@link startExtractionWorkerPool}. */
  constructor(readonly identity: WorkerIdentity) {}

  /** @internal */
  addWorker(worker: Worker): void {
    const entry: PoolWorker = { worker };
    this.#workers.push(entry);
    worker.onmessage = (event: MessageEvent<WorkerReply>) => this.#onMessage(entry, event.data);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#fail(new Error(`extraction worker crashed: ${event.message}`));
    };
  }

  /** Number of workers. */
  get size(): number {
    return this.#workers.length;
  }

  /** Queue a batch; resolves with its rows when a worker finished it. */
  run(
    essays: readonly PipelineEssay[],
    featureSet: FeatureSet,
    onProgress?: (stage: PipelineStage, done: number) => void,
  ): Promise<TaskResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new Error("extraction worker pool is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({
        taskId: this.#nextTaskId++,
        featureSet,
        essays,
        onProgress,
        resolve,
        reject,
      });
      this.#dispatch();
    });
  }

  /** Drop queued tasks (rejecting them) — e.g. on abort; running tasks finish. */
  cancelQueued(reason: Error): void {
    for (const task of this.#queue.splice(0)) task.reject(reason);
  }

  /**
   * Terminate all workers; pending and running tasks are rejected at once. Idle workers end now; a
   * worker in the middle of a task ends when that task does (or after `graceMs`), see the module
   * docs. Resolves when every worker has been terminated.
   */
  async close(graceMs = WORKER_CLOSE_GRACE_MS): Promise<void> {
    if (this.#closed) return await this.#ended;
    this.#closed = true;
    const error = new Error("extraction worker pool closed");
    this.cancelQueued(error);
    this.#ended = Promise.all(this.#workers.map((entry) => {
      const busy = entry.current !== undefined;
      entry.current?.reject(error);
      entry.current = undefined;
      return busy ? this.#endAfterTask(entry.worker, graceMs) : entry.worker.terminate();
    })).then(() => {});
    await this.#ended;
  }

  /** Terminate `worker` when it reports the end of its task, or after `graceMs`. */
  #endAfterTask(worker: Worker, graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        worker.terminate();
        resolve();
      };
      const timer = setTimeout(end, graceMs);
      worker.onmessage = (event: MessageEvent<WorkerReply>) => {
        if (event.data.type === "result" || event.data.type === "error") end();
      };
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        end();
      };
    });
  }

  #dispatch(): void {
    for (const entry of this.#workers) {
      if (entry.current || this.#queue.length === 0) continue;
      const task = this.#queue.shift()!;
      entry.current = task;
      const request: WorkerRequest = {
        type: "task",
        taskId: task.taskId,
        featureSet: task.featureSet,
        essays: task.essays,
      };
      entry.worker.postMessage(request);
    }
  }

  #onMessage(entry: PoolWorker, message: WorkerReply): void {
    const task = entry.current;
    if (message.type === "progress") {
      if (task && task.taskId === message.taskId) task.onProgress?.(message.stage, message.done);
      return;
    }
    if (message.type === "result" || message.type === "error") {
      if (!task || task.taskId !== message.taskId) {
        if (message.type === "error") this.#fail(new Error(message.message));
        return;
      }
      entry.current = undefined;
      if (message.type === "result") task.resolve(message);
      else task.reject(new Error(`extraction failed: ${message.message}`));
      this.#dispatch();
    }
  }

  #fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    for (const entry of this.#workers) {
      entry.current?.reject(error);
      entry.current = undefined;
    }
    this.cancelQueued(error);
  }
}

/**
 * Start `count` workers and wait until each has loaded its models.
 *
 * @example
 * ```ts
 * const pool = await startExtractionWorkerPool(2, config);
 * const result = await pool.run(essays, "combined");
 * await pool.close();
 * ```
 */
export async function startExtractionWorkerPool(
  count: number,
  config: WorkerConfig,
): Promise<ExtractionWorkerPool> {
  const url = new URL("./extraction_worker.ts", import.meta.url).href;
  const workers = Array.from({ length: count }, () => new Worker(url, { type: "module" }));
  let identities: WorkerIdentity[];
  try {
    identities = await Promise.all(
      workers.map((worker) =>
        new Promise<WorkerIdentity>((resolve, reject) => {
          worker.onmessage = (event: MessageEvent<WorkerReply>) => {
            const message = event.data;
            if (message.type === "loaded") {
              const init: WorkerRequest = { type: "init", config };
              worker.postMessage(init);
            } else if (message.type === "ready") {
              resolve({ encoderName: message.encoderName, checkerName: message.checkerName });
            } else if (message.type === "error") reject(new Error(message.message));
          };
          worker.onerror = (event: ErrorEvent) => {
            event.preventDefault();
            reject(new Error(`extraction worker failed to start: ${event.message}`));
          };
        })
      ),
    );
  } catch (error) {
    for (const worker of workers) worker.terminate();
    throw error;
  }
  const pool = new ExtractionWorkerPool(identities[0]);
  for (const worker of workers) pool.addWorker(worker);
  return pool;
}
