/**
 * Fault hooks for tests: drop the event WebSockets as a network drop would, fail the
 * next matching request, delay event delivery. None of these is an Asterisk feature.
 */
import type { Applications } from './events/apps.js';
import type { EventSocket } from './events/socket.js';

/** The test-facing fault controls (see `Simulator.faults`). */
export interface FaultControls {
  /** Abrupt close, as a network drop (ari-client reconnects). All sockets, or those that registered `app`. */
  dropWebSockets(app?: string): void;
  /** The next request matching `method` (any when absent) and `path` (the URL path, e.g. /ari/channels/x/play) fails with `status` and `{"message": message}`. */
  failNext(match: { method?: string; path: RegExp }, status: number, message: string): void;
  /** Delays every event by `ms` (0 restores), keeping their order. */
  delayEvents(ms: number): void;
}

interface PendingFailure {
  method: string | undefined;
  path: RegExp;
  status: number;
  message: string;
}

/** The state behind the fault controls. */
export class Faults implements FaultControls {
  private readonly failures: PendingFailure[] = [];
  private eventDelay = 0;

  constructor(
    private readonly sockets: () => Iterable<EventSocket>,
    private readonly apps: Applications,
  ) {}

  dropWebSockets(app?: string): void {
    for (const socket of [...this.sockets()]) {
      if (app !== undefined && !socket.apps.has(app)) continue;
      this.apps.unregisterSocket(socket);
      socket.drop();
    }
  }

  failNext(match: { method?: string; path: RegExp }, status: number, message: string): void {
    this.failures.push({ method: match.method?.toUpperCase(), path: match.path, status, message });
  }

  delayEvents(ms: number): void {
    this.eventDelay = Math.max(0, ms);
  }

  /** The configured event delay. */
  get delay(): number {
    return this.eventDelay;
  }

  /** Takes the failure planned for this request, if any. */
  take(method: string, path: string): { status: number; message: string } | undefined {
    const i = this.failures.findIndex((f) => (f.method === undefined || f.method === method) && testPath(f.path, path));
    if (i === -1) return undefined;
    const [f] = this.failures.splice(i, 1);
    return f === undefined ? undefined : { status: f.status, message: f.message };
  }
}

function testPath(re: RegExp, path: string): boolean {
  re.lastIndex = 0;
  return re.test(path);
}
