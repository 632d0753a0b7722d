/**
 * The queue app's call machine (ARI tutorial exercise 3): a call enters as
 * `Stasis(queue,caller[,<queue>])` or `Stasis(queue,agent[,<queue>])` and
 * talks to its queue's actor (queue-machine.ts) through its membership.
 * State names, keys and transitions are the contract; see the README diagram.
 */
import { agent } from './agent.js';
import { DEFAULT_QUEUE, parseQueueArgs } from './args.js';
import { caller } from './caller.js';
import { overflow, thanking } from './overflow.js';
import { preparing, rejecting } from './preparing.js';
import { queueCall } from './setup.js';
import { callEnds } from '../shared/call-states.js';

/** The machine of one call in the `queue` app, caller or agent. */
export const queueCallMachine = queueCall.createMachine({
  id: 'queue-call',
  context: ({ input }) => {
    const parsed = parseQueueArgs(input.args);
    return {
      input,
      role: parsed?.role,
      queueName: parsed?.queue ?? DEFAULT_QUEUE,
      position: 1,
      since: input.settings.now(),
      holdTimeMs: undefined,
      bridgeId: undefined,
      peerChannelId: undefined,
      take: undefined,
      handOver: undefined,
    };
  },
  initial: 'preparing',
  // The caller hanging up ends in hungUp; the service ending the call closes it.
  on: callEnds('.hungUp', '.closed'),
  states: {
    preparing,
    rejecting,
    caller,
    agent,
    overflow,
    thanking,
    /** Handed over to the vm-record flow (the output names it). */
    voicemail: { type: 'final' },
    hungUp: { type: 'final' },
    closed: { type: 'final' },
  },
  output: ({ context }) => (context.handOver ? { handOver: context.handOver } : {}),
});

/** Sounds the queue plays (numbers come from Asterisk's digits/ folder). */
export const QUEUE_PROMPTS = [
  'queue-youarenext', 'queue-thereare', 'queue-callswaiting', 'queue-holdtime', 'queue-minute', 'queue-minutes', 'queue-thankyou', 'beep', 'pbx-invalid',
] as const;

export { announcementMedia } from './setup.js';
export { DEFAULT_QUEUE, isQueueName, parseQueueArgs, queueRecordingPrefix } from './args.js';
export type { MemberCommand } from './membership.js';
export type { MohInput } from './setup.js';
export type * from './types.js';
