/**
 * dial: a new leg is called and bridged to this one (NCCO `connect`, TwiML
 * `<Dial>`) until it ends. The `dialer` effect places the call, reports the
 * new leg's statuses and owns its channel and bridge: its cleanup hangs the
 * new leg up, so a hang-up, `call.end`, a replaced document or the caller's
 * `*` (TwiML `hangupOnStar`) never leaves it behind. Once the new leg is over
 * the document goes on; after a synchronous failure whose reply carried a
 * document, that runs instead; a TwiML `action` gets the outcome and its
 * reply is the rest of the call.
 */
import { assign } from 'xstate';
import { document, legInput, stepOf } from '../setup.js';
import type { DocumentContext } from '../types.js';

const hasAfter = ({ context }: { context: DocumentContext }) => stepOf(context, 'dial').after !== undefined;

export const dial = document.createStateConfig({
  initial: 'connecting',
  states: {
    connecting: {
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
          {
            guard: hasAfter,
            target: 'reporting',
            actions: assign({
              dialed: ({ event }) => ({
                status: event.status,
                ...(event.legUuid === undefined ? {} : { legUuid: event.legUuid }),
                ...(event.durationSeconds === undefined ? {} : { durationSeconds: event.durationSeconds }),
                ...(event.recording === undefined ? {} : { recording: event.recording }),
              }),
            }),
          },
          { target: '#document.next', actions: 'advance' },
        ],
        'ari.dtmf': [
          // Leaving `connecting` stops the dialer, whose cleanup hangs the new leg up.
          { guard: ({ context, event }) => event.digit === '*' && stepOf(context, 'dial').hangupOnStar === true && stepOf(context, 'dial').after !== undefined, target: 'reporting', actions: assign({ dialed: { status: 'completed' } }) },
          { guard: ({ context, event }) => event.digit === '*' && stepOf(context, 'dial').hangupOnStar === true, target: '#document.next', actions: 'advance' },
          {},
        ],
      },
    },
    reporting: {
      invoke: {
        src: 'report',
        input: ({ context }) => ({ ...legInput(context), report: stepOf(context, 'dial').after!, result: { kind: 'dial' as const, ...(context.dialed ?? { status: 'failed' }) } }),
        onDone: [
          {
            guard: ({ event }) => event.output.replace !== undefined,
            target: '#document.next',
            actions: assign({ program: ({ event }) => event.output.replace!, pc: 0, media: undefined, plays: 0, take: undefined, kept: undefined, typedAhead: '', dialed: undefined }),
          },
          { target: '#document.next', actions: ['advance', assign({ dialed: undefined })] },
        ],
        onError: { target: '#document.next', actions: ['advance', assign({ dialed: undefined })] },
      },
      on: { 'ari.dtmf': {} },
    },
  },
});
