/**
 * The vm-record flow's effects: what "prepare", "keep" and "delete" mean
 * against Asterisk and the voicemail store. The machine is states/vm-record.
 */
import path from 'node:path';
import { fromPromise } from 'xstate';
import {
  VM_RECORD_PROMPTS,
  vmRecordMachine,
  type DepositInput,
  type KeepInput,
  type KeepResult,
  type PrepareInput,
  type PrepareResult,
} from '../../states/vm-record/machine.js';
import type { CallInput } from '../../states/shared/call.js';
import type { FlowFactory, FlowServices } from '../app.js';
import { retryAri } from '../ari/retry.js';
import { wavDurationSeconds } from '../audio/wav.js';
import { errorMessage, isAriStatus } from '../errors.js';
import { firstMissingSound, soundInLanguage } from '../runtime/sounds-check.js';
import { isMailboxId } from '../storage/index.js';
import { publishMwi } from './voicemail/mwi.js';
import { defineFlow } from '../runtime/flow.js';

/** Reads the channel's language as the tutorial does (CHANNEL(language)), falling back to what StasisStart said. */
async function channelLanguage(services: FlowServices, input: PrepareInput): Promise<string> {
  const { channelId, language: fallback } = input;
  try {
    return (await services.ari.channels.getVariable(channelId, 'CHANNEL(language)')) || fallback;
  } catch (err) {
    input.log.debug('could not read CHANNEL(language)', { err: errorMessage(err) });
    return fallback;
  }
}

/** Checks the mailbox, its room and the prompts before the greeting. */
export async function prepareDeposit(services: FlowServices, input: PrepareInput): Promise<PrepareResult> {
  const { ari, store } = services;
  const arg = input.args[0] ?? '';
  if (!isMailboxId(arg)) return { outcome: 'invalidMailbox' };
  const mailbox = await store.getMailbox(arg);
  if (!mailbox) return { outcome: 'invalidMailbox' };
  const counts = await store.countMessages(mailbox.id);
  if (counts.new + counts.old >= mailbox.maxMessages) return { outcome: 'mailboxFull', mailbox: mailbox.id };

  const language = await channelLanguage(services, input);
  let greeting = 'sound:vm-intro';
  if (mailbox.greeting) {
    try {
      await ari.recordings.getStored(mailbox.greeting);
      greeting = `recording:${mailbox.greeting}`;
    } catch (err) {
      // Playing a missing recording never ends (fact 21): fall back to the standard greeting.
      if (!isAriStatus(err, 404)) throw err;
      input.log.warn('mailbox greeting is missing on Asterisk; using vm-intro', { mailbox: mailbox.id, recording: mailbox.greeting });
    }
  }
  const required = greeting === 'sound:vm-intro' ? ['vm-intro', 'beep'] : ['beep'];
  const missing = await firstMissingSound(ari, required, language);
  if (missing !== undefined) return { outcome: 'soundMissing', sound: missing, language };
  const goodbye = await soundInLanguage(ari, 'vm-goodbye', language);
  return { outcome: 'ready', mailbox: mailbox.id, greeting, goodbye };
}

/** Measures a stored recording whose RecordingFinished never came. */
async function measureStored(services: FlowServices, recording: string): Promise<number | undefined> {
  try {
    // After a hang-up during an Asterisk restart the file is there once it is back.
    const seconds = wavDurationSeconds(await retryAri(() => services.ari.recordings.getStoredFile(recording)));
    return seconds === undefined ? undefined : Math.floor(seconds);
  } catch (err) {
    if (isAriStatus(err, 404)) return undefined;
    throw err;
  }
}

/** Keeps a message: discards one that is too short, else records it, lights the phone, and tells integrations. */
export async function keepMessage(services: FlowServices, input: KeepInput): Promise<KeepResult> {
  const { ari, store, config, events } = services;
  const { log } = input;
  const duration = input.durationSeconds ?? (await measureStored(services, input.recording));
  if (duration === undefined) {
    log.warn('no recording was stored; nothing to keep', { mailbox: input.mailbox, recording: input.recording });
    return { outcome: 'discarded', reason: 'nothing stored' };
  }
  if (duration < config.voicemail.minDurationSeconds) {
    await retryAri(() => ari.recordings.deleteStored(input.recording)).catch((err: unknown) => {
      if (!isAriStatus(err, 404)) throw err;
    });
    log.info('message too short; discarded', { mailbox: input.mailbox, recording: input.recording, durationSeconds: duration });
    return { outcome: 'discarded', reason: 'too short' };
  }
  const message = await store.addMessage({
    id: path.posix.basename(input.recording),
    mailbox: input.mailbox,
    recording: input.recording,
    callerNumber: input.caller.number,
    callerName: input.caller.name,
    receivedAt: new Date().toISOString(),
    durationSeconds: duration,
  });
  log.info('message kept', { mailbox: message.mailbox, messageId: message.id, recording: message.recording, durationSeconds: duration });
  await publishMwi({ ari, store, log }, message.mailbox, config.voicemail.mwiContext);
  events.emit('voicemail.deposited', {
    mailbox: message.mailbox,
    messageId: message.id,
    recording: message.recording,
    durationSeconds: duration,
    callerId: { name: message.callerName, number: message.callerNumber },
    receivedAt: message.receivedAt,
  });
  return { outcome: 'stored', messageId: message.id, durationSeconds: duration };
}

/** The vm-record flow. */
export const vmRecordFlow: FlowFactory = (services) => {
  const { config, ari, effects } = services;
  const logic = vmRecordMachine.provide({
    actors: {
      playback: effects.playback,
      recording: effects.recording,
      prepareDeposit: fromPromise<PrepareResult, PrepareInput>(({ input }) => prepareDeposit(services, input)),
      deleteRecording: fromPromise<void, { name: string }>(async ({ input }) => {
        // A take the caller rejected must not stay on Asterisk: tried again while it restarts.
        await retryAri(() => ari.recordings.deleteStored(input.name)).catch((err: unknown) => {
          if (!isAriStatus(err, 404)) throw err;
        });
      }),
      keepMessage: fromPromise<KeepResult, KeepInput>(({ input }) => keepMessage(services, input)),
    },
  });
  return defineFlow({
    app: config.apps.vmRecord,
    logic,
    prompts: VM_RECORD_PROMPTS,
    logFields: (args) => ({ mailbox: args[0] ?? null }),
    input: (call: CallInput): DepositInput => ({
      ...call,
      settings: {
        format: 'wav',
        maxDurationSeconds: config.voicemail.maxDurationSeconds,
        maxSilenceSeconds: config.voicemail.maxSilenceSeconds,
        reviewTimeoutMs: config.voicemail.reviewTimeoutMs,
        hangupSaveTimeoutMs: 5000,
      },
    }),
  });
};
