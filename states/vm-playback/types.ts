/**
 * Types of the vm-playback flow (voicemail retrieval): input, context, the
 * results of its effects, the events it handles.
 */
import type { CallEvent, CallInput } from '../shared/call.js';
import type { PlaybackEmitted } from '../shared/effects.js';

/** Per-deployment settings (from the configuration). */
export interface RetrievalSettings {
  /** Skip of keys 1 and 3, in ms (tutorial exercise 2: 5000). */
  skipMs: number;
  /** Digits end after this pause (mailbox, PIN, forward target). */
  digitTimeoutMs: number;
  /** After a message ends, hang up when no key comes within this many ms. */
  idleTimeoutMs: number;
  /** Wrong logins before the flow says goodbye. */
  maxLoginAttempts: number;
  /** Say when and from whom each message came, after its number. */
  envelope: boolean;
}

export interface RetrievalInput extends CallInput {
  settings: RetrievalSettings;
}

/** One message as the caller goes through them. */
export interface MessageRef {
  id: string;
  recording: string;
  /** Its number in the list, from 1, fixed for the call (as in the tutorial). */
  number: number;
  folder: 'new' | 'old';
  callerNumber: string;
  callerName: string;
  receivedAt: string;
  durationSeconds: number;
}

/** What `findMailbox` answers for a mailbox argument or typed digits. */
export type FindResult = { outcome: 'found'; mailbox: string; hasPin: boolean } | { outcome: 'notFound' };

/** What `loadMessages` answers. */
export interface LoadResult {
  messages: MessageRef[];
  goodbye: boolean;
}

/** What `forwardMessage` answers. */
export type ForwardResult = { outcome: 'forwarded'; messageId: string } | { outcome: 'unknownMailbox' } | { outcome: 'mailboxFull' };

export interface RetrievalContext {
  input: RetrievalInput;
  /** The mailbox being listened to, once known. */
  mailbox: string | undefined;
  /** The mailbox needs a PIN. */
  hasPin: boolean;
  /** The caller typed the mailbox (no argument): a wrong login asks for it again. */
  askMailbox: boolean;
  /** The mailbox typed in exists (undefined before lookup). */
  typedMailboxExists: boolean;
  /** Digits being collected (mailbox, PIN or forward target); never logged. */
  digits: string;
  loginAttempts: number;
  messages: MessageRef[];
  current: number;
  /** Message ids whose playback started: they move to `old` when the call ends. */
  heard: string[];
  paused: boolean;
  goodbye: boolean;
  /** A short prompt to say before going on (an error, a confirmation). */
  notice: string | undefined;
  /** Post-call work (heard → old, MWI) has run. */
  finished: boolean;
}

export type RetrievalEvent = CallEvent | PlaybackEmitted;
