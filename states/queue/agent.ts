/**
 * agent: in the agent queue, taking callers one after the other.
 *   waiting      music on hold until the queue pairs the agent with a caller
 *   connecting   the queue is bridging the two
 *   connected    talking; the agent's keys:
 *                  0  record the bridge (queue/<queue>/<id>); the caller hears a beep
 *                  5  pause the recording, 5 again to go on
 *                  7  stop it (kept)      9  discard it
 *                  #  end the call: the caller is hung up, the agent goes to the
 *                     back of the queue (music again)
 *                Recording keys do nothing when no recording runs, and nothing
 *                outside a call.
 * The queue's `queue.ended` (the caller hung up, or after #) brings the agent
 * back to waiting once the bridge is gone. The membership (invoked here)
 * tells the queue when the agent leaves, however that happens.
 */
import { sendTo } from 'xstate';
import { connecting, holdMusic, isKey, membershipInput, onMatched, queueCall } from './setup.js';

/** 7 and 9 while a recording runs (capturing or paused). */
const stopKeys = [
  { guard: isKey('7'), target: 'stopping' },
  { guard: isKey('9'), target: 'discarding' },
] as const;

export const agent = queueCall.createStateConfig({
  invoke: { id: 'membership', src: 'membership', input: ({ context }) => membershipInput(context) },
  initial: 'waiting',
  states: {
    waiting: {
      invoke: holdMusic,
      on: onMatched,
    },
    connecting,
    connected: {
      initial: 'talking',
      states: {
        talking: {
          on: { 'ari.dtmf': { guard: isKey('0'), target: 'recording' } },
        },
        recording: {
          entry: 'newTake',
          exit: ['reportTake', 'forgetTake'],
          invoke: [
            {
              id: 'recorder',
              src: 'recording',
              input: ({ context }) => ({
                target: { bridgeId: context.bridgeId! },
                name: context.take!.name,
                format: context.input.settings.recordingFormat,
                ifExists: 'fail' as const,
                // Left by the end of the call (#, a hang-up), the recording is kept.
                onExit: 'stop' as const,
                log: context.input.log,
              }),
            },
            {
              // Heard by the caller only: played on the caller's channel, not into the bridge.
              id: 'beep',
              src: 'playback',
              input: ({ context }) => ({ target: { channelId: context.peerChannelId! }, media: ['sound:beep'], log: context.input.log }),
            },
          ],
          initial: 'capturing',
          states: {
            capturing: {
              on: {
                'ari.dtmf': [{ guard: isKey('5'), target: 'paused', actions: sendTo('recorder', { type: 'recording.pause' }) }, ...stopKeys],
              },
            },
            paused: {
              on: {
                'ari.dtmf': [{ guard: isKey('5'), target: 'capturing', actions: sendTo('recorder', { type: 'recording.unpause' }) }, ...stopKeys],
              },
            },
            stopping: {
              entry: sendTo('recorder', { type: 'recording.stop' }),
            },
            discarding: {
              entry: ['markDiscard', sendTo('recorder', { type: 'recording.cancel' })],
            },
          },
          on: {
            // Stopped, discarded, or ended with the bridge: recording again takes a 0.
            'recording.finished': { target: 'talking' },
            'recording.failed': {
              target: 'talking',
              actions: ({ context, event }) => context.input.log.warn('recording the bridge failed', { recording: event.name, reason: event.reason, bridgeId: context.bridgeId }),
            },
          },
        },
        ending: {
          entry: sendTo('membership', { type: 'queue.complete' }),
          // Waits for the queue's queue.ended.
          on: { 'ari.dtmf': {} },
        },
      },
      on: {
        'ari.dtmf': { guard: isKey('#'), target: '.ending' },
        'queue.ended': { target: 'waiting', actions: 'forgetPeer' },
      },
    },
  },
});
