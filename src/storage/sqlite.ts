/**
 * The embedded voicemail store: one SQLite file through better-sqlite3.
 * better-sqlite3 is synchronous; the methods are async only to honour the
 * interface a server database will need.
 */
/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; `async` keeps the interface and turns throws into rejections. */
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../errors.js';
import { openDatabase } from './database.js';
import { hashPin, verifyPin } from './pin.js';
import {
  DEFAULT_MAX_MESSAGES,
  checkCallerField,
  checkDuration,
  checkFolder,
  checkMailboxId,
  checkMaxMessages,
  checkMessageId,
  checkName,
  checkPin,
  checkRecording,
  checkTimestamp,
  isMailboxId,
  isPin,
} from './rules.js';
import type { Folder, Mailbox, MailboxChange, Message, NewMessage, StoreOptions, VoicemailStore } from './types.js';

interface MailboxRow {
  id: string;
  name: string;
  has_pin: 0 | 1;
  max_messages: number;
  greeting: string | null;
  created_at: string;
}

interface MessageRow {
  id: string;
  mailbox: string;
  recording: string;
  caller_number: string;
  caller_name: string;
  received_at: string;
  duration_seconds: number;
  folder: Folder;
}

// The PIN hash is never selected with a mailbox: only verifyPin reads it.
const MAILBOX_COLUMNS = 'id, name, pin_hash IS NOT NULL AS has_pin, max_messages, greeting, created_at';
const MESSAGE_COLUMNS = 'id, mailbox, recording, caller_number, caller_name, received_at, duration_seconds, folder';
const MESSAGE_ORDER = 'ORDER BY received_at, id';

function toMailbox(row: MailboxRow): Mailbox {
  return {
    id: row.id,
    name: row.name,
    hasPin: row.has_pin === 1,
    maxMessages: row.max_messages,
    greeting: row.greeting,
    createdAt: row.created_at,
  };
}

function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    mailbox: row.mailbox,
    recording: row.recording,
    callerNumber: row.caller_number,
    callerName: row.caller_name,
    receivedAt: row.received_at,
    durationSeconds: row.duration_seconds,
    folder: row.folder,
  };
}

function isSqliteError(err: unknown, code: string): boolean {
  return err instanceof Database.SqliteError && err.code === code;
}

function noMailbox(id: string): AppError {
  return new AppError('NOT_FOUND', `mailbox "${id}" does not exist`);
}

function noMessage(id: string): AppError {
  return new AppError('NOT_FOUND', `message "${id}" does not exist`);
}

/** Every statement the store runs, prepared once. */
function prepareStatements(db: Database.Database) {
  return {
    mailbox: db.prepare<[string], MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = ?`),
    mailboxes: db.prepare<[], MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes ORDER BY id`),
    mailboxExists: db.prepare<[string], { one: 1 }>('SELECT 1 AS one FROM mailboxes WHERE id = ?'),
    pinHash: db.prepare<[string], { pin_hash: string | null }>('SELECT pin_hash FROM mailboxes WHERE id = ?'),
    insertMailbox: db.prepare<[{ id: string; name: string; pinHash: string | null; maxMessages: number; createdAt: string }]>(
      'INSERT INTO mailboxes (id, name, pin_hash, max_messages, greeting, created_at) VALUES (@id, @name, @pinHash, @maxMessages, NULL, @createdAt)',
    ),
    // Only the fields given change: NULL name/limit keep theirs; the set* flags say whether the PIN or greeting changes (possibly to NULL).
    updateMailbox: db.prepare<
      [{ id: string; name: string | null; maxMessages: number | null; setPin: 0 | 1; pinHash: string | null; setGreeting: 0 | 1; greeting: string | null }]
    >(
      `UPDATE mailboxes SET
         name = coalesce(@name, name),
         max_messages = coalesce(@maxMessages, max_messages),
         pin_hash = CASE WHEN @setPin THEN @pinHash ELSE pin_hash END,
         greeting = CASE WHEN @setGreeting THEN @greeting ELSE greeting END
       WHERE id = @id`,
    ),
    deleteMailbox: db.prepare<[string]>('DELETE FROM mailboxes WHERE id = ?'),
    message: db.prepare<[string], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),
    messages: db.prepare<[string], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox = ? ${MESSAGE_ORDER}`),
    messagesIn: db.prepare<[string, Folder], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox = ? AND folder = ? ${MESSAGE_ORDER}`),
    insertMessage: db.prepare<[MessageRow]>(
      `INSERT INTO messages (${MESSAGE_COLUMNS})
       VALUES (@id, @mailbox, @recording, @caller_number, @caller_name, @received_at, @duration_seconds, @folder)`,
    ),
    moveMessage: db.prepare<[Folder, string]>('UPDATE messages SET folder = ? WHERE id = ?'),
    deleteMessage: db.prepare<[string]>('DELETE FROM messages WHERE id = ?'),
    counts: db.prepare<[string], { folder: Folder; n: number }>('SELECT folder, count(*) AS n FROM messages WHERE mailbox = ? GROUP BY folder'),
  };
}

