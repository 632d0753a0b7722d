import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { MIGRATIONS } from '../../src/storage/migrations.js';
import { openStore, openVoiceStore, storeFile, type VoiceRecording, type VoiceStore } from '../../src/storage/index.js';

let dir: string;
let store: VoiceStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-voice-store-'));
  store = openVoiceStore(dir);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rejects(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const caught = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(caught).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe(code);
  expect((caught as AppError).message).toMatch(message);
}

const IVR = { name: 'ivr', answerUrl: 'http://127.0.0.1:3000/webhooks/answer', eventUrl: 'https://example.com/events' };

function recording(extra: Partial<VoiceRecording> = {}): VoiceRecording {
  return {
    id: '0b6b2c1e-8f7a-4a51-9a3e-0f1f2d3c4b5a',
    applicationId: 'app-1',
    callUuid: 'c1',
    conversationUuid: 'CON-1',
    format: 'mp3',
    path: '/var/lib/stasis-flows/recordings/r1.mp3',
    size: 1234,
    createdAt: '2026-11-23T10:00:00.000Z',
    ...extra,
  };
}

describe('voice apps', () => {
  it('adds an app with a uuid v4 id and the default methods, found by name and by id', async () => {
    const app = await store.addApp(IVR);
    expect(isUuid(app.id) && uuidVersion(app.id)).toBe(4);
    expect(app).toEqual({ ...IVR, id: app.id, dialect: 'ncco', answerMethod: 'GET', eventMethod: 'POST', createdAt: app.createdAt });
    expect(Date.parse(app.createdAt)).not.toBeNaN();
    expect(await store.getApp('ivr')).toEqual(app);
    expect(await store.getApp(app.id)).toEqual(app);
    expect(await store.getApp(app.id.toUpperCase())).toEqual(app);
    expect(await store.getApp('other')).toBeUndefined();
    expect(await store.getApp('6f1c2a3b-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await store.getApp('../etc')).toBeUndefined();
  });

  it('keeps methods upper-case, the fallback and the secret', async () => {
    const app = await store.addApp({ ...IVR, answerMethod: 'post' as 'POST', eventMethod: 'GET', fallbackAnswerUrl: 'http://fallback.example/answer', signatureSecret: 's3cr3t' });
    expect(app).toMatchObject({ answerMethod: 'POST', eventMethod: 'GET', fallbackAnswerUrl: 'http://fallback.example/answer', signatureSecret: 's3cr3t' });
    expect(await store.getApp('ivr')).toEqual(app);
  });

  it('refuses a duplicate name', async () => {
    await store.addApp(IVR);
    await rejects(store.addApp({ ...IVR, answerUrl: 'http://other/answer' }), 'APP_EXISTS', /^voice app "ivr" already exists$/);
    expect(await store.listApps()).toHaveLength(1);
  });

  it.each([
    [{ ...IVR, name: '' }, /name must be 1-64/],
    [{ ...IVR, name: 'a'.repeat(65) }, /name must be 1-64/],
    [{ ...IVR, name: 'has space' }, /name must be 1-64/],
    [{ ...IVR, name: 'a/b' }, /name must be 1-64/],
    [{ ...IVR, name: '6f1c2a3b-0000-4000-8000-000000000000' }, /must not be a uuid/],
    [{ ...IVR, answerUrl: 'ftp://example.com/a' }, /^answer URL must be an http\(s\) URL/],
    [{ ...IVR, answerUrl: 'not a url' }, /^answer URL must be an http\(s\) URL/],
    [{ ...IVR, eventUrl: '/relative' }, /^event URL must be an http\(s\) URL/],
    [{ ...IVR, fallbackAnswerUrl: 'file:///etc/passwd' }, /^fallback answer URL must be an http\(s\) URL/],
    [{ ...IVR, answerMethod: 'PUT' as 'GET' }, /^answer method must be GET or POST, got "PUT"$/],
    [{ ...IVR, signatureSecret: 'line\nbreak' }, /^signature secret must be/],
  ])('refuses bad input %#', async (input, message) => {
    await rejects(store.addApp(input), 'INVALID_INPUT', message);
    expect(await store.listApps()).toEqual([]);
  });

  it('accepts names of letters, digits, "-", "_" and "."', async () => {
    const app = await store.addApp({ ...IVR, name: 'Hot-line_2.0' });
    expect(app.name).toBe('Hot-line_2.0');
    expect((await store.addApp({ ...IVR, name: 'x'.repeat(64) })).name).toHaveLength(64);
  });

  it('lists apps by name', async () => {
    await store.addApp({ ...IVR, name: 'zeta' });
    await store.addApp({ ...IVR, name: 'alpha' });
    expect((await store.listApps()).map((a) => a.name)).toEqual(['alpha', 'zeta']);
  });

  it('updates the fields given, keeps the others, and clears the fallback and secret with ""', async () => {
    const before = await store.addApp({ ...IVR, fallbackAnswerUrl: 'http://fallback/a', signatureSecret: 'k' });
    const after = await store.updateApp('ivr', { eventUrl: 'http://new/events', eventMethod: 'get' as 'GET', fallbackAnswerUrl: '' });
    expect(after).toEqual({ ...before, eventUrl: 'http://new/events', eventMethod: 'GET', fallbackAnswerUrl: undefined });
    expect(after).not.toHaveProperty('fallbackAnswerUrl');
    expect(after.signatureSecret).toBe('k');
    const cleared = await store.updateApp('ivr', { signatureSecret: '' });
    expect(cleared).not.toHaveProperty('signatureSecret');
    expect(await store.getApp(before.id)).toEqual(cleared);
  });

  it('renames an app, keeping its id, but not onto a taken name', async () => {
    const ivr = await store.addApp(IVR);
    await store.addApp({ ...IVR, name: 'taken' });
    await rejects(store.updateApp('ivr', { name: 'taken' }), 'APP_EXISTS', /"taken" already exists/);
    const renamed = await store.updateApp('ivr', { name: 'menu' });
    expect(renamed.id).toBe(ivr.id);
    expect(await store.getApp('ivr')).toBeUndefined();
  });

  it('update: NOT_FOUND for an unknown app, INVALID_INPUT (and no change) for a bad field', async () => {
    await rejects(store.updateApp('nope', { eventUrl: 'http://x/e' }), 'NOT_FOUND', /^voice app "nope" does not exist$/);
    const app = await store.addApp(IVR);
    await rejects(store.updateApp('ivr', { eventUrl: 'http://ok/e', answerUrl: 'gopher://x' }), 'INVALID_INPUT', /answer URL/);
    expect(await store.getApp('ivr')).toEqual(app);
  });

  it('removes an app', async () => {
    await store.addApp(IVR);
    expect(await store.removeApp('ivr')).toBe(true);
    expect(await store.removeApp('ivr')).toBe(false);
    expect(await store.getApp('ivr')).toBeUndefined();
  });

  it('sees what another connection (the CLI) wrote', async () => {
    const other = openVoiceStore(dir);
    try {
      await other.addApp(IVR);
      expect((await store.getApp('ivr'))?.answerUrl).toBe(IVR.answerUrl);
    } finally {
      await other.close();
    }
  });

  it('is in WAL mode', () => {
    const db = new Database(storeFile(dir), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });
});

describe('voice schema', () => {
  it('upgrades a database made before the voice API, keeping its mailboxes', async () => {
    const old = path.join(dir, 'old');
    mkdirSync(old);
    const db = new Database(storeFile(old));
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL) STRICT');
    const voiceMigration = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE voice_apps'));
    expect(voiceMigration).toBeGreaterThan(0);
    for (let v = 1; v <= voiceMigration; v++) {
      db.exec(MIGRATIONS[v - 1]!);
      db.prepare('INSERT INTO schema_version VALUES (?, ?)').run(v, new Date().toISOString());
    }
    db.prepare("INSERT INTO mailboxes VALUES ('305', 'Alice', NULL, 100, NULL, '2026-01-01T00:00:00.000Z')").run();
    db.close();
    const voice = openVoiceStore(old);
    const mail = openStore(old);
    try {
      expect((await voice.addApp(IVR)).name).toBe('ivr');
      expect((await mail.getMailbox('305'))?.name).toBe('Alice');
    } finally {
      await voice.close();
      await mail.close();
    }
  });
});

describe('voice recordings', () => {
  it('adds and gets a recording', async () => {
    await store.addRecording(recording());
    expect(await store.getRecording(recording().id)).toEqual(recording());
    expect(await store.getRecording('missing')).toBeUndefined();
    expect(await store.getRecording('../../etc/passwd')).toBeUndefined();
  });

  it('refuses a duplicate id', async () => {
    await store.addRecording(recording());
    await rejects(store.addRecording(recording({ callUuid: 'c2' })), 'CONFLICT', /already exists/);
  });

  it.each([
    [{ id: 'a/b' }, /recording id/],
    [{ format: 'flac' as 'mp3' }, /format must be one of mp3, wav, ogg/],
    [{ path: 'relative/r.mp3' }, /path must be absolute/],
    [{ size: -1 }, /size/],
    [{ size: 1.5 }, /size/],
    [{ callUuid: '' }, /callUuid/],
    [{ createdAt: 'yesterday' }, /createdAt/],
  ])('refuses a bad recording %#', async (extra, message) => {
    await rejects(store.addRecording(recording(extra)), 'INVALID_INPUT', message);
  });
});

describe('voice app public keys', () => {
  it('keeps a PEM RSA public key (trimmed), absent by default, replaced and cleared with ""', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    expect((await store.addApp(IVR)).publicKey).toBeUndefined();
    expect((await store.updateApp('ivr', { publicKey: `\n${pem}\n\n` })).publicKey).toBe(pem.trim());
    expect((await store.getApp('ivr'))!.publicKey).toBe(pem.trim());
    const other = await store.addApp({ ...IVR, name: 'other', publicKey: pem });
    expect((await store.getApp(other.id))!.publicKey).toBe(pem.trim());
    expect((await store.updateApp('ivr', { publicKey: '' })).publicKey).toBeUndefined();
    expect((await store.getApp('ivr'))!.publicKey).toBeUndefined();
  });

  it('refuses a private key, a non-RSA key and garbage, saying which without repeating the key', async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const ed = await generateKeyPair('EdDSA', { extractable: true });
    const privatePem = await exportPKCS8(rsa.privateKey);
    await rejects(store.addApp({ ...IVR, publicKey: privatePem }), 'INVALID_INPUT', /this is a private key/);
    await rejects(store.addApp({ ...IVR, publicKey: await exportSPKI(ed.publicKey) }), 'INVALID_INPUT', /PEM RSA public key/);
    await rejects(store.addApp({ ...IVR, publicKey: 'ssh-rsa AAAAB3NzaC1yc2E' }), 'INVALID_INPUT', /PEM RSA public key/);
    expect(await store.listApps()).toEqual([]);
    await store.addApp(IVR);
    await rejects(store.updateApp('ivr', { publicKey: 'nope', eventUrl: 'http://new/e' }), 'INVALID_INPUT', /PEM RSA public key/);
    expect((await store.getApp('ivr'))!.eventUrl).toBe(IVR.eventUrl);
    const caught = await store.addApp({ ...IVR, name: 'x', publicKey: privatePem }).catch((err: Error) => err);
    expect((caught as Error).message).not.toContain(privatePem.split('\n')[1]!);
  });

  it('adds the public_key column to a database at schema version 3, keeping its apps', async () => {
    const app = await store.addApp(IVR);
    await store.close();
    const db = new Database(storeFile(dir));
    db.exec('ALTER TABLE voice_apps DROP COLUMN dialect; ALTER TABLE voice_apps DROP COLUMN public_key; DELETE FROM schema_version WHERE version > 3');
    db.close();
    store = openVoiceStore(dir);
    expect(await store.getApp(app.id)).toEqual(app);
    const check = new Database(storeFile(dir), { readonly: true });
    expect((check.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number }).v).toBe(MIGRATIONS.length);
    check.close();
  });
});

