/**
 * reject: the call ends busy or rejected (TwiML `<Reject>`). As the first
 * step the call was never answered (opening skips the answer), so the caller
 * hears busy or a refusal, not a hang-up after an answer.
 */
import { document, legInput, stepOf } from '../setup.js';

export const rejecting = document.createStateConfig({
  invoke: {
    src: 'reject',
    input: ({ context }) => ({ ...legInput(context), reason: stepOf(context, 'reject').reason }),
    onDone: { target: '#document.closed' },
    onError: {
      target: '#document.closed',
      actions: ({ context, event }) => context.input.log.warn('could not reject the call; ending it', { err: String(event.error) }),
    },
  },
  on: { 'ari.dtmf': {}, 'document.replace': {} },
});
