/**
 * overflow: the caller waited the maximum time. With a voicemail mailbox
 * configured, the call is handed over to the vm-record flow on the same
 * channel (the machine's output names it); without one, `queue-thankyou`
 * and the call is hung up.
 */
import { assign } from 'xstate';
import { playHere, queueCall } from './setup.js';

export const overflow = queueCall.createStateConfig({
  always: [
    {
      guard: 'hasOverflowMailbox',
      target: 'voicemail',
      actions: assign({
        handOver: ({ context }) => {
          const overflowTo = context.input.settings.overflow!;
          return { app: overflowTo.app, args: [overflowTo.mailbox] };
        },
      }),
    },
    { target: 'thanking' },
  ],
});

/** thanking: `queue-thankyou`, then the call is hung up. */
export const thanking = queueCall.createStateConfig({
  invoke: { src: 'playback', input: ({ context }) => playHere(context, ['sound:queue-thankyou']) },
  on: { 'playback.finished': { target: 'closed' }, 'call.end': {} },
});
