/**
 * What `say` and `play` share once their audio is ready: playing it `loop`
 * times, barge-in (a key ends the prompt and is kept for the next collect),
 * and skipping barge-in prompts once the caller has typed ahead.
 */
import { assign } from 'xstate';
import type { PromptOptions } from '../program.js';
import { document } from '../setup.js';
import type { DocumentContext } from '../types.js';

/** The prompt options of the running say or play step. */
export function promptOf(context: DocumentContext): PromptOptions {
  const step = context.program.steps[context.pc];
  if (step?.kind !== 'say' && step?.kind !== 'play') throw new Error(`step ${context.pc} is not a prompt`);
  return step.prompt;
}

/** Media of one playback: `loop` copies as one list (one request); `loop: 0` plays one copy per playback, again and again. */
function mediaList(context: DocumentContext): string[] {
  const { loop } = promptOf(context);
  const copies = loop === 0 ? 1 : Math.min(loop, context.input.settings.maxLoops);
  return Array.from({ length: copies }, () => context.media!);
}

/** Keeps a barge-in key for the next collect. */
export const typeAhead = document.assign({
  typedAhead: ({ context, event }) => (event.type === 'ari.dtmf' ? context.typedAhead + event.digit : context.typedAhead),
});

/** A key ends the prompt only when it is a barge-in prompt (else the key is dropped). */
export const isBargeIn = ({ context }: { context: DocumentContext }) => promptOf(context).bargeIn;

/** True when a barge-in prompt need not play: keys for the next collect are already in. */
export const isSkippable = ({ context }: { context: DocumentContext }) => promptOf(context).bargeIn && context.typedAhead !== '';

/** Plays the rendered prompt. */
export const playing = document.createStateConfig({
  invoke: {
    src: 'playback',
    input: ({ context }) => ({ target: { channelId: context.input.channelId }, media: mediaList(context), log: context.input.log }),
  },
  on: {
    'playback.finished': [
      {
        // loop 0: again, unless the audio failed (it would fail forever) or the bound is reached.
        guard: ({ context, event }) => promptOf(context).loop === 0 && event.state === 'done' && context.plays + 1 < context.input.settings.maxLoops,
        target: 'playing',
        reenter: true,
        actions: assign({ plays: ({ context }) => context.plays + 1 }),
      },
      {
        target: '#document.next',
        actions: [
          ({ context, event }) => {
            if (event.state === 'failed') context.input.log.warn('prompt could not be played; going on', { media: context.media, reason: event.reason });
          },
          'advance',
        ],
      },
    ],
  },
});
