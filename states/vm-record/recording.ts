/**
 * recording: records voicemail/<mailbox>/<id> after a beep.
 *   #          stop, wait for RecordingFinished (the file is complete only then) → reviewing
 *   *          cancel → a fresh recording
 *   hang-up    Asterisk stops and stores it: the message is kept → hungUp
 *   it ends by itself (max duration, silence) → reviewing
 */
import { assign, sendTo } from 'xstate';
import { deposit, isKey } from './setup.js';

export const recording = deposit.createStateConfig({
  entry: 'newTake',
  invoke: {
    id: 'recorder',
    src: 'recording',
    input: ({ context }) => ({
      target: { channelId: context.input.channelId },
      name: context.take!.name,
      format: context.input.settings.format,
      beep: true,
      ifExists: 'overwrite' as const,
      // Keys are the flow's to interpret (# stops, * cancels): Asterisk must not end the recording on one.
      terminateOn: 'none' as const,
      maxDurationSeconds: context.input.settings.maxDurationSeconds,
      maxSilenceSeconds: context.input.settings.maxSilenceSeconds,
      // Left any other way than below (a bug, a stop), the recording is kept.
      onExit: 'stop' as const,
      log: context.input.log,
    }),
  },
  initial: 'capturing',
  states: {
    capturing: {
      on: {
        'ari.dtmf': [
          { guard: isKey('#'), target: 'stopping' },
          { guard: isKey('*'), target: 'cancelling' },
        ],
      },
    },
    stopping: {
      entry: sendTo('recorder', { type: 'recording.stop' }),
      on: { 'ari.dtmf': {} },
    },
    cancelling: {
      entry: sendTo('recorder', { type: 'recording.cancel' }),
      on: {
        'ari.dtmf': {},
        // The cancelled take is gone; nothing to keep.
        'ari.hangup': { target: '#vm-record.hungUp' },
        'ari.stasisEnd': { target: '#vm-record.hungUp' },
      },
    },
    savingOnHangup: {
      entry: 'keep',
      on: { 'ari.dtmf': {}, 'ari.hangup': {}, 'ari.stasisEnd': {} },
      after: {
        // RecordingFinished should follow the hang-up; keep the message even if it does not.
        hangupSaveTimeout: { target: '#vm-record.hungUp' },
      },
    },
  },
  on: {
    'ari.hangup': { target: '.savingOnHangup' },
    'ari.stasisEnd': { target: '.savingOnHangup' },
    'recording.finished': [
      { guard: ({ event }) => event.cancelled, description: 'cancelled, record again', target: 'recording', reenter: true },
      {
        guard: ({ context }) => context.keep,
        description: 'finished after hang-up, keep',
        target: 'hungUp',
        actions: assign({ take: ({ context, event }) => ({ name: context.take!.name, durationSeconds: event.duration }) }),
      },
      {
        description: 'finished (#, silence, max duration)',
        target: 'reviewing',
        actions: assign({ take: ({ context, event }) => ({ name: context.take!.name, durationSeconds: event.duration }) }),
      },
    ],
    'recording.failed': {
      target: 'ending',
      actions: ({ context, event }) => context.input.log.error('recording failed', { recording: event.name, reason: event.reason }),
    },
  },
});
