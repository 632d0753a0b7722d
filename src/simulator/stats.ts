/**
 * Traffic counters, for benchmarks: ARI requests by user and operation, events
 * by app; and what is alive now (channels, bridges, recordings), for soaks. Not an
 * Asterisk feature (a deliberate addition, outside `/ari`): `GET /simulator/stats`
 * shows them, `DELETE /simulator/stats` starts the traffic counters over.
 */
import type { Core } from './core.js';

/** What the running Asterisk holds now (a restart empties it). */
export interface LiveCounts {
  /** Channels not destroyed, as `GET /channels` lists them. */
  channels: number;
  /** Of those, the ones in a Stasis app. */
  channelsInStasis: number;
  bridges: number;
  /** Live recordings (queued, recording or paused). */
  recordings: number;
  /** Playbacks not finished (queued or playing). */
  playbacks: number;
  /** Stasis apps registered over a connected WebSocket. */
  apps: number;
}

/** Counts what `core` holds now. */
export function liveCounts(core: Core): LiveCounts {
  let channels = 0;
  let channelsInStasis = 0;
  for (const ch of core.channels.values()) {
    if (ch.destroyed || ch.internal) continue;
    channels++;
    if (ch.inStasis) channelsInStasis++;
  }
  let playbacks = 0;
  for (const list of core.playbacks.values()) playbacks += list.length;
  return { channels, channelsInStasis, bridges: core.bridges.size, recordings: core.recordings.size, playbacks, apps: core.apps.list().filter((a) => a.active).length };
}

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
