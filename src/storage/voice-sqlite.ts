/**
 * The voice store in the same SQLite file as the other stores, through its
 * own connection (the service reads applications at call time while the CLI
 * writes them: WAL and the busy time-out of `openDatabase` make that safe).
 * better-sqlite3 is synchronous; the methods are async only to honour the
 * interface.
 */
/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; `async` keeps the interface and turns throws into rejections. */
import Database from 'better-sqlite3';
import { v4 as uuidv4, validate as isUuid } from 'uuid';
import { AppError } from '../errors.js';
import { openDatabase } from './database.js';
import type { DialectName } from '../documents/dialect.js';
import { checkAppName, checkDialect, checkMethod, checkPublicKey, checkRecordingFields, checkSecret, checkWebhookUrl, isAppName, isRecordingId } from './voice-rules.js';
import type { NewVoiceApp, RecordingFormat, VoiceApp, VoiceRecording, VoiceStore, WebhookMethod } from './voice-types.js';

interface AppRow {
  id: string;
  name: string;
  answer_url: string;
  answer_method: WebhookMethod;
  event_url: string;
  event_method: WebhookMethod;
  fallback_answer_url: string | null;
  signature_secret: string | null;
  public_key: string | null;
  dialect: DialectName;
  created_at: string;
}

interface RecordingRow {
  id: string;
  application_id: string;
  call_uuid: string;
  conversation_uuid: string;
  format: RecordingFormat;
  path: string;
  size: number;
  created_at: string;
}

const APP_COLUMNS = 'id, name, answer_url, answer_method, event_url, event_method, fallback_answer_url, signature_secret, public_key, dialect, created_at';
const RECORDING_COLUMNS = 'id, application_id, call_uuid, conversation_uuid, format, path, size, created_at';

function toApp(row: AppRow): VoiceApp {
  const app: VoiceApp = {
    id: row.id,
    name: row.name,
    dialect: row.dialect,
    answerUrl: row.answer_url,
    answerMethod: row.answer_method,
    eventUrl: row.event_url,
    eventMethod: row.event_method,
    createdAt: row.created_at,
  };
  if (row.fallback_answer_url !== null) app.fallbackAnswerUrl = row.fallback_answer_url;
  if (row.signature_secret !== null) app.signatureSecret = row.signature_secret;
  if (row.public_key !== null) app.publicKey = row.public_key;
  return app;
}

function toRecording(row: RecordingRow): VoiceRecording {
  return {
    id: row.id,
    applicationId: row.application_id,
    callUuid: row.call_uuid,
    conversationUuid: row.conversation_uuid,
    format: row.format,
    path: row.path,
    size: row.size,
    createdAt: row.created_at,
  };
}

