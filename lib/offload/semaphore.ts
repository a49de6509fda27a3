/**
 * A counting semaphore with a bounded wait queue: at most `maxConcurrent` holders at once and at
 * most `maxQueue` waiters; beyond that `tryAcquire` refuses at once (the server answers 503).
 *
 * @module
 */

/** Call to give the permit back (idempotent). */
export type Release = () => void;

/** Counting semaphore with a bounded FIFO queue. */
export class BoundedSemaphore {
  #active = 0;
  readonly #waiters: Array<() => void> = [];

  /**
   * @param maxConcurrent permits (≥ 1)
   * @param maxQueue waiters allowed beyond the permits (≥ 0; `Infinity` for unbounded)
   */
  constructor(readonly maxConcurrent: number, readonly maxQueue: number = Infinity) {
    if (!(maxConcurrent >= 1)) throw new Error("maxConcurrent must be >= 1");
    if (!(maxQueue >= 0)) throw new Error("maxQueue must be >= 0");
  }

  /** Permits currently held. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a permit. */
  get queued(): number {
    return this.#waiters.length;
  }

  /** True when a new caller would be refused. */
  get saturated(): boolean {
    return this.#active >= this.maxConcurrent && this.#waiters.length >= this.maxQueue;
  }

  /**
   * Get a permit, waiting in the queue if needed; `undefined` when the queue is full.
   *
   * @example
   * ```ts
   * const sem = new BoundedSemaphore(2, 8);
   * const release = await sem.tryAcquire();
   * try { } finally { release?.(); }
   * ```
   */
  tryAcquire(): Promise<Release> | undefined {
    if (this.#active < this.maxConcurrent) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    if (this.#waiters.length >= this.maxQueue) return undefined;
    return new Promise<Release>((resolve) => {
      this.#waiters.push(() => {
        this.#active++;
        resolve(this.#releaser());
      });
    });
  }

  /** Get a permit, waiting as long as needed (the queue is unbounded for this call). */
  acquire(): Promise<Release> {
    if (this.#active < this.maxConcurrent) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise<Release>((resolve) => {
      this.#waiters.push(() => {
        this.#active++;
        resolve(this.#releaser());
      });
    });
  }

  /** Run `fn` holding a permit. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #releaser(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#active--;
      const next = this.#waiters.shift();
      if (next) next();
    };
  }
}
