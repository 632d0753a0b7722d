/**
 * The SQLite schema as numbered migrations. A migration, once released, is
 * never edited: a change to the schema is a new entry at the end.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';

/** Schema migrations, applied in order; `version` is the index + 1. */
export const MIGRATIONS: readonly string[] = [
  // 1: mailboxes and messages. STRICT tables make SQLite check column types.
  `CREATE TABLE mailboxes (
     id           TEXT PRIMARY KEY,
     name         TEXT NOT NULL,
     pin_hash     TEXT,
     max_messages INTEGER NOT NULL CHECK (max_messages >= 1),
     greeting     TEXT,
     created_at   TEXT NOT NULL
   ) STRICT;
   CREATE TABLE messages (
     id               TEXT PRIMARY KEY,
     mailbox          TEXT NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
     recording        TEXT NOT NULL,
     caller_number    TEXT NOT NULL,
     caller_name      TEXT NOT NULL,
     received_at      TEXT NOT NULL,
     duration_seconds REAL NOT NULL,
     folder           TEXT NOT NULL CHECK (folder IN ('new', 'old'))
   ) STRICT;
   CREATE INDEX messages_by_mailbox ON messages (mailbox, folder, received_at, id);`,
];

/** Brings the schema up to date; returns the version it is at. */
export function migrate(db: Database.Database, file: string): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL) STRICT');
  const readVersion = db.prepare('SELECT max(version) AS v FROM schema_version');
  const record = db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)');
  // One write transaction, taken before reading the version: when the service and
  // the CLI open a new file at once, one migrates and the other then finds it done.
  // A failed step rolls the whole run back, leaving the file as it was.
  const run = db.transaction(() => {
    const current = (readVersion.get() as { v: number | null }).v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new AppError(
        'CONFIG_INVALID',
        `${file} has schema version ${current}, newer than this stasis-flows knows (${MIGRATIONS.length}); upgrade stasis-flows or point STASIS_FLOWS_DATA_DIR elsewhere`,
      );
    }
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      db.exec(MIGRATIONS[version - 1]!);
      record.run(version, new Date().toISOString());
    }
  });
  run.immediate();
  return MIGRATIONS.length;
}
