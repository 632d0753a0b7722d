/**
 * empty: "no more messages" (vm-nomore), then ending.
 * ending: the post-call work (heard messages → old, MWI), vm-goodbye if
 * installed, and the call is hung up.
 * hungUp: the caller is gone; the same post-call work.
 */
import { play, retrieval } from './setup.js';

export const empty = retrieval.createStateConfig({
  invoke: { src: 'playback', input: ({ context }) => play(context, ['sound:vm-nomore']) },
  on: { 'playback.finished': { target: 'ending' } },
});

const finishCall = {
  src: 'finishCall' as const,
  input: ({ context }: { context: { mailbox: string | undefined; heard: string[] } }) => ({ mailbox: context.mailbox ?? '', heard: context.heard }),
};

export const ending = retrieval.createStateConfig({
  initial: 'finishing',
  states: {
    finishing: {
      always: { guard: ({ context }) => context.finished || context.mailbox === undefined, target: 'goodbye' },
      invoke: {
        ...finishCall,
        onDone: { target: 'goodbye', actions: 'markFinished' },
        onError: {
          target: 'goodbye',
          actions: ['markFinished', ({ context, event }) => context.input.log.error('post-call work failed', { err: String(event.error) })],
        },
      },
      // A hang-up now waits for the work, so it is done once.
      on: { 'ari.hangup': {}, 'ari.stasisEnd': {}, 'ari.dtmf': {} },
    },
    goodbye: {
      always: { guard: ({ context }) => !context.goodbye, target: 'done' },
      invoke: { src: 'playback', input: ({ context }) => play(context, ['sound:vm-goodbye']) },
      on: { 'playback.finished': { target: 'done' } },
    },
    done: { type: 'final' },
  },
  on: { 'ari.hangup': { target: 'hungUp' }, 'ari.stasisEnd': { target: 'hungUp' } },
  onDone: { target: 'closed' },
});

export const hungUp = retrieval.createStateConfig({
  initial: 'finishing',
  states: {
    finishing: {
      always: { guard: ({ context }) => context.finished || context.mailbox === undefined, target: 'done' },
      invoke: {
        ...finishCall,
        onDone: { target: 'done', actions: 'markFinished' },
        onError: { target: 'done', actions: ({ context, event }) => context.input.log.error('post-call work failed', { err: String(event.error) }) },
      },
    },
    done: { type: 'final' },
  },
  on: { 'ari.hangup': {}, 'ari.stasisEnd': {}, 'ari.dtmf': {} },
  onDone: { target: 'closed' },
});
