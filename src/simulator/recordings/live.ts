/**
 * A live recording, modelled on Asterisk's `__ast_play_and_record` (main/app.c) as ARI
 * drives it (res_stasis_recording.c, facts 34-47):
 * - it writes the audio frames that arrive, and only those: with nothing played into a
 *   Local channel there are no frames, and after 2 x 2 s without any it ends by itself;
 * - paused frames are analysed but not written; muted ones are written as silence;
 * - `maxDurationSeconds` is checked in whole wall-clock seconds, as Asterisk's time();
 * - with `beep=true`, RecordingStarted goes out before the beep, and the file is opened
 *   only after it; the beep is deaf to control frames and DTMF (facts 98-103, `operate`);
 * - `maxSilenceSeconds` runs Asterisk's silence detector (mean |sample| < 256 per 20 ms
 *   frame) and trims the trailing silence, with Asterisk's integer arithmetic for
 *   `duration`, `talking_duration` and `silence_duration`.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Bridge } from '../bridges/bridge.js';
import type { Channel } from '../channels/channel.js';
import { answerChannel } from '../channels/lifecycle.js';
import type { Command } from '../channels/queue.js';
import type { Core } from '../core.js';
import type { Route } from '../events/apps.js';
import { FRAME_SAMPLES, PER_MS, frameEnergy } from '../media/audio.js';
import { loadMediaFile } from '../media/formats.js';
import { PcmEmitter, bridgeMix, heardBy, sampleAt } from '../media/graph.js';
import type { AudioListener, AudioSource } from '../media/graph.js';
import { findSoundFile } from '../media/sounds.js';
import { decodeRecording, encodeRecording } from './files.js';
import { FRAME_SUBCLASS, planOperation } from './operations.js';
import type { RecordingFrame } from './operations.js';

/** Where a recording listens. */
export type RecordingTarget = { kind: 'channel'; channel: Channel } | { kind: 'bridge'; bridge: Bridge };

/** A live recording's states as ARI names them. */
export type RecordingState = 'queued' | 'recording' | 'paused' | 'done' | 'failed' | 'canceled';

/** The options of `POST .../record`, already validated. */
export interface RecordingOptions {
  name: string;
  format: string;
  maxDurationSeconds: number;
  maxSilenceSeconds: number;
  ifExists: 'fail' | 'overwrite' | 'append';
  beep: boolean;
  /** Digits that end the recording (`#`, `*`, all for `any`, none for `none`). */
  terminateOn: string;
}

/** A live recording as ARI serializes it. */
export interface LiveRecordingJson {
  name: string;
  format: string;
  state: string;
  target_uri: string;
  duration?: number;
  talking_duration?: number;
  silence_duration?: number;
  cause?: string;
}

/** Results of an operation on a live recording (stasis_app_recording_operation). */
export type RecordingOperation = 'stop' | 'cancel' | 'pause' | 'unpause' | 'mute' | 'unmute';

/** The silence detector's threshold (dsp.conf `silencethreshold`, default 256). */
const SILENCE_THRESHOLD = 256;
/** Two `ast_waitfor(chan, 2000)` in a row without a frame end a recording ("No audio available"). */
const NO_AUDIO_MS = 4000;

/** Why a recording stopped: Asterisk's `res` (> 0: silence, max time or a DTMF digit; 0: stop/cancel; -1: hangup or no audio). */
interface Ending {
  res: number;
  cancel?: boolean;
}

