/**
 * Work shared by identical requests: the second caller of a key joins the
 * first's work instead of starting another. Each caller can give up alone
 * (its own promise rejects at once); the work is aborted only when every
 * caller has given up.
 */
import { abortReason } from './media-errors.js';

interface Running<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
}

/** Runs at most one piece of work per key at a time. */
export class SharedWork<T> {
  private readonly running = new Map<string, Running<T>>();

  /** How many keys have work in progress. */
  get size(): number {
    return this.running.size;
  }

  /** Joins the work for `key`, or starts it with `work`. */
  run(key: string, signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    let entry = this.running.get(key);
    if (entry === undefined) {
      const controller = new AbortController();
      const started: Running<T> = { promise: work(controller.signal), controller, waiters: 0 };
      const forget = () => {
        if (this.running.get(key) === started) this.running.delete(key);
      };
      started.promise.then(forget, forget);
      this.running.set(key, started);
      entry = started;
    }
    const joined = entry;
    joined.waiters++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const leave = () => {
        settled = true;
        joined.waiters--;
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        if (settled) return;
        leave();
        if (joined.waiters === 0) {
          // Nobody waits: stop the work, and let a new request start afresh.
          if (this.running.get(key) === joined) this.running.delete(key);
          joined.controller.abort(signal.reason);
        }
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      joined.promise.then(
        (value) => {
          if (settled) return;
          leave();
          resolve(value);
        },
        (err: unknown) => {
          if (settled) return;
          leave();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }
}
