/**
 * The voice API's live calls: each leg's identity, its application, its event
 * queue and the work that will still report (a background recording). The
 * document machine knows a call only by its leg id; its effects find the rest
 * here. A call leaves once its `completed` event is queued.
 */
import type { DocumentEvent } from '../../../states/document/types.js';
import type { CallLog } from '../../../states/shared/call.js';
import type { Leg } from '../../documents/leg.js';
import type { VoiceApp } from '../../storage/voice-types.js';
import type { CallEventQueue } from '../../webhooks/call-events.js';
import type { CallStatus, StatusTarget } from '../../documents/dialect.js';
import type { DocumentSource } from './control-types.js';

/** One voice-API call. */
export interface VoiceCall {
  readonly leg: Leg;
  /** Asterisk's channel; for an outbound call, known once the originate is sent. */
  channelId: string;
  /** The application name the dialplan gave. */
  readonly appName: string;
  /** The call's logger (the runtime's child logger once the call is in Stasis). */
  log: CallLog;
  /** The channel's language (for the service's own prompts). */
  readonly language: string;
  readonly startedAt: Date;
  /** The leg's status now, in the service's words (TwiML's requests carry it). */
  status: CallStatus;
  /** Set by `open` once the application is found (at once for an outbound call). */
  app?: VoiceApp;
  /** An outbound call's document: inline, or its own answer URL. */
  source?: DocumentSource;
  /** Where this call's events go when not the application's (REST `event_url`, TwiML `StatusCallback`). */
  eventTarget?: StatusTarget;
  /** Asterisk's Dial status of an outbound call while it rings. */
  dialStatus?: string;
  /** The document refused the call unanswered (TwiML `<Reject>`): its final status is busy or rejected. */
  rejected?: 'busy' | 'rejected';
  /** The program asked to hang up an outbound call before it was answered. */
  cancelled?: boolean;
  /** Ends the call at REST `length_timer`. */
  lengthTimer?: NodeJS.Timeout;
  /** Audio of its own the leg is playing now, besides its document's prompts (`hold-music`, `ringback`): speech sent in is whispered over it. */
  readonly ownMedia: Set<string>;
  /** Playbacks sent into the leg from outside (REST talk, stream), by kind. */
  readonly announcements: Map<'talk' | 'stream', string>;
  /** Delivers events into the call's machine (a transfer); empty until the machine listens. */
  readonly commands: Set<(event: DocumentEvent) => void>;
  events?: CallEventQueue;
  answeredAt?: Date;
  /** Called once the call is answered (what waits for it: speech sent in while the answer webhook runs). */
  readonly onAnswered: Set<() => void>;
  /** Prompts rendered ahead (prefetch), by prompt key; each is taken by the step that plays it. */
  readonly prepared: Map<string, Promise<string>>;
  /** Work that will still send events (background recordings): `completed` waits for it. */
  readonly pending: Set<Promise<unknown>>;
}

/** Live voice calls by leg id and by channel id. */
export class VoiceCalls {
  private readonly byLeg = new Map<string, VoiceCall>();
  private readonly byChannel = new Map<string, VoiceCall>();

  /** Adds a call (made when its actor is created, or when an outbound call is placed). */
  add(call: VoiceCall): void {
    this.byLeg.set(call.leg.uuid, call);
    if (call.channelId !== '') this.byChannel.set(call.channelId, call);
  }

  /** Tells the registry an outbound call's channel. */
  bindChannel(call: VoiceCall, channelId: string): void {
    call.channelId = channelId;
    this.byChannel.set(channelId, call);
  }

  /** The call of a leg, if it is live. */
  find(leg: string): VoiceCall | undefined {
    return this.byLeg.get(leg);
  }

  /** The call of a leg; throws when it is gone (an effect outliving its call is a bug). */
  get(leg: string): VoiceCall {
    const call = this.byLeg.get(leg);
    if (!call) throw new Error(`no voice call for leg ${leg}`);
    return call;
  }

  /** The call on a channel, if any. */
  onChannel(channelId: string): VoiceCall | undefined {
    return this.byChannel.get(channelId);
  }

  /** Forgets a call. */
  remove(call: VoiceCall): void {
    if (this.byLeg.get(call.leg.uuid) === call) this.byLeg.delete(call.leg.uuid);
    if (this.byChannel.get(call.channelId) === call) this.byChannel.delete(call.channelId);
  }

  /** Every live call. */
  all(): IterableIterator<VoiceCall> {
    return this.byLeg.values();
  }

  get size(): number {
    return this.byLeg.size;
  }
}

/** A new call's session: what it is given, and empty collections for the rest. */
export function newVoiceCall(fields: Pick<VoiceCall, 'leg' | 'channelId' | 'appName' | 'log' | 'language'> & Partial<VoiceCall>): VoiceCall {
  return {
    startedAt: new Date(),
    status: 'started',
    prepared: new Map(),
    pending: new Set(),
    announcements: new Map(),
    ownMedia: new Set(),
    commands: new Set(),
    onAnswered: new Set(),
    ...fields,
  };
}

/** Keeps a promise in `call.pending` until it settles. */
export function track<T>(call: VoiceCall, work: Promise<T>): Promise<T> {
  // Settles either way: `completed` waits for it, and a failure was logged where it happened.
  const settled: Promise<unknown> = work.then(
    () => undefined,
    () => undefined,
  ).finally(() => call.pending.delete(settled));
  call.pending.add(settled);
  return work;
}
