/**
 * The queue machine: one long-lived actor per queue name (not per call). It
 * holds the ordered callers and agents, pairs the front caller with the first
 * idle agent whenever both exist, owns each pairing's bridge through a
 * spawned `connect` effect (child id = bridge id), and keeps the wrap-up and
 * maximum-wait timers as named delays. The rules are `queueStep` (roster.ts);
 * this machine runs the effects it returns.
 */
import { v7 as uuidv7 } from 'uuid';
import { fromCallback, setup } from 'xstate';
import { queueStep, timerId } from './roster.js';
import type { ConnectCommand, ConnectInput, QueueContext, QueueEvent, QueueInput, QueueLogEntry } from './types.js';

/** Placeholder for the `connect` effect (src/apps/queue/effects.ts provides it). */
const connectEffect = fromCallback<ConnectCommand, ConnectInput>(() => {
  throw new Error('effect "connect" was not provided to the queue machine');
});

const queueSetup = setup({
  types: {
    input: {} as QueueInput,
    context: {} as QueueContext,
    events: {} as QueueEvent,
  },
  actors: { connect: connectEffect },
  delays: {
    maxWait: ({ context }) => context.settings.maxWaitMs,
    wrapUp: ({ context }) => context.settings.wrapUpMs,
    bridgeRetry: ({ context }) => context.settings.bridgeRetryMs,
  },
  actions: {
    /** Writes one queue log line (provided by src: the database). */
    writeLog: (_args, _entry: QueueLogEntry) => undefined,
  },
});

/** Applies the event with queueStep and runs what it returns. */
const apply = queueSetup.enqueueActions(({ context, event, enqueue }) => {
  const { context: next, effects } = queueStep(context, event, uuidv7);
  enqueue.assign({ callers: next.callers, agents: next.agents, connections: next.connections, recentWaitsMs: next.recentWaitsMs });
  for (const effect of effects) {
    switch (effect.kind) {
      case 'tell':
        // Not to a member whose actor is already gone (its queue.leave is on the way).
        if (effect.ref.getSnapshot().status === 'active') enqueue.sendTo(effect.ref, effect.event);
        break;
      case 'connect':
        enqueue.spawnChild('connect', { id: effect.input.bridgeId, input: effect.input });
        break;
      case 'release':
        enqueue.sendTo(effect.bridgeId, { type: 'connect.end', keep: effect.keep });
        break;
      case 'drop':
        enqueue.stopChild(effect.bridgeId);
        break;
      case 'schedule':
        if (effect.timer === 'maxWait') enqueue.raise({ type: 'queue.maxWait', id: effect.memberId }, { id: timerId('maxWait', effect.memberId), delay: 'maxWait' });
        else enqueue.raise({ type: 'queue.wrapUpOver', id: effect.memberId }, { id: timerId('wrapUp', effect.memberId), delay: effect.timer });
        break;
      case 'cancel':
        enqueue.cancel(timerId(effect.timer, effect.memberId));
        break;
      case 'log':
        enqueue({ type: 'writeLog', params: effect.entry });
        break;
      case 'note':
        enqueue(() => context.log[effect.level](effect.message, effect.meta));
        break;
    }
  }
});

/** The queue machine (one actor per queue name; src/apps/queue/queue-registry.ts holds them). */
export const queueMachine = queueSetup.createMachine({
  id: 'queue',
  context: ({ input }) => ({
    name: input.name,
    settings: input.settings,
    log: input.log,
    callers: [],
    agents: [],
    connections: [],
    recentWaitsMs: [],
  }),
  initial: 'open',
  states: {
    open: {
      on: {
        'queue.join': { actions: apply },
        'queue.leave': { actions: apply },
        'queue.complete': { actions: apply },
        'queue.recorded': { actions: apply },
        'queue.bridged': { actions: apply },
        'queue.bridgeFailed': { actions: apply },
        'queue.released': { actions: apply },
        'queue.wrapUpOver': { actions: apply },
        'queue.maxWait': { actions: apply },
        'queue.seed': { actions: apply },
      },
    },
  },
});
