/**
 * Traffic counters, for benchmarks: ARI requests by user and operation, events
 * by app. Not an Asterisk feature (a deliberate addition, outside `/ari`):
 * `GET /simulator/stats` shows them, `DELETE /simulator/stats` starts over.
 */

/** What the simulator has served since the counters were last reset. */
export interface TrafficSnapshot {
  /** Requests by ARI user, then by `resource.nickname`. */
  requests: Record<string, Record<string, number>>;
  /** Events sent, by Stasis app. */
  events: Record<string, number>;
}

/** Counts what the simulator serves. */
export class TrafficStats {
  private requests = new Map<string, Map<string, number>>();
  private events = new Map<string, number>();

  /** One request of `user` for `operation`. */
  request(user: string, operation: string): void {
    let ops = this.requests.get(user);
    if (ops === undefined) this.requests.set(user, (ops = new Map<string, number>()));
    ops.set(operation, (ops.get(operation) ?? 0) + 1);
  }

  /** One event sent to `app`. */
  event(app: string): void {
    this.events.set(app, (this.events.get(app) ?? 0) + 1);
  }

  /** The counters as JSON. */
  snapshot(): TrafficSnapshot {
    const requests: TrafficSnapshot['requests'] = {};
    for (const [user, ops] of this.requests) requests[user] = Object.fromEntries(ops);
    return { requests, events: Object.fromEntries(this.events) };
  }

  /** Starts over. */
  reset(): void {
    this.requests = new Map();
    this.events = new Map();
  }
}