/** One live recording (also the command that runs it). */
export class LiveRecording implements Command, AudioListener {
  readonly kind = 'record';
  state: RecordingState = 'queued';
  /**
   * Paused and muted inside Asterisk (__ast_play_and_record): each control
   * frame toggles one (`paused = !paused`, `muted = !muted`; fact 101 shows it for mute).
   */
  private paused = false;
  private muted = false;
  /** Muted as ARI sees it (res_stasis_recording): only a change sends a control frame. */
  private ariMuted = false;
  private done: (() => void) | undefined;
  private capturing = false;
  private sources: AudioSource[] = [];
  private capturedTo = 0;
  private readonly chunks: Int16Array[] = [];
  private written = 0;
  private readonly frame = new Int16Array(FRAME_SAMPLES);
  private frameFill = 0;
  private lastFrameMs = 0;
  private startSec = 0;
  private pausedSecs = 0;
  private pauseStartSec = 0;
  // Asterisk's silence detector state (dsp.c) and __ast_play_and_record's bookkeeping.
  private dspTotalSilence = 0;
  private dspsilence = 0;
  private olddspsilence = 0;
  private totalsilence = 0;
  private pausedsilence = 0;
  private ending: Ending | undefined;
  /** The file exists (__ast_play_and_record opens it after the beep). */
  private opened = false;
  private finished = false;
  private timer: unknown;
  private beepTimer: unknown;
  private beepEmitter: AudioSource | undefined;
  private readonly dtmfHook = (digit: string): void => this.onDtmf(digit);

  constructor(
    private readonly core: Core,
    readonly options: RecordingOptions,
    readonly target: RecordingTarget,
  ) {
    core.recordings.set(options.name, this);
    if (target.kind === 'channel') target.channel.recordings++;
  }

  private get targetUri(): string {
    return this.target.kind === 'channel' ? `channel:${this.target.channel.id}` : `bridge:${this.target.bridge.id}`;
  }

  private get path(): string {
    return join(this.core.paths.recordingsDir, `${this.options.name}.${this.options.format}`);
  }

  /** The LiveRecording as GET /recordings/live/{name} shows it. */
  toJson(): LiveRecordingJson {
    return { name: this.options.name, format: this.options.format, state: this.state, target_uri: this.targetUri };
  }

  private route(): Route {
    return this.target.kind === 'channel' ? { channels: [this.target.channel.id] } : { bridges: [this.target.bridge.id] };
  }

  private publish(type: string, json: LiveRecordingJson): void {
    this.core.apps.publish(type, { recording: json }, this.route());
  }

  private release(): void {
    if (this.core.recordings.get(this.options.name) === this) this.core.recordings.delete(this.options.name);
    if (this.target.kind === 'channel') {
      this.target.channel.recordings--;
      this.target.channel.dtmfHooks.delete(this.dtmfHook);
    }
    const done = this.done;
    this.done = undefined;
    done?.();
  }

  /** Runs when the recording reaches the front of the queue. */
  start(done: () => void): void {
    this.done = done;
    if (this.target.kind === 'channel' && this.target.channel.bridge !== undefined) {
      this.state = 'failed';
      this.publish('RecordingFailed', { ...this.toJson(), cause: 'Cannot record channel while in bridge' });
      this.release();
      return;
    }
    // res_stasis_recording answers the channel first (ast_auto_answer).
    if (this.target.kind === 'channel' && this.target.channel.state !== 'Up') answerChannel(this.core, this.target.channel);
    this.state = 'recording';
    this.publish('RecordingStarted', this.toJson());
    if (!this.options.beep) {
      this.beginCapture();
      return;
    }
    // RecordingStarted goes out before the beep (fact 34); capture starts after it.
    const language = this.target.kind === 'channel' ? this.target.channel.language : 'en';
    const found = findSoundFile(this.core.paths.soundsDir, 'beep', language);
    const beep = found === undefined ? undefined : loadMediaFile(found.path, found.ext);
    if (beep === undefined) {
      // ast_stream_and_wait("beep") failed: __ast_play_and_record gives up at once.
      this.finishWithoutAudio();
      return;
    }
    if (this.target.kind === 'channel') {
      const ch = this.target.channel;
      const emitter = new PcmEmitter(beep.samples, sampleAt(this.core.clock.now()), 0);
      this.beepEmitter = emitter;
      this.core.media.change(() => ch.outputs.add(emitter));
    }
    this.beepTimer = this.core.after(Math.round(beep.durationMs), () => {
      this.beepTimer = undefined;
      this.endBeep();
      this.beginCapture();
    });
  }

