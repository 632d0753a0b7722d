/**
 * say: text to speech (NCCO `talk`, TwiML `<Say>`). The speech is rendered
 * (cached) first, then played; a rendering that fails is logged and skipped,
 * as a failed prompt is never fatal.
 */
import { assign } from 'xstate';
import { document, legInput, stepOf } from '../setup.js';
import { isBargeIn, isSkippable, playing, typeAhead } from './prompt.js';

export const say = document.createStateConfig({
  initial: 'rendering',
  states: {
    rendering: {
      always: { guard: isSkippable, target: '#document.next', actions: 'advance' },
      invoke: {
        src: 'speech',
        input: ({ context }) => {
          const step = stepOf(context, 'say');
          return { ...legInput(context), speech: step.speech, level: step.prompt.level };
        },
        onDone: { target: 'playing', actions: assign({ media: ({ event }) => event.output.media }) },
        onError: {
          target: '#document.next',
          actions: [({ context, event }) => context.input.log.error('text to speech failed; skipping the talk', { err: String(event.error) }), 'advance'],
        },
      },
    },
    playing,
  },
  on: {
    'ari.dtmf': [{ guard: isBargeIn, target: '#document.next', actions: [typeAhead, 'advance'] }, {}],
  },
});
