/**
 * The voicemail store: mailboxes and messages. Callers use `openStore` and the
 * `VoicemailStore` interface; the SQLite implementation stays behind them.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AppError, errorMessage } from '../errors.js';
import { openSqliteStore } from './sqlite.js';
import type { StoreOptions, VoicemailStore } from './types.js';

export { isMailboxId, isPin, DEFAULT_MAX_MESSAGES, MAX_MESSAGES_RANGE } from './rules.js';
export type { Folder, Mailbox, MailboxChange, Message, NewMessage, StoreOptions, VoicemailStore } from './types.js';

/** The database's file name inside the data directory. */
export const DB_FILE_NAME = 'stasis-flows.db';

/** The database file a data directory holds. */
export function storeFile(dataDir: string): string {
  return path.join(dataDir, DB_FILE_NAME);
}

/** Opens the store in `dataDir` (`<dataDir>/stasis-flows.db`), creating the directory and the schema as needed. */
export function openStore(dataDir: string, options: StoreOptions = {}): VoicemailStore {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `cannot create the data directory ${dataDir}: ${errorMessage(err)}`, { cause: err });
  }
  return openSqliteStore(storeFile(dataDir), options);
}
