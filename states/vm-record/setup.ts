/**
 * The vm-record machine's setup: its effects by name (provided by
 * src/apps/vm-record.ts), guards, actions and delays. Each state lives in its
 * own file and is assembled in machine.ts.
 */
import { v7 as uuidv7 } from 'uuid';
import { assign, setup } from 'xstate';
import { playbackEffect, promiseEffect, recordingEffect } from '../shared/effects.js';
import { recordingPrefix } from '../shared/voicemail.js';
import type { DepositContext, DepositEvent, DepositInput, KeepInput, KeepResult, PrepareInput, PrepareResult } from './types.js';

export { isKey } from '../shared/keys.js';

export const deposit = setup({
  types: {
    input: {} as DepositInput,
    context: {} as DepositContext,
    events: {} as DepositEvent,
  },
  actors: {
    playback: playbackEffect,
    recording: recordingEffect,
    prepareDeposit: promiseEffect<PrepareResult, PrepareInput>('prepareDeposit'),
    deleteRecording: promiseEffect<void, { name: string }>('deleteRecording'),
    keepMessage: promiseEffect<KeepResult, KeepInput>('keepMessage'),
  },
  delays: {
    reviewTimeout: ({ context }) => context.input.settings.reviewTimeoutMs,
    hangupSaveTimeout: ({ context }) => context.input.settings.hangupSaveTimeoutMs,
  },
  guards: {
    shouldSave: ({ context }) => context.keep && !context.saved && context.take !== undefined,
    hasGoodbye: ({ context }) => context.goodbye,
  },
  actions: {
    /** Names a fresh recording: voicemail/<mailbox>/<uuid v7>, sortable by time. */
    newTake: assign({
      take: ({ context }) => ({ name: `${recordingPrefix(context.mailbox ?? 'unknown')}${uuidv7()}`, durationSeconds: undefined }),
      keep: false,
      saved: false,
    }),
    keep: assign({ keep: true }),
    discard: assign({ keep: false }),
    markSaved: assign({ saved: true }),
  },
});

/** The keepMessage input for the current take. */
export function keepInput(context: DepositContext): KeepInput {
  return {
    mailbox: context.mailbox ?? '',
    recording: context.take?.name ?? '',
    durationSeconds: context.take?.durationSeconds,
    caller: context.input.caller,
    log: context.input.log,
  };
}
