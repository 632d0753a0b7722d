/**
 * login: asks for the mailbox when none was given (vm-login), then for the
 * PIN when the mailbox has one (vm-password). Digits end with # or a pause.
 * A wrong login says vm-incorrect and asks again; after the last allowed
 * attempt, vm-incorrect, vm-goodbye and the call ends. An unknown typed mailbox is not
 * revealed: the PIN is asked anyway and the login fails, as app_voicemail does.
 */
import { assign } from 'xstate';
import { collect, play, retrieval } from './setup.js';

export const login = retrieval.createStateConfig({
  initial: 'deciding',
  states: {
    deciding: {
      always: [
        { guard: 'needsMailbox', target: 'askingMailbox' },
        { guard: 'needsPin', target: 'askingPin' },
        { target: '#vm-playback.loading' },
      ],
    },
    askingMailbox: collect('sound:vm-login', '#vm-playback.login.lookingUp'),
    lookingUp: {
      invoke: {
        src: 'findMailbox',
        input: ({ context }) => ({ mailbox: context.digits }),
        onDone: {
          target: 'askingPin',
          actions: assign(({ context, event }) =>
            event.output.outcome === 'found'
              ? { mailbox: event.output.mailbox, hasPin: event.output.hasPin, typedMailboxExists: true }
              : { mailbox: context.digits, hasPin: true, typedMailboxExists: false },
          ),
        },
        onError: { target: 'incorrect' },
      },
    },
    askingPin: {
      // A typed mailbox without a PIN lets the caller in at once.
      always: { guard: ({ context }) => context.typedMailboxExists && !context.hasPin, target: '#vm-playback.loading' },
      ...collect('sound:vm-password', '#vm-playback.login.verifying'),
    },
    verifying: {
      invoke: {
        src: 'verifyPin',
        input: ({ context }) => ({ mailbox: context.mailbox ?? '', pin: context.digits }),
        onDone: [
          { guard: ({ event }) => event.output, description: 'PIN right', target: '#vm-playback.loading' },
          { description: 'PIN wrong', target: 'incorrect' },
        ],
        onError: { target: 'incorrect' },
      },
      exit: 'clearDigits',
    },
    incorrect: {
      entry: [
        'countAttempt',
        ({ context }) => context.input.log.warn('wrong login', { attempt: context.loginAttempts, mailbox: context.mailbox ?? null }),
      ],
      // vm-incorrect every time, the last time too (app_voicemail's vm_authenticate), then goodbye or another try.
      invoke: { src: 'playback', input: ({ context }) => play(context, ['sound:vm-incorrect']) },
      on: {
        'playback.finished': [
          { guard: 'tooManyAttempts', target: '#vm-playback.ending', actions: assign({ goodbye: true }) },
          { guard: ({ context }) => context.askMailbox, target: 'askingMailbox', actions: assign({ mailbox: undefined, typedMailboxExists: false }) },
          { target: 'askingPin' },
        ],
      },
    },
  },
});
