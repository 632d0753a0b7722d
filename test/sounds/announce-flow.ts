/**
 * A test flow that plays one sound, named by the app's first argument, in the
 * caller's language (CHANNEL(language), as every flow does), then hangs up:
 * what a scenario needs to hear an added prompt as a caller would.
 */
import { setup } from 'xstate';
import type { FlowFactory } from '../../src/app.js';
import type { CallEvent, CallInput } from '../../states/shared/call.js';
import { playbackEffect, type PlaybackEmitted } from '../../states/shared/effects.js';
import { defineFlow } from '../../src/runtime/flow.js';

const announceMachine = setup({
  types: { input: {} as CallInput, context: {} as { input: CallInput }, events: {} as CallEvent | PlaybackEmitted },
  actors: { playback: playbackEffect },
}).createMachine({
  id: 'announce',
  context: ({ input }) => ({ input }),
  initial: 'playing',
  on: {
    'ari.hangup': { target: '.done' },
    'ari.stasisEnd': { target: '.done' },
  },
  states: {
    playing: {
      invoke: {
        src: 'playback',
        input: ({ context }) => ({ target: { channelId: context.input.channelId }, media: [`sound:${context.input.args[0] ?? ''}`], log: context.input.log }),
      },
      on: { 'playback.finished': { target: 'done' } },
    },
    done: { type: 'final' },
  },
});

/** The announce flow under a given app name. */
export function announceFlow(app: string): FlowFactory {
  return ({ effects }) =>
    defineFlow({
      app,
      prompts: [],
      logic: announceMachine.provide({ actors: { playback: effects.playback } }),
      input: (call) => call,
    });
}
