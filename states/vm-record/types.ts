/**
 * Types of the vm-record flow (voicemail deposit): its input, context, the
 * results of its effects, and the events it handles.
 */
import type { CallEvent, CallInput, CallLog } from '../shared/call.js';
import type { PlaybackEmitted, RecordingEmitted } from '../shared/effects.js';

/** Per-deployment settings (from the configuration). */
export interface DepositSettings {
  /** Recording format, as Asterisk names it. */
  format: string;
  maxDurationSeconds: number;
  maxSilenceSeconds: number;
  /** After the review playback ends, accept when no key comes within this many ms. */
  reviewTimeoutMs: number;
  /** After a hang-up while recording, how long to wait for Asterisk's RecordingFinished. */
  hangupSaveTimeoutMs: number;
}

/** Input of a vm-record call. */
export interface DepositInput extends CallInput {
  settings: DepositSettings;
}

/** What `prepareDeposit` found out before the greeting. */
export type PrepareResult =
  /** All good: `greeting` is the media to play (the mailbox's own greeting or `sound:vm-intro`). */
  | { outcome: 'ready'; mailbox: string; greeting: string; goodbye: boolean }
  /** The argument is not a mailbox id, or no such mailbox exists: `pbx-invalid`. */
  | { outcome: 'invalidMailbox' }
  /** The mailbox holds its maximum of messages: `vm-mailboxfull`. */
  | { outcome: 'mailboxFull'; mailbox: string }
  /** A prompt is not installed in the caller's language: the call ends early. */
  | { outcome: 'soundMissing'; sound: string; language: string };

/** Input of `prepareDeposit`. */
export interface PrepareInput {
  channelId: string;
  args: readonly string[];
  /** The language the channel entered Stasis with (CHANNEL(language) is read again). */
  language: string;
  /** The call's logger (its lines carry the call's identity). */
  log: CallLog;
}

/** Input of `keepMessage`: a recording the caller left, to be kept as a message. */
export interface KeepInput {
  mailbox: string;
  recording: string;
  /** From RecordingFinished; undefined when it never came (then measured from the file). */
  durationSeconds: number | undefined;
  caller: { name: string; number: string };
  log: CallLog;
}

/** What `keepMessage` did. */
export type KeepResult = { outcome: 'stored'; messageId: string; durationSeconds: number } | { outcome: 'discarded'; reason: string };

/** The recording being made or reviewed. */
export interface Take {
  name: string;
  durationSeconds: number | undefined;
}

export interface DepositContext {
  input: DepositInput;
  mailbox: string | undefined;
  greeting: string;
  goodbye: boolean;
  /** The prompt played before hanging up on a call that cannot leave a message. */
  rejection: string | undefined;
  take: Take | undefined;
  /** The caller's message is to be kept (accepted, or the caller hung up with one recorded). */
  keep: boolean;
  /** keepMessage has run for the current take. */
  saved: boolean;
}

/** Every event a vm-record call handles. */
export type DepositEvent = CallEvent | PlaybackEmitted | RecordingEmitted;
