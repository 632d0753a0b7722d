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
  // 2: the call queue's log, and its live members (written by the service, read by `queue status`).
  `CREATE TABLE queue_log (
     id              INTEGER PRIMARY KEY,
     at              TEXT NOT NULL,
     queue           TEXT NOT NULL,
     event           TEXT NOT NULL CHECK (event IN ('enter', 'connect', 'abandon', 'timeout', 'complete', 'recording', 'agentJoin', 'agentLeave')),
     channel_id      TEXT NOT NULL,
     peer_channel_id TEXT,
     position        INTEGER,
     wait_seconds    REAL,
     talk_seconds    REAL,
     detail          TEXT,
     recording       TEXT,
     caller_number   TEXT
   ) STRICT;
   CREATE INDEX queue_log_by_queue ON queue_log (queue, at);
   CREATE INDEX queue_log_by_time ON queue_log (at);
   CREATE TABLE queue_members (
     queue           TEXT NOT NULL,
     channel_id      TEXT NOT NULL,
     role            TEXT NOT NULL CHECK (role IN ('caller', 'agent')),
     status          TEXT NOT NULL CHECK (status IN ('waiting', 'connecting', 'onCall', 'idle', 'wrapUp')),
     position        INTEGER,
     since           TEXT NOT NULL,
     caller_number   TEXT NOT NULL,
     caller_name     TEXT NOT NULL,
     peer_channel_id TEXT,
     ord             INTEGER NOT NULL,
     PRIMARY KEY (queue, channel_id)
   ) STRICT;`,
  // 3: voice API applications (written by `voice-app`, read by the service at call time) and their recordings.
  // Recordings name their application without a foreign key: they outlive a removed application.
  `CREATE TABLE voice_apps (
     id                  TEXT PRIMARY KEY,
     name                TEXT NOT NULL UNIQUE,
     answer_url          TEXT NOT NULL,
     answer_method       TEXT NOT NULL CHECK (answer_method IN ('GET', 'POST')),
     event_url           TEXT NOT NULL,
     event_method        TEXT NOT NULL CHECK (event_method IN ('GET', 'POST')),
     fallback_answer_url TEXT,
     signature_secret    TEXT,
     created_at          TEXT NOT NULL
   ) STRICT;
   CREATE TABLE voice_recordings (
     id                TEXT PRIMARY KEY,
     application_id    TEXT NOT NULL,
     call_uuid         TEXT NOT NULL,
     conversation_uuid TEXT NOT NULL,
     format            TEXT NOT NULL CHECK (format IN ('mp3', 'wav', 'ogg')),
     path              TEXT NOT NULL,
     size              INTEGER NOT NULL CHECK (size >= 0),
     created_at        TEXT NOT NULL
   ) STRICT;
   CREATE INDEX voice_recordings_by_app ON voice_recordings (application_id, created_at);`,
  // 4: the public key that verifies a voice application's REST API JWTs (RS256).
  `ALTER TABLE voice_apps ADD COLUMN public_key TEXT;`,
  // 5: what an application's documents speak; the apps made before TwiML are NCCO apps.
  `ALTER TABLE voice_apps ADD COLUMN dialect TEXT NOT NULL DEFAULT 'ncco' CHECK (dialect IN ('ncco', 'twiml'));`,
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
