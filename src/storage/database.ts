/**
 * Opening the SQLite file both stores share (voicemail and queue): one place
 * for its mode, pragmas and migrations.
 */
import { chmodSync, existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AppError, errorMessage } from '../errors.js';
import { migrate } from './migrations.js';

/** Opens (creating and migrating if needed) the database at `file`; `what` names it in errors. */
export function openDatabase(file: string, what: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    const isNew = !existsSync(file);
    db = new Database(file);
    // It holds PIN hashes: owner only. SQLite gives its -wal and -shm files the same mode.
    if (isNew) chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // The service and the CLI may write at once: wait for the other's lock instead of failing.
    db.pragma('busy_timeout = 5000');
    migrate(db, file);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof AppError) throw err;
    throw new AppError('CONFIG_INVALID', `cannot open the ${what} database ${file}: ${errorMessage(err)}`, { cause: err });
  }
}