function isConstraint(err: unknown): boolean {
  return err instanceof Database.SqliteError && (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}

function appExists(name: string): AppError {
  return new AppError('APP_EXISTS', `voice app "${name}" already exists`);
}

function noApp(name: string): AppError {
  return new AppError('NOT_FOUND', `voice app "${name}" does not exist`);
}

/** A TwiML app's secret is its auth token: without one it could neither sign its webhooks nor use the REST API. */
function checkTwimlSecret(row: AppRow): void {
  if (row.dialect === 'twiml' && row.signature_secret === null) {
    throw new AppError('INVALID_INPUT', `voice app "${row.name}" speaks twiml: its signature secret is its auth token and cannot be empty`);
  }
}

/** The optional fields of a new application or a patch: undefined = not given, null = cleared. */
function optionalUrl(what: string, value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  return value === '' ? null : checkWebhookUrl(what, value);
}

function optionalSecret(value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  return value === '' ? null : checkSecret(value);
}

async function optionalPublicKey(value: string | undefined): Promise<string | null | undefined> {
  if (value === undefined) return undefined;
  return value === '' ? null : checkPublicKey(value);
}

function prepareStatements(db: Database.Database) {
  return {
    appByName: db.prepare<[string], AppRow>(`SELECT ${APP_COLUMNS} FROM voice_apps WHERE name = ?`),
    appById: db.prepare<[string], AppRow>(`SELECT ${APP_COLUMNS} FROM voice_apps WHERE id = ?`),
    apps: db.prepare<[], AppRow>(`SELECT ${APP_COLUMNS} FROM voice_apps ORDER BY name`),
    insertApp: db.prepare<[AppRow]>(
      `INSERT INTO voice_apps (${APP_COLUMNS})
       VALUES (@id, @name, @answer_url, @answer_method, @event_url, @event_method, @fallback_answer_url, @signature_secret, @public_key, @dialect, @created_at)`,
    ),
    updateApp: db.prepare<[AppRow]>(
      `UPDATE voice_apps SET name = @name, answer_url = @answer_url, answer_method = @answer_method, event_url = @event_url,
         event_method = @event_method, fallback_answer_url = @fallback_answer_url, signature_secret = @signature_secret,
         public_key = @public_key
       WHERE id = @id`,
    ),
    deleteApp: db.prepare<[string]>('DELETE FROM voice_apps WHERE name = ?'),
    recording: db.prepare<[string], RecordingRow>(`SELECT ${RECORDING_COLUMNS} FROM voice_recordings WHERE id = ?`),
    insertRecording: db.prepare<[RecordingRow]>(
      `INSERT INTO voice_recordings (${RECORDING_COLUMNS})
       VALUES (@id, @application_id, @call_uuid, @conversation_uuid, @format, @path, @size, @created_at)`,
    ),
  };
}

/** Opens (creating and migrating if needed) the voice store in the SQLite database at `file`. */
export function openSqliteVoiceStore(file: string): VoiceStore {
  return new SqliteVoiceStore(openDatabase(file, 'voice'));
}

class SqliteVoiceStore implements VoiceStore {
  private readonly sql: ReturnType<typeof prepareStatements>;
  private closed = false;

  constructor(private readonly db: Database.Database) {
    this.sql = prepareStatements(db);
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('the voice store is closed');
  }

  async addApp(app: NewVoiceApp): Promise<VoiceApp> {
    this.ensureOpen();
    const dialect = app.dialect === undefined ? 'ncco' : checkDialect(app.dialect);
    const row: AppRow = {
      id: uuidv4(),
      name: checkAppName(app.name),
      answer_url: checkWebhookUrl('answer URL', app.answerUrl),
      // Each dialect's own default: Vonage fetches NCCO with GET, Twilio TwiML with POST.
      answer_method: checkMethod('answer method', app.answerMethod ?? (dialect === 'twiml' ? 'POST' : 'GET')),
      event_url: checkWebhookUrl('event URL', app.eventUrl),
      event_method: checkMethod('event method', app.eventMethod ?? 'POST'),
      fallback_answer_url: optionalUrl('fallback answer URL', app.fallbackAnswerUrl) ?? null,
      signature_secret: optionalSecret(app.signatureSecret) ?? null,
      public_key: (await optionalPublicKey(app.publicKey)) ?? null,
      dialect,
      created_at: new Date().toISOString(),
    };
    checkTwimlSecret(row);
    try {
      this.sql.insertApp.run(row);
    } catch (err) {
      if (isConstraint(err)) throw appExists(row.name);
      throw err;
    }
    return toApp(row);
  }

  async getApp(nameOrId: string): Promise<VoiceApp | undefined> {
    this.ensureOpen();
    // Names are never uuids (checkAppName), so the two lookups cannot both match.
    const row = isUuid(nameOrId) ? this.sql.appById.get(nameOrId.toLowerCase()) : isAppName(nameOrId) ? this.sql.appByName.get(nameOrId) : undefined;
    return row && toApp(row);
  }

  async listApps(): Promise<VoiceApp[]> {
    this.ensureOpen();
    return this.sql.apps.all().map(toApp);
  }

  async updateApp(name: string, patch: Partial<NewVoiceApp>): Promise<VoiceApp> {
    this.ensureOpen();
    // Check everything before touching the row: a bad field changes nothing.
    const dialect = patch.dialect === undefined ? undefined : checkDialect(patch.dialect);
    const change = {
      name: patch.name === undefined ? undefined : checkAppName(patch.name),
      answer_url: patch.answerUrl === undefined ? undefined : checkWebhookUrl('answer URL', patch.answerUrl),
      answer_method: patch.answerMethod === undefined ? undefined : checkMethod('answer method', patch.answerMethod),
      event_url: patch.eventUrl === undefined ? undefined : checkWebhookUrl('event URL', patch.eventUrl),
      event_method: patch.eventMethod === undefined ? undefined : checkMethod('event method', patch.eventMethod),
      fallback_answer_url: optionalUrl('fallback answer URL', patch.fallbackAnswerUrl),
      signature_secret: optionalSecret(patch.signatureSecret),
      public_key: await optionalPublicKey(patch.publicKey),
    };
    // Read and write in one transaction: a concurrent `set` cannot be half-overwritten.
    return this.db.transaction(() => {
      const current = isAppName(name) ? this.sql.appByName.get(name) : undefined;
      if (!current) throw noApp(name);
      // Its calls, SIDs and secret were made for one dialect; a new dialect is a new app.
      if (dialect !== undefined && dialect !== current.dialect) {
        throw new AppError('INVALID_INPUT', `voice app "${name}" speaks ${current.dialect}: its dialect cannot change (remove it and add it again)`);
      }
      const next: AppRow = { ...current };
      for (const [key, value] of Object.entries(change) as [keyof typeof change, string | null | undefined][]) {
        if (value !== undefined) (next as unknown as Record<string, string | null>)[key] = value;
      }
      checkTwimlSecret(next);
      try {
        this.sql.updateApp.run(next);
      } catch (err) {
        if (isConstraint(err)) throw appExists(next.name);
        throw err;
      }
      return toApp(next);
    }).immediate();
  }

  async removeApp(name: string): Promise<boolean> {
    this.ensureOpen();
    if (!isAppName(name)) return false;
    return this.sql.deleteApp.run(name).changes > 0;
  }

  async addRecording(recording: VoiceRecording): Promise<void> {
    this.ensureOpen();
    checkRecordingFields(recording);
    try {
      this.sql.insertRecording.run({
        id: recording.id,
        application_id: recording.applicationId,
        call_uuid: recording.callUuid,
        conversation_uuid: recording.conversationUuid,
        format: recording.format,
        path: recording.path,
        size: recording.size,
        created_at: recording.createdAt,
      });
    } catch (err) {
      if (isConstraint(err)) throw new AppError('CONFLICT', `recording "${recording.id}" already exists`);
      throw err;
    }
  }

  async getRecording(id: string): Promise<VoiceRecording | undefined> {
    this.ensureOpen();
    if (!isRecordingId(id)) return undefined;
    const row = this.sql.recording.get(id);
    return row && toRecording(row);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
