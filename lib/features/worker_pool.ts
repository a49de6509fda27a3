/**
 * A small pool of extraction Web Workers (`extraction_worker.ts`): starts N workers, waits for
 * each to load its models, and hands queued tasks to whichever worker is idle. One task runs per
 * worker at a time; results come back with transferred buffers.
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

  /** Terminate all workers; pending tasks are rejected. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = new Error("extraction worker pool closed");
    this.cancelQueued(error);
    for (const entry of this.#workers) {
      entry.current?.reject(error);
      entry.current = undefined;
      entry.worker.terminate();
    }
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
 * pool.close();
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
