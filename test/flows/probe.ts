/**
 * A test flow that exercises the foundation from the phone: each key starts
 * one ARI operation, so a scenario can check routing, playback controls,
 * recording and failure handling without any product flow.
 *
 *   idle:      1 → playing, 2 → recording, 9 → failing, # → ending
 *   playing:   tt-monkeys (skip 5 s); 2 pause/unpause, 1 reverse, 3 forward, 5 restart, # back to idle
 *   recording: records `probe/<channel>` (wav, beep); # stops → idle
 *   failing:   an ARI request that fails, with nothing to catch it: the call ends
 */
import { v7 as uuidv7 } from 'uuid';
import { assign, fromPromise, sendTo, setup } from 'xstate';
import type { FlowFactory } from '../../src/app.js';
import { defineFlow } from '../../src/runtime/flow.js';
import type { CallEvent, CallInput } from '../../states/shared/call.js';
import {
  playbackEffect,
  promiseEffect,
  recordingEffect,
  type PlaybackEmitted,
  type RecordingEmitted,
} from '../../states/shared/effects.js';

type ProbeEvent = CallEvent | PlaybackEmitted | RecordingEmitted;

interface ProbeContext {
  input: CallInput;
  paused: boolean;
}

const digit = (d: string) => ({ event }: { event: ProbeEvent }) => event.type === 'ari.dtmf' && event.digit === d;

/** The probe machine, with its effects still to be provided. */
export const probeMachine = setup({
  types: { input: {} as CallInput, context: {} as ProbeContext, events: {} as ProbeEvent },
  actors: { playback: playbackEffect, recording: recordingEffect, failingRequest: promiseEffect<void, { channelId: string }>('failingRequest') },
}).createMachine({
  id: 'probe',
  context: ({ input }) => ({ input, paused: false }),
  initial: 'idle',
  on: {
    'ari.hangup': { target: '.hungUp' },
    'ari.stasisEnd': { target: '.hungUp' },
    'call.end': { target: '.ending' },
  },
  states: {
    idle: {
      on: {
        'ari.dtmf': [
          { guard: digit('1'), target: 'playing' },
          { guard: digit('2'), target: 'recording' },
          { guard: digit('9'), target: 'failing' },
          { guard: digit('#'), target: 'ending' },
        ],
      },
    },
    playing: {
      entry: assign({ paused: false }),
      invoke: {
        id: 'player',
        src: 'playback',
        input: ({ context }) => ({ target: { channelId: context.input.channelId }, media: ['sound:tt-monkeys'], skipms: 5000, log: context.input.log }),
      },
      on: {
        'playback.finished': { target: 'idle' },
        'ari.dtmf': [
          { guard: digit('#'), target: 'idle' },
          { guard: digit('1'), actions: sendTo('player', { type: 'playback.control', operation: 'reverse' }) },
          { guard: digit('3'), actions: sendTo('player', { type: 'playback.control', operation: 'forward' }) },
          { guard: digit('5'), actions: sendTo('player', { type: 'playback.control', operation: 'restart' }) },
          {
            guard: digit('2'),
            actions: [
              sendTo('player', ({ context }) => ({ type: 'playback.control', operation: context.paused ? 'unpause' : 'pause' }) as const),
              assign({ paused: ({ context }) => !context.paused }),
            ],
          },
        ],
      },
    },
    recording: {
      invoke: {
        id: 'recorder',
        src: 'recording',
        input: ({ context }) => ({
          target: { channelId: context.input.channelId },
          name: `probe/${context.input.channelId}`,
          format: 'wav',
          beep: true,
          ifExists: 'overwrite',
          maxDurationSeconds: 60,
          onExit: 'stop',
          log: context.input.log,
        }),
      },
      on: {
        'ari.dtmf': { guard: digit('#'), actions: sendTo('recorder', { type: 'recording.stop' }) },
        'recording.finished': { target: 'idle' },
        'recording.failed': { target: 'idle' },
      },
    },
    failing: {
      // No onError: the failure escapes the machine, as a bug would.
      invoke: { src: 'failingRequest', input: ({ context }) => ({ channelId: context.input.channelId }) },
    },
    ending: { type: 'final' },
    hungUp: { type: 'final' },
  },
});

/** The probe flow under a given app name. */
export function probeFlow(app: string): FlowFactory {
  return ({ ari, effects }) =>
    defineFlow({
    app,
    input: (call) => call,
    prompts: ['tt-monkeys', 'beep'],
    logic: probeMachine.provide({
      actors: {
        playback: effects.playback,
        recording: effects.recording,
        // Plays to a channel that does not exist: Asterisk answers 404.
        failingRequest: fromPromise<void, { channelId: string }>(async ({ input }) => {
          await ari.channels.play(`${input.channelId}-nonexistent`, { playbackId: uuidv7(), media: 'sound:beep' });
        }),
      },
    }),
    });
}
