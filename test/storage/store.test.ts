import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, type AppErrorCode } from '../../src/errors.js';
import { DB_FILE_NAME, isMailboxId, openStore, storeFile, type VoicemailStore } from '../../src/storage/index.js';
import { MIGRATIONS } from '../../src/storage/migrations.js';

let dir: string;
let store: VoicemailStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-store-'));
  store = openStore(dir, { defaultMaxMessages: 50 });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Awaits `promise`, expecting an AppError with `code` whose message matches `message`. */
async function rejects(promise: Promise<unknown>, code: AppErrorCode, message: RegExp): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  expect((err as AppError).message).toMatch(message);
  return err as AppError;
}

const caller = { callerNumber: '5551234', callerName: 'Alice', durationSeconds: 7 };

function message(mailbox: string, receivedAt: string, extra: { id?: string; folder?: 'new' | 'old' } = {}) {
  return { mailbox, recording: `voicemail/${mailbox}/x${receivedAt.replace(/\D/g, '')}`, receivedAt, ...caller, ...extra };
}

describe('mailboxes', () => {
  it('adds a mailbox with the store default limit, no PIN and no greeting', async () => {
    const added = await store.addMailbox({ id: '305', name: '  Front desk ' });
    expect(added).toEqual({ id: '305', name: 'Front desk', hasPin: false, maxMessages: 50, greeting: null, createdAt: expect.any(String) as string });
    expect(new Date(added.createdAt).toISOString()).toBe(added.createdAt);
    expect(await store.getMailbox('305')).toEqual(added);
    expect(await store.getMailbox('306')).toBeUndefined();
    expect(await store.getMailbox('../x')).toBeUndefined();
  });

  it('creates <dataDir>/stasis-flows.db, making the directory, readable by its owner only', async () => {
    const nested = path.join(dir, 'a', 'b');
    const other = openStore(nested);
    await other.addMailbox({ id: '1', name: 'One' });
    expect((await other.getMailbox('1'))?.maxMessages).toBe(100);
    await other.close();
    expect(storeFile(nested)).toBe(path.join(nested, DB_FILE_NAME));
    expect(statSync(storeFile(nested)).mode & 0o777).toBe(0o600);
  });

  it('lists mailboxes by id', async () => {
    await store.addMailbox({ id: 'b', name: 'B' });
    await store.addMailbox({ id: '305', name: 'Front', pin: '1234', maxMessages: 3 });
    await store.addMailbox({ id: 'a', name: 'A' });
    const list = await store.listMailboxes();
    expect(list.map((m) => m.id)).toEqual(['305', 'a', 'b']);
    expect(list[0]).toMatchObject({ hasPin: true, maxMessages: 3 });
    expect(JSON.stringify(list)).not.toMatch(/1234|pin_?hash|scrypt/i);
  });

  it.each(['305', 'sales-1', 'A_b', 'x'.repeat(40)])('accepts the id %s', async (id) => {
    expect(isMailboxId(id)).toBe(true);
    await expect(store.addMailbox({ id, name: 'Ok' })).resolves.toMatchObject({ id });
  });

  it.each(['', '../x', 'x'.repeat(41), 'a b', '30/5', 'é', '305\n'])('refuses the id %j', async (id) => {
    expect(isMailboxId(id)).toBe(false);
    await rejects(store.addMailbox({ id, name: 'Bad' }), 'INVALID_INPUT', /^mailbox id must be 1-40 letters, digits/);
  });

  it.each(['', '   ', 'n'.repeat(81), 'two\nlines'])('refuses the name %j', async (name) => {
    await rejects(store.addMailbox({ id: '305', name }), 'INVALID_INPUT', /^mailbox name is required: 1-80 characters/);
  });

  it('accepts an 80-character name', async () => {
    await expect(store.addMailbox({ id: '305', name: 'n'.repeat(80) })).resolves.toMatchObject({ name: 'n'.repeat(80) });
  });

  it.each(['123', '1'.repeat(17), '12a4', '', '12 34'])('refuses the PIN %j without repeating it', async (pin) => {
    const err = await rejects(store.addMailbox({ id: '305', name: 'Front', pin }), 'INVALID_INPUT', /^mailbox pin must be 4-16 digits$/);
    if (pin !== '') expect(err.message).not.toContain(pin);
    expect(await store.getMailbox('305')).toBeUndefined();
  });

  it.each([0, 100_001, 1.5, Number.NaN, -3])('refuses the limit %s', async (maxMessages) => {
    await rejects(store.addMailbox({ id: '305', name: 'Front', maxMessages }), 'INVALID_INPUT', /^mailbox maxMessages must be a whole number from 1 to 100000/);
  });

  it('accepts the limits 1 and 100000', async () => {
    await expect(store.addMailbox({ id: 'lo', name: 'Lo', maxMessages: 1 })).resolves.toMatchObject({ maxMessages: 1 });
    await expect(store.addMailbox({ id: 'hi', name: 'Hi', maxMessages: 100_000 })).resolves.toMatchObject({ maxMessages: 100_000 });
  });

  it('refuses a bad default limit when opening', () => {
    expect(() => openStore(dir, { defaultMaxMessages: 0 })).toThrow(/maxMessages/);
  });

  it('refuses a second mailbox with the same id', async () => {
    await store.addMailbox({ id: '305', name: 'Front' });
    await rejects(store.addMailbox({ id: '305', name: 'Other', pin: '9999' }), 'CONFLICT', /^mailbox "305" already exists$/);
    expect((await store.getMailbox('305'))?.name).toBe('Front');
  });

  it('updates only the fields given', async () => {
    await store.addMailbox({ id: '305', name: 'Front', pin: '1234', maxMessages: 10 });
    expect(await store.updateMailbox('305', { name: 'Reception' })).toMatchObject({ name: 'Reception', hasPin: true, maxMessages: 10, greeting: null });
    expect(await store.verifyPin('305', '1234')).toBe(true);
    expect(await store.updateMailbox('305', { maxMessages: 20, greeting: 'voicemail/305/greeting' })).toMatchObject({
      name: 'Reception',
      maxMessages: 20,
      greeting: 'voicemail/305/greeting',
    });
    expect(await store.updateMailbox('305', { pin: '5678' })).toMatchObject({ hasPin: true });
    expect(await store.verifyPin('305', '1234')).toBe(false);
    expect(await store.verifyPin('305', '5678')).toBe(true);
    expect(await store.updateMailbox('305', { pin: null, greeting: null })).toMatchObject({ hasPin: false, greeting: null, maxMessages: 20 });
    expect(await store.verifyPin('305', '5678')).toBe(false);
    expect(await store.updateMailbox('305', {})).toMatchObject({ name: 'Reception', maxMessages: 20 });
  });

  it('refuses updates that break a rule or name an unknown mailbox', async () => {
    await store.addMailbox({ id: '305', name: 'Front' });
    await rejects(store.updateMailbox('305', { name: '' }), 'INVALID_INPUT', /mailbox name/);
    await rejects(store.updateMailbox('305', { pin: '12' }), 'INVALID_INPUT', /mailbox pin/);
    await rejects(store.updateMailbox('305', { maxMessages: 0 }), 'INVALID_INPUT', /mailbox maxMessages/);
    await rejects(store.updateMailbox('305', { greeting: 'has space' }), 'INVALID_INPUT', /mailbox greeting/);
    await rejects(store.updateMailbox('999', { name: 'X' }), 'NOT_FOUND', /^mailbox "999" does not exist$/);
    await rejects(store.updateMailbox('../x', { name: 'X' }), 'INVALID_INPUT', /mailbox id/);
  });

  it('removes a mailbox with its message rows and returns those messages', async () => {
    await store.addMailbox({ id: '305', name: 'Front' });
    const a = await store.addMessage(message('305', '2024-05-01T10:00:00.000Z'));
    const b = await store.addMessage(message('305', '2024-05-01T11:00:00.000Z', { folder: 'old' }));
    expect(await store.removeMailbox('305')).toEqual([a, b]);
    expect(await store.getMailbox('305')).toBeUndefined();
    expect(await store.getMessage(a.id)).toBeUndefined();
    // A new mailbox with the same id starts empty.
    await store.addMailbox({ id: '305', name: 'Front again' });
    expect(await store.countMessages('305')).toEqual({ new: 0, old: 0 });
    await rejects(store.removeMailbox('999'), 'NOT_FOUND', /mailbox "999" does not exist/);
    await rejects(store.removeMailbox('../x'), 'INVALID_INPUT', /mailbox id/);
  });
});

