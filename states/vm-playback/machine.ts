/**
 * The vm-playback flow: a mailbox owner listens to messages and drives the
 * playback with DTMF (ARI tutorial "Playbacks", "Controlling playbacks", with
 * exercise 2: skip 5000 ms). State names, keys and transitions are the
 * contract; see the README diagram.
 */
import { ending, empty, hungUp } from './ending.js';
import { forwarding } from './forwarding.js';
import { intro, loading } from './intro.js';
import { listening, notifying } from './listening.js';
import { login } from './login.js';
import { preamble } from './preamble.js';
import { preparing, rejecting } from './preparing.js';
import { retrieval } from './setup.js';
import { callEnds } from '../shared/call-states.js';

export const vmPlaybackMachine = retrieval.createMachine({
  id: 'vm-playback',
  context: ({ input }) => ({
    input,
    mailbox: undefined,
    hasPin: false,
    askMailbox: (input.args[0] ?? '') === '',
    typedMailboxExists: false,
    digits: '',
    loginAttempts: 0,
    messages: [],
    current: 0,
    heard: [],
    paused: false,
    goodbye: true,
    notice: undefined,
    finished: false,
  }),
  initial: 'preparing',
  // The caller hanging up ends in hungUp; the service ending the call in ending (a goodbye).
  on: callEnds('.hungUp', '.ending'),
  states: {
    preparing,
    rejecting,
    login,
    loading,
    intro,
    preamble,
    listening,
    forwarding,
    notifying,
    empty,
    ending,
    hungUp,
    closed: { type: 'final' },
  },
});

/** Sounds the retrieval plays (digits and numbers come from Asterisk's digits/ folder). */
export const VM_PLAYBACK_PROMPTS = [
  'vm-login', 'vm-password', 'vm-incorrect', 'vm-goodbye', 'vm-youhave', 'vm-INBOX', 'vm-Old', 'vm-and', 'vm-message', 'vm-messages',
  'vm-nomore', 'vm-received', 'vm-from-phonenumber', 'vm-extension', 'vm-msgforwarded', 'vm-incorrect-mailbox', 'vm-mailboxfull', 'im-sorry', 'pbx-invalid',
] as const;

export { envelopeMedia, preambleMedia } from './preamble.js';
export { introMedia } from './intro.js';
export type { FindResult, ForwardResult, LoadResult, MessageRef, RetrievalInput, RetrievalSettings } from './types.js';
