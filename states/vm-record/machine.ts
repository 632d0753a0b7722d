/**
 * The vm-record flow: a caller leaves a voicemail message (ARI tutorial
 * "Playbacks", voicemail deposit with the greeting state and exercise 1).
 * State names, keys and transitions are the contract; see the README diagram.
 */
import { ending, hungUp } from './ending.js';
import { greeting } from './greeting.js';

import { preparing, rejecting } from './preparing.js';
import { recording } from './recording.js';
import { reviewing } from './reviewing.js';
import { deposit } from './setup.js';
import { callEnds } from '../shared/call-states.js';

export const vmRecordMachine = deposit.createMachine({
  id: 'vm-record',
  context: ({ input }) => ({
    input,
    mailbox: undefined,
    greeting: 'sound:vm-intro',
    goodbye: false,
    rejection: undefined,
    take: undefined,
    keep: false,
    saved: false,
  }),
  initial: 'preparing',
  // The caller hanging up ends in hungUp; the service ending the call in ending (a goodbye).
  on: callEnds('.hungUp', '.ending'),
  states: {
    preparing,
    rejecting,
    greeting,
    recording,
    reviewing,
    ending,
    hungUp,
    closed: { type: 'final' },
  },
});

/** Sounds the deposit plays; vm-goodbye is optional (played only if installed). */
export const VM_RECORD_PROMPTS = ['vm-intro', 'beep', 'pbx-invalid', 'vm-mailboxfull', 'vm-goodbye'] as const;
/** Sounds without which no message can be left. */
export const VM_RECORD_REQUIRED_PROMPTS = ['vm-intro', 'beep'] as const;

export type { DepositInput, DepositSettings, KeepInput, KeepResult, PrepareInput, PrepareResult } from './types.js';
