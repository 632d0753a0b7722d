/**
 * dial: a new leg is called and bridged to this one (NCCO `connect`) until it
 * ends. The `dialer` effect places the call, reports the new leg's statuses
 * and owns its channel and bridge: its cleanup hangs the new leg up, so a
 * hang-up, `call.end` or a replaced document never leaves it behind. Once the
 * new leg is over the document goes on, or, after a synchronous failure whose
 * reply carried a document, runs that instead. Keys do nothing here.
 */
import { assign } from 'xstate';
import { document, legInput, stepOf } from '../setup.js';

export const dial = document.createStateConfig({
  invoke: {
    src: 'dialer',
    input: ({ context }) => ({ ...legInput(context), step: stepOf(context, 'dial') }),
  },
  on: {
    'dial.over': [
      {
        guard: ({ event }) => event.replace !== undefined,
        target: '#document.next',
        actions: assign({ program: ({ event }) => event.replace!, pc: 0, media: undefined, plays: 0, take: undefined, kept: undefined, typedAhead: '' }),
      },
      { target: '#document.next', actions: 'advance' },
    ],
    'ari.dtmf': {},
  },
});