describe('PINs', () => {
  it('verifies the PIN, and is false for a wrong one, none set, an unknown mailbox or a malformed PIN', async () => {
    await store.addMailbox({ id: '305', name: 'Front', pin: '4711' });
    await store.addMailbox({ id: '306', name: 'Back' });
    expect(await store.verifyPin('305', '4711')).toBe(true);
    expect(await store.verifyPin('305', '4712')).toBe(false);
    expect(await store.verifyPin('305', '47110')).toBe(false);
    expect(await store.verifyPin('306', '4711')).toBe(false);
    expect(await store.verifyPin('999', '4711')).toBe(false);
    expect(await store.verifyPin('305', '47a1')).toBe(false);
    expect(await store.verifyPin('../x', '4711')).toBe(false);
  });

  it('stores PINs hashed with a salt: never in clear in any file, and two equal PINs hash differently', async () => {
    await store.addMailbox({ id: '305', name: 'Front', pin: '73914682' });
    await store.addMailbox({ id: '306', name: 'Back', pin: '73914682' });
    await store.updateMailbox('306', { pin: '58204617' });
    await store.updateMailbox('306', { pin: '73914682' });
    // Read before closing too: the WAL file holds the latest pages.
    const files = () => readdirSync(dir).map((f) => readFileSync(path.join(dir, f)).toString('latin1'));
    for (const text of files()) expect(text).not.toMatch(/73914682|58204617/);
    await store.close();
    for (const text of files()) expect(text).not.toMatch(/73914682|58204617/);

    const db = new Database(storeFile(dir), { readonly: true });
    const hashes = db.prepare('SELECT pin_hash FROM mailboxes ORDER BY id').pluck().all() as string[];
    db.close();
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hashes[0]).not.toBe(hashes[1]);
    store = openStore(dir);
    expect(await store.verifyPin('306', '73914682')).toBe(true);
  });
});

