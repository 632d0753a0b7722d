/**
 * notify: tells the program something (NCCO `notify`); no media. The call
 * waits for the reply, which may replace the rest of the document.
 */
import { assign } from 'xstate';
import { document, legInput, stepOf } from '../setup.js';

export const notify = document.createStateConfig({
  invoke: {
    src: 'report',
    input: ({ context }) => {
      const step = stepOf(context, 'notify');
      return { ...legInput(context), report: step.report, result: { kind: 'notify' as const, payload: step.payload } };
    },
    onDone: [
      {
        guard: ({ event }) => event.output.replace !== undefined,
        target: '#document.next',
        actions: assign({ program: ({ event }) => event.output.replace!, pc: 0 }),
      },
      { target: '#document.next', actions: 'advance' },
    ],
    onError: {
      target: '#document.next',
      actions: [({ context, event }) => context.input.log.warn('notify could not be sent; going on', { err: String(event.error) }), 'advance'],
    },
  },
  on: { 'ari.dtmf': {} },
});
