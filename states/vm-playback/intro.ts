/**
 * loading: lists the mailbox's messages (database joined with the stored
 * recordings it owns). intro: "You have N new messages and M old messages",
 * skippable with #. An empty mailbox goes straight on (preamble → empty).
 */
import { assign } from 'xstate';
import { sayNumber } from '../shared/say.js';
import { isKey, play, retrieval } from './setup.js';
import type { MessageRef } from './types.js';

/** The intro's media: vm-youhave, N, vm-INBOX, vm-messages, then vm-and and the old ones (sound files only, so # can cut it). */
export function introMedia(messages: readonly MessageRef[]): string[] {
  const count = (folder: 'new' | 'old') => messages.filter((m) => m.folder === folder).length;
  const part = (n: number, folder: string) => [...sayNumber(n), `sound:${folder}`, n === 1 ? 'sound:vm-message' : 'sound:vm-messages'];
  const fresh = count('new');
  const old = count('old');
  const media = ['sound:vm-youhave'];
  if (fresh > 0) media.push(...part(fresh, 'vm-INBOX'));
  if (fresh > 0 && old > 0) media.push('sound:vm-and');
  if (old > 0) media.push(...part(old, 'vm-Old'));
  return media;
}

export const loading = retrieval.createStateConfig({
  invoke: {
    src: 'loadMessages',
    input: ({ context }) => ({ mailbox: context.mailbox ?? '', language: context.input.language, log: context.input.log }),
    onDone: {
      target: 'intro',
      actions: [
        assign(({ event }) => ({ messages: event.output.messages, goodbye: event.output.goodbye, current: 0 })),
        ({ context, event }) => context.input.log.info('logged in', { mailbox: context.mailbox, messages: event.output.messages.length }),
      ],
    },
    onError: {
      target: 'closed',
      actions: ({ context, event }) => context.input.log.error('could not list the messages; ending the call', { err: String(event.error) }),
    },
  },
});

export const intro = retrieval.createStateConfig({
  always: { guard: 'isEmpty', target: 'preamble' },
  invoke: { src: 'playback', input: ({ context }) => play(context, introMedia(context.messages)) },
  on: {
    'playback.finished': { target: 'preamble' },
    'ari.dtmf': { guard: isKey('#'), target: 'preamble' },
  },
});
