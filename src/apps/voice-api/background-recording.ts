/**
 * A record step without an end condition (NCCO.md 2.4, monitor style): the
 * call is recorded beside the rest of its document, to the hang-up or the
 * step's maximum. It records a snoop of the caller's channel, never the
 * channel itself: a channel recording would hold every later prompt until it
 * ended (transcripts facts 16, 17). The snoop is staged (routed before it is
 * created), so the runtime leaves its StasisStart alone. When it ends, the
 * file is kept and reported like a blocking one; the call's `completed`
 * waits for that.
 */
import { v7 as uuidv7 } from 'uuid';
import { fromCallback } from 'xstate';
import type { BackgroundRecordingInput } from '../../../states/document/types.js';
import { routeKey, type Unroute } from '../../ari/router.js';
import { errorMessage, isAriStatus } from '../../errors.js';
import { track } from './calls.js';
import { keepAndReport, type VoiceDeps } from './effects.js';

/** How long to wait for RecordingFinished once the recording was asked to stop. */
const FINISH_TIMEOUT_MS = 10_000;

/** The `backgroundRecording` effect. */
export function backgroundRecordingEffect(deps: VoiceDeps) {
  return fromCallback<{ type: 'noop' }, BackgroundRecordingInput>(({ input }) => {
    const call = deps.calls.get(input.leg);
    const { log, step } = input;
    const snoopId = `snoop-${uuidv7()}`;
    const name = `voice-api/${call.leg.uuid}/${uuidv7()}`;
    let startedAt: string | undefined;
    let resolveEnd!: () => void;
    const ended = new Promise<void>((resolve) => (resolveEnd = resolve));
    const unroutes: Unroute[] = [];
    let live = false;

    unroutes.push(
      deps.ari.events.route(routeKey.recording(name), (event) => {
        if (event.type === 'RecordingStarted') {
          live = true;
          startedAt = new Date().toISOString();
        }
        if (event.type === 'RecordingFinished' || event.type === 'RecordingFailed') {
          live = false;
          resolveEnd();
        }
      }),
      // The snoop's own events (StasisStart, StasisEnd) are ours: nothing to do with them.
      deps.ari.events.route(routeKey.channel(snoopId), () => undefined),
    );

    const run = async () => {
      try {
        await deps.ari.channels.snoop(input.channelId, { app: deps.stasisApp, spy: 'both', snoopId, appArgs: 'voice-api-recording' });
        if (step.beep) {
          await deps.ari.channels.play(input.channelId, { playbackId: uuidv7(), media: 'sound:beep' }).catch(() => undefined);
        }
        await deps.ari.channels.record(snoopId, { name, format: 'wav', maxDurationSeconds: step.maxSeconds, ifExists: 'overwrite', beep: false, terminateOn: 'none' });
      } catch (err) {
        log.error('background recording could not start', { err: errorMessage(err) });
        resolveEnd();
        return;
      }
      await ended;
      const endedAt = new Date().toISOString();
      try {
        await keepAndReport(deps, call, { name, format: step.format, report: step.report, channelId: input.channelId, startTime: startedAt ?? endedAt, endTime: endedAt }, log);
      } catch (err) {
        log.warn('background recording not reported', { recording: name, err: errorMessage(err) });
      } finally {
        for (const unroute of unroutes) unroute();
        deps.ari.channels.hangup(snoopId).catch(() => undefined);
      }
    };
    void track(call, run());

    // The document is over (or replaced by a hang-up): stop and keep what was recorded.
    return () => {
      if (!live) {
        // Not started yet, or over: the snoop goes with the caller; make sure the wait ends.
        setTimeout(resolveEnd, FINISH_TIMEOUT_MS).unref();
        return;
      }
      deps.ari.recordings.stop(name).catch((err: unknown) => {
        if (!isAriStatus(err, 404) && !isAriStatus(err, 409)) log.warn('could not stop the background recording', { recording: name, err: errorMessage(err) });
      });
      setTimeout(resolveEnd, FINISH_TIMEOUT_MS).unref();
    };
  });
}