/** Opens (creating and migrating if needed) the SQLite database at `file`. */
export function openSqliteStore(file: string, options: StoreOptions = {}): VoicemailStore {
  const defaultMaxMessages = checkMaxMessages(options.defaultMaxMessages ?? DEFAULT_MAX_MESSAGES);
  return new SqliteVoicemailStore(openDatabase(file, 'voicemail'), defaultMaxMessages);
}

class SqliteVoicemailStore implements VoicemailStore {
  private readonly sql: ReturnType<typeof prepareStatements>;
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    private readonly defaultMaxMessages: number,
  ) {
    this.sql = prepareStatements(db);
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('the voicemail store is closed');
  }

  private requireMailbox(id: string): Mailbox {
    const row = this.sql.mailbox.get(id);
    if (!row) throw noMailbox(id);
    return toMailbox(row);
  }

  async addMailbox(input: { id: string; name: string; pin?: string; maxMessages?: number }): Promise<Mailbox> {
    this.ensureOpen();
    const id = checkMailboxId(input.id);
    const name = checkName(input.name);
    const pin = input.pin === undefined ? undefined : checkPin(input.pin);
    const maxMessages = checkMaxMessages(input.maxMessages ?? this.defaultMaxMessages);
    // Fail fast before spending a hash; the insert below still catches a race.
    if (this.sql.mailboxExists.get(id)) throw conflict(id);
    const pinHash = pin === undefined ? null : await hashPin(pin);
    this.ensureOpen();
    try {
      this.sql.insertMailbox.run({ id, name, pinHash, maxMessages, createdAt: new Date().toISOString() });
    } catch (err) {
      if (isSqliteError(err, 'SQLITE_CONSTRAINT_PRIMARYKEY')) throw conflict(id);
      throw err;
    }
    return this.requireMailbox(id);
  }

  async getMailbox(id: string): Promise<Mailbox | undefined> {
    this.ensureOpen();
    if (!isMailboxId(id)) return undefined;
    const row = this.sql.mailbox.get(id);
    return row && toMailbox(row);
  }

  async listMailboxes(): Promise<Mailbox[]> {
    this.ensureOpen();
    return this.sql.mailboxes.all().map(toMailbox);
  }

  async updateMailbox(id: string, change: MailboxChange): Promise<Mailbox> {
    this.ensureOpen();
    checkMailboxId(id);
    const name = change.name === undefined ? null : checkName(change.name);
    const maxMessages = change.maxMessages === undefined ? null : checkMaxMessages(change.maxMessages);
    const pin = change.pin === undefined || change.pin === null ? change.pin : checkPin(change.pin);
    const greeting = change.greeting === undefined || change.greeting === null ? change.greeting : checkRecording('mailbox greeting', change.greeting);
    if (!this.sql.mailboxExists.get(id)) throw noMailbox(id);
    const pinHash = typeof pin === 'string' ? await hashPin(pin) : null;
    this.ensureOpen();
    return this.db.transaction(() => {
      const { changes } = this.sql.updateMailbox.run({
        id,
        name,
        maxMessages,
        setPin: pin === undefined ? 0 : 1,
        pinHash,
        setGreeting: greeting === undefined ? 0 : 1,
        greeting: greeting ?? null,
      });
      if (changes === 0) throw noMailbox(id);
      return this.requireMailbox(id);
    })();
  }

  async removeMailbox(id: string): Promise<Message[]> {
    this.ensureOpen();
    checkMailboxId(id);
    // Read and delete together, so the messages returned are exactly those deleted.
    return this.db.transaction(() => {
      const messages = this.sql.messages.all(id).map(toMessage);
      // The foreign key's ON DELETE CASCADE removes the message rows.
      if (this.sql.deleteMailbox.run(id).changes === 0) throw noMailbox(id);
      return messages;
    })();
  }

  async verifyPin(id: string, pin: string): Promise<boolean> {
    this.ensureOpen();
    if (!isMailboxId(id) || !isPin(pin)) return false;
    const stored = this.sql.pinHash.get(id)?.pin_hash ?? undefined;
    return verifyPin(pin, stored);
  }

  async addMessage(input: NewMessage): Promise<Message> {
    this.ensureOpen();
    const message: Message = {
      id: input.id === undefined ? uuidv7() : checkMessageId(input.id),
      mailbox: checkMailboxId(input.mailbox),
      recording: checkRecording('message recording', input.recording),
      callerNumber: checkCallerField('callerNumber', input.callerNumber),
      callerName: checkCallerField('callerName', input.callerName),
      receivedAt: checkTimestamp('receivedAt', input.receivedAt),
      durationSeconds: checkDuration(input.durationSeconds),
      folder: input.folder === undefined ? 'new' : checkFolder(input.folder),
    };
    this.db.transaction(() => {
      if (!this.sql.mailboxExists.get(message.mailbox)) throw noMailbox(message.mailbox);
      try {
        this.sql.insertMessage.run({
          id: message.id,
          mailbox: message.mailbox,
          recording: message.recording,
          caller_number: message.callerNumber,
          caller_name: message.callerName,
          received_at: message.receivedAt,
          duration_seconds: message.durationSeconds,
          folder: message.folder,
        });
      } catch (err) {
        if (isSqliteError(err, 'SQLITE_CONSTRAINT_PRIMARYKEY')) throw new AppError('CONFLICT', `message "${message.id}" already exists`);
        throw err;
      }
    })();
    return message;
  }

  async getMessage(id: string): Promise<Message | undefined> {
    this.ensureOpen();
    const row = typeof id === 'string' ? this.sql.message.get(id) : undefined;
    return row && toMessage(row);
  }

  async listMessages(mailbox: string, folder?: Folder): Promise<Message[]> {
    this.ensureOpen();
    const rows = folder === undefined ? this.sql.messages.all(mailbox) : this.sql.messagesIn.all(mailbox, checkFolder(folder));
    return rows.map(toMessage);
  }

  async moveMessage(id: string, folder: Folder): Promise<void> {
    this.ensureOpen();
    checkFolder(folder);
    if (typeof id !== 'string' || this.sql.moveMessage.run(folder, id).changes === 0) throw noMessage(String(id));
  }

  async deleteMessage(id: string): Promise<boolean> {
    this.ensureOpen();
    return typeof id === 'string' && this.sql.deleteMessage.run(id).changes > 0;
  }

  async countMessages(mailbox: string): Promise<{ new: number; old: number }> {
    this.ensureOpen();
    const counts = { new: 0, old: 0 };
    for (const row of this.sql.counts.all(mailbox)) counts[row.folder] = row.n;
    return counts;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function conflict(id: string): AppError {
  return new AppError('CONFLICT', `mailbox "${id}" already exists`);
}
