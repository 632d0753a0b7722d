/**
 * A playback: one or more media URIs played in turn on a channel or a bridge, with
 * Asterisk's states and events (facts 19-29, 68-72): PlaybackStarted / PlaybackContinuing /
 * PlaybackFinished, pause / unpause / forward / reverse / restart on the current item, and
 * the odd cases (no PlaybackFinished for an unknown scheme, "failed" for a missing file,
 * stops refused for number: and digits: until a sound: item has played, facts 104-106).
 */
import type { Bridge } from '../bridges/bridge.js';
import type { Channel } from '../channels/channel.js';
import type { Command } from '../channels/queue.js';
import type { Core } from '../core.js';
import type { Route } from '../events/apps.js';
import { PER_MS } from '../media/audio.js';
import { PcmEmitter, sampleAt } from '../media/graph.js';
import type { AudioSource } from '../media/graph.js';
import type { MediaFile } from '../media/formats.js';
import { resolveMedia } from '../media/resolve.js';
import { planPlaybackOperation } from './operations.js';
import type { AriPlaybackState, PlaybackFrame, PlaybackOperation } from './operations.js';

/** Where a playback plays. */
export type PlaybackTarget = { kind: 'channel'; channel: Channel } | { kind: 'bridge'; bridge: Bridge };

/** Internal states; ARI shows "canceled" as "done" (res_stasis_playback.c). */
export type PlaybackState = 'queued' | 'playing' | 'paused' | 'done' | 'failed' | 'canceled';

/** A playback as ARI serializes it. */
export interface PlaybackJson {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language: string;
  state: string;
}

/** Results of a control operation, as stasis_app_playback_operation returns them. */
export type ControlResult = 'ok' | 'not-playing' | 'failed';

/** One playback (also the command that runs it on the target's queue). */
export class Playback implements Command {
  readonly kind = 'play';
  state: PlaybackState = 'queued';
  private index = 0;
  /** res_stasis_playback's flag: set by the first `sound:`, `recording:` or `tone:` item, never cleared (facts 104-106). */
  private controllable = false;
  /** The current item is a sound file or recording, which a control frame pauses, seeks or stops. */
  private streamItem = false;
  /**
   * The state ARI shows while a say item (number:, digits:, characters:) plays after
   * a sound: item: an accepted stop or pause changes it, but only cuts the file now
   * playing, and the item goes on (fact 106). Undefined: the same as `state`.
   */
  private sayState: 'paused' | 'stopped' | undefined;
  /** Where each file of the current item ends, in ms from the item's start. */
  private fileEndsMs: number[] = [];
  private samples = new Int16Array(0);
  private durationMs = 0;
  /** Position (ms into the current item) when it last started playing. */
  private positionMs = 0;
  private startedAt = 0;
  private timer: unknown;
  private emitter: AudioSource | undefined;
  /** Set while an http item downloads; a stale download is ignored when it completes. */
  private fetching: object | undefined;
  private done: (() => void) | undefined;

  constructor(
    private readonly core: Core,
    readonly id: string,
    readonly media: readonly string[],
    readonly language: string,
    readonly target: PlaybackTarget,
    private readonly skipMs: number,
    private readonly offsetMs: number,
  ) {
    const list = core.playbacks.get(id) ?? [];
    list.push(this);
    core.playbacks.set(id, list);
  }

  private get targetUri(): string {
    return this.target.kind === 'channel' ? `channel:${this.target.channel.id}` : `bridge:${this.target.bridge.id}`;
  }

  /** The JSON for GET and for events (`state` overridden for PlaybackContinuing). */
  toJson(state: string = this.shownState()): PlaybackJson {
    const json: PlaybackJson = { id: this.id, media_uri: this.media[this.index] ?? '', target_uri: this.targetUri, language: this.language, state };
    const next = this.media[this.index + 1];
    if (next !== undefined) {
      return { id: json.id, media_uri: json.media_uri, next_media_uri: next, target_uri: json.target_uri, language: json.language, state };
    }
    return json;
  }

  private shownState(): string {
    const state = this.ariState();
    return state === 'stopped' || state === 'canceled' ? 'done' : state;
  }

  private ariState(): AriPlaybackState {
    if (this.sayState !== undefined) return this.sayState;
    return this.state === 'failed' ? 'done' : this.state;
  }

  private route(): Route {
    return this.target.kind === 'channel' ? { channels: [this.target.channel.id] } : { bridges: [this.target.bridge.id] };
  }

