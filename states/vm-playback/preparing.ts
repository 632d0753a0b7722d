/**
 * preparing: looks the mailbox argument up. Without one the caller is asked
 * for it (login); a bad or unknown mailbox hears pbx-invalid.
 */
import { assign } from 'xstate';
import { retrieval } from './setup.js';

export const preparing = retrieval.createStateConfig({
  always: { guard: ({ context }) => context.askMailbox, target: 'login' },
  invoke: {
    src: 'findMailbox',
    input: ({ context }) => ({ mailbox: context.input.args[0] ?? '' }),
    onDone: [
      {
        guard: ({ event }) => event.output.outcome === 'found',
        description: 'mailbox found',
        target: 'login',
        actions: assign(({ event }) => (event.output.outcome === 'found' ? { mailbox: event.output.mailbox, hasPin: event.output.hasPin } : {})),
      },
      {
        description: 'no such mailbox',
        target: 'rejecting',
        actions: ({ context }) => context.input.log.warn('not a mailbox; playing pbx-invalid', { arg: context.input.args[0] ?? null }),
      },
    ],
    onError: {
      target: 'closed',
      actions: ({ context, event }) => context.input.log.error('could not look the mailbox up; ending the call', { err: String(event.error) }),
    },
  },
});

/** rejecting: a mailbox argument that is not a mailbox. */
export const rejecting = retrieval.createStateConfig({
  invoke: { src: 'playback', input: ({ context }) => ({ target: { channelId: context.input.channelId }, media: ['sound:pbx-invalid'], log: context.input.log }) },
  on: { 'playback.finished': { target: 'closed' } },
});
