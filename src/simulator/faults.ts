/**
 * Fault hooks for tests: drop the event WebSockets as a network drop would (and refuse
 * them for a while), fail or hang matching requests, delay event delivery, restart
 * Asterisk. None of these is an Asterisk feature; only what a restart leaves behind
 * imitates one (see `restart`).
 */
import type { Clock } from './clock.js';
import type { Core } from './core.js';
import type { EventSocket } from './events/socket.js';

/** Which requests a fault applies to. */
export interface RequestMatch {
  /** GET, POST, DELETE...; any when absent. */
  method?: string;
  /** Tested on the URL path without the query, e.g. `/ari/channels/x/play`. */
  path: RegExp;
  /** Only requests of this ARI user (a test can fail its service's requests, not its driver's). */
  user?: string;
}

/** A planned failure or hang, as `failNext` and `hangNext` return it. */
export interface PlannedFault {
  /** Whether a matching request has been taken by it yet. */
  taken(): boolean;
  /** Takes no more requests (those held stay held). */
  cancel(): void;
}

/** How many matching requests a fault takes. */
export interface RepeatOptions {
  /** Default 1; `Infinity` takes every matching request until `clear()`. */
  times?: number;
}

/** The test-facing fault controls (see `Simulator.faults`). */
export interface FaultControls {
  /**
   * Abrupt close, as a network drop (ari-client reconnects): all sockets, or those that
   * registered `app`. With `forMs`, new event WebSockets (for `app`, or all) are refused
   * for that long on the simulator's clock: the connection is reset before any answer,
   * so the client's connect fails, then succeeds again.
   */
  dropWebSockets(app?: string, options?: { forMs?: number }): void;
  /**
   * The next matching request (or `times` of them) fails with `status` and
   * `{"message": message}`, Asterisk's error shape, without being served. The default
   * message for 400, 404, 409, 422 and 500 is one Asterisk sends with that status, so a
   * client that only sees the message (ari-client) can tell the status from it.
   */
  failNext(match: RequestMatch, status: number, message?: string, options?: RepeatOptions): PlannedFault;
  /**
   * The next matching request (or `times` of them) is read but neither served nor
   * answered: its connection is held until the client gives up, the simulator restarts
   * or it closes.
   */
  hangNext(match: RequestMatch, options?: RepeatOptions): PlannedFault;
  /** Ends every planned failure and hang, and any refusal of WebSockets (held requests stay held). */
  clear(): void;
  /** Delays every event by `ms` (0 restores), keeping their order. */
  delayEvents(ms: number): void;
  /**
   * Asterisk restarts, as after a crash: every event WebSocket and HTTP connection closes
   * at once; every channel, bridge, playback, live recording and snoop vanishes without an
   * event (a live recording's file keeps what was recorded); registrations are gone and
   * the dialplan stops. For `downMs` (on the simulator's clock) nothing listens on the
   * port, so connections are refused (ECONNREFUSED). Then it serves again on the same
   * port, empty, with stored recordings, sounds, mailboxes, dialplan and users kept.
   * Resolves once it listens again.
   */
  restart(options?: { downMs?: number }): Promise<void>;
}

/** What the faults act on: the live event sockets, the running Asterisk, its restart. */
export interface FaultHost {
  clock: Clock;
  sockets(): Iterable<EventSocket>;
  core(): Core;
  restart(downMs: number): Promise<void>;
}

/** A planned fault: fail with a status, or hang. */
export type RequestFault = { kind: 'fail'; status: number; message: string } | { kind: 'hang' };

interface Plan {
  method: string | undefined;
  path: RegExp;
  user: string | undefined;
  fault: RequestFault;
  remaining: number;
  taken: number;
}

interface Refusal {
  app: string | undefined;
  until: number;
}

/** Messages Asterisk sends with these statuses, which ari-client users map back to them (src/ari/error-map.ts). */
const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Missing parameter',
  404: 'Resource not found',
  409: 'Channel not in Stasis application',
  422: 'Event source does not exist',
  500: 'Internal Server Error',
};

/** The state behind the fault controls. */
export class Faults implements FaultControls {
  private readonly planned: Plan[] = [];
  private refusals: Refusal[] = [];
  private eventDelay = 0;

  constructor(private readonly host: FaultHost) {}

  dropWebSockets(app?: string, options: { forMs?: number } = {}): void {
    const forMs = options.forMs ?? 0;
    if (forMs > 0) this.refusals.push({ app, until: this.host.clock.now() + forMs });
    const apps = this.host.core().apps;
    for (const socket of [...this.host.sockets()]) {
      if (app !== undefined && !socket.apps.has(app)) continue;
      apps.unregisterSocket(socket);
      socket.drop();
    }
  }

  failNext(match: RequestMatch, status: number, message?: string, options: RepeatOptions = {}): PlannedFault {
    return this.plan(match, { kind: 'fail', status, message: message ?? DEFAULT_MESSAGES[status] ?? 'Injected fault' }, options);
  }

  hangNext(match: RequestMatch, options: RepeatOptions = {}): PlannedFault {
    return this.plan(match, { kind: 'hang' }, options);
  }

  clear(): void {
    this.planned.length = 0;
    this.refusals = [];
  }

  delayEvents(ms: number): void {
    this.eventDelay = Math.max(0, ms);
  }

  restart(options: { downMs?: number } = {}): Promise<void> {
    return this.host.restart(Math.max(0, options.downMs ?? 0));
  }

  /** The configured event delay. */
  get delay(): number {
    return this.eventDelay;
  }

  /** Takes the fault planned for this request of `user`, if any (the earliest planned first). */
  take(method: string, path: string, user: string): RequestFault | undefined {
    const i = this.planned.findIndex((f) => (f.method === undefined || f.method === method) && (f.user === undefined || f.user === user) && testPath(f.path, path));
    const f = this.planned[i];
    if (f === undefined) return undefined;
    f.taken++;
    if (--f.remaining <= 0) this.planned.splice(i, 1);
    return f.fault;
  }

  /** Whether an event WebSocket for these apps is refused now (a `dropWebSockets` outage). */
  refusesWebSocket(apps: readonly string[]): boolean {
    const now = this.host.clock.now();
    this.refusals = this.refusals.filter((r) => r.until > now);
    return this.refusals.some((r) => r.app === undefined || apps.includes(r.app));
  }

  private plan(match: RequestMatch, fault: RequestFault, options: RepeatOptions): PlannedFault {
    const times = options.times ?? 1;
    if (!(times >= 1)) throw new RangeError(`times must be at least 1, got ${times}`);
    const plan: Plan = { method: match.method?.toUpperCase(), path: match.path, user: match.user, fault, remaining: Math.floor(times), taken: 0 };
    this.planned.push(plan);
    return {
      taken: () => plan.taken > 0,
      cancel: () => {
        const i = this.planned.indexOf(plan);
        if (i !== -1) this.planned.splice(i, 1);
      },
    };
  }
}

function testPath(re: RegExp, path: string): boolean {
  re.lastIndex = 0;
  return re.test(path);
}