describe('messages', () => {
  beforeEach(async () => {
    await store.addMailbox({ id: '30', name: 'Thirty' });
    await store.addMailbox({ id: '305', name: 'Front' });
  });

  it('adds a message in the new folder with a uuid v7 id, normalizing the time to UTC', async () => {
    const added = await store.addMessage(message('305', '2024-05-01T12:00:00+02:00'));
    expect(added.folder).toBe('new');
    expect(isUuid(added.id) && uuidVersion(added.id)).toBe(7);
    expect(added.receivedAt).toBe('2024-05-01T10:00:00.000Z');
    expect(await store.getMessage(added.id)).toEqual(added);
    expect(await store.getMessage('00000000-0000-7000-8000-000000000000')).toBeUndefined();
  });

  it('keeps a given id (the recording name carries it) and refuses it twice', async () => {
    const id = '01966b3c-5e7d-7b1e-9a55-3c1d1f3a9e10';
    const added = await store.addMessage({ ...message('305', '2024-05-01T10:00:00Z'), id, recording: `voicemail/305/${id}` });
    expect(added.id).toBe(id);
    await rejects(store.addMessage({ ...message('305', '2024-05-01T10:00:00Z'), id }), 'CONFLICT', /already exists/);
    await rejects(store.addMessage({ ...message('305', '2024-05-01T10:00:00Z'), id: 'not-a-uuid' }), 'INVALID_INPUT', /message id must be a uuid/);
  });

  it('refuses a message for an unknown mailbox, and malformed fields', async () => {
    await rejects(store.addMessage(message('999', '2024-05-01T10:00:00Z')), 'NOT_FOUND', /^mailbox "999" does not exist$/);
    await rejects(store.addMessage(message('../x', '2024-05-01T10:00:00Z')), 'INVALID_INPUT', /mailbox id/);
    await rejects(store.addMessage(message('305', 'yesterday')), 'INVALID_INPUT', /receivedAt must be an ISO 8601/);
    await rejects(store.addMessage({ ...message('305', '2024-05-01T10:00:00Z'), durationSeconds: -1 }), 'INVALID_INPUT', /durationSeconds/);
    await rejects(store.addMessage({ ...message('305', '2024-05-01T10:00:00Z'), recording: '' }), 'INVALID_INPUT', /message recording/);
    await rejects(store.addMessage({ ...message('305', '2024-05-01T10:00:00Z'), callerName: 'a\nb' }), 'INVALID_INPUT', /callerName/);
    await rejects(store.addMessage({ ...message('305', '2024-05-01T10:00:00Z'), folder: 'trash' as 'new' }), 'INVALID_INPUT', /folder/);
    expect(await store.countMessages('305')).toEqual({ new: 0, old: 0 });
  });

  it('accepts an unknown caller (empty number and name)', async () => {
    await expect(store.addMessage({ ...message('305', '2024-05-01T10:00:00Z'), callerNumber: '', callerName: '' })).resolves.toMatchObject({ callerNumber: '' });
  });

  it('lists oldest first, by time then id, whatever the order they were added in', async () => {
    const t = (h: number) => `2024-05-01T${String(h).padStart(2, '0')}:00:00.000Z`;
    const late = await store.addMessage(message('305', t(12)));
    const early = await store.addMessage(message('305', t(9)));
    const tieB = await store.addMessage({ ...message('305', t(10)), id: '01966b3c-5e7d-7b1e-9a55-3c1d1f3a9e1b' });
    const tieA = await store.addMessage({ ...message('305', t(10)), id: '01966b3c-5e7d-7b1e-9a55-3c1d1f3a9e1a' });
    expect((await store.listMessages('305')).map((m) => m.id)).toEqual([early.id, tieA.id, tieB.id, late.id]);
  });

  it('moves messages between folders and counts them', async () => {
    const a = await store.addMessage(message('305', '2024-05-01T09:00:00Z'));
    const b = await store.addMessage(message('305', '2024-05-01T10:00:00Z'));
    const c = await store.addMessage(message('305', '2024-05-01T11:00:00Z', { folder: 'old' }));
    expect(await store.countMessages('305')).toEqual({ new: 2, old: 1 });
    await store.moveMessage(a.id, 'old');
    expect((await store.listMessages('305', 'old')).map((m) => m.id)).toEqual([a.id, c.id]);
    expect((await store.listMessages('305', 'new')).map((m) => m.id)).toEqual([b.id]);
    expect(await store.countMessages('305')).toEqual({ new: 1, old: 2 });
    await store.moveMessage(a.id, 'new');
    expect((await store.getMessage(a.id))?.folder).toBe('new');
    await rejects(store.moveMessage('01966b3c-5e7d-7b1e-9a55-3c1d1f3a9e10', 'old'), 'NOT_FOUND', /^message "01966b3c-.*" does not exist$/);
    await rejects(store.moveMessage(a.id, 'trash' as 'old'), 'INVALID_INPUT', /folder/);
    await rejects(store.listMessages('305', 'trash' as 'old'), 'INVALID_INPUT', /folder/);
  });

  it('deletes a message, reporting whether there was one', async () => {
    const a = await store.addMessage(message('305', '2024-05-01T09:00:00Z'));
    expect(await store.deleteMessage(a.id)).toBe(true);
    expect(await store.deleteMessage(a.id)).toBe(false);
    expect(await store.listMessages('305')).toEqual([]);
  });

  it('keeps mailbox 30 and 305 apart', async () => {
    const m30 = await store.addMessage(message('30', '2024-05-01T09:00:00Z'));
    const m305 = await store.addMessage(message('305', '2024-05-01T09:30:00Z'));
    await store.addMessage(message('305', '2024-05-01T10:00:00Z', { folder: 'old' }));
    expect((await store.listMessages('30')).map((m) => m.id)).toEqual([m30.id]);
    expect((await store.listMessages('305')).map((m) => m.id)[0]).toBe(m305.id);
    expect(await store.countMessages('30')).toEqual({ new: 1, old: 0 });
    expect(await store.countMessages('305')).toEqual({ new: 1, old: 1 });
    expect(await store.removeMailbox('30')).toEqual([m30]);
    expect(await store.countMessages('305')).toEqual({ new: 1, old: 1 });
  });

  it('reads an unknown mailbox as empty', async () => {
    expect(await store.listMessages('999')).toEqual([]);
    expect(await store.countMessages('999')).toEqual({ new: 0, old: 0 });
  });
});

