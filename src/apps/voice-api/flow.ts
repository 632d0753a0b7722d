/**
 * The voice-api flow: a call entering `Stasis(voice-api,<application>[,<to>])`
 * runs the document its application's answer webhook returns (an NCCO), on
 * the document machine (states/document); a call the program placed through
 * the REST API (`POST /v1/calls`) runs its own document once answered. Status
 * events go to the event webhook in order; `completed` is last, once the call
 * and everything that still reports (a background recording) are over.
 */
import { createActor, fromCallback } from 'xstate';
import { v4 as uuidv4 } from 'uuid';
import { documentMachine, type DocumentInput } from '../../../states/document/machine.js';
import type { LegInput } from '../../../states/document/types.js';
import type { CallInput } from '../../../states/shared/call.js';
import type { FlowFactory, FlowServices } from '../../app.js';
import type { Flow } from '../../runtime/flow.js';
import { createSpeechEngine } from '../../media/engines.js';
import { PromptAudio } from '../../media/prompt-audio.js';
import { defineFlow } from '../../runtime/flow.js';
import { WebhookClient, type WebhookTimeouts } from '../../webhooks/client.js';
import { backgroundRecordingEffect } from './background-recording.js';
import { newVoiceCall, VoiceCalls, type VoiceCall } from './calls.js';
import { VoiceCallControl } from './control.js';
import { VoiceConferences } from './conferences.js';
import { conversationKind, conversationMembership } from './conversation.js';
import { dialEffect, type WhisperHandle, type WhisperRequest } from './dial.js';
import { postStatus, voiceEffects, type VoiceDeps } from './effects.js';
import { CallHistory } from './history.js';

/** How long `completed` waits for work that still reports (a background recording being kept). */
const PENDING_WAIT_MS = 30_000;
/** On shutdown, how long queued events may still be sent. */
const EVENTS_GRACE_MS = 5000;
/** Longest call placed through the REST API without a `length_timer`, in seconds (NCCO.md §5). */
const DEFAULT_LENGTH_SECONDS = 7200;
const MAX_LOOPS = 100;
/** Every document call's machine settings. */
const DOCUMENT_SETTINGS = { recordingFinishMs: 5000, maxLoops: MAX_LOOPS } as const;

/** Sounds the flow may play itself (a call that cannot run). */
export const VOICE_API_PROMPTS = ['ss-noservice', 'beep'] as const;

