/**
 * play: an audio file from a URL (NCCO `stream`, TwiML `<Play>`). The file is
 * fetched and converted (cached) first; a URL that fails is logged with its
 * status and the call goes on.
 */
import { assign } from 'xstate';
import { document, legInput, stepOf } from '../setup.js';
import { isBargeIn, isSkippable, playing, typeAhead } from './prompt.js';

export const play = document.createStateConfig({
  initial: 'fetching',
  states: {
    fetching: {
      always: { guard: isSkippable, target: '#document.next', actions: 'advance' },
      invoke: {
        src: 'media',
        input: ({ context }) => {
          const step = stepOf(context, 'play');
          return { ...legInput(context), url: step.url, level: step.prompt.level };
        },
        onDone: { target: 'playing', actions: assign({ media: ({ event }) => event.output.media }) },
        onError: {
          target: '#document.next',
          actions: [({ context, event }) => context.input.log.warn('audio could not be fetched; skipping the stream', { url: stepOf(context, 'play').url, err: String(event.error) }), 'advance'],
        },
      },
    },
    playing,
  },
  on: {
    'ari.dtmf': [{ guard: isBargeIn, target: '#document.next', actions: [typeAhead, 'advance'] }, {}],
  },
});
