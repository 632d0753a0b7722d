/**
 * The simulated Asterisk: every registry (channels, bridges, playbacks, recordings,
 * apps, mailboxes), the clock, the dialplan and the audio engine, shared by the modules
 * that implement behaviour. Nothing here knows about HTTP.
 */
import type { Clock } from './clock.js';
import { formatTimestamp } from './clock.js';
import type { Bridge } from './bridges/bridge.js';
import type { Channel } from './channels/channel.js';
import type { Dialplan } from './dialplan/dialplan.js';
import { Applications } from './events/apps.js';
import { TrafficStats } from './stats.js';
import type { Route } from './events/apps.js';
import { MediaEngine } from './media/graph.js';
import { HttpMediaCache } from './media/http.js';
import type { Playback } from './playbacks/playback.js';
import type { LiveRecording } from './recordings/live.js';

/** Asterisk's entity id, as `asterisk_id` in every event. */
export const ASTERISK_ID = '02:fc:00:00:00:01';
/** The Asterisk version the simulator imitates. */
export const ASTERISK_VERSION = '22.10.1';

/** Where the simulated Asterisk keeps its files. */
export interface CorePaths {
  soundsDir: string;
  mohDir: string;
  recordingsDir: string;
}

/** The simulated Asterisk. */
export class Core {
  readonly apps: Applications;
  /** Traffic counters (benchmarks). */
  readonly stats = new TrafficStats();
  readonly media = new MediaEngine();
  /** res_http_media_cache: `sound:http://…` downloads, fresh while their max-age runs on this clock. */
  readonly httpMedia = new HttpMediaCache(() => this.clock.now());
  readonly channels = new Map<string, Channel>();
  readonly bridges = new Map<string, Bridge>();
  /** By id; a duplicate playbackId is accepted (fact 25), so one id may name several. */
  readonly playbacks = new Map<string, Playback[]>();
  /** Live recordings by name. */
  readonly recordings = new Map<string, LiveRecording>();
  readonly mailboxes = new Map<string, { old: number; new: number }>();
  readonly startedAt: number;
  private nameSeq = 0x2d;
  private uniqueSeq = 100;
  /** app_snoop's own counter (`Snoop/<id>-00000000` is the first, fact 89). */
  private snoopSeq = 0;
  private readonly timers = new Set<unknown>();

  constructor(
    readonly clock: Clock,
    readonly paths: CorePaths,
    readonly dialplan: Dialplan,
    readonly log: (line: string) => void,
  ) {
    this.startedAt = clock.now();
    this.apps = new Applications(clock, ASTERISK_ID, log, (app) => this.stats.event(app));
  }

  /** Now, as Asterisk formats times. */
  timestamp(): string {
    return formatTimestamp(this.clock.now());
  }

  /** The 8-hex-digit sequence in channel names (`Local/100@trace-0000002d;1`), shared by all technologies. */
  nextNameSeq(): string {
    return (this.nameSeq++).toString(16).padStart(8, '0');
  }

  /** The 8-hex-digit sequence in snoop channel names. */
  nextSnoopSeq(): string {
    return (this.snoopSeq++).toString(16).padStart(8, '0');
  }

  /** A unique id as Asterisk makes them: `<epoch seconds>.<counter>`. */
  uniqueId(): string {
    return `${Math.floor(this.clock.now() / 1000)}.${this.uniqueSeq++}`;
  }

  /** A live channel by id (not destroyed). */
  channel(id: string): Channel | undefined {
    const ch = this.channels.get(id);
    return ch === undefined || ch.destroyed ? undefined : ch;
  }

  /** Publishes an event about a channel to the apps subscribed to it. */
  channelEvent(type: string, ch: Channel, fields: Record<string, unknown> = {}, route?: Route): void {
    if (ch.internal) return;
    this.apps.publish(type, { ...fields, channel: ch.toJson() }, route ?? { channels: [ch.id] });
  }

  /** `ChannelVarset`. */
  varsetEvent(ch: Channel, variable: string, value: string): void {
    this.channelEvent('ChannelVarset', ch, { variable, value });
  }

  /** Runs `fn` after `ms` on the simulator's clock; errors are logged, never thrown into the clock. */
  after(ms: number, fn: () => void): unknown {
    const handle: unknown = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      try {
        fn();
      } catch (err) {
        this.log(`timer failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }, ms);
    this.timers.add(handle);
    return handle;
  }

  /** Cancels a timer made by `after`. */
  cancel(handle: unknown): void {
    if (handle === undefined) return;
    this.timers.delete(handle);
    this.clock.clearTimeout(handle);
  }

  /** Cancels every pending timer (on shutdown, so nothing fires after close). */
  cancelAll(): void {
    for (const handle of this.timers) this.clock.clearTimeout(handle);
    this.timers.clear();
  }
}
