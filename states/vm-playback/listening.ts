/**
 * listening: plays the message (recording:<name>, skipms 5000).
 *   1 reverse   2 pause / unpause   3 forward   5 restart      (after the end: nothing)
 *   4 previous message (wraps to the last)   6 next (wraps to the first)   → preamble
 *   * delete it (waiting until Asterisk has) → the next one, through preamble
 *   8 forward it to another mailbox    # end → ending
 * A message whose playback started is heard: it moves to `old` when the call
 * ends. No key for the idle time after it ends → ending.
 */
import { assign, enqueueActions, sendTo } from 'xstate';
import { currentMessage, isKey, play, retrieval } from './setup.js';

export const listening = retrieval.createStateConfig({
  entry: assign({ paused: false }),
  initial: 'playing',
  states: {
    playing: {
      invoke: {
        id: 'message',
        src: 'playback',
        input: ({ context }) => {
          const message = currentMessage(context);
          return play(context, message ? [`recording:${message.recording}`] : [], {
            skipms: context.input.settings.skipMs,
            ...(message ? { expectedMs: message.durationSeconds * 1000 } : {}),
          });
        },
      },
      on: {
        'playback.started': { actions: 'markHeard' },
        'playback.finished': { target: 'ended' },
        'ari.dtmf': [
          { guard: isKey('1'), actions: sendTo('message', { type: 'playback.control', operation: 'reverse' }) },
          { guard: isKey('3'), actions: sendTo('message', { type: 'playback.control', operation: 'forward' }) },
          {
            // Asterisk refuses restart while paused (409, fact 26): unpause first.
            guard: isKey('5'),
            actions: enqueueActions(({ context, enqueue }) => {
              if (context.paused) enqueue.sendTo('message', { type: 'playback.control', operation: 'unpause' });
              enqueue.sendTo('message', { type: 'playback.control', operation: 'restart' });
              enqueue.assign({ paused: false });
            }),
          },
          {
            guard: isKey('2'),
            actions: [
              sendTo('message', ({ context }) => ({ type: 'playback.control', operation: context.paused ? 'unpause' : 'pause' }) as const),
              assign({ paused: ({ context }) => !context.paused }),
            ],
          },
        ],
      },
    },
    ended: {
      // Keys 1, 2, 3 and 5 after the end do nothing (the parent's keys still work).
      after: { idleTimeout: { target: '#vm-playback.ending' } },
    },
    deleting: {
      invoke: {
        src: 'deleteMessage',
        input: ({ context }) => ({ mailbox: context.mailbox ?? '', message: currentMessage(context)! }),
        onDone: {
          target: '#vm-playback.preamble',
          actions: [({ context }) => context.input.log.info('message deleted', { messageId: currentMessage(context)?.id }), 'dropCurrent'],
        },
        onError: {
          // Say so and keep the message.
          target: '#vm-playback.notifying',
          actions: [
            assign({ notice: 'sound:im-sorry' }),
            ({ context, event }) => context.input.log.error('could not delete the message; kept', { messageId: currentMessage(context)?.id, err: String(event.error) }),
          ],
        },
      },
      // While Asterisk deletes, other keys wait; a hang-up still ends the call.
      on: { 'ari.dtmf': {} },
    },
  },
  on: {
    'ari.dtmf': [
      { guard: isKey('4'), target: 'preamble', actions: 'previous' },
      { guard: isKey('6'), target: 'preamble', actions: 'next' },
      { guard: isKey('*'), target: '.deleting' },
      { guard: isKey('8'), target: 'forwarding' },
      { guard: isKey('#'), target: 'ending' },
    ],
  },
});

/** notifying: says one short prompt (a confirmation, an apology), then back to the message. */
export const notifying = retrieval.createStateConfig({
  invoke: { src: 'playback', input: ({ context }) => play(context, [context.notice ?? 'sound:beep']) },
  on: { 'playback.finished': { target: 'listening', actions: 'clearNotice' } },
});