async function settleWithin(work: Iterable<Promise<unknown>>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled([...work]), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Sends `completed` last, then forgets the call. */
async function complete(deps: VoiceDeps, call: VoiceCall): Promise<void> {
  await settleWithin(call.pending, PENDING_WAIT_MS);
  const endTime = new Date();
  const startTime = call.answeredAt ?? call.startedAt;
  postStatus(deps, call, 'completed', {
    startTime,
    endTime,
    durationSeconds: call.answeredAt ? Math.max(0, Math.round((endTime.getTime() - call.answeredAt.getTime()) / 1000)) : 0,
  });
  // Forgotten once sent (or given up), so a shutdown meanwhile still lets it go out.
  await call.events?.idle();
  deps.calls.remove(call);
}

/** A new inbound call's session. */
function inboundCall(call: CallInput): VoiceCall {
  return newVoiceCall({
    leg: { uuid: uuidv4(), conversationUuid: `CON-${uuidv4()}`, from: call.caller.number, to: call.args[1] || call.dialplan?.exten || '', direction: 'inbound' },
    channelId: call.channelId,
    appName: call.args[0] ?? '',
    log: call.log,
    language: call.language,
  });
}

/** What a voice-api flow may be built with (tests: webhook time-outs short enough to wait for). */
export interface VoiceApiFlowOptions {
  /** Connect and read time-outs of the answer and event webhooks; default NCCO.md §3's. */
  readonly webhookTimeouts?: { readonly answer?: WebhookTimeouts; readonly event?: WebhookTimeouts };
}

/** A voice-api flow with `options` (voiceApiFlow is the one with the defaults). */
export function voiceApiFlowWith(options: VoiceApiFlowOptions = {}): FlowFactory {
  return (services) => buildVoiceApiFlow(services, options);
}

/** The voice-api flow. */
export const voiceApiFlow: FlowFactory = (services) => buildVoiceApiFlow(services, {});

function buildVoiceApiFlow(services: FlowServices, options: VoiceApiFlowOptions): Flow {
  const { config, ari, effects, events, voiceStore, log } = services;
  const calls = new VoiceCalls();
  const client = new WebhookClient(options.webhookTimeouts === undefined ? {} : { timeouts: { ...options.webhookTimeouts } });
  const deps: VoiceDeps = {
    ari,
    store: voiceStore,
    client,
    audio: new PromptAudio({ dataDir: config.dataDir, soundsDir: config.soundsDir, engine: createSpeechEngine(config.voiceApi.tts), log }),
    calls,
    dataDir: config.dataDir,
    stasisApp: config.apps.voiceApi,
    publicUrl: () => services.publicUrl(),
    history: new CallHistory(),
  };
  const control = new VoiceCallControl({
    ...deps,
    runtime: () => services.runtime(),
    log,
    endpoints: { phone: config.voiceApi.phoneEndpoint, sip: config.voiceApi.sipEndpoint },
    maxLoops: MAX_LOOPS,
  });
  services.http.calls = control;
  // One pool of rooms: the calls' memberships and the REST API's conferences see the same ones.
  const rooms = services.actors.pool(conversationKind(deps));
  services.http.conferences = new VoiceConferences({ ...deps, rooms, control, log });

  events.on('call.ended', ({ channelId, answered, cause }) => {
    const call = calls.onChannel(channelId);
    if (!call) return;
    clearTimeout(call.lengthTimer);
    if (!answered || call.rejected !== undefined) {
      // An outbound call that never entered Stasis (busy, no answer, cancelled, failed), or a
      // call its document rejected unanswered: cause 17 busy, 21 rejected.
      control.unanswered(call, call.rejected === undefined ? cause : call.rejected === 'busy' ? 17 : 21);
      void call.events?.idle().then(() => calls.remove(call));
      return;
    }
    complete(deps, call).catch((err: unknown) => call.log.error('could not send completed', { err: String(err) }));
  });
  services.atStop(async () => {
    // Calls are over by now; what they queued may still go out, briefly.
    await settleWithin([...calls.all()].map((call) => call.events?.close(EVENTS_GRACE_MS) ?? Promise.resolve()), EVENTS_GRACE_MS + 1000);
    await client.close();
  });

  /** Runs a connect's onAnswer document on the new leg: its own actor, the caller's application and events. */
  const whisper = (request: WhisperRequest): WhisperHandle => {
    const { caller, leg, channelId, url, method, log: callLog } = request;
    const call = newVoiceCall({
      leg,
      channelId,
      appName: caller.appName,
      log: callLog,
      language: caller.language,
      answeredAt: new Date(),
      status: 'answered',
      source: { answerUrl: url, answerMethod: method },
      ...(caller.app ? { app: caller.app } : {}),
      ...(caller.events ? { events: caller.events } : {}),
      ...(caller.eventTarget ? { eventTarget: caller.eventTarget } : {}),
    });
    calls.add(call);
    const actor = createActor(logic, {
      input: {
        channelId,
        args: [],
        caller: { name: '', number: leg.from },
        language: caller.language,
        direction: 'outbound',
        data: {},
        log: callLog,
        leg: leg.uuid,
        settings: DOCUMENT_SETTINGS,
      },
    });
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
      actor.subscribe({
        complete: () => resolve(),
        error: (err) => {
          callLog.error('the onAnswer document failed; joining the legs', { err: String(err) });
          resolve();
        },
      });
    }).finally(() => calls.remove(call));
    actor.start();
    return {
      send: (event) => actor.send(event),
      done,
      stop: () => {
        actor.stop();
        resolveDone();
      },
    };
  };

  const logic = documentMachine.provide({
    actors: {
      playback: effects.playback,
      recording: effects.recording,
      backgroundRecording: backgroundRecordingEffect(deps),
      membership: conversationMembership(rooms, deps),
      dialer: dialEffect({ ...deps, runtime: () => services.runtime(), endpoints: { phone: config.voiceApi.phoneEndpoint, sip: config.voiceApi.sipEndpoint }, maxLoops: MAX_LOOPS, whisper: (request) => whisper(request) }),
      commands: fromCallback<{ type: 'noop' }, LegInput>(({ input, sendBack }) => {
        const call = calls.find(input.leg);
        if (!call) return undefined;
        const deliver = (event: Parameters<typeof sendBack>[0]) => sendBack(event);
        call.commands.add(deliver);
        return () => call.commands.delete(deliver);
      }),
      ...voiceEffects(deps),
    },
  });
  return defineFlow({
    app: config.apps.voiceApi,
    logic,
    prompts: VOICE_API_PROMPTS,
    // Answered once the document is known (the answer webhook first), as a hosted voice API does.
    answer: false,
    logFields: (args) => ({ voiceApp: args[0] ?? null }),
    input: (call: CallInput): DocumentInput => {
      // A call the program placed: its session exists since POST /v1/calls.
      const placed = call.data.leg === undefined ? undefined : calls.find(call.data.leg);
      let voiceCall: VoiceCall;
      if (placed) {
        voiceCall = placed;
        voiceCall.log = call.log;
        const seconds = Number(call.data.lengthSeconds ?? DEFAULT_LENGTH_SECONDS);
        voiceCall.lengthTimer = setTimeout(() => services.runtime().send(call.channelId, { type: 'call.end', reason: 'request' }), seconds * 1000);
        voiceCall.lengthTimer.unref();
      } else {
        voiceCall = inboundCall(call);
        calls.add(voiceCall);
      }
      return { ...call, leg: voiceCall.leg.uuid, settings: DOCUMENT_SETTINGS };
    },
  });
}