describe('voice app dialects', () => {
  const TWIML = { ...IVR, name: 'tw', dialect: 'twiml' as const, signatureSecret: '0123456789abcdef0123456789abcdef' };

  it('keeps the dialect: ncco by default, twiml when asked (any case), found by name, id and in the list', async () => {
    const ncco = await store.addApp(IVR);
    expect(ncco.dialect).toBe('ncco');
    const twiml = await store.addApp({ ...TWIML, dialect: 'TwiML' as 'twiml' });
    expect(twiml).toMatchObject({ dialect: 'twiml', signatureSecret: TWIML.signatureSecret });
    expect(await store.getApp('tw')).toEqual(twiml);
    expect(await store.getApp(twiml.id)).toEqual(twiml);
    expect((await store.listApps()).map((a) => [a.name, a.dialect])).toEqual([
      ['ivr', 'ncco'],
      ['tw', 'twiml'],
    ]);
  });

  it("defaults the answer method to each dialect's (ncco GET, twiml POST), events POST, and keeps a method given", async () => {
    expect(await store.addApp(IVR)).toMatchObject({ answerMethod: 'GET', eventMethod: 'POST' });
    expect(await store.addApp(TWIML)).toMatchObject({ answerMethod: 'POST', eventMethod: 'POST' });
    expect(await store.addApp({ ...TWIML, name: 'tw-get', answerMethod: 'GET' })).toMatchObject({ answerMethod: 'GET' });
  });

  it('refuses an unknown dialect, naming the field, on add and on update', async () => {
    await rejects(store.addApp({ ...IVR, dialect: 'vxml' as 'ncco' }), 'INVALID_INPUT', /^dialect must be ncco or twiml, got "vxml"$/);
    expect(await store.listApps()).toEqual([]);
    const app = await store.addApp(IVR);
    await rejects(store.updateApp('ivr', { dialect: 'vxml' as 'ncco', eventUrl: 'http://new/e' }), 'INVALID_INPUT', /^dialect must be ncco or twiml/);
    expect(await store.getApp('ivr')).toEqual(app);
  });

  it('refuses to change the dialect (remove and add instead); giving the same one changes nothing', async () => {
    const ncco = await store.addApp(IVR);
    await rejects(store.updateApp('ivr', { dialect: 'twiml', signatureSecret: 'k', eventUrl: 'http://new/e' }), 'INVALID_INPUT', /^voice app "ivr" speaks ncco: its dialect cannot change/);
    expect(await store.getApp('ivr')).toEqual(ncco);
    const twiml = await store.addApp(TWIML);
    await rejects(store.updateApp('tw', { dialect: 'ncco' }), 'INVALID_INPUT', /speaks twiml: its dialect cannot change/);
    expect(await store.updateApp('tw', { dialect: 'twiml', eventUrl: 'http://new/e' })).toEqual({ ...twiml, eventUrl: 'http://new/e' });
  });

  it('a twiml app always has its auth token (signature secret): refused without one, cannot be cleared, can be replaced', async () => {
    await rejects(store.addApp({ ...TWIML, signatureSecret: undefined }), 'INVALID_INPUT', /"tw" speaks twiml: its signature secret is its auth token/);
    await rejects(store.addApp({ ...TWIML, signatureSecret: '' }), 'INVALID_INPUT', /auth token/);
    expect(await store.listApps()).toEqual([]);
    const app = await store.addApp(TWIML);
    await rejects(store.updateApp('tw', { signatureSecret: '', eventUrl: 'http://new/e' }), 'INVALID_INPUT', /auth token and cannot be empty/);
    expect(await store.getApp('tw')).toEqual(app);
    expect((await store.updateApp('tw', { signatureSecret: 'fedcba9876543210fedcba9876543210' })).signatureSecret).toBe('fedcba9876543210fedcba9876543210');
  });

  it('upgrades a database at schema version 4: its apps become ncco apps, and the column refuses other words', async () => {
    const old = path.join(dir, 'v4');
    mkdirSync(old);
    const db = new Database(storeFile(old));
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL) STRICT');
    for (let v = 1; v <= 4; v++) {
      db.exec(MIGRATIONS[v - 1]!);
      db.prepare('INSERT INTO schema_version VALUES (?, ?)').run(v, new Date().toISOString());
    }
    const id = '6f1c2a3b-1111-4222-8333-444455556666';
    db.prepare(
      `INSERT INTO voice_apps (id, name, answer_url, answer_method, event_url, event_method, fallback_answer_url, signature_secret, public_key, created_at)
       VALUES (?, 'legacy', 'http://h/answer', 'GET', 'http://h/events', 'POST', NULL, 'k', NULL, '2026-01-01T00:00:00.000Z')`,
    ).run(id);
    db.close();
    const upgraded = openVoiceStore(old);
    try {
      expect(await upgraded.getApp(id)).toEqual({
        id,
        name: 'legacy',
        dialect: 'ncco',
        answerUrl: 'http://h/answer',
        answerMethod: 'GET',
        eventUrl: 'http://h/events',
        eventMethod: 'POST',
        signatureSecret: 'k',
        createdAt: '2026-01-01T00:00:00.000Z',
      });
    } finally {
      await upgraded.close();
    }
    const check = new Database(storeFile(old));
    try {
      expect((check.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number }).v).toBe(MIGRATIONS.length);
      expect(() => check.prepare("UPDATE voice_apps SET dialect = 'vxml'").run()).toThrow(/CHECK constraint/);
    } finally {
      check.close();
    }
  });
});
