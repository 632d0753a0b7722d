/**
 * empty: "no more messages" (vm-nomore), then ending.
 * ending: the post-call work (heard messages → old, MWI), vm-goodbye if
 * installed, and the call is hung up.
 * hungUp: the caller is gone; the same post-call work.
 */
import { postCallState } from '../shared/call-states.js';
import { play, retrieval } from './setup.js';
import type { RetrievalContext } from './types.js';

export const empty = retrieval.createStateConfig({
  invoke: { src: 'playback', input: ({ context }) => play(context, ['sound:vm-nomore']) },
  on: { 'playback.finished': { target: 'ending' } },
});

const finishCall = {
  state: 'finishing',
  work: {
    src: 'finishCall',
    input: ({ context }: { context: RetrievalContext }) => ({ mailbox: context.mailbox ?? '', heard: context.heard, log: context.input.log }),
    needed: 'shouldFinish',
    done: 'markFinished',
  },
  failure: 'post-call work failed',
  then: 'closed',
} as const;

export const ending = retrieval.createStateConfig(
  postCallState({ ...finishCall, goodbye: { when: 'hasGoodbye', media: ['sound:vm-goodbye'] }, hangUp: 'hungUp', then: '#vm-playback.closed' }),
);

export const hungUp = retrieval.createStateConfig(postCallState({ ...finishCall, then: '#vm-playback.closed' }));
