/**
 * The voice API's live calls: each leg's identity, its application, its event
 * queue and the work that will still report (a background recording). The
 * document machine knows a call only by its leg id; its effects find the rest
 * here. A call leaves once its `completed` event is queued.
 */
import type { CallLog } from '../../../states/shared/call.js';
import type { Leg } from '../../documents/leg.js';
import type { VoiceApp } from '../../storage/voice-types.js';
import type { CallEventQueue } from '../../webhooks/call-events.js';
import type { Signing } from '../../webhooks/client.js';

/** One voice-API call. */
export interface VoiceCall {
  readonly leg: Leg;
  readonly channelId: string;
  /** The application name the dialplan gave. */
  readonly appName: string;
  readonly log: CallLog;
  /** The channel's language (for the service's own prompts). */
  readonly language: string;
  readonly startedAt: Date;
  /** Set by `open` once the application is found. */
  app?: VoiceApp;
  signing?: Signing;
  events?: CallEventQueue;
  answeredAt?: Date;
  /** Prompts rendered ahead (prefetch), by prompt key; each is taken by the step that plays it. */
  readonly prepared: Map<string, Promise<string>>;
  /** Work that will still send events (background recordings): `completed` waits for it. */
  readonly pending: Set<Promise<unknown>>;
}

/** Live voice calls by leg id and by channel id. */
export class VoiceCalls {
  private readonly byLeg = new Map<string, VoiceCall>();
  private readonly byChannel = new Map<string, VoiceCall>();

  /** Adds a call (made when its actor is created). */
  add(call: VoiceCall): void {
    this.byLeg.set(call.leg.uuid, call);
    this.byChannel.set(call.channelId, call);
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
