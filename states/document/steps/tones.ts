/**
 * tones: DTMF sent into the leg (TwiML `<Play digits>`), then the next step.
 * A failure is logged and the document goes on, as a failed prompt does.
 */
import { document, legInput, stepOf } from '../setup.js';

export const tones = document.createStateConfig({
  invoke: {
    src: 'tones',
    input: ({ context }) => ({ ...legInput(context), digits: stepOf(context, 'tones').digits }),
    onDone: { target: '#document.next', actions: 'advance' },
    onError: {
      target: '#document.next',
      actions: [({ context, event }) => context.input.log.warn('could not send the digits; going on', { err: String(event.error) }), 'advance'],
    },
  },
  on: { 'ari.dtmf': {} },
});
