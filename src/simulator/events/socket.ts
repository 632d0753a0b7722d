/**
 * One WebSocket connection to `/ari/events`: the apps it registered and the delivery of
 * their events, in order, optionally delayed (a fault for tests).
 */
import type { WebSocket } from 'ws';
import type { Clock } from '../clock.js';

let nextSocketId = 1;

/** A connected event WebSocket. */
export class EventSocket {
  readonly id = nextSocketId++;
  /** Apps registered over this connection (an app taken over by a newer socket is removed). */
  readonly apps = new Set<string>();
  private readonly pending: { due: number; text: string }[] = [];
  private timer: unknown;

  constructor(
    private readonly ws: WebSocket,
    private readonly clock: Clock,
    private readonly delayMs: () => number,
  ) {}

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Sends one serialized event, after the configured delay, never out of order. */
  send(text: string): void {
    const delay = this.delayMs();
    if (delay <= 0 && this.pending.length === 0) {
      this.write(text);
      return;
    }
    this.pending.push({ due: this.clock.now() + Math.max(0, delay), text });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.pending.length === 0) return;
    const first = this.pending[0];
    if (first === undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      const now = this.clock.now();
      while (this.pending.length > 0 && (this.pending[0]?.due ?? Infinity) <= now) {
        const item = this.pending.shift();
        if (item !== undefined) this.write(item.text);
      }
      this.schedule();
    }, first.due - this.clock.now());
  }

  private write(text: string): void {
    if (this.open) this.ws.send(text);
  }

  /** Abrupt close, as a network drop: no close frame (ari-client then reconnects). */
  drop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.length = 0;
    this.ws.terminate();
  }

  /** Orderly close (simulator shutdown). */
  close(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.length = 0;
    this.ws.terminate();
  }
}
