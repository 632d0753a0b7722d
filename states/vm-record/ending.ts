/**
 * ending: keeps the accepted message, plays a short goodbye if one is
 * installed, and the call is hung up.
 */
import { deposit, keepInput } from './setup.js';

export const ending = deposit.createStateConfig({
  initial: 'checking',
  states: {
    checking: {
      always: [{ guard: 'shouldSave', target: 'saving' }, { guard: 'hasGoodbye', target: 'goodbye' }, { target: 'done' }],
    },
    saving: {
      invoke: {
        src: 'keepMessage',
        input: ({ context }) => keepInput(context),
        onDone: { target: 'saved', actions: 'markSaved' },
        onError: {
          // Still say goodbye; markSaved so hungUp does not try again.
          target: 'saved',
          actions: [
            'markSaved',
            ({ context, event }) =>
              context.input.log.error('could not keep the message; its recording stays on Asterisk', { recording: context.take?.name, err: String(event.error) }),
          ],
        },
      },
      // A hang-up while saving waits for the save: leaving would save twice or not at all.
      on: { 'ari.hangup': {}, 'ari.stasisEnd': {}, 'ari.dtmf': {} },
    },
    saved: {
      always: [{ guard: 'hasGoodbye', target: 'goodbye' }, { target: 'done' }],
    },
    goodbye: {
      invoke: {
        src: 'playback',
        input: ({ context }) => ({ target: { channelId: context.input.channelId }, media: ['sound:vm-goodbye'], log: context.input.log }),
      },
      on: { 'playback.finished': { target: 'done' } },
    },
    done: { type: 'final' },
  },
  on: {
    'ari.hangup': { target: 'hungUp' },
    'ari.stasisEnd': { target: 'hungUp' },
  },
  onDone: { target: 'closed' },
});
