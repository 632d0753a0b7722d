/**
 * forwarding (key 8): asks for the target mailbox (vm-extension), digits until
 * # (* cancels), copies the message's stored recording into that mailbox as a
 * new message there, confirms (vm-msgforwarded), and goes back to the message.
 */
import { assign } from 'xstate';
import { collect, currentMessage, isKey, retrieval } from './setup.js';

const target = collect('sound:vm-extension', '#vm-playback.forwarding.copying');

export const forwarding = retrieval.createStateConfig({
  ...target,
  states: {
    ...target.states,
    copying: {
      always: { guard: ({ context }) => context.digits === '', target: '#vm-playback.listening' },
      invoke: {
        src: 'forwardMessage',
        input: ({ context }) => ({ from: context.mailbox ?? '', message: currentMessage(context)!, to: context.digits, log: context.input.log }),
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
    'ari.dtmf': [{ guard: isKey('*'), description: 'cancel', target: 'listening' }, ...target.on['ari.dtmf']],
  },
});
