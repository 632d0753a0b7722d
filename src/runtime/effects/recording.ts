/**
 * The `recording` effect: records a channel or bridge under a name and reports
 * how it ended. The name is routed before the record request (staging). A stop
 * returns before the file is complete; the result is RecordingFinished, so the
 * effect waits for it, bounded by `finishTimeoutMs` (then asks Asterisk what
 * was stored).
 */
import { fromCallback } from 'xstate';
import type { RecordingCommand, RecordingEmitted, RecordingInput } from '../../../states/shared/effects.js';
import { errorMessage, isAriStatus } from '../../errors.js';
import type { AriPort } from '../../ari/port.js';
import { routeKey } from '../../ari/router.js';
import type { AriEvent } from '../../ari/types.js';

export interface RecordingTiming {
  /** How long to wait for RecordingFinished after a stop or cancel request. */
  finishTimeoutMs: number;
}

/** Creates the `recording` effect for machines, bound to one ARI connection. */
export function createRecordingEffect(ari: AriPort, timing: RecordingTiming) {
  return fromCallback<RecordingCommand, RecordingInput>(({ input, sendBack, receive }) => {
    const { name, log } = input;
    const emit = (event: RecordingEmitted) => sendBack(event);
    let live = true; // until RecordingFinished / RecordingFailed
    let cancelled = false;
    let finishTimer: NodeJS.Timeout | undefined;

    const end = (event: RecordingEmitted) => {
      if (!live) return;
      live = false;
      clearTimeout(finishTimer);
      unroute();
      emit(event);
    };

    const onEvent = (event: AriEvent) => {
      if (event.type === 'RecordingStarted') {
        emit({ type: 'recording.started', name });
      } else if (event.type === 'RecordingFinished') {
        const r = event.recording;
        end({
          type: 'recording.finished',
          name,
          duration: r.duration ?? 0,
          ...(r.talking_duration === undefined ? {} : { talkingDuration: r.talking_duration }),
          ...(r.silence_duration === undefined ? {} : { silenceDuration: r.silence_duration }),
          cancelled,
        });
      } else if (event.type === 'RecordingFailed') {
        log.warn('recording failed', { recording: name, cause: event.recording.cause });
        end({ type: 'recording.failed', name, reason: event.recording.cause ?? 'recording failed' });
      }
    };
    const unroute = ari.events.route(routeKey.recording(name), onEvent);

    /** After a stop or cancel: RecordingFinished should follow; if it does not, settle from what is stored. */
    const awaitFinish = () => {
      clearTimeout(finishTimer);
      finishTimer = setTimeout(() => {
        if (!live) return;
        ari.recordings.getStored(name).then(
          () => {
            log.warn('RecordingFinished never came; the recording is stored', { recording: name });
            end({ type: 'recording.finished', name, duration: 0, cancelled });
          },
          () => {
            if (cancelled) end({ type: 'recording.finished', name, duration: 0, cancelled });
            else end({ type: 'recording.failed', name, reason: 'no RecordingFinished and nothing stored' });
          },
        );
      }, timing.finishTimeoutMs);
    };

    const request = (what: RecordingCommand['type'], run: () => Promise<void>) => {
      requested.then(run).catch((err: unknown) => {
        // 404: it already ended; its RecordingFinished is on the way or was delivered.
        if (isAriStatus(err, 404)) log.debug('recording command after the end', { command: what, recording: name });
        else log.warn('recording command failed', { command: what, recording: name, err: errorMessage(err) });
      });
    };

    receive((command) => {
      if (!live) return;
      switch (command.type) {
        case 'recording.stop':
          request(command.type, () => ari.recordings.stop(name));
          awaitFinish();
          break;
        case 'recording.cancel':
          cancelled = true;
          request(command.type, () => ari.recordings.cancel(name));
          awaitFinish();
          break;
        case 'recording.pause':
          request(command.type, () => ari.recordings.pause(name));
          break;
        case 'recording.unpause':
          request(command.type, () => ari.recordings.unpause(name));
          break;
        case 'recording.mute':
          request(command.type, () => ari.recordings.mute(name));
          break;
        case 'recording.unmute':
          request(command.type, () => ari.recordings.unmute(name));
          break;
      }
    });

    const options = {
      name,
      format: input.format,
      ...(input.maxDurationSeconds === undefined ? {} : { maxDurationSeconds: input.maxDurationSeconds }),
      ...(input.maxSilenceSeconds === undefined ? {} : { maxSilenceSeconds: input.maxSilenceSeconds }),
      ...(input.beep === undefined ? {} : { beep: input.beep }),
      ...(input.ifExists === undefined ? {} : { ifExists: input.ifExists }),
      ...(input.terminateOn === undefined ? {} : { terminateOn: input.terminateOn }),
    };
    const start = 'channelId' in input.target ? ari.channels.record(input.target.channelId, options) : ari.bridges.record(input.target.bridgeId, options);
    // Commands wait until Asterisk has the recording: a stop that overtook the record request would meet a 404.
    const requested = start.catch(() => undefined);
    start.catch((err: unknown) => {
      log.warn('record request failed', { recording: name, err: errorMessage(err) });
      end({ type: 'recording.failed', name, reason: errorMessage(err) });
    });

    return () => {
      clearTimeout(finishTimer);
      if (!live) return;
      live = false;
      unroute();
      if (input.onExit === 'stop') request('recording.stop', () => ari.recordings.stop(name));
      else if (input.onExit === 'cancel') request('recording.cancel', () => ari.recordings.cancel(name));
    };
  });
}
