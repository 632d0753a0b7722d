/**
 * Stasis applications: the registry, their subscriptions to event sources, and the
 * fan-out of events. An event goes to every app subscribed to one of its sources, once
 * per app (fact 9), each copy carrying its own `application`.
 */
import { formatTimestamp } from '../clock.js';
import type { Clock } from '../clock.js';
import type { EventSocket } from './socket.js';

/** Why an app listens to a channel: originating it (fact 9), owning it in Stasis, or an explicit subscription. */
export type ChannelSubscription = 'originate' | 'stasis' | 'explicit';

/** Where an event goes. */
export interface Route {
  /** Apps subscribed to these channels. */
  channels?: readonly string[];
  /** Apps subscribed to these bridges. */
  bridges?: readonly string[];
  /** These apps, directly (StasisStart, StasisEnd, ApplicationReplaced). */
  apps?: readonly string[];
}

/** A Stasis application as `GET /applications` shows it. */
export interface ApplicationJson {
  name: string;
  channel_ids: string[];
  bridge_ids: string[];
  endpoint_ids: string[];
  device_names: string[];
  events_allowed: unknown[];
  events_disallowed: unknown[];
}

/** One registered application. */
export class Application {
  socket: EventSocket | undefined;
  subscribeAll = false;
  readonly channels = new Map<string, Set<ChannelSubscription>>();
  /** Bridge subscriptions: how many of the app's channels are in it, and whether explicit. */
  readonly bridges = new Map<string, { channels: number; explicit: boolean }>();

  constructor(readonly name: string) {}

  /** Registered over a WebSocket that is still connected. */
  get active(): boolean {
    return this.socket?.open === true && this.socket.apps.has(this.name);
  }

  /** Whether this app receives events about a channel. */
  watchesChannel(id: string): boolean {
    return this.subscribeAll || (this.channels.get(id)?.size ?? 0) > 0;
  }

  /** Whether this app receives events about a bridge. */
  watchesBridge(id: string): boolean {
    if (this.subscribeAll) return true;
    const sub = this.bridges.get(id);
    return sub !== undefined && (sub.explicit || sub.channels > 0);
  }

  /** The Application as GET /applications shows it (fact 65). */
  toJson(): ApplicationJson {
    return {
      name: this.name,
      channel_ids: [...this.channels.entries()].filter(([, why]) => why.size > 0).map(([id]) => id),
      bridge_ids: [...this.bridges.keys()].filter((id) => this.watchesBridge(id)),
      endpoint_ids: [],
      device_names: [],
      events_allowed: [],
      events_disallowed: [],
    };
  }
}

