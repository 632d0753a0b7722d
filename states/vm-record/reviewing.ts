/**
 * reviewing: plays the recording back.
 *   #          accept → ending
 *   *          delete the stored recording (and wait until it is gone) → recording
 *   hang-up    keep → hungUp (and when the service ends the call: keep → ending)
 *   no key within reviewTimeout after the playback ends: accept → ending
 */
import { deposit, isKey } from './setup.js';

export const reviewing = deposit.createStateConfig({
  initial: 'playing',
  states: {
    playing: {
      invoke: {
        src: 'playback',
        input: ({ context }) => ({ target: { channelId: context.input.channelId }, media: [`recording:${context.take!.name}`], log: context.input.log }),
      },
      on: { 'playback.finished': { target: 'waiting' } },
    },
    waiting: {
      after: { reviewTimeout: { target: '#vm-record.ending', actions: 'keep' } },
    },
    deleting: {
      invoke: {
        src: 'deleteRecording',
        input: ({ context }) => ({ name: context.take!.name }),
        onDone: { target: '#vm-record.recording' },
        onError: {
          // The old take stays on Asterisk, not as a message; say which, so it can be cleaned up.
          target: '#vm-record.recording',
          actions: ({ context, event }) => context.input.log.error('could not delete the rejected recording', { recording: context.take?.name, err: String(event.error) }),
        },
      },
      on: {
        'ari.dtmf': {},
        'ari.hangup': { target: '#vm-record.hungUp', actions: 'discard' },
        'ari.stasisEnd': { target: '#vm-record.hungUp', actions: 'discard' },
      },
    },
  },
  on: {
    'ari.dtmf': [
      { guard: isKey('#'), target: 'ending', actions: 'keep' },
      { guard: isKey('*'), target: '.deleting' },
    ],
    'ari.hangup': { target: 'hungUp', actions: 'keep' },
    'ari.stasisEnd': { target: 'hungUp', actions: 'keep' },
    // The service ends the call: the message is kept, as a hang-up would keep it.
    'call.end': { target: 'ending', actions: 'keep' },
  },
});
