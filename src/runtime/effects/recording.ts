/**
 * The `recording` effect: records a channel or bridge under a name and reports
 * how it ended.
 *
 * Asterisk is deaf to controls in two windows (transcripts, facts 18 and
 * 98-103): while its own beep plays (`beep=true`: a stop is answered 204 and
 * ignored, a cancel fails with 500, a pause or mute is lost), and while the
 * recording is still queued behind a playback (a stop is ignored, the
 * recording starts anyway). A control sent there cannot be repaired (a second
 * stop gets 409). So this effect never sends one there: it plays `sound:beep`
 * itself and records with `beep=false`, which has no deaf window (fact 102),
 * and it holds every command until RecordingStarted. A stop or cancel is done
 * only when RecordingFinished says so or the recording is gone; the duration
 * comes from RecordingFinished, or is left to the file (undefined), never
 * made up. Staged: the names and ids are routed before each request.
 */
import { v7 as uuidv7 } from 'uuid';
import { fromCallback } from 'xstate';
import type { RecordingCommand, RecordingEmitted, RecordingInput } from '../../../states/shared/effects.js';
import { errorMessage, isAriStatus } from '../../errors.js';
import type { AriPort, RecordOptions } from '../../ari/port.js';
import { retryAri } from '../../ari/retry.js';
import { routeKey, type Unroute } from '../../ari/router.js';
import type { AriEvent } from '../../ari/types.js';

export interface RecordingTiming {
  /** How long to wait for RecordingFinished after a stop or cancel before asking Asterisk. */
  finishTimeoutMs: number;
  /** Longest wait for the beep's PlaybackFinished before recording anyway. Default 3000. */
  beepTimeoutMs?: number;
}

type Phase =
  /** Our beep plays; nothing is recorded yet. */
  | 'beeping'
  /** The record request is sent; RecordingStarted has not come (queued behind a playback, or on the wire). */
  | 'requested'
  /** Recording: commands go to Asterisk. */
  | 'recording'
  /** Finished, failed, or the state that invoked it was left. */
  | 'over';

/** How long a command waits for RecordingStarted before Asterisk is asked whether the recording runs. */
const HELD_CHECK_MS = 2000;

