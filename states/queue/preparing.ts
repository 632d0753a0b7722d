/**
 * preparing: the role and queue from the arguments (`caller` or `agent`, then
 * an optional queue name). Anything else: rejecting, `pbx-invalid` and the
 * call ends.
 */
import { playHere, queueCall } from './setup.js';

export const preparing = queueCall.createStateConfig({
  always: [
    { guard: 'isCaller', target: 'caller' },
    { guard: 'isAgent', target: 'agent' },
    {
      target: 'rejecting',
      actions: ({ context }) => context.input.log.warn('not a queue role or queue name; playing pbx-invalid', { args: context.input.args }),
    },
  ],
});

/** rejecting: says `pbx-invalid`, then the call is hung up. */
export const rejecting = queueCall.createStateConfig({
  invoke: { src: 'playback', input: ({ context }) => playHere(context, ['sound:pbx-invalid']) },
  on: { 'playback.finished': { target: 'closed' } },
});
