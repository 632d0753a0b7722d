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
  /** Traffic counters (benchmarks); a restart keeps them (they are the simulator's, not Asterisk's). */
  readonly stats: TrafficStats;
  readonly media = new MediaEngine();
  /** res_http_media_cache: `sound:http://…` downloads, fresh while their max-age runs on this clock. */
  readonly httpMedia = new HttpMediaCache(() => this.clock.now());
  readonly channels = new Map<string, Channel>();
  readonly bridges = new Map<string, Bridge>();
  /** By id; a duplicate playbackId is accepted (fact 25), so one id may name several. */
  readonly playbacks = new Map<string, Playback[]>();
  /** Live recordings by name. */
  readonly recordings = new Map<string, LiveRecording>();
  /** res_mwi_external keeps mailboxes in astdb, on disk: a restart keeps them. */
  readonly mailboxes: Map<string, { old: number; new: number }>;
  readonly startedAt: number;
  /** The process died (`kill`): nothing it left behind may act or send events any more. */
  private dead = false;
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
    kept: { stats?: TrafficStats; mailboxes?: Map<string, { old: number; new: number }> } = {},
  ) {
    this.startedAt = clock.now();
    this.stats = kept.stats ?? new TrafficStats();
    this.mailboxes = kept.mailboxes ?? new Map<string, { old: number; new: number }>();
    this.apps = new Applications(clock, ASTERISK_ID, log, (app) => this.stats.event(app));
  }

  /** Whether this Asterisk has died (see `kill`). */
  get killed(): boolean {
    return this.dead;
  }

  /**
   * The process dies, as on a crash or `kill -9`: no StasisEnd, no ChannelDestroyed, no
   * RecordingFinished. A live recording's file keeps the audio written so far; every
   * timer (dialplan, playbacks, DTMF, dial time-outs) is cancelled, and anything still
   * holding this Core (a pending download, a request in flight) finds it dead and inert.
   */
  kill(): void {
    if (this.dead) return;
    this.dead = true;
    for (const rec of this.recordings.values()) rec.crash();
    this.cancelAll();
    this.apps.close();
    this.channels.clear();
    this.bridges.clear();
    this.playbacks.clear();
    this.recordings.clear();
  }

  /**
   * The Asterisk that starts after this one died: empty registries, nothing registered,
   * the same clock, disk (sounds, recordings, dialplan), mailboxes and traffic counters.
   * Deliberate difference: ids and channel-name sequences go on counting instead of
   * starting over, so no id of the old process is ever given out again (Asterisk's
   * `<epoch>.<n>` ids differ anyway, as it takes seconds to start).
   */
  successor(): Core {
    const next = new Core(this.clock, this.paths, this.dialplan, this.log, { stats: this.stats, mailboxes: this.mailboxes });
    next.nameSeq = this.nameSeq;
    next.uniqueSeq = this.uniqueSeq;
    next.snoopSeq = this.snoopSeq;
    return next;
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
    // A dead process schedules nothing (a download finishing after the crash, for one).
    if (this.dead) return undefined;
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
