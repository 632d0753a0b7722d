/**
 * recording: records voicemail/<mailbox>/<id> after a beep.
 *   beeping    the beep plays (keys do nothing: nothing is recorded yet, as in app_voicemail)
 *   #          stop, wait for RecordingFinished (the file is complete only then) → reviewing
 *   *          cancel → a fresh recording
 *   hang-up    Asterisk stops and stores it: the message is kept → hungUp
 *   it ends by itself (max duration, silence) → reviewing
 *   the service ends the call: stopped and kept → ending (saved, goodbye)
 */
import { sendTo } from 'xstate';
import { deposit, isKey } from './setup.js';

const tookTake = deposit.assign({ take: ({ context, event }) => ({ name: context.take!.name, durationSeconds: event.type === 'recording.finished' ? event.duration : undefined }) });

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
  initial: 'beeping',
  states: {
    beeping: {
      on: {
        'recording.started': { target: 'capturing' },
        'ari.dtmf': {},
        // Nothing recorded yet: nothing to keep.
        'ari.hangup': { target: '#vm-record.hungUp' },
        'ari.stasisEnd': { target: '#vm-record.hungUp' },
        'call.end': { target: '#vm-record.ending' },
      },
    },
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
      // Stopped already; the service ending the call now means keep rather than review.
      on: { 'ari.dtmf': {}, 'call.end': { actions: 'keep' } },
    },
    cancelling: {
      entry: sendTo('recorder', { type: 'recording.cancel' }),
      on: {
        'ari.dtmf': {},
        'call.end': {},
        // The cancelled take is gone; nothing to keep.
        'ari.hangup': { target: '#vm-record.hungUp' },
        'ari.stasisEnd': { target: '#vm-record.hungUp' },
      },
    },
    savingOnHangup: {
      entry: 'keep',
      on: {
        'ari.dtmf': {},
        'ari.hangup': {},
        'ari.stasisEnd': {},
        'call.end': {},
        'recording.finished': { description: 'finished after hang-up, keep', target: '#vm-record.hungUp', actions: tookTake },
      },
      after: {
        // RecordingFinished should follow the hang-up; keep the message even if it does not.
        hangupSaveTimeout: { target: '#vm-record.hungUp' },
      },
    },
  },
  on: {
    'ari.hangup': { target: '.savingOnHangup' },
    'ari.stasisEnd': { target: '.savingOnHangup' },
    'call.end': { target: '.stopping', actions: 'keep' },
    'recording.finished': [
      { guard: ({ event }) => event.cancelled, description: 'cancelled, record again', target: 'recording', reenter: true },
      { guard: ({ context }) => context.keep, description: 'finished as the service ends the call, keep', target: 'ending', actions: tookTake },
      { description: 'finished (#, silence, max duration)', target: 'reviewing', actions: tookTake },
    ],
    'recording.failed': {
      target: 'ending',
      actions: ({ context, event }) => context.input.log.error('recording failed', { recording: event.name, reason: event.reason }),
    },
  },
});