describe('the database file', () => {
  it('keeps everything across close and reopen', async () => {
    await store.addMailbox({ id: '305', name: 'Front', pin: '2468', maxMessages: 7 });
    await store.updateMailbox('305', { greeting: 'voicemail/305/greeting' });
    const a = await store.addMessage(message('305', '2024-05-01T09:00:00Z'));
    await store.moveMessage(a.id, 'old');
    await store.close();

    store = openStore(dir, { defaultMaxMessages: 50 });
    expect(await store.getMailbox('305')).toMatchObject({ name: 'Front', hasPin: true, maxMessages: 7, greeting: 'voicemail/305/greeting' });
    expect(await store.verifyPin('305', '2468')).toBe(true);
    expect(await store.listMessages('305')).toEqual([{ ...a, folder: 'old' }]);
  });

  it('is in WAL mode, with foreign keys, at the latest schema version, migrated once', async () => {
    await store.close();
    store = openStore(dir);
    await store.close();
    const db = new Database(storeFile(dir), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_version').pluck().all()).toEqual(MIGRATIONS.map((_, i) => i + 1));
    db.close();
    store = openStore(dir);
  });

  it('refuses a database written by a newer version', async () => {
    await store.close();
    const db = new Database(storeFile(dir));
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(MIGRATIONS.length + 1, new Date().toISOString());
    db.close();
    let caught: unknown;
    try {
      store = openStore(dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    const known = MIGRATIONS.length;
    expect((caught as AppError).message).toContain(`has schema version ${known + 1}, newer than this stasis-flows knows (${known})`);
    store = openStore(path.join(dir, 'fresh'));
  });

  it('refuses a file that is not a database, with one clear message', async () => {
    await store.close();
    const bad = path.join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(storeFile(bad), 'this is not sqlite, just some text long enough to look like a header........'.repeat(20));
    expect(() => openStore(bad)).toThrow(/^cannot open the voicemail database .*stasis-flows\.db: file is not a database$/);
    store = openStore(dir);
  });

  it('rejects calls after close', async () => {
    await store.close();
    await expect(store.listMailboxes()).rejects.toThrow(/closed/);
    await store.close();
    store = openStore(dir);
  });
});
