/**
 * ending: keeps the accepted message, plays a short goodbye if one is
 * installed, and the call is hung up.
 * hungUp: the caller is gone. Post-call work happens here: a message the
 * caller left (hung up while recording or reviewing) is kept.
 */
import { postCallState } from '../shared/call-states.js';
import { deposit, keepInput } from './setup.js';
import type { DepositContext } from './types.js';

const keepMessage = {
  state: 'saving',
  work: { src: 'keepMessage', input: ({ context }: { context: DepositContext }) => keepInput(context), needed: 'shouldSave', done: 'markSaved' },
  failure: 'could not keep the message; its recording stays on Asterisk',
  failureMeta: (context: DepositContext) => ({ recording: context.take?.name }),
} as const;

export const ending = deposit.createStateConfig(
  postCallState({ ...keepMessage, goodbye: { when: 'hasGoodbye', media: ['sound:vm-goodbye'] }, hangUp: 'hungUp', then: '#vm-record.closed' }),
);

export const hungUp = deposit.createStateConfig(postCallState({ ...keepMessage, then: '#vm-record.closed' }));