  private endBeep(): void {
    const emitter = this.beepEmitter;
    this.beepEmitter = undefined;
    if (emitter !== undefined && this.target.kind === 'channel') {
      const ch = this.target.channel;
      this.core.media.change(() => ch.outputs.delete(emitter));
    }
  }

  private openFile(): void {
    this.opened = true;
    mkdirSync(dirname(this.path), { recursive: true });
    if (this.options.ifExists !== 'append' || !existsSync(this.path)) writeFileSync(this.path, encodeRecording(this.options.format, new Int16Array(0)));
  }

  private beginCapture(): void {
    this.openFile();
    const now = this.core.clock.now();
    this.capturing = true;
    this.startSec = Math.floor(now / 1000);
    this.capturedTo = sampleAt(now);
    this.lastFrameMs = now;
    if (this.target.kind === 'channel') this.target.channel.dtmfHooks.add(this.dtmfHook);
    this.core.media.add(this);
    this.refresh();
  }

  private listen(): AudioSource[] {
    return this.target.kind === 'channel' ? heardBy(this.target.channel) : bridgeMix(this.target.bridge, undefined);
  }

  /**
   * The time at which Asterisk's whole-second `maxtime` check fires. Deliberate difference:
   * Asterisk notices on the next 20 ms frame, 17-21 ms later in the transcripts.
   */
  private maxEndMs(): number {
    return (this.startSec + this.pausedSecs + this.options.maxDurationSeconds + 1) * 1000;
  }

  /** Captures the audio heard since the last flush. */
  flush(): void {
    if (!this.capturing || this.ending !== undefined) return;
    const to = sampleAt(this.core.clock.now());
    const from = this.capturedTo;
    if (to <= from) return;
    this.capturedTo = to;
    if (this.sources.length === 0) return;
    const mix = new Int32Array(to - from);
    for (const s of this.sources) s.mixInto(mix, from, to);
    let end = to;
    let maxTimeHit = false;
    if (this.options.maxDurationSeconds > 0 && !this.paused) {
      const cut = sampleAt(this.maxEndMs());
      if (cut <= to) {
        end = Math.max(from, cut);
        maxTimeHit = true;
      }
    }
    for (let g = from; g < end; g++) {
      const sample = Math.max(-32768, Math.min(32767, mix[g - from] ?? 0));
      if (!this.paused) this.write(this.muted ? 0 : sample);
      this.frame[this.frameFill++] = sample;
      if (this.frameFill === FRAME_SAMPLES) {
        this.frameFill = 0;
        if (this.analyseFrame()) {
          end = g + 1;
          break;
        }
      }
    }
    this.lastFrameMs = end / PER_MS;
    if (this.ending === undefined && maxTimeHit) this.ending = { res: 't'.charCodeAt(0) };
  }

  private write(sample: number): void {
    let chunk = this.chunks[this.chunks.length - 1];
    if (chunk === undefined || this.written % 8000 === 0) {
      chunk = new Int16Array(8000);
      this.chunks.push(chunk);
    }
    chunk[this.written % 8000] = sample;
    this.written++;
  }

  /** Asterisk's silence detection for one frame; true when it ends the recording. */
  private analyseFrame(): boolean {
    if (this.options.maxSilenceSeconds <= 0) return false;
    if (frameEnergy(this.frame) < SILENCE_THRESHOLD) this.dspTotalSilence += 20;
    else this.dspTotalSilence = 0;
    let dspsilence = this.dspTotalSilence;
    if (this.olddspsilence > dspsilence) this.totalsilence += this.olddspsilence;
    this.olddspsilence = dspsilence;
    if (this.paused) this.pausedsilence = dspsilence;
    else if (dspsilence > this.pausedsilence) dspsilence -= this.pausedsilence;
    else this.pausedsilence = 0;
    this.dspsilence = dspsilence;
    if (dspsilence > this.options.maxSilenceSeconds * 1000) {
      this.ending = { res: 'S'.charCodeAt(0) };
      return true;
    }
    return false;
  }