  private publish(type: string, state?: string): void {
    if (this.target.kind === 'channel' && this.target.channel.internal) return;
    this.core.apps.publish(type, { playback: this.toJson(state) }, this.route());
  }

  private get outputs(): Set<AudioSource> {
    return this.target.kind === 'channel' ? this.target.channel.outputs : this.target.bridge.outputs;
  }

  private get targetGone(): boolean {
    return this.target.kind === 'channel' ? this.target.channel.hangingUp || this.target.channel.destroyed : this.target.bridge.destroyed;
  }

  /** Leaves the registry: GET, DELETE and control now answer 404 (fact 22). */
  private forget(): void {
    const list = this.core.playbacks.get(this.id);
    if (list === undefined) return;
    const i = list.indexOf(this);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) this.core.playbacks.delete(this.id);
  }

  private finish(state: 'done' | 'failed'): void {
    this.stopAudio();
    this.state = state;
    this.publish('PlaybackFinished', state);
    this.forget();
    const done = this.done;
    this.done = undefined;
    done?.();
  }

  /** Runs when the playback reaches the front of the queue. */
  start(done: () => void): void {
    this.done = done;
    if (this.state === 'canceled') {
      // Deleted while queued: never started; "done" when its turn comes (fact 23).
      this.finish('done');
      return;
    }
    if (this.targetGone) {
      this.publish('PlaybackStarted', 'playing');
      this.finish('failed');
      return;
    }
    this.startItem();
  }

  private startItem(): void {
    this.state = 'playing';
    this.sayState = undefined;
    this.publish('PlaybackStarted');
    if (this.target.kind === 'channel') {
      // Streaming a file stops a channel's generator (music on hold, silence) for good.
      const ch = this.target.channel;
      this.core.media.change(() => {
        if (ch.moh !== undefined) ch.outputs.delete(ch.moh);
        if (ch.silence !== undefined) ch.outputs.delete(ch.silence);
        ch.moh = undefined;
        ch.silence = undefined;
      });
    }
    const uri = this.media[this.index] ?? '';
    const res = resolveMedia(this.core.paths, uri, this.language);
    // play_on_channel sets the flag before it tries the file, so a missing sound: counts too;
    // a recording: only once it is found.
    if (/^(sound|tone):/.test(uri) || (uri.startsWith('recording:') && res.kind !== 'silent')) this.controllable = true;
    if (res.kind === 'silent') {
      // Asterisk logs an error and goes on with the next item without an event; after the
      // last one the playback is dropped without a final event (fact 21).
      if (this.index + 1 < this.media.length) {
        this.index++;
        this.startItem();
        return;
      }
      this.state = 'done';
      this.forget();
      const done = this.done;
      this.done = undefined;
      done?.();
      return;
    }
    if (res.kind === 'failed') {
      this.itemEnded('failed');
      return;
    }
    if (res.kind === 'fetch') {
      this.download(res.url);
      return;
    }
    this.playFiles(res.files, res.controllable);
  }

  /**
   * `sound:http://…`: "playing" while the file downloads, then it plays (so it lasts the
   * download plus the media), or fails as soon as the download does (facts 95, 96).
   */
  private download(url: string): void {
    this.streamItem = true;
    const item = this.index;
    const token = {};
    this.fetching = token;
    void this.core.httpMedia.fetch(url).then((file) => {
      // Stopped, hung up or moved on meanwhile: the download is no longer wanted.
      if (this.fetching !== token || this.index !== item || this.state !== 'playing') return;
      this.fetching = undefined;
      if (file === undefined) {
        this.core.log(`playback ${this.id}: ${url} could not be downloaded or played`);
        this.itemEnded('failed');
        return;
      }
      this.playFiles([file], true);
    });
  }

  private playFiles(files: readonly MediaFile[], controllable: boolean): void {
    this.streamItem = controllable;
    let end = 0;
    this.fileEndsMs = files.map((f) => (end += f.durationMs));
    const total = files.reduce((n, f) => n + f.samples.length, 0);
    this.samples = new Int16Array(total);
    let at = 0;
    for (const f of files) {
      this.samples.set(f.samples, at);
      at += f.samples.length;
    }
    this.durationMs = end;
    this.positionMs = this.index === 0 ? Math.min(this.offsetMs, this.durationMs) : 0;
    this.play();
  }

  private play(): void {
    const now = this.core.clock.now();
    this.startedAt = now;
    this.core.media.change(() => {
      this.emitter = new PcmEmitter(this.samples, sampleAt(now), Math.round(this.positionMs * PER_MS));
      this.outputs.add(this.emitter);
    });
    const remaining = Math.max(0, Math.round(this.durationMs - this.positionMs));
    this.timer = this.core.after(remaining, () => this.itemEnded('done'));
  }

  private stopAudio(): void {
    this.fetching = undefined;
    this.core.cancel(this.timer);
    this.timer = undefined;
    const emitter = this.emitter;
    if (emitter === undefined) return;
    this.emitter = undefined;
    this.core.media.change(() => this.outputs.delete(emitter));
  }

  private currentPosition(): number {
    if (this.state !== 'playing') return this.positionMs;
    return Math.min(this.durationMs, this.positionMs + (this.core.clock.now() - this.startedAt));
  }

  /** An item ended (played out, or failed): PlaybackContinuing and the next item, or the end. */
  private itemEnded(how: 'done' | 'failed' = 'done'): void {
    this.timer = undefined;
    this.stopAudio();
    if (this.index + 1 < this.media.length) {
      this.publish('PlaybackContinuing', 'continuing');
      this.index++;
      this.startItem();
      return;
    }
    this.finish(how);
  }

  /** The channel hung up during the playback: "failed" (fact 20). */
  abort(): void {
    if (this.state === 'playing' || this.state === 'paused') this.finish('failed');
  }

  /** The channel hung up while this waited: started and failed at once (fact 63); a deleted one just ends "done". */
  hangupWhileQueued(): void {
    if (this.state === 'canceled') {
      this.finish('done');
      return;
    }
    this.publish('PlaybackStarted', 'playing');
    this.finish('failed');
  }

  /** `DELETE /playbacks/{id}`. */
  stop(): ControlResult {
    return this.operate('stop');
  }

  /** `POST /playbacks/{id}/control`: pause, unpause, restart, reverse, forward. */
  control(operation: Exclude<PlaybackOperation, 'stop'>): ControlResult {
    return this.operate(operation);
  }

  /** Answers as res_stasis_playback does (operations.ts), then hands the control frame to the current item. */
  private operate(op: PlaybackOperation): ControlResult {
    const plan = planPlaybackOperation(this.ariState(), this.controllable, op);
    if (plan.result !== 'ok') return plan.result;
    if (plan.state === 'canceled') this.state = 'canceled';
    if (plan.frame === undefined) return 'ok';
    if (this.streamItem) {
      this.streamFrame(plan.frame);
      return 'ok';
    }
    // A say item: the frame ends the file now playing and the say goes on (fact 106).
    // Deliberate difference, unrecorded: only the stop was seen; pause and seek frames are taken to do the same.
    this.sayState = plan.state === 'stopped' || plan.state === 'paused' ? plan.state : undefined;
    if (plan.started === true) this.publish('PlaybackStarted');
    this.cutCurrentFile();
    return 'ok';
  }

  /** Skips to the end of the file now playing inside the current item (the next file, or the next item). */
  private cutCurrentFile(): void {
    const position = this.currentPosition();
    const end = this.fileEndsMs.find((e) => e > position) ?? this.durationMs;
    this.stopAudio();
    if (end >= this.durationMs) {
      this.itemEnded('done');
      return;
    }
    this.positionMs = end;
    this.play();
  }

  /** A control frame on a sound file or recording (ast_control_streamfile). */
  private streamFrame(frame: PlaybackFrame): void {
    if (frame === 'stop') {
      // Stopping ends the whole list at once (facts 24, 70, 105).
      this.finish('done');
      return;
    }
    // Deliberate difference (unrecorded): other controls while an http file downloads are dropped.
    if (this.fetching !== undefined) return;
    const position = this.currentPosition();
    this.stopAudio();
    switch (frame) {
      case 'suspend':
        if (this.state === 'paused') {
          this.state = 'playing';
          this.publish('PlaybackStarted');
          break;
        }
        this.positionMs = position;
        this.state = 'paused';
        return;
      case 'restart':
        this.positionMs = 0;
        break;
      case 'reverse':
        this.positionMs = Math.max(0, position - this.skipMs);
        break;
      case 'forward':
        // Past the end, Asterisk seeks back one skip from the end (file.c, waitstream_control).
        this.positionMs = position + this.skipMs < this.durationMs ? position + this.skipMs : Math.max(0, this.durationMs - this.skipMs);
        break;
    }
    this.play();
  }
}
