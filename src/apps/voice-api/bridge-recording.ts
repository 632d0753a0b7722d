/**
 * A recording of a whole bridge for one call (a conversation's `record`, a
 * TwiML `<Dial record>`): `POST /bridges/{id}/record`, since a channel
 * recording fails while the channel is bridged (fact 47). Once stopped it is
 * kept like every voice-API recording; the keeping is tracked on the call, so
 * its `completed` comes after whatever is reported of the file.
 */
import { v7 as uuidv7 } from 'uuid';
import type { RecordStep, StepResult } from '../../../states/document/program.js';
import type { CallLog } from '../../../states/shared/call.js';
import { routeKey, type Unroute } from '../../ari/router.js';
import { errorMessage, isAriStatus } from '../../errors.js';
import { track } from './calls.js';
import type { VoiceDeps } from './effects.js';
import { keepVoiceRecording } from './recordings.js';

/** How long to wait for RecordingFinished once the recording was asked to stop. */
const FINISH_TIMEOUT_MS = 10_000;

/** A kept recording, as a record step's result. */
export type RecordResult = Extract<StepResult, { kind: 'record' }>;

/** A bridge recording running. */
export interface BridgeRecording {
  /** Stops it; resolves once Asterisk has finished it (or after a time-out). */
  stop(): Promise<void>;
  /** The kept file once stopped and stored; undefined when nothing could be recorded or kept. */
  readonly kept: Promise<RecordResult | undefined>;
}

/** What a bridge recording is for: whose call keeps it, in which format. */
export interface BridgeRecordingOwner {
  readonly leg: string;
  readonly log: CallLog;
  readonly format: RecordStep['format'];
  /** Cut the silence at both ends (TwiML `trim="trim-silence"`). */
  readonly trimSilence?: boolean;
  /** What is recorded, for log lines (`the conversation`, `the dialled call`). */
  readonly what: string;
}

/** Starts recording `bridgeId` for `owner`'s call; the file is kept once `stop()` is called or the bridge goes. */
export function recordBridge(deps: VoiceDeps, bridgeId: string, owner: BridgeRecordingOwner): BridgeRecording {
  const { ari } = deps;
  const { log, what } = owner;
  const call = deps.calls.find(owner.leg);
  const name = `voice-api/${owner.leg}/${uuidv7()}`;
  let startedAt: string | undefined;
  let finished = false;
  let resolveEnd!: (outcome: 'finished' | 'failed') => void;
  const ended = new Promise<'finished' | 'failed'>((resolve) => (resolveEnd = resolve));
  let askStop!: () => void;
  const stopAsked = new Promise<void>((resolve) => (askStop = resolve));
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  const unroute: Unroute = ari.events.route(routeKey.recording(name), (event) => {
    if (event.type === 'RecordingStarted') startedAt = new Date().toISOString();
    if (event.type === 'RecordingFinished') {
      finished = true;
      resolveEnd('finished');
    }
    if (event.type === 'RecordingFailed') {
      finished = true;
      log.error(`the recording of ${what} failed`, { recording: name, reason: event.recording?.cause });
      resolveEnd('failed');
    }
  });

  const run = async (): Promise<RecordResult | undefined> => {
    try {
      await ari.bridges.record(bridgeId, { name, format: 'wav', ifExists: 'overwrite', beep: false, terminateOn: 'none' });
      // RecordingStarted may have come first, or not at all: the request's reply says it runs.
      startedAt ??= new Date().toISOString();
      log.info(`recording ${what}`, { recording: name, bridgeId });
    } catch (err) {
      log.error(`the recording of ${what} could not start`, { bridgeId, err: errorMessage(err) });
      return undefined;
    }
    await Promise.race([stopAsked, ended]);
    if (!finished) {
      await ari.recordings.stop(name).catch((err: unknown) => {
        if (!isAriStatus(err, 404, 409)) log.warn(`could not stop the recording of ${what}`, { recording: name, err: errorMessage(err) });
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([ended, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), FINISH_TIMEOUT_MS)))]);
    clearTimeout(timer);
    resolveStopped();
    if (outcome === 'failed') return undefined;
    const endTime = new Date().toISOString();
    if (!call) {
      log.warn(`the recording of ${what} is not kept: its call is over`, { recording: name });
      return undefined;
    }
    const kept = await keepVoiceRecording({ ari: deps.ari, store: deps.store, dataDir: deps.dataDir }, call, name, owner.format, log, { trimSilence: owner.trimSilence === true });
    return { kind: 'record', recordingId: kept.id, size: kept.size, startTime: startedAt ?? endTime, endTime };
  };
  const kept = run()
    .catch((err: unknown) => {
      log.warn(`the recording of ${what} could not be kept`, { recording: name, err: errorMessage(err) });
      return undefined;
    })
    .finally(() => {
      resolveStopped();
      unroute();
    });
  if (call) void track(call, kept);
  return {
    stop: () => {
      askStop();
      return stopped;
    },
    kept,
  };
}
