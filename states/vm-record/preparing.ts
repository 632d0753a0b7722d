/**
 * preparing: before the greeting, check the mailbox argument, the mailbox, its
 * room, and that every prompt exists in the caller's language (tutorial
 * exercise 1). Not a state of the tutorial's machine: it is what makes the
 * greeting safe to enter.
 */
import { assign } from 'xstate';
import { deposit } from './setup.js';
import type { PrepareResult } from './types.js';

export const preparing = deposit.createStateConfig({
  invoke: {
    src: 'prepareDeposit',
    input: ({ context }) => ({ channelId: context.input.channelId, args: context.input.args, language: context.input.language, log: context.input.log }),
    onDone: [
      {
        guard: ({ event }) => event.output.outcome === 'ready',
        description: 'mailbox ready',
        target: 'greeting',
        actions: assign(({ event }) => {
          const ready = event.output as Extract<PrepareResult, { outcome: 'ready' }>;
          return { mailbox: ready.mailbox, greeting: ready.greeting, goodbye: ready.goodbye };
        }),
      },
      {
        guard: ({ event }) => event.output.outcome === 'invalidMailbox',
        description: 'invalid mailbox',
        target: 'rejecting',
        actions: [
          assign({ rejection: 'sound:pbx-invalid' }),
          ({ context }) => context.input.log.warn('not a mailbox; playing pbx-invalid', { arg: context.input.args[0] ?? null }),
        ],
      },
      {
        guard: ({ event }) => event.output.outcome === 'mailboxFull',
        description: 'mailbox full',
        target: 'rejecting',
        actions: [
          assign({ rejection: 'sound:vm-mailboxfull' }),
          ({ context }) => context.input.log.warn('mailbox full; playing vm-mailboxfull', { arg: context.input.args[0] ?? null }),
        ],
      },
      {
        description: 'sound missing in language',
        target: 'closed',
        actions: ({ context, event }) => {
          const missing = event.output as Extract<PrepareResult, { outcome: 'soundMissing' }>;
          context.input.log.error(`sound "${missing.sound}" is not installed in language "${missing.language}"; ending the call`, {
            sound: missing.sound,
            language: missing.language,
          });
        },
      },
    ],
    onError: {
      target: 'closed',
      actions: ({ context, event }) => context.input.log.error('could not prepare the deposit; ending the call', { err: String(event.error) }),
    },
  },
});

/** rejecting: tells the caller why no message can be left, then the call ends. */
export const rejecting = deposit.createStateConfig({
  invoke: {
    src: 'playback',
    input: ({ context }) => ({ target: { channelId: context.input.channelId }, media: [context.rejection ?? 'sound:pbx-invalid'], log: context.input.log }),
  },
  on: {
    'playback.finished': { target: 'closed' },
  },
});
