/**
 * hungUp: the caller is gone. Post-call work happens here: a message the
 * caller left (hung up while recording or reviewing) is kept.
 */
import { deposit, keepInput } from './setup.js';

export const hungUp = deposit.createStateConfig({
  initial: 'checking',
  states: {
    checking: {
      always: [{ guard: 'shouldSave', target: 'saving' }, { target: 'done' }],
    },
    saving: {
      invoke: {
        src: 'keepMessage',
        input: ({ context }) => keepInput(context),
        onDone: { target: 'done', actions: 'markSaved' },
        onError: {
          target: 'done',
          actions: ({ context, event }) => context.input.log.error('could not keep the message; its recording stays on Asterisk', { recording: context.take?.name, err: String(event.error) }),
        },
      },
    },
    done: { type: 'final' },
  },
  // Events still arriving for a gone channel change nothing.
  on: { 'ari.hangup': {}, 'ari.stasisEnd': {}, 'ari.dtmf': {} },
  onDone: { target: 'closed' },
});