  /** Re-plans after a change: new sources, and a timer for the next thing that may end the recording. */
  refresh(): void {
    if (!this.capturing) return;
    if (this.ending !== undefined) {
      this.finish(this.ending);
      return;
    }
    this.sources = this.listen();
    const now = this.core.clock.now();
    if (this.sources.length === 0 && now >= this.lastFrameMs + NO_AUDIO_MS) {
      this.finish({ res: -1 });
      return;
    }
    this.core.cancel(this.timer);
    let at: number;
    if (this.sources.length === 0) {
      at = this.lastFrameMs + NO_AUDIO_MS;
    } else {
      at = Infinity;
      if (this.options.maxDurationSeconds > 0 && !this.paused) at = Math.min(at, this.maxEndMs());
      // Silence detection looks at every frame: wake up when the next one is complete.
      if (this.options.maxSilenceSeconds > 0) at = Math.min(at, now + Math.ceil((FRAME_SAMPLES - this.frameFill) / PER_MS));
    }
    this.timer = at === Infinity ? undefined : this.core.after(Math.max(0, at - now), () => {
      this.timer = undefined;
      this.core.media.change(() => {});
    });
  }

  private onDtmf(digit: string): void {
    if (!this.options.terminateOn.includes(digit.toLowerCase()) || this.ending !== undefined) return;
    this.end({ res: digit.charCodeAt(0) });
  }

  /**
   * `POST /recordings/live/{name}/stop`, `DELETE /recordings/live/{name}`, pause, mute...
   * The answer and the state come from res_stasis_recording (operations.ts); the
   * recording loop gets a control frame, which the beep loses (`receive`). So a stop
   * in the beep is 204 and ignored, with GET "done" and a second stop 409; a cancel in
   * the beep is 500 (no file to delete yet) and the file is kept (facts 98-101).
   */
  operate(op: RecordingOperation): 'ok' | 'not-recording' | 'failed' {
    const plan = planOperation(this.state, this.ariMuted, op);
    if (plan.result === 'not-recording') return plan.result;
    this.state = plan.state;
    this.ariMuted = plan.muted;
    // recording_cancel deletes the file itself, before the loop sees the frame; a failed delete is the 500.
    const deleted = plan.deleteFile === true ? this.deleteFile() : true;
    if (plan.frame !== undefined) this.receive(plan.frame);
    return deleted ? 'ok' : 'failed';
  }

  /**
   * A control frame reaches __ast_play_and_record. During the beep it is read by
   * ast_stream_and_wait, which drops it; afterwards stop and cancel end the recording,
   * and suspend and mute toggle (so one lost frame inverts every later one, fact 101).
   */
  private receive(frame: RecordingFrame): void {
    if (!this.capturing) {
      this.core.log(`recording ${this.options.name}: control ${FRAME_SUBCLASS[frame]} lost in the beep (Asterisk: "Unexpected control subclass")`);
      return;
    }
    switch (frame) {
      case 'stop':
        this.end({ res: 0 });
        return;
      case 'cancel':
        this.end({ res: 0, cancel: true });
        return;
      case 'suspend':
        this.togglePause();
        return;
      case 'mute':
        // Muted audio is written as silence (and still counts in the duration, fact 37).
        this.core.media.change(() => (this.muted = !this.muted));
        return;
    }
  }

  /** A pause control frame reached __ast_play_and_record: paused <-> recording; paused whole seconds are not counted. */
  private togglePause(): void {
    this.core.media.change(() => {
      const now = Math.floor(this.core.clock.now() / 1000);
      if (this.paused) this.pausedSecs += now - this.pauseStartSec;
      else this.pauseStartSec = now;
      this.paused = !this.paused;
    });
  }

  /** Ends now: captures what was heard up to this moment, then finishes (also inside a larger change). */
  private end(ending: Ending): void {
    if (this.finished || !this.capturing) return;
    this.flush();
    this.finish(this.ending ?? ending);
  }

