/**
 * The queue call machine's setup (the `queue` Stasis app, one actor per
 * call): its effects by name (provided by src/apps/queue/), guards, actions
 * and delays. Each state lives in its own file and is assembled in machine.ts.
 */
import { v7 as uuidv7 } from 'uuid';
import { assign, enqueueActions, fromCallback, setup, type EventObject } from 'xstate';
import { playbackEffect, recordingEffect } from '../shared/effects.js';
import { sayNumber } from '../shared/say.js';
import { queueRecordingPrefix } from './args.js';
import { membership } from './membership.js';
import type { QueueCallContext, QueueCallEvent, QueueCallInput } from './types.js';

export { isKey } from '../shared/keys.js';

/** Input of the `moh` effect: music on hold on a channel while the state that invoked it is active. */
export interface MohInput {
  channelId: string;
  mohClass: string;
  log: QueueCallInput['log'];
}

/** Placeholder for the `moh` effect (starts MOH; its cleanup stops it). */
const mohEffect = fromCallback<EventObject, MohInput>(() => {
  throw new Error('effect "moh" was not provided to this machine');
});

/** What a waiting caller hears every announcement period: its place, and the hold time if enabled and known. */
export function announcementMedia(context: Pick<QueueCallContext, 'position' | 'since' | 'holdTimeMs' | 'input'>): string[] {
  const { position, holdTimeMs, since } = context;
  // Sound files only: the announcement is cut the moment an agent is free, and Asterisk will not stop a number: playback.
  const media = position <= 1 ? ['sound:queue-youarenext'] : ['sound:queue-thereare', ...sayNumber(position - 1), 'sound:queue-callswaiting'];
  if (context.input.settings.announceHoldTime && holdTimeMs !== undefined) {
    // What is left of the average wait, in whole minutes, at least one.
    const remaining = holdTimeMs - (context.input.settings.now() - since);
    const minutes = Math.max(1, Math.ceil(remaining / 60_000));
    media.push('sound:queue-holdtime', ...sayNumber(minutes), minutes === 1 ? 'sound:queue-minute' : 'sound:queue-minutes');
  }
  return media;
}

/** The playback input for media on this call's channel. */
export function playHere(context: QueueCallContext, media: readonly string[]) {
  return { target: { channelId: context.input.channelId }, media, log: context.input.log };
}

/** Music on hold on this call's channel while the invoking state is active (waiting callers and agents). */
export const holdMusic = {
  src: 'moh',
  input: ({ context }: { context: QueueCallContext }): MohInput => ({ channelId: context.input.channelId, mohClass: context.input.settings.mohClass, log: context.input.log }),
} as const;

/** Waiting: the queue pairs this call with the other party. */
export const onMatched = { 'queue.matched': { target: 'connecting', actions: 'notePeer' } } as const;

/** Paired: the queue is bridging the two; back to waiting when the pairing did not happen. */
export const connecting = {
  on: {
    'queue.connected': { target: 'connected' },
    'queue.requeued': { target: 'waiting', actions: 'forgetPeer' },
  },
} as const;

/** The membership input for this call. */
export function membershipInput(context: QueueCallContext) {
  const { input } = context;
  return {
    // preparing only lets a call with a queue in.
    queue: input.queue!,
    member: { id: input.channelId, role: context.role!, caller: input.caller },
  };
}

/** The setup every state of the queue call machine is built from. */
export const queueCall = setup({
  types: {
    input: {} as QueueCallInput,
    context: {} as QueueCallContext,
    events: {} as QueueCallEvent,
  },
  actors: {
    playback: playbackEffect,
    recording: recordingEffect,
    moh: mohEffect,
    membership,
  },
  delays: {
    announcePeriod: ({ context }) => context.input.settings.announcePeriodMs,
  },
  guards: {
    isCaller: ({ context }) => context.role === 'caller' && context.input.queue !== undefined,
    isAgent: ({ context }) => context.role === 'agent' && context.input.queue !== undefined,
    hasOverflowMailbox: ({ context }) => context.input.settings.overflow !== undefined,
  },
  actions: {
    /** Keeps the place the queue told. */
    notePosition: assign(({ event }) =>
      event.type === 'queue.position' ? { position: event.position, since: event.since, holdTimeMs: event.holdTimeMs } : {},
    ),
    notePeer: assign(({ event }) => (event.type === 'queue.matched' ? { bridgeId: event.bridgeId, peerChannelId: event.peerChannelId } : {})),
    forgetPeer: assign({ bridgeId: undefined, peerChannelId: undefined }),
    /** Names a fresh recording of the bridge: queue/<queue>/<uuid v7>. */
    newTake: assign({ take: ({ context }) => ({ name: `${queueRecordingPrefix(context.queueName)}${uuidv7()}`, discard: false }) }),
    markDiscard: assign({ take: ({ context }) => (context.take ? { ...context.take, discard: true } : undefined) }),
    /**
     * The take is over (its state is left): tell the queue whether it was kept
     * or discarded, from RecordingFinished when that is why, else from the keys
     * (a recording left by the end of the call is stopped, so kept). A failed
     * recording stored nothing.
     */
    reportTake: enqueueActions(({ context, event, enqueue }) => {
      const take = context.take;
      if (!take || event.type === 'recording.failed') return;
      const discarded = event.type === 'recording.finished' ? event.cancelled : take.discard;
      enqueue.sendTo('membership', { type: 'queue.recorded', name: take.name, outcome: discarded ? 'discarded' : 'kept' });
    }),
    forgetTake: assign({ take: undefined }),
  },
});
