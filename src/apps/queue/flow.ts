/**
 * The queue flow (`Stasis(queue,caller|agent[,<queue>])`): each call runs the
 * queue call machine; the queue actors are long-lived named actors, one per
 * queue name, and reach each call through its input. The machines are
 * states/queue.
 */
import { QUEUE_PROMPTS, parseQueueArgs, queueCallMachine, type QueueCallInput, type QueueLogEntry } from '../../../states/queue/machine.js';
import { queueMachine } from '../../../states/queue/queue-machine.js';
import type { CallInput } from '../../../states/shared/call.js';
import type { FlowFactory } from '../../app.js';
import { errorMessage } from '../../errors.js';
import { createConnectEffect, createMohEffect } from './effects.js';
import { queueActorKind } from './queue-actors.js';
import { defineFlow } from '../../runtime/flow.js';

/** How many recent waits the hold-time estimate averages. */
const HOLD_TIME_SAMPLES = 10;
/** After a failed bridge, the agent rests this long before the next try. */
const BRIDGE_RETRY_MS = 2000;

/** The queue flow. */
export const queueFlow: FlowFactory = (services) => {
  const { actors, ari, config, effects, log, queueStore } = services;
  const queueLog = log.child({ app: config.apps.queue });
  const queueLogic = queueMachine.provide({
    actors: { connect: createConnectEffect(ari, queueLog) },
    actions: {
      writeLog: (_args, entry: QueueLogEntry) => {
        queueStore.appendLog(entry).catch((err: unknown) => queueLog.warn('could not write the queue log', { entry, err: errorMessage(err) }));
      },
    },
  });
  const queues = actors.pool(
    queueActorKind({
      logic: queueLogic,
      store: queueStore,
      settings: {
        wrapUpMs: config.queue.wrapUpMs,
        maxWaitMs: config.queue.maxWaitMs,
        bridgeRetryMs: BRIDGE_RETRY_MS,
        holdTimeSamples: HOLD_TIME_SAMPLES,
        now: Date.now,
      },
    }),
  );
  const logic = queueCallMachine.provide({
    actors: { playback: effects.playback, recording: effects.recording, moh: createMohEffect(ari) },
  });
  const mailbox = config.queue.voicemailMailbox;
  return defineFlow({
    app: config.apps.queue,
    logic,
    prompts: QUEUE_PROMPTS,
    logFields: (args) => ({ role: args[0] ?? null, queue: args[1] || 'default' }),
    input: (call: CallInput): QueueCallInput => {
      const parsed = parseQueueArgs(call.args);
      return {
        ...call,
        // Only valid arguments create a queue; the machine rejects the others.
        queue: parsed ? queues.ref(parsed.queue) : undefined,
        settings: {
          announcePeriodMs: config.queue.announcePeriodMs,
          announceHoldTime: config.queue.announceHoldTime,
          mohClass: config.queue.mohClass,
          overflow: mailbox === undefined ? undefined : { app: config.apps.vmRecord, mailbox },
          recordingFormat: 'wav',
          now: Date.now,
        },
      };
    },
  });
};