  /** The channel hung up during the recording: the file is kept (fact 41). */
  abort(): void {
    if (this.finished) return;
    if (this.beepTimer !== undefined) {
      this.core.cancel(this.beepTimer);
      this.beepTimer = undefined;
      this.endBeep();
      this.finish({ res: -1 });
    } else if (this.capturing) {
      this.end({ res: -1 });
    }
  }

  /**
   * The process died: no event, and the file keeps what was written up to now (Asterisk
   * writes frames as they come; no trailing silence is trimmed). In the beep nothing is
   * on disk yet. Deliberate difference: our file is complete and valid, where a crashed
   * Asterisk may leave a wav header that was never updated with the data size.
   */
  crash(): void {
    if (this.finished) return;
    if (this.capturing) this.flush();
    this.finished = true;
    this.capturing = false;
    this.core.cancel(this.timer);
    this.core.cancel(this.beepTimer);
    this.core.media.remove(this);
    if (this.opened) this.saveFile(this.written);
  }

  /** The channel hung up while this waited: it still starts, hears nothing and ends at once. */
  hangupWhileQueued(): void {
    this.state = 'recording';
    this.publish('RecordingStarted', this.toJson());
    this.openFile();
    this.finish({ res: -1 });
  }

  private finishWithoutAudio(): void {
    this.finished = true;
    this.state = 'done';
    this.publish('RecordingFinished', this.toJson());
    this.release();
  }

  private finish(ending: Ending): void {
    if (this.finished) return;
    this.finished = true;
    this.core.cancel(this.timer);
    this.timer = undefined;
    this.core.media.remove(this);
    this.capturing = false;
    const opts = this.options;
    // __ast_play_and_record: duration is what went into the file, in whole seconds.
    let duration = Math.floor(this.written / 8000);
    let talking = duration;
    if (opts.maxSilenceSeconds > 0) {
      if (this.olddspsilence <= this.dspsilence) this.totalsilence += this.dspsilence;
      if (this.totalsilence > 0) talking -= Math.trunc((this.totalsilence - 200) / 1000);
      talking = Math.max(0, talking);
    }
    if (this.dspsilence > 0) duration -= Math.trunc((this.dspsilence - 200) / 1000);
    duration = Math.max(0, duration);
    let samples = this.written;
    // Ended with silence: all but the first 200 ms of the trailing silence is cut off.
    if (ending.res > 0 && this.dspsilence > 200) samples = Math.max(0, samples - (this.dspsilence - 200) * PER_MS);
    // Hung up in the beep: __ast_play_and_record gave up before it opened the file.
    if (ending.cancel === true) this.deleteFile();
    else if (this.opened) this.saveFile(samples);
    this.state = 'done';
    const json: LiveRecordingJson = { ...this.toJson(), duration };
    if (opts.maxSilenceSeconds > 0) {
      json.talking_duration = talking;
      json.silence_duration = duration - talking;
    }
    this.publish('RecordingFinished', json);
    this.release();
  }

  /** ast_filedelete: false when there was no file to delete. */
  private deleteFile(): boolean {
    try {
      unlinkSync(this.path);
      return true;
    } catch {
      return false;
    }
  }

  private samplesWritten(count: number): Int16Array {
    const out = new Int16Array(count);
    let at = 0;
    for (const chunk of this.chunks) {
      if (at >= count) break;
      const part = chunk.subarray(0, Math.min(chunk.length, count - at));
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  private saveFile(count: number): void {
    let samples = this.samplesWritten(count);
    if (this.options.ifExists === 'append') {
      let existing: Int16Array = new Int16Array(0);
      try {
        existing = decodeRecording(this.options.format, readFileSync(this.path));
      } catch {
        // nothing to append to
      }
      const joined = new Int16Array(existing.length + samples.length);
      joined.set(existing, 0);
      joined.set(samples, existing.length);
      samples = joined;
    }
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(this.path, encodeRecording(this.options.format, samples));
  }
}
