/**
 * forwarding (key 8): asks for the target mailbox (vm-extension), digits until
 * # (* cancels), copies the message's stored recording into that mailbox as a
 * new message there, confirms (vm-msgforwarded), and goes back to the message.
 */
import { assign } from 'xstate';
import { currentMessage, isDigit, isKey, play, retrieval } from './setup.js';

export const forwarding = retrieval.createStateConfig({
  initial: 'prompting',
  states: {
    prompting: {
      // Cleared here, not on the parent: a digit re-enters the parent (reenter) and must not be lost.
      entry: 'clearDigits',
      invoke: { src: 'playback', input: ({ context }) => play(context, ['sound:vm-extension']) },
      on: { 'playback.finished': { target: 'waiting' } },
    },
    waiting: {
      after: { digitTimeout: { target: 'copying' } },
    },
    copying: {
      always: { guard: ({ context }) => context.digits === '', target: '#vm-playback.listening' },
      invoke: {
        src: 'forwardMessage',
        input: ({ context }) => ({ from: context.mailbox ?? '', message: currentMessage(context)!, to: context.digits }),
        onDone: [
          {
            guard: ({ event }) => event.output.outcome === 'forwarded',
            target: '#vm-playback.notifying',
            actions: [
              assign({ notice: 'sound:vm-msgforwarded' }),
              ({ context }) => context.input.log.info('message forwarded', { messageId: currentMessage(context)?.id, to: context.digits }),
            ],
          },
          { guard: ({ event }) => event.output.outcome === 'mailboxFull', target: '#vm-playback.notifying', actions: assign({ notice: 'sound:vm-mailboxfull' }) },
          { target: '#vm-playback.notifying', actions: assign({ notice: 'sound:vm-incorrect-mailbox' }) },
        ],
        onError: {
          target: '#vm-playback.notifying',
          actions: [
            assign({ notice: 'sound:im-sorry' }),
            ({ context, event }) => context.input.log.error('could not forward the message', { messageId: currentMessage(context)?.id, err: String(event.error) }),
          ],
        },
      },
      on: { 'ari.dtmf': {} },
    },
  },
  on: {
    'ari.dtmf': [
      { guard: isKey('*'), description: 'cancel', target: 'listening' },
      { guard: isKey('#'), target: '.copying' },
      { guard: isDigit, target: '.waiting', reenter: true, actions: 'appendDigit' },
    ],
  },
});
