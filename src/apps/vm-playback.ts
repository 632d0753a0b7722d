/**
 * The vm-playback flow's effects: mailbox lookup, PIN check, the message
 * list (database joined with the stored recordings the mailbox owns),
 * delete, forward, and the post-call work. The machine is states/vm-playback.
 */
import { v7 as uuidv7 } from 'uuid';
import { fromPromise } from 'xstate';
import {
  VM_PLAYBACK_PROMPTS,
  vmPlaybackMachine,
  type FindResult,
  type ForwardResult,
  type LoadResult,
  type MessageRef,
  type RetrievalInput,
} from '../../states/vm-playback/machine.js';
import type { CallInput, CallLog } from '../../states/shared/call.js';
import type { FlowFactory, FlowServices } from '../app.js';
import { isAriStatus } from '../errors.js';
import { soundInLanguage } from '../runtime/sounds-check.js';
import { isMailboxId } from '../storage/index.js';
import type { Message } from '../storage/types.js';
import { publishMwi } from './voicemail/mwi.js';
import { recordingPrefix } from '../../states/shared/voicemail.js';
import { defineFlow } from '../runtime/flow.js';

/** Looks a mailbox up by argument or typed digits. */
export async function findMailbox(services: FlowServices, mailbox: string): Promise<FindResult> {
  if (!isMailboxId(mailbox)) return { outcome: 'notFound' };
  const found = await services.store.getMailbox(mailbox);
  return found ? { outcome: 'found', mailbox: found.id, hasPin: found.hasPin } : { outcome: 'notFound' };
}

/**
 * The mailbox's messages, new ones first then old, each oldest first, numbered
 * from 1. Only recordings under exactly `voicemail/<mailbox>/` count (mailbox 30
 * never sees 305's); a message whose audio is gone from Asterisk is skipped.
 */
export async function loadMessages(services: FlowServices, mailbox: string, language: string, log: CallLog): Promise<LoadResult> {
  const { ari, store } = services;
  const prefix = recordingPrefix(mailbox);
  const [fresh, old, stored, goodbye] = await Promise.all([
    store.listMessages(mailbox, 'new'),
    store.listMessages(mailbox, 'old'),
    ari.recordings.listStored(),
    soundInLanguage(ari, 'vm-goodbye', language),
  ]);
  const owned = new Set(stored.map((r) => r.name).filter((name) => name.startsWith(prefix)));
  const messages: MessageRef[] = [];
  for (const message of [...fresh, ...old]) {
    if (!owned.has(message.recording)) {
      log.warn('message audio missing on Asterisk; skipped', { mailbox, messageId: message.id, recording: message.recording });
      continue;
    }
    messages.push(toRef(message, messages.length + 1));
  }
  return { messages, goodbye };
}

function toRef(message: Message, number: number): MessageRef {
  return {
    id: message.id,
    recording: message.recording,
    number,
    folder: message.folder,
    callerNumber: message.callerNumber,
    callerName: message.callerName,
    receivedAt: message.receivedAt,
    durationSeconds: message.durationSeconds,
  };
}

/** Deletes a message: its recording on Asterisk first (already gone is fine), then its row. */
export async function deleteMessage(services: FlowServices, message: MessageRef): Promise<void> {
  try {
    await services.ari.recordings.deleteStored(message.recording);
  } catch (err) {
    if (!isAriStatus(err, 404)) throw err;
  }
  await services.store.deleteMessage(message.id);
}

/** Copies a message's recording into another mailbox as a new message there. */
export async function forwardMessage(services: FlowServices, message: MessageRef, to: string, log: CallLog): Promise<ForwardResult> {
  const { ari, store, config } = services;
  if (!isMailboxId(to)) return { outcome: 'unknownMailbox' };
  const target = await store.getMailbox(to);
  if (!target) return { outcome: 'unknownMailbox' };
  const counts = await store.countMessages(target.id);
  if (counts.new + counts.old >= target.maxMessages) return { outcome: 'mailboxFull' };
  const id = uuidv7();
  const recording = `${recordingPrefix(target.id)}${id}`;
  await ari.recordings.copyStored(message.recording, recording);
  await store.addMessage({
    id,
    mailbox: target.id,
    recording,
    callerNumber: message.callerNumber,
    callerName: message.callerName,
    receivedAt: new Date().toISOString(),
    durationSeconds: message.durationSeconds,
  });
  await publishMwi({ ari, store, log }, target.id, config.voicemail.mwiContext);
  return { outcome: 'forwarded', messageId: id };
}

/** Post-call: heard messages move to `old`, and the phone's light follows (when a count changed). */
export async function finishCall(services: FlowServices, mailbox: string, heard: readonly string[], log: CallLog): Promise<void> {
  const { store, ari, config } = services;
  let moved = 0;
  for (const id of heard) {
    const message = await store.getMessage(id);
    if (message?.folder === 'new') {
      await store.moveMessage(id, 'old');
      moved++;
    }
  }
  if (moved > 0) await publishMwi({ ari, store, log }, mailbox, config.voicemail.mwiContext);
}

/** The vm-playback flow. */
export const vmPlaybackFlow: FlowFactory = (services) => {
  const { config, effects } = services;
  const logic = vmPlaybackMachine.provide({
    actors: {
      playback: effects.playback,
      findMailbox: fromPromise<FindResult, { mailbox: string }>(({ input }) => findMailbox(services, input.mailbox)),
      verifyPin: fromPromise<boolean, { mailbox: string; pin: string }>(({ input }) =>
        isMailboxId(input.mailbox) ? services.store.verifyPin(input.mailbox, input.pin) : Promise.resolve(false),
      ),
      loadMessages: fromPromise<LoadResult, { mailbox: string; language: string; log: CallLog }>(({ input }) => loadMessages(services, input.mailbox, input.language, input.log)),
      deleteMessage: fromPromise<void, { mailbox: string; message: MessageRef }>(({ input }) => deleteMessage(services, input.message)),
      forwardMessage: fromPromise<ForwardResult, { from: string; message: MessageRef; to: string; log: CallLog }>(({ input }) =>
        forwardMessage(services, input.message, input.to, input.log),
      ),
      finishCall: fromPromise<void, { mailbox: string; heard: string[]; log: CallLog }>(({ input }) => finishCall(services, input.mailbox, input.heard, input.log)),
    },
  });
  return defineFlow({
    app: config.apps.vmPlayback,
    logic,
    prompts: VM_PLAYBACK_PROMPTS,
    logFields: (args) => ({ mailbox: args[0] || null }),
    input: (call: CallInput): RetrievalInput => ({
      ...call,
      settings: {
        skipMs: config.voicemail.skipMs,
        digitTimeoutMs: config.voicemail.digitTimeoutMs,
        idleTimeoutMs: config.voicemail.idleTimeoutMs,
        maxLoginAttempts: config.voicemail.maxLoginAttempts,
        envelope: config.voicemail.envelope,
      },
    }),
  });
};
