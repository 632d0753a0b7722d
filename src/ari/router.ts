/**
 * The one event router: every ARI event goes to the owner of the channel,
 * playback, recording or bridge it is about, found by id in a Map (O(1) per
 * event, whatever the number of calls). Owners register a route when they
 * create a resource and remove it in their cleanup.
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
 * The keys an event is routed by. Playback and recording events also go to
 * their target (`channel:<id>` or `bridge:<id>`, from `target_uri`), so the
 * owner of a channel sees what is played or recorded on it.
 */
export function routeKeysOf(event: AriEvent | LooseEvent): string[] {
  const e = event as LooseEvent;
  const keys: string[] = [];
  if (e.playback?.id !== undefined) {
    keys.push(`playback:${e.playback.id}`);
    if (e.playback.target_uri) keys.push(e.playback.target_uri);
  }
  if (e.recording?.name !== undefined) {
    keys.push(`recording:${e.recording.name}`);
    if (e.recording.target_uri) keys.push(e.recording.target_uri);
  }
  if (e.channel?.id !== undefined) keys.push(`channel:${e.channel.id}`);
  else if (e.type === 'Dial' && e.peer?.id !== undefined) keys.push(`channel:${e.peer.id}`);
  if (e.bridge?.id !== undefined) keys.push(`bridge:${e.bridge.id}`);
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

  /** Delivers one event to its type listener and to the owner of each resource it names. Returns the number of deliveries. */
  dispatch(event: AriEvent): number {
    let delivered = 0;
    const listener = this.typeListeners.get(event.type);
    if (listener) {
      this.deliver(listener, event);
      delivered++;
    }
    const reached: EventHandler[] = [];
    for (const key of routeKeysOf(event)) {
      const handler = this.routes.get(key);
      // The same owner may hold two keys an event names (a bridge and its member): deliver once.
      if (handler === undefined || handler === listener || reached.includes(handler)) continue;
      reached.push(handler);
      this.deliver(handler, event);
      delivered++;
    }
    return delivered;
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