/** Creates the `recording` effect for machines, bound to one ARI connection. */
export function createRecordingEffect(ari: AriPort, timing: RecordingTiming) {
  return fromCallback<RecordingCommand, RecordingInput>(({ input, sendBack, receive }) => {
    const { name, log } = input;
    let phase: Phase = input.beep === true ? 'beeping' : 'requested';
    /** The parent is listening (false once the invoking state was left). */
    let attached = true;
    /** Commands that wait for RecordingStarted, in order. */
    const held: RecordingCommand['type'][] = [];
    /** Commands go to Asterisk one at a time, in order. */
    let sending: Promise<void> = Promise.resolve();
    let stopRequested = false;
    let cancelAccepted = false;
    /** A cancel was asked for: whatever Asterisk answered, no file may stay behind. */
    let cancelWanted = false;
    /** The last stop or cancel was not done by Asterisk (refused, unanswered): a recording still live gets another stop. */
    let endingFailed = false;
    let heldTimer: NodeJS.Timeout | undefined;
    let finishTimer: NodeJS.Timeout | undefined;
    let beepTimer: NodeJS.Timeout | undefined;
    let unrouteBeep: Unroute = () => undefined;

    const emit = (event: RecordingEmitted) => {
      if (attached) sendBack(event);
    };

    /** How it ended is reported once (a RecordingFinished held for a cancel's answer may meet a give-up). */
    let reported = false;
    const end = (event: RecordingEmitted) => {
      phase = 'over';
      clearTimeout(finishTimer);
      clearTimeout(heldTimer);
      unroute();
      if (reported) return;
      reported = true;
      emit(event);
    };

    /** The recording runs: commands held for it go now. */
    const started = () => {
      if (phase !== 'requested') return;
      phase = 'recording';
      clearTimeout(heldTimer);
      emit({ type: 'recording.started', name });
      for (const command of held.splice(0)) send(command);
    };

    const onEvent = (event: AriEvent) => {
      if (event.type === 'RecordingStarted') {
        started();
      } else if (event.type === 'RecordingFinished') {
        const r = event.recording;
        // RecordingFinished often comes before the cancel's 204: whether it was a cancel is known once that is answered.
        void sending
          .then(() => discardIfCancelled())
          .then(() =>
            end({
              type: 'recording.finished',
              name,
              duration: r.duration ?? 0,
              ...(r.talking_duration === undefined ? {} : { talkingDuration: r.talking_duration }),
              ...(r.silence_duration === undefined ? {} : { silenceDuration: r.silence_duration }),
              cancelled: cancelAccepted || cancelWanted,
            }),
          );
      } else if (event.type === 'RecordingFailed') {
        log.warn('recording failed', { recording: name, cause: event.recording.cause });
        end({ type: 'recording.failed', name, reason: event.recording.cause ?? 'recording failed' });
      }
    };
    const unroute = ari.events.route(routeKey.recording(name), onEvent);

    /**
     * A cancel Asterisk did not do (refused, timed out, or the recording had
     * ended): the recording was stopped instead, so its file is deleted here.
     */
    const discardIfCancelled = async () => {
      if (!cancelWanted || cancelAccepted) return;
      await retryAri(() => ari.recordings.deleteStored(name)).then(
        () => log.info('cancelled recording deleted (Asterisk did not cancel it)', { recording: name }),
        (err: unknown) => {
          if (!isAriStatus(err, 404)) log.warn('could not delete a cancelled recording', { recording: name, err: errorMessage(err) });
        },
      );
    };

    /** After a stop or cancel: RecordingFinished should follow. If it does not, ask Asterisk; a recording still live is waited for. */
    const awaitFinish = (delayMs = timing.finishTimeoutMs) => {
      clearTimeout(finishTimer);
      finishTimer = setTimeout(() => {
        if (phase === 'over') return;
        ari.recordings.getLive(name).then(
          () => {
            if (endingFailed) {
              // The stop never reached it (refused, unanswered, lost with the connection): stop it again.
              endingFailed = false;
              log.warn('recording still running after a failed stop; stopping it again', { recording: name });
              sending = sending.then(() =>
                ari.recordings.stop(name).catch((err: unknown) => {
                  endingFailed = true;
                  log.warn('could not stop the recording', { recording: name, err: errorMessage(err) });
                }),
              );
            } else {
              log.warn('recording still running after a stop; waiting for its end', { recording: name });
            }
            awaitFinish();
          },
          (err: unknown) => {
            if (!isAriStatus(err, 404)) {
              awaitFinish();
              return;
            }
            ari.recordings.getStored(name).then(
              () => {
                // The duration is the file's to tell (undefined), not a guess.
                log.warn('RecordingFinished never came; the recording is stored', { recording: name });
                void discardIfCancelled().then(() => end({ type: 'recording.finished', name, duration: undefined, cancelled: cancelWanted }));
              },
              () => {
                if (cancelAccepted) end({ type: 'recording.finished', name, duration: undefined, cancelled: true });
                else end({ type: 'recording.failed', name, reason: 'no RecordingFinished and nothing stored' });
              },
            );
          },
        );
      }, delayMs);
    };
    const awaitFinishNow = () => awaitFinish(0);

    const operations: Record<RecordingCommand['type'], () => Promise<void>> = {
      'recording.stop': () => ari.recordings.stop(name),
      'recording.cancel': () => ari.recordings.cancel(name),
      'recording.pause': () => ari.recordings.pause(name),
      'recording.unpause': () => ari.recordings.unpause(name),
      'recording.mute': () => ari.recordings.mute(name),
      'recording.unmute': () => ari.recordings.unmute(name),
    };

    /** Sends one command to a recording that has started. */
    const send = (command: RecordingCommand['type']) => {
      const ending = command === 'recording.stop' || command === 'recording.cancel';
      if (ending) {
        if (stopRequested) return; // a second stop would get 409 (fact 99)
        stopRequested = true;
        awaitFinish();
      }
      if (command === 'recording.cancel') cancelWanted = true;
      sending = sending.then(() =>
        operations[command]().then(
          () => {
            if (command === 'recording.cancel') cancelAccepted = true;
          },
          (err: unknown) => {
            // Should the recording still be live when the finish is checked, it is stopped again.
            if (ending) endingFailed = true;
            // 404: it already ended; its RecordingFinished is on the way or was delivered.
            if (isAriStatus(err, 404)) {
              log.debug('recording command after the end', { command, recording: name });
              return;
            }
            log.warn('recording command failed', { command, recording: name, err: errorMessage(err) });
            // A refused cancel still ends the take: stopped now, its file deleted once finished.
            if (command === 'recording.cancel') {
              return ari.recordings.stop(name).catch((stopErr: unknown) => {
                if (!isAriStatus(stopErr, 404)) log.warn('could not stop a recording whose cancel failed', { recording: name, err: errorMessage(stopErr) });
              });
            }
          },
        ),
      );
    };

    /** A command held for RecordingStarted that does not come (lost while the WebSocket was down): ask Asterisk. */
    const checkStarted = () => {
      clearTimeout(heldTimer);
      heldTimer = setTimeout(() => {
        if (phase !== 'requested') return;
        ari.recordings.getLive(name).then(
          (live) => {
            if (live?.state === 'recording' || live?.state === 'paused') {
              log.warn('RecordingStarted never came; the recording runs', { recording: name });
              started();
            } else checkStarted();
          },
          (err: unknown) => {
            if (!isAriStatus(err, 404)) {
              checkStarted();
              return;
            }
            // Not live: it has finished unseen; the finish check settles how.
            phase = 'recording';
            held.splice(0);
            stopRequested = true;
            clearTimeout(finishTimer);
            finishTimer = undefined;
            awaitFinishNow();
          },
        );
      }, HELD_CHECK_MS);
      heldTimer.unref?.();
    };

    receive((command) => {
      if (phase === 'over') return;
      if (phase === 'recording') send(command.type);
      else {
        held.push(command.type);
        if (phase === 'requested') checkStarted();
      }
    });

    const target = input.target;
    const record = () => {
      if (phase !== 'beeping' && phase !== 'requested') return;
      clearTimeout(beepTimer);
      unrouteBeep();
      phase = 'requested';
      const options: RecordOptions = {
        name,
        format: input.format,
        // Our own beep has played: Asterisk's would open a window deaf to stop and cancel.
        beep: false,
        ...(input.maxDurationSeconds === undefined ? {} : { maxDurationSeconds: input.maxDurationSeconds }),
        ...(input.maxSilenceSeconds === undefined ? {} : { maxSilenceSeconds: input.maxSilenceSeconds }),
        ...(input.ifExists === undefined ? {} : { ifExists: input.ifExists }),
        ...(input.terminateOn === undefined ? {} : { terminateOn: input.terminateOn }),
      };
      const start = 'channelId' in target ? ari.channels.record(target.channelId, options) : ari.bridges.record(target.bridgeId, options);
      start.catch((err: unknown) => {
        if (phase === 'over' && !attached) {
          unroute();
          return;
        }
        log.warn('record request failed', { recording: name, err: errorMessage(err) });
        end({ type: 'recording.failed', name, reason: errorMessage(err) });
      });
    };

    // The beep, as a playback of ours: the recording starts when it has played.
    let beepPlayed: Promise<unknown> = Promise.resolve();
    let beepId: string | undefined;
    if (phase === 'beeping') {
      beepId = uuidv7();
      unrouteBeep = ari.events.route(routeKey.playback(beepId), (event) => {
        if (event.type === 'PlaybackFinished') record();
      });
      beepTimer = setTimeout(() => {
        log.warn('the beep did not finish; recording anyway', { recording: name });
        record();
      }, timing.beepTimeoutMs ?? 3000);
      const beep = { playbackId: beepId, media: 'sound:beep' };
      const played = 'channelId' in target ? ari.channels.play(target.channelId, beep) : ari.bridges.play(target.bridgeId, beep);
      beepPlayed = played.catch((err: unknown) => {
        log.debug('could not play the beep; recording without it', { recording: name, err: errorMessage(err) });
        record();
      });
    } else {
      record();
    }

    /** Left with a cancel not yet done (the caller hung up meanwhile): the file it leaves is deleted once it is finished. */
    const discardLate = () => {
      let unrouteLate: Unroute = () => undefined;
      const settle = () => {
        clearTimeout(giveUp);
        unrouteLate();
        void sending.then(() => discardIfCancelled());
      };
      const giveUp = setTimeout(settle, timing.finishTimeoutMs);
      unrouteLate = ari.events.route(routeKey.recording(name), (event) => {
        if (event.type === 'RecordingFinished' || event.type === 'RecordingFailed') settle();
      });
      // Asterisk did the cancel: its file is gone already.
      void sending.then(() => {
        if (cancelAccepted) {
          clearTimeout(giveUp);
          unrouteLate();
        }
      });
    };

    return () => {
      attached = false;
      clearTimeout(beepTimer);
      clearTimeout(heldTimer);
      const was = phase;
      if (was === 'over') return;
      phase = 'over';
      clearTimeout(finishTimer);
      if (was === 'beeping') {
        // Left during the beep: nothing was recorded; the beep is cut once its play request has settled.
        unrouteBeep();
        unroute();
        const id = beepId;
        if (id !== undefined) {
          void beepPlayed.then(() => ari.playbacks.stop(id)).catch((err: unknown) => {
            if (!isAriStatus(err, 404)) log.debug('could not stop the beep', { err: errorMessage(err) });
          });
        }
        return;
      }
      const exit = input.onExit === 'stop' ? 'recording.stop' : input.onExit === 'cancel' ? 'recording.cancel' : undefined;
      if (was === 'recording') {
        unroute();
        if (exit) send(exit);
        if (cancelWanted) discardLate();
        return;
      }
      // Requested, not started: a command now would be ignored (fact 18). Send it at RecordingStarted, bounded.
      unroute();
      if (!exit) return;
      let unrouteLate: Unroute = () => undefined;
      const giveUp = setTimeout(() => unrouteLate(), Math.max(timing.finishTimeoutMs, 30_000));
      unrouteLate = ari.events.route(routeKey.recording(name), (event) => {
        if (event.type === 'RecordingStarted') {
          send(exit);
        } else if (event.type === 'RecordingFinished' || event.type === 'RecordingFailed') {
          clearTimeout(giveUp);
          unrouteLate();
        }
      });
    };
  });
}
