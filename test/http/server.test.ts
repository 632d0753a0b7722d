import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHttpApi, recordingUrl, startHttpApi } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { openVoiceStore, type VoiceApp, type VoiceRecording, type VoiceStore } from '../../src/storage/index.js';
import { Sink } from '../support/sink.js';

const SECRET = 'webhook-signing-secret-0123456789';
const REMOTE = '203.0.113.7';
// Bytes that are not text, so a mangled stream shows.
const AUDIO = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));

let dir: string;
let store: VoiceStore;
let logs: Sink;
let api: FastifyInstance;
let signed: VoiceApp;
let unsigned: VoiceApp;

async function addRecording(app: VoiceApp, id: string, format: VoiceRecording['format'], bytes = AUDIO): Promise<VoiceRecording> {
  const file = path.join(dir, `${id}.${format}`);
  writeFileSync(file, bytes);
  const recording: VoiceRecording = {
    id,
    applicationId: app.id,
    callUuid: 'c1',
    conversationUuid: 'CON-1',
    format,
    path: file,
    size: bytes.length,
    createdAt: new Date().toISOString(),
  };
  await store.addRecording(recording);
  return recording;
}

function token(secret: string, claims: Record<string, unknown> = {}, alg = 'HS256'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt().setJti(crypto.randomUUID()).sign(new TextEncoder().encode(secret));
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-http-'));
  store = openVoiceStore(dir);
  logs = new Sink();
  signed = await store.addApp({ name: 'ivr', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e', signatureSecret: SECRET });
  unsigned = await store.addApp({ name: 'plain', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e' });
  api = buildHttpApi({ voiceStore: store, log: createLogger({ level: 'debug', stream: logs }), publicUrl: 'http://voice.example:8080' });
  await api.ready();
});

afterEach(async () => {
  await api.close();
  await store.close();
  expect(logs.text).not.toContain(SECRET);
  rmSync(dir, { recursive: true, force: true });
});

function expectError(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `https://developer.vonage.com/api-errors#${code}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
}

describe('health', () => {
  it('answers ok', async () => {
    const res = await api.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('answers unknown routes with a 404 in the error shape', async () => {
    expectError(await api.inject({ method: 'GET', url: '/nope' }), 404, 'not-found');
  });
});

describe('recordingUrl', () => {
  it('is under the public URL, at /v1/files/<id>', () => {
    expect(recordingUrl('http://voice.example:8080', 'abc-1')).toBe('http://voice.example:8080/v1/files/abc-1');
    expect(recordingUrl('https://voice.example/base/', 'abc-1')).toBe('https://voice.example/base/v1/files/abc-1');
  });
});

describe('recording download', () => {
  it.each([
    ['mp3', 'audio/mpeg'],
    ['wav', 'audio/wav'],
    ['ogg', 'audio/ogg'],
  ] as const)('serves a %s from loopback with its type, length and bytes, at all three URLs', async (format, type) => {
    const r = await addRecording(signed, `rec-${format}`, format);
    for (const url of [`/v1/files/${r.id}`, `/v3/files/${r.id}`, `/media/download?id=${r.id}`]) {
      const res = await api.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['content-length']).toBe(String(AUDIO.length));
      expect(res.rawPayload.equals(AUDIO)).toBe(true);
    }
  });

  it.each(['127.0.0.1', '127.10.20.30', '::1', '::ffff:127.0.0.1'])('trusts the loopback address %s', async (remoteAddress) => {
    const r = await addRecording(unsigned, 'r1', 'wav');
    expect((await api.inject({ method: 'GET', url: `/v1/files/${r.id}`, remoteAddress })).statusCode).toBe(200);
  });

  it.each([REMOTE, '10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', '128.0.0.1'])('refuses %s without a token (401)', async (remoteAddress) => {
    const r = await addRecording(signed, 'r1', 'mp3');
    expectError(await api.inject({ method: 'GET', url: `/v1/files/${r.id}`, remoteAddress }), 401, 'unauthorized');
  });

  it('serves a non-loopback caller with a Bearer JWT signed with the application secret', async () => {
    const r = await addRecording(signed, 'r1', 'mp3');
    for (const claims of [{}, { application_id: signed.id }]) {
      const res = await api.inject({ method: 'GET', url: `/v3/files/${r.id}`, remoteAddress: REMOTE, headers: { authorization: `Bearer ${await token(SECRET, claims)}` } });
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(AUDIO)).toBe(true);
    }
  });

  it('refuses bad tokens: wrong secret, another application_id, expired, another algorithm, garbage, not Bearer', async () => {
    const r = await addRecording(signed, 'r1', 'mp3');
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(1_000).setExpirationTime(2_000).sign(new TextEncoder().encode(SECRET));
    const headers = [
      `Bearer ${await token('not-the-secret')}`,
      `Bearer ${await token(SECRET, { application_id: unsigned.id })}`,
      `Bearer ${expired}`,
      `Bearer ${await token(SECRET, {}, 'HS512')}`,
      'Bearer not.a.jwt',
      `Basic ${Buffer.from(`ivr:${SECRET}`).toString('base64')}`,
    ];
    for (const authorization of headers) {
      expectError(await api.inject({ method: 'GET', url: `/v1/files/${r.id}`, remoteAddress: REMOTE, headers: { authorization } }), 401, 'unauthorized');
    }
  });

  it("refuses a token for a recording whose application has no secret", async () => {
    const r = await addRecording(unsigned, 'r1', 'mp3');
    const res = await api.inject({ method: 'GET', url: `/v1/files/${r.id}`, remoteAddress: REMOTE, headers: { authorization: `Bearer ${await token('any-secret-at-all')}` } });
    expectError(res, 401, 'unauthorized');
  });

  it('answers 404 for an unknown id from loopback, or to a valid token of an application; 401 to anyone else', async () => {
    for (const url of ['/v1/files/missing', '/v3/files/missing', '/media/download?id=missing', '/v1/files/..%2F..%2Fetc%2Fpasswd']) {
      expectError(await api.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' }), 404, 'not-found');
    }
    const valid = await token(SECRET, { application_id: signed.id });
    expectError(await api.inject({ method: 'GET', url: '/v1/files/missing', remoteAddress: REMOTE, headers: { authorization: `Bearer ${valid}` } }), 404, 'not-found');
    expectError(await api.inject({ method: 'GET', url: '/v1/files/missing', remoteAddress: REMOTE }), 401, 'unauthorized');
  });

  it('answers 404 when the file is gone, and 400 for /media/download without an id', async () => {
    const r = await addRecording(signed, 'r1', 'mp3');
    unlinkSync(r.path);
    expectError(await api.inject({ method: 'GET', url: `/v1/files/${r.id}` }), 404, 'not-found');
    expect(logs.text).toContain('recording file missing');
    expectError(await api.inject({ method: 'GET', url: '/media/download' }), 400, 'invalid-request');
  });

  it('logs each request at debug with route, status and latency, never the Authorization header', async () => {
    const r = await addRecording(signed, 'r1', 'mp3');
    const jwt = await token(SECRET);
    await api.inject({ method: 'GET', url: `/v1/files/${r.id}`, remoteAddress: REMOTE, headers: { authorization: `Bearer ${jwt}` } });
    const lines = logs.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = lines.find((l) => l.message === 'http request');
    expect(line).toMatchObject({ level: 'debug', method: 'GET', route: '/v1/files/:id', path: '/v1/files/r1', status: 200 });
    expect(typeof line?.latencyMs).toBe('number');
    expect(logs.text).not.toContain(jwt);
  });
});

describe('startHttpApi', () => {
  it('listens on the given host and port (0 picks one), serves over real HTTP, and closes', async () => {
    const r = await addRecording(signed, 'r1', 'ogg');
    // publicUrl may be a function: with port 0 it is known only after listening.
    const server = await startHttpApi({ voiceStore: store, log: createLogger({ level: 'error', silent: true }), publicUrl: () => 'http://x' }, { host: '127.0.0.1', port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${server.url}/health`);
      expect(await health.json()).toEqual({ status: 'ok' });
      const file = await fetch(`${server.url}/media/download?id=${r.id}`);
      expect(file.headers.get('content-type')).toBe('audio/ogg');
      expect(Buffer.from(await file.arrayBuffer()).equals(AUDIO)).toBe(true);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it('fails with a configuration error when the port is taken', async () => {
    const quiet = createLogger({ level: 'error', silent: true });
    const first = await startHttpApi({ voiceStore: store, log: quiet, publicUrl: 'http://x' }, { host: '127.0.0.1', port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      await expect(startHttpApi({ voiceStore: store, log: quiet, publicUrl: 'http://x' }, { host: '127.0.0.1', port })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    } finally {
      await first.close();
    }
  });
});
