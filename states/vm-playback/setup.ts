/**
 * The vm-playback machine's setup: effects by name (provided by
 * src/apps/vm-playback.ts), guards, actions and delays. Each state lives in
 * its own file and is assembled in machine.ts.
 */
import { assign, setup } from 'xstate';
import { collectDigits } from '../shared/digits.js';
import type { CallLog } from '../shared/call.js';
import { playbackEffect, promiseEffect } from '../shared/effects.js';
import type { FindResult, ForwardResult, LoadResult, MessageRef, RetrievalContext, RetrievalEvent, RetrievalInput } from './types.js';

export { isDigit, isKey } from '../shared/keys.js';

/** The message being listened to. */
export function currentMessage(context: RetrievalContext): MessageRef | undefined {
  return context.messages[context.current];
}

/** The playback input for a list of media on the caller's channel. */
export function play(context: RetrievalContext, media: readonly string[], extra: { skipms?: number; expectedMs?: number } = {}) {
  return { target: { channelId: context.input.channelId }, media, log: context.input.log, ...extra };
}

/** Collects digits after `prompt` (shared/digits.ts) until `#` or a pause, then goes to `done`. */
export function collect<const TDone extends `#${string}`>(prompt: string, done: TDone) {
  return collectDigits<RetrievalContext, TDone>(prompt, done);
}

export const retrieval = setup({
  types: {
    input: {} as RetrievalInput,
    context: {} as RetrievalContext,
    events: {} as RetrievalEvent,
  },
  actors: {
    playback: playbackEffect,
    findMailbox: promiseEffect<FindResult, { mailbox: string }>('findMailbox'),
    verifyPin: promiseEffect<boolean, { mailbox: string; pin: string }>('verifyPin'),
    loadMessages: promiseEffect<LoadResult, { mailbox: string; language: string; log: CallLog }>('loadMessages'),
    deleteMessage: promiseEffect<void, { mailbox: string; message: MessageRef }>('deleteMessage'),
    forwardMessage: promiseEffect<ForwardResult, { from: string; message: MessageRef; to: string; log: CallLog }>('forwardMessage'),
    finishCall: promiseEffect<void, { mailbox: string; heard: string[]; log: CallLog }>('finishCall'),
  },
  delays: {
    digitTimeout: ({ context }) => context.input.settings.digitTimeoutMs,
    idleTimeout: ({ context }) => context.input.settings.idleTimeoutMs,
  },
  guards: {
    isEmpty: ({ context }) => context.messages.length === 0,
    needsMailbox: ({ context }) => context.mailbox === undefined,
    needsPin: ({ context }) => context.hasPin || context.askMailbox,
    tooManyAttempts: ({ context }) => context.loginAttempts >= context.input.settings.maxLoginAttempts,
    hasGoodbye: ({ context }) => context.goodbye,
    shouldFinish: ({ context }) => !context.finished && context.mailbox !== undefined,
  },
  actions: {
    clearDigits: assign({ digits: '' }),
    appendDigit: assign({ digits: ({ context, event }) => (event.type === 'ari.dtmf' ? context.digits + event.digit : context.digits) }),
    countAttempt: assign({ loginAttempts: ({ context }) => context.loginAttempts + 1 }),
    next: assign({ current: ({ context }) => (context.messages.length === 0 ? 0 : (context.current + 1) % context.messages.length) }),
    previous: assign({ current: ({ context }) => (context.messages.length === 0 ? 0 : (context.current - 1 + context.messages.length) % context.messages.length) }),
    /** Drops the current message from the list; the next one takes its place (wrapping to the first). */
    dropCurrent: assign(({ context }) => {
      const messages = context.messages.filter((_, i) => i !== context.current);
      return { messages, current: messages.length === 0 ? 0 : context.current % messages.length };
    }),
    markHeard: assign({
      heard: ({ context }) => {
        const id = currentMessage(context)?.id;
        return id === undefined || context.heard.includes(id) ? context.heard : [...context.heard, id];
      },
    }),
    markFinished: assign({ finished: true }),
    clearNotice: assign({ notice: undefined }),
  },
});