/** The application registry and event fan-out. */
export class Applications {
  private readonly apps = new Map<string, Application>();
  /** The process died: every registration is gone and nothing is published any more. */
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly asteriskId: string,
    private readonly log: (line: string) => void,
    /** Counts each event sent, by app (traffic stats). */
    private readonly sent: (app: string) => void = () => undefined,
  ) {}

  /** Forgets every app and publishes nothing from now on (the process died). */
  close(): void {
    this.closed = true;
    this.apps.clear();
  }

  /** An app by name, registered or not yet cleaned up. */
  get(name: string): Application | undefined {
    return this.apps.get(name);
  }

  /** Apps to list: active ones, and inactive ones that still hold channels. */
  list(): Application[] {
    return [...this.apps.values()].filter((a) => a.active || [...a.channels.values()].some((s) => s.size > 0));
  }

  /**
   * Registers an app on a socket. If another socket had it, that socket gets
   * `ApplicationReplaced` and stops receiving the app's events. Subscriptions survive,
   * as an app that reconnects finds its channels again.
   */
  register(name: string, socket: EventSocket, subscribeAll: boolean): void {
    let app = this.apps.get(name);
    if (app === undefined) {
      app = new Application(name);
      this.apps.set(name, app);
    }
    const previous = app.socket;
    if (previous !== undefined && previous !== socket && previous.open && previous.apps.has(name)) {
      previous.send(JSON.stringify({ type: 'ApplicationReplaced', timestamp: formatTimestamp(this.clock.now()), application: name, asterisk_id: this.asteriskId }));
      previous.apps.delete(name);
    }
    app.socket = socket;
    app.subscribeAll = subscribeAll;
    socket.apps.add(name);
  }

  /** A socket went away: its apps become inactive (Stasis() then fails for them). */
  unregisterSocket(socket: EventSocket): void {
    for (const name of socket.apps) {
      const app = this.apps.get(name);
      if (app?.socket === socket) app.socket = undefined;
    }
    socket.apps.clear();
    this.cleanup();
  }

  private cleanup(): void {
    for (const [name, app] of this.apps) {
      if (app.socket === undefined && app.channels.size === 0 && app.bridges.size === 0) this.apps.delete(name);
    }
  }

  /** Adds a reason for `app` to hear about a channel. */
  subscribeChannel(appName: string, channelId: string, why: ChannelSubscription): void {
    const app = this.ensure(appName);
    const reasons = app.channels.get(channelId) ?? new Set<ChannelSubscription>();
    reasons.add(why);
    app.channels.set(channelId, reasons);
  }

  /** Removes one reason; the app stops hearing about the channel when none is left. */
  unsubscribeChannel(appName: string, channelId: string, why: ChannelSubscription): boolean {
    const reasons = this.apps.get(appName)?.channels.get(channelId);
    if (reasons === undefined || !reasons.delete(why)) return false;
    if (reasons.size === 0) this.apps.get(appName)?.channels.delete(channelId);
    return true;
  }

  /** A channel is gone: every subscription to it ends. */
  forgetChannel(channelId: string): void {
    for (const app of this.apps.values()) app.channels.delete(channelId);
    this.cleanup();
  }

  /** A channel of `app` entered a bridge (explicit=false) or the app subscribed to it (explicit=true). */
  subscribeBridge(appName: string, bridgeId: string, explicit: boolean): void {
    const app = this.ensure(appName);
    const sub = app.bridges.get(bridgeId) ?? { channels: 0, explicit: false };
    if (explicit) sub.explicit = true;
    else sub.channels++;
    app.bridges.set(bridgeId, sub);
  }

  /** The reverse of subscribeBridge; false when there was nothing to remove. */
  unsubscribeBridge(appName: string, bridgeId: string, explicit: boolean): boolean {
    const app = this.apps.get(appName);
    const sub = app?.bridges.get(bridgeId);
    if (app === undefined || sub === undefined) return false;
    if (explicit) {
      if (!sub.explicit) return false;
      sub.explicit = false;
    } else {
      if (sub.channels === 0) return false;
      sub.channels--;
    }
    if (!sub.explicit && sub.channels === 0) app.bridges.delete(bridgeId);
    return true;
  }

  /** A bridge is gone: every subscription to it ends. */
  forgetBridge(bridgeId: string): void {
    for (const app of this.apps.values()) app.bridges.delete(bridgeId);
  }

  private ensure(name: string): Application {
    let app = this.apps.get(name);
    if (app === undefined) {
      app = new Application(name);
      this.apps.set(name, app);
    }
    return app;
  }

  /**
   * Publishes an event to every app that should get it: `{type, timestamp, ...fields,
   * asterisk_id, application}`. Fields are serialized now, so a delayed copy still
   * shows the state at the time of the event.
   */
  publish(type: string, fields: Record<string, unknown>, route: Route): void {
    if (this.closed) return;
    const base = { type, timestamp: formatTimestamp(this.clock.now()), ...fields };
    for (const app of this.apps.values()) {
      if (!this.routes(app, route)) continue;
      if (!app.active || app.socket === undefined) continue;
      this.log(`event ${type} -> ${app.name}`);
      this.sent(app.name);
      app.socket.send(JSON.stringify({ ...base, asterisk_id: this.asteriskId, application: app.name }));
    }
  }

  private routes(app: Application, route: Route): boolean {
    if (route.apps?.includes(app.name) === true) return true;
    if (route.channels?.some((id) => app.watchesChannel(id)) === true) return true;
    if (route.bridges?.some((id) => app.watchesBridge(id)) === true) return true;
    return false;
  }
}
