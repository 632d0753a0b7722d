/**
 * The one event router: every ARI event goes to one owner, that of the most
 * specific playback, recording, bridge or channel it is about, found by id in
 * a Map (O(1) per event, whatever the number of calls). Owners register a
 * route when they create a resource and remove it in their cleanup; one
 * event never reaches two owners, so no two parts of a call act on it.
 */
import type { AriEvent } from './types.js';

/** Receives the events of one routed resource. */
export type EventHandler = (event: AriEvent) => void;

/** Removes a route; calling it twice is harmless. */
export type Unroute = () => void;

/** Route keys: `channel:<id>`, `bridge:<id>`, `playback:<id>`, `recording:<name>`. */
export type RouteKey = `${'channel' | 'bridge' | 'playback' | 'recording'}:${string}`;

/** Builds the route key of a resource. */
export const routeKey = {
  channel: (id: string): RouteKey => `channel:${id}`,
  bridge: (id: string): RouteKey => `bridge:${id}`,
  playback: (id: string): RouteKey => `playback:${id}`,
  recording: (name: string): RouteKey => `recording:${name}`,
};

interface LooseEvent {
  type: string;
  channel?: { id?: string };
  peer?: { id?: string };
  bridge?: { id?: string };
  playback?: { id?: string; target_uri?: string };
  recording?: { name?: string; target_uri?: string };
}

/**
 * The keys an event may be routed by, most specific first: the playback or
 * recording it is about, then the bridge (its own, or the target of a
 * playback or recording), then the channel (its own, the target, or a Dial's
 * peer). The event goes to the first key that has an owner, and to no other.
 */
export function routeKeysOf(event: AriEvent | LooseEvent): string[] {
  const e = event as LooseEvent;
  const keys: string[] = [];
  if (e.playback?.id !== undefined) keys.push(`playback:${e.playback.id}`);
  if (e.recording?.name !== undefined) keys.push(`recording:${e.recording.name}`);
  const target = e.playback?.target_uri ?? e.recording?.target_uri;
  if (e.bridge?.id !== undefined) keys.push(`bridge:${e.bridge.id}`);
  if (target?.startsWith('bridge:')) keys.push(target);
  if (e.channel?.id !== undefined) keys.push(`channel:${e.channel.id}`);
  else if (e.type === 'Dial' && e.peer?.id !== undefined) keys.push(`channel:${e.peer.id}`);
  if (target?.startsWith('channel:')) keys.push(target);
  return keys;
}

/** Routes ARI events to their owners by resource id. */
export class EventRouter {
  private readonly routes = new Map<string, EventHandler>();
  private readonly typeListeners = new Map<string, EventHandler>();

  constructor(private readonly onHandlerError: (err: unknown, event: AriEvent) => void = () => undefined) {}

  /**
   * Hands the events of one resource to `handler` until the returned function is
   * called. One owner per resource: routing a key that is already routed is a bug
   * in the caller and throws.
   */
  route(key: RouteKey, handler: EventHandler): Unroute {
    if (this.routes.has(key)) throw new Error(`event route ${key} already has an owner`);
    this.routes.set(key, handler);
    return () => {
      if (this.routes.get(key) === handler) this.routes.delete(key);
    };
  }

  /** True when a resource has an owner. */
  has(key: RouteKey): boolean {
    return this.routes.has(key);
  }

  /** Listens to every event of one type (for app-level events such as StasisStart); one listener per type. */
  listen(type: AriEvent['type'], handler: EventHandler): Unroute {
    if (this.typeListeners.has(type)) throw new Error(`event type ${type} already has a listener`);
    this.typeListeners.set(type, handler);
    return () => {
      if (this.typeListeners.get(type) === handler) this.typeListeners.delete(type);
    };
  }

  /**
   * Delivers one event to exactly one owner: the listener of its type when
   * there is one (StasisStart), else the owner of the most specific resource
   * it names (routeKeysOf). Returns the number of deliveries, 0 or 1.
   */
  dispatch(event: AriEvent): number {
    const listener = this.typeListeners.get(event.type);
    if (listener) {
      this.deliver(listener, event);
      return 1;
    }
    for (const key of routeKeysOf(event)) {
      const handler = this.routes.get(key);
      if (handler === undefined) continue;
      this.deliver(handler, event);
      return 1;
    }
    return 0;
  }

  /** Number of routed resources (0 when no call is live). */
  get size(): number {
    return this.routes.size;
  }

  private deliver(handler: EventHandler, event: AriEvent): void {
    try {
      handler(event);
    } catch (err) {
      // One owner's bug must not stop the others, nor the WebSocket reader.
      this.onHandlerError(err, event);
    }
  }
}
