/**
 * caller: in the caller queue until an agent is free.
 *   waiting      music on hold; every announcement period, the caller's place
 *                (`queue-youarenext`, or `queue-thereare` N `queue-callswaiting`)
 *                and, if enabled, the hold time; then music again
 *   connecting   paired with an agent: the announcement and music stop at once
 *                while the queue bridges the two
 *   connected    talking to the agent
 * The queue ends it: `queue.ended` (the agent pressed # or hung up) hangs the
 * caller up; `queue.overflow` (the maximum wait) goes to voicemail or a
 * goodbye. The membership (invoked here) tells the queue when the caller
 * leaves, however that happens.
 */
import { announcementMedia, connecting, holdMusic, membershipInput, onMatched, playHere, queueCall } from './setup.js';

export const caller = queueCall.createStateConfig({
  invoke: { id: 'membership', src: 'membership', input: ({ context }) => membershipInput(context) },
  initial: 'waiting',
  states: {
    waiting: {
      initial: 'holding',
      states: {
        holding: {
          invoke: holdMusic,
          after: { announcePeriod: { target: 'announcing' } },
        },
        announcing: {
          invoke: { src: 'playback', input: ({ context }) => playHere(context, announcementMedia(context)) },
          on: { 'playback.finished': { target: 'holding' } },
        },
      },
      on: onMatched,
    },
    connecting,
    connected: {},
  },
  on: {
    'queue.position': { actions: 'notePosition' },
    'queue.ended': { target: 'closed' },
    'queue.overflow': { target: 'overflow' },
    // The service is ending the call: a thank-you, then the hang-up (the membership's cleanup tells the queue).
    'call.end': { target: 'thanking' },
  },
});
