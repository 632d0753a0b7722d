/**
 * Time for the simulator. Everything that takes time in Asterisk (a prompt playing,
 * DTMF digits, a recording's time-outs) is a timer on a Clock, so tests can run with a
 * ManualClock and step through minutes of call time in milliseconds.
 */

/** The simulator's source of time. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall-clock time (the default). */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return setTimeout(fn, Math.max(0, ms));
  }

  clearTimeout(handle: unknown): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}

interface ManualTimer {
  due: number;
  seq: number;
  fn: () => void;
}

/** Lets pending sockets, HTTP handlers and promise chains run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when a test calls `advance`. It starts half a second past a
 * whole second, so `maxDurationSeconds` (which Asterisk measures in whole wall-clock
 * seconds) ends the same way on every run.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Set<ManualTimer>();

  constructor(start: number = Date.UTC(2026, 10, 22, 9, 0, 0, 500)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: ManualTimer = { due: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as ManualTimer);
  }

  /** Moves time forward by `ms`, running due timers in order and letting I/O settle between them. */
  async advance(ms: number): Promise<void> {
    const target = this.current + Math.max(0, ms);
    for (;;) {
      await settle();
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.timers.delete(next);
      this.current = Math.max(this.current, next.due);
      next.fn();
    }
    this.current = target;
    await settle();
  }

  /** How many timers are waiting (for tests of the simulator itself). */
  get pending(): number {
    return this.timers.size;
  }

  private nextDue(limit: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.timers) {
      if (t.due > limit) continue;
      if (best === undefined || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Asterisk's event and snapshot time format: `2026-11-22T09:08:04.935+0000`. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`
  );
}
