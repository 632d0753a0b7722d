/**
 * The voicemail store: mailboxes and messages. Callers use `openStore` and the
 * `VoicemailStore` interface; the SQLite implementation stays behind them.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AppError, errorMessage } from '../errors.js';
import { openSqliteQueueStore } from './queue-sqlite.js';
import { openSqliteStore } from './sqlite.js';
import type { QueueStore, StoreOptions, VoicemailStore } from './types.js';
import { openSqliteVoiceStore } from './voice-sqlite.js';
import type { VoiceStore } from './voice-types.js';

export { isMailboxId, isPin, DEFAULT_MAX_MESSAGES, MAX_MESSAGES_RANGE } from './rules.js';
export type { Folder, Mailbox, MailboxChange, Message, NewMessage, StoreOptions, VoicemailStore } from './types.js';
export type { NewQueueLogEntry, QueueLogEvent, QueueLogLine, QueueMember, QueueStats, QueueStore } from './types.js';
export type { NewVoiceApp, RecordingFormat, VoiceApp, VoiceRecording, VoiceStore, WebhookMethod } from './voice-types.js';
export { RECORDING_FORMATS, isAppName, isRecordingId } from './voice-rules.js';

/** The database's file name inside the data directory. */
export const DB_FILE_NAME = 'stasis-flows.db';

/** The database file a data directory holds. */
export function storeFile(dataDir: string): string {
  return path.join(dataDir, DB_FILE_NAME);
}

/** Creates the data directory if needed; a failure is a configuration error naming it. */
function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `cannot create the data directory ${dataDir}: ${errorMessage(err)}`, { cause: err });
  }
}

/** Opens the queue log and live members in `dataDir` (the same database file as the voicemail store). */
export function openQueueStore(dataDir: string): QueueStore {
  ensureDataDir(dataDir);
  return openSqliteQueueStore(storeFile(dataDir));
}

/** Opens the store in `dataDir` (`<dataDir>/stasis-flows.db`), creating the directory and the schema as needed. */
export function openStore(dataDir: string, options: StoreOptions = {}): VoicemailStore {
  ensureDataDir(dataDir);
  return openSqliteStore(storeFile(dataDir), options);
}

/** Opens the voice applications and recordings in `dataDir` (the same database file as the other stores). */
export function openVoiceStore(dataDir: string): VoiceStore {
  ensureDataDir(dataDir);
  return openSqliteVoiceStore(storeFile(dataDir));
}
