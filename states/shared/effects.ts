/**
 * Contracts of the effects call machines invoke by name. Machines declare
 * these placeholders in `setup({ actors })`; src/ provides the real
 * implementations with `machine.provide`, tests provide stubs.
 */
import { fromCallback, fromPromise } from 'xstate';
import type { CallLog } from './call.js';

/** Where media is played or recorded. */
export type MediaTarget = { channelId: string } | { bridgeId: string };

/** Input of the `playback` effect. */
export interface PlaybackInput {
  target: MediaTarget;
  /**
   * Media URIs played one after the other, as one playback (one request; a
   * stop ends the whole list). A missing sound inside the list is skipped, as
   * Asterisk does (fact 71). A key must be able to cut: `sound:` items only,
   * since Asterisk will not stop a `number:` or `digits:` item (say.ts).
   */
  media: readonly string[];
  /** How long a single item is expected to play (a message's duration): the watchdog asks only once it is overdue. */
  expectedMs?: number;
  lang?: string;
  /** Skip for forward / reverse, in ms (Asterisk's default is 3000). */
  skipms?: number;
  offsetms?: number;
  log: CallLog;
}

/** Events the `playback` effect sends to its parent. */
export type PlaybackEmitted =
  | { type: 'playback.started'; playbackId: string; media: string; index: number }
  /**
   * The whole list is over. `failed`: the last item could not be played, the
   * channel went away, the request was refused, or Asterisk never reported an end.
   */
  | { type: 'playback.finished'; state: 'done' | 'failed'; reason?: string };

/** Commands a parent may send to a running `playback` (with `sendTo`). */
export type PlaybackCommand =
  | { type: 'playback.control'; operation: 'pause' | 'unpause' | 'forward' | 'reverse' | 'restart' }
  | { type: 'playback.stop' };

/** Input of the `recording` effect. */
export interface RecordingInput {
  target: MediaTarget;
  name: string;
  format: string;
  maxDurationSeconds?: number;
  maxSilenceSeconds?: number;
  /** Play a beep before recording (the effect plays `sound:beep` itself; see src/runtime/effects/recording.ts). */
  beep?: boolean;
  ifExists?: 'fail' | 'overwrite' | 'append';
  terminateOn?: 'none' | 'any' | '*' | '#';
  /**
   * What happens to a recording still live when the state that invoked it is
   * left: `stop` (keep it), `cancel` (discard it), or `leave` (Asterisk stops
   * and stores it at hang-up; the parent may still be waiting for the result).
   */
  onExit: 'stop' | 'cancel' | 'leave';
  log: CallLog;
}

/** Events the `recording` effect sends to its parent. */
export type RecordingEmitted =
  | { type: 'recording.started'; name: string }
  | {
      type: 'recording.finished';
      name: string;
      /**
       * Whole seconds of audio written, from RecordingFinished; paused time is
       * not counted. Undefined when Asterisk never said (the file tells).
       */
      duration: number | undefined;
      talkingDuration?: number;
      silenceDuration?: number;
      /** True when it ended by `recording.cancel`: nothing was stored. */
      cancelled: boolean;
    }
  | { type: 'recording.failed'; name: string; reason: string };

/** Commands a parent may send to a running `recording`. */
export type RecordingCommand =
  | { type: 'recording.stop' }
  | { type: 'recording.cancel' }
  | { type: 'recording.pause' }
  | { type: 'recording.unpause' }
  | { type: 'recording.mute' }
  | { type: 'recording.unmute' };

const notProvided = (name: string) => () => {
  throw new Error(`effect "${name}" was not provided to this machine`);
};

/** Placeholder for the `playback` effect. */
export const playbackEffect = fromCallback<PlaybackCommand, PlaybackInput>(notProvided('playback'));

/** Placeholder for the `recording` effect. */
export const recordingEffect = fromCallback<RecordingCommand, RecordingInput>(notProvided('recording'));

/** Placeholder for a one-shot effect returning `TOutput` (a request to Asterisk or the database). */
export function promiseEffect<TOutput, TInput>(name: string) {
  return fromPromise<TOutput, TInput>(notProvided(name));
}
