import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ControlError } from '../../src/apps/voice-api/control-types.js';
import { buildHttpApi } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { openVoiceStore, type VoiceApp, type VoiceStore } from '../../src/storage/index.js';
import { Sink } from '../support/sink.js';
import { FakeCalls } from './support/fake-calls.js';
import { appJwt, testKeys, unsignedJwt, type TestKeys } from './support/keys.js';

const PUBLIC = 'https://voice.example:8443';
const SECRET = 'webhook-signing-secret-0123456789';
const REMOTE = '203.0.113.7';

let keys: TestKeys;
let otherKeys: TestKeys;
let dir: string;
let store: VoiceStore;
let logs: Sink;
let fake: FakeCalls;
let api: FastifyInstance;
let ivr: VoiceApp;
let other: VoiceApp;
let keyless: VoiceApp;
let auth: string;

beforeAll(async () => {
  keys = await testKeys();
  otherKeys = await testKeys();
});

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-calls-'));
  store = openVoiceStore(dir);
  logs = new Sink();
  fake = new FakeCalls();
  ivr = await store.addApp({ name: 'ivr', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e', publicKey: keys.publicPem, signatureSecret: SECRET });
  other = await store.addApp({ name: 'other', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e', publicKey: otherKeys.publicPem });
  keyless = await store.addApp({ name: 'keyless', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e' });
  api = buildHttpApi({ voiceStore: store, log: createLogger({ level: 'debug', stream: logs }), publicUrl: PUBLIC, calls: fake });
  await api.ready();
  auth = `Bearer ${await appJwt(keys, ivr.id)}`;
});

afterEach(async () => {
  await api.close();
  await store.close();
  // Never a token (nor any part of one) in the log.
  expect(logs.text).not.toContain(auth.slice(7, 40));
  expect(logs.text).not.toContain(SECRET);
  rmSync(dir, { recursive: true, force: true });
});

type Res = { statusCode: number; headers: Record<string, unknown>; body: string };

function expectError(res: Res, status: number, code: string, detail?: RegExp) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `https://developer.vonage.com/api-errors#${code}` });
  expect(Object.keys(body).sort()).toEqual(['detail', 'instance', 'title', 'type']);
  if (detail) expect(body.detail).toMatch(detail);
}

/** A request from a non-loopback address; `authorization` null sends none. */
function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, authorization: string | null = auth) {
  return api.inject({ method, url, remoteAddress: REMOTE, headers: authorization === null ? {} : { authorization }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

const NCCO = [{ action: 'talk', text: 'Hello' }];

describe('authentication', () => {
  it('accepts an RS256 JWT of a known application signed with its private key', async () => {
    const res = await call('GET', '/v1/calls');
    expect(res.statusCode).toBe(200);
  });

  it('refuses a request without a token, or with a token that is not a JWT', async () => {
    expectError(await call('GET', '/v1/calls', undefined, null), 401, 'unauthorized', /application JWT is required/);
    expectError(await call('GET', '/v1/calls', undefined, 'Basic dXNlcjpwYXNz'), 401, 'unauthorized');
    expectError(await call('GET', '/v1/calls', undefined, 'Bearer not-a-jwt'), 401, 'unauthorized', /not a JWT/);
  });

  it('refuses an unsigned token and an HS256 one, even signed with the app secret', async () => {
    const claims = { application_id: ivr.id, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID() };
    expectError(await call('GET', '/v1/calls', undefined, `Bearer ${unsignedJwt(claims)}`), 401, 'unauthorized', /RS256/);
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(SECRET));
    expectError(await call('GET', '/v1/calls', undefined, `Bearer ${hs}`), 401, 'unauthorized', /RS256/);
  });

  it('refuses a token for an unknown application, by name, or of an application without a public key', async () => {
    expectError(await call('GET', '/v1/calls', undefined, `Bearer ${await appJwt(keys, crypto.randomUUID())}`), 401, 'unauthorized', /no known application_id/);
    expectError(await call('GET', '/v1/calls', undefined, `Bearer ${await appJwt(keys, 'ivr')}`), 401, 'unauthorized', /no known application_id/);
    expectError(await call('GET', '/v1/calls', undefined, `Bearer ${await appJwt(keys, '')}`), 401, 'unauthorized');
    expectError(await call('GET', '/v1/calls', undefined, `Bearer ${await appJwt(keys, keyless.id)}`), 401, 'unauthorized', /no public key/);
  });

  it('refuses a wrong signature, an expired token, and one not yet valid; takes one without exp', async () => {
    expectError(await call('GET', '/v1/calls', undefined, `Bearer ${await appJwt(otherKeys, ivr.id)}`), 401, 'unauthorized', /signature does not match/);
    const past = Math.floor(Date.now() / 1000) - 3600;
    expectError(await call('GET', '/v1/calls', undefined, `Bearer ${await appJwt(keys, ivr.id, { iat: past, exp: past + 900 })}`), 401, 'unauthorized', /expired/);
    expectError(await call('GET', '/v1/calls', undefined, `Bearer ${await appJwt(keys, ivr.id, { nbf: past + 7200 })}`), 401, 'unauthorized', /"nbf" claim/);
    const tampered = auth.replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ application_id: other.id })).toString('base64url')}.`);
    expectError(await call('GET', '/v1/calls', undefined, tampered), 401, 'unauthorized');
    expect((await call('GET', '/v1/calls', undefined, `Bearer ${await appJwt(keys, ivr.id, { exp: undefined })}`)).statusCode).toBe(200);
  });

  it('authenticates before looking at the body, and never reaches the calls on a 401', async () => {
    expectError(await call('POST', '/v1/calls', { nonsense: true }, null), 401, 'unauthorized');
    expect(fake.received).toEqual([]);
  });

  it('only shows the application its own calls', async () => {
    const mine = fake.add(ivr.id);
    const theirs = fake.add(other.id);
    expect((await call('GET', `/v1/calls/${mine.uuid}`)).statusCode).toBe(200);
    expectError(await call('GET', `/v1/calls/${theirs.uuid}`), 404, 'not-found');
    expectError(await call('PUT', `/v1/calls/${theirs.uuid}`, { action: 'hangup' }), 404, 'not-found');
    expect(fake.received.at(-1)).toMatchObject({ method: 'modify', applicationId: ivr.id });
    const page = (await call('GET', '/v1/calls')).json<{ count: number; _embedded: { calls: { uuid: string }[] } }>();
    expect(page.count).toBe(1);
    expect(page._embedded.calls.map((c) => c.uuid)).toEqual([mine.uuid]);
  });

  it('answers 503 in the error shape when no call control runs, after authenticating', async () => {
    const bare = buildHttpApi({ voiceStore: store, log: createLogger({ level: 'debug', stream: logs }), publicUrl: PUBLIC });
    try {
      const res = await bare.inject({ method: 'GET', url: '/v1/calls', headers: { authorization: auth } });
      expectError(res, 503, 'service-unavailable');
      expectError(await bare.inject({ method: 'GET', url: '/v1/calls' }), 401, 'unauthorized');
    } finally {
      await bare.close();
    }
  });
});

describe('POST /v1/calls', () => {
  it('creates a call to a phone with an inline NCCO: 201 with uuid, status, direction, conversation_uuid', async () => {
    const res = await call('POST', '/v1/calls', {
      to: [{ type: 'phone', number: '447700900001', dtmfAnswer: '1p2' }],
      from: { type: 'phone', number: '447700900000' },
      ncco: NCCO,
      event_url: ['https://hooks.example/events'],
      event_method: 'get',
      ringing_timer: 30,
      length_timer: 86400,
    });
    expect(res.statusCode).toBe(201);
    const body = res.json<Record<string, unknown>>();
    expect(body).toEqual({ uuid: expect.any(String) as string, status: 'started', direction: 'outbound', conversation_uuid: expect.any(String) as string });
    expect(fake.received).toEqual([
      {
        method: 'create',
        applicationId: ivr.id,
        request: {
          to: { type: 'phone', number: '447700900001', dtmfAnswer: '1p2' },
          from: '447700900000',
          document: { ncco: NCCO },
          eventUrl: 'https://hooks.example/events',
          eventMethod: 'GET',
          ringingTimer: 30,
          lengthTimer: 86400,
        },
      },
    ]);
  });

  it('takes a sip endpoint with headers, an answer_url (GET by default), random_from_number, and the trailing-slash path', async () => {
    const res = await call('POST', '/v1/calls/', { to: [{ type: 'sip', uri: 'sip:alice@pbx.example', headers: { 'X-Ticket': '42' } }], random_from_number: true, answer_url: ['https://hooks.example/answer'] });
    expect(res.statusCode).toBe(201);
    expect(fake.received[0]).toEqual({
      method: 'create',
      applicationId: ivr.id,
      request: { to: { type: 'sip', uri: 'sip:alice@pbx.example', headers: { 'X-Ticket': '42' } }, document: { answerUrl: 'https://hooks.example/answer', answerMethod: 'GET' } },
    });
    await call('POST', '/v1/calls', { to: [{ type: 'phone', number: '1', dtmf_answer: '9' }], answer_url: ['http://h/a'], answer_method: 'POST' });
    expect(fake.received[1]).toMatchObject({ request: { to: { dtmfAnswer: '9' }, document: { answerUrl: 'http://h/a', answerMethod: 'POST' } } });
  });

  it.each([
    [{}, /body must have required property 'to'/],
    [{ to: [], ncco: NCCO }, /body\/to/],
    [{ to: [{ type: 'phone', number: '1' }, { type: 'phone', number: '2' }], ncco: NCCO }, /body\/to/],
    [{ to: [{ type: 'websocket', uri: 'ws://x' }], ncco: NCCO }, /body\/to\/0\/type must be phone or sip/],
    [{ to: [{ type: 'app', user: 'bob' }], ncco: NCCO }, /body\/to\/0\/type/],
    [{ to: [{ type: 'phone' }], ncco: NCCO }, /body\/to\/0\/number/],
    [{ to: [{ type: 'sip', uri: 'alice@pbx' }], ncco: NCCO }, /body\/to\/0\/uri/],
    [{ to: [{ type: 'sip', uri: 'sip:a@b', headers: { n: 1 } }], ncco: NCCO }, /body\/to\/0\/headers/],
    [{ to: [{ type: 'phone', number: '1' }] }, /body\/ncco or answer_url is required/],
    [{ to: [{ type: 'phone', number: '1' }], ncco: NCCO, answer_url: ['http://h/a'] }, /body\/ncco and answer_url/],
    [{ to: [{ type: 'phone', number: '1' }], answer_url: ['ftp://h/a'] }, /body\/answer_url\/0/],
    [{ to: [{ type: 'phone', number: '1' }], ncco: { action: 'talk' } }, /body\/ncco/],
    [{ to: [{ type: 'phone', number: '1' }], ncco: NCCO, event_url: ['nope'] }, /body\/event_url\/0/],
    [{ to: [{ type: 'phone', number: '1' }], ncco: NCCO, event_method: 'PUT' }, /body\/event_method/],
    [{ to: [{ type: 'phone', number: '1' }], ncco: NCCO, from: { type: 'phone', number: '2' }, random_from_number: true }, /body\/from and random_from_number/],
    [{ to: [{ type: 'phone', number: '1' }], ncco: NCCO, from: { type: 'sip', number: '2' } }, /body\/from\/type/],
    [{ to: [{ type: 'phone', number: '1' }], ncco: NCCO, ringing_timer: 0 }, /body\/ringing_timer/],
    [{ to: [{ type: 'phone', number: '1' }], ncco: NCCO, ringing_timer: 121 }, /body\/ringing_timer/],
    [{ to: [{ type: 'phone', number: '1' }], ncco: NCCO, length_timer: 86401 }, /body\/length_timer/],
  ])('refuses %j with a 400 naming the field', async (payload, detail) => {
    expectError(await call('POST', '/v1/calls', payload), 400, 'invalid-request', detail);
    expect(fake.received).toEqual([]);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await api.inject({ method: 'POST', url: '/v1/calls', headers: { authorization: auth, 'content-type': 'application/json' }, payload: '{"to": [' });
    expectError(res, 400, 'invalid-request');
  });

  it('answers 400 with the reason when call control finds the request invalid (a bad NCCO)', async () => {
    fake.failNext = new ControlError('invalid', 'ncco[0].action "dance" is not an NCCO action');
    expectError(await call('POST', '/v1/calls', { to: [{ type: 'phone', number: '1' }], ncco: [{ action: 'dance' }] }), 400, 'invalid-request', /"dance" is not an NCCO action/);
  });

  it('answers 500 without details when call control fails otherwise, and logs it', async () => {
    fake.failNext = new Error('ARI is down') as ControlError;
    const res = await call('POST', '/v1/calls', { to: [{ type: 'phone', number: '1' }], ncco: NCCO });
    expectError(res, 500, 'internal-error');
    expect(res.body).not.toContain('ARI is down');
    expect(logs.text).toContain('ARI is down');
  });
});

describe('GET /v1/calls/{uuid}', () => {
  it('shows the call with _links.self (absolute), from, to and times', async () => {
    const c = fake.add(ivr.id, { status: 'completed', endTime: '2026-01-01T10:01:00.000Z', duration: 60, direction: 'inbound', to: { type: 'sip', uri: 'sip:bob@pbx' } });
    const res = await call('GET', `/v1/calls/${c.uuid}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      _links: { self: { href: `${PUBLIC}/v1/calls/${c.uuid}` } },
      uuid: c.uuid,
      conversation_uuid: c.conversationUuid,
      to: { type: 'sip', uri: 'sip:bob@pbx' },
      from: { type: 'phone', number: '447700900000' },
      status: 'completed',
      direction: 'inbound',
      rate: null,
      price: null,
      duration: '60',
      start_time: '2026-01-01T10:00:00.000Z',
      end_time: '2026-01-01T10:01:00.000Z',
      network: null,
    });
  });

  it('answers 404 for an unknown uuid', async () => {
    expectError(await call('GET', '/v1/calls/00000000-0000-4000-8000-999999999999'), 404, 'not-found', /does not exist/);
  });
});

describe('GET /v1/calls', () => {
  type Page = { count: number; page_size: number; record_index: number; _links: Record<string, { href: string }>; _embedded: { calls: { uuid: string }[] } };

  it('pages with absolute _links carrying the filters, and passes the filters on', async () => {
    const made = Array.from({ length: 25 }, () => fake.add(ivr.id));
    const res = await call('GET', '/v1/calls?page_size=10&record_index=10&status=answered&order=asc&conversation_uuid=CON-1&date_start=2026-01-01T00:00:00Z&date_end=2026-12-31T00:00:00Z');
    expect(res.statusCode).toBe(200);
    const page = res.json<Page>();
    expect(fake.received.at(-1)).toEqual({
      method: 'list',
      applicationId: ivr.id,
      filter: { status: 'answered', order: 'asc', recordIndex: 10, pageSize: 10, conversationUuid: 'CON-1', dateStart: '2026-01-01T00:00:00Z', dateEnd: '2026-12-31T00:00:00Z' },
    });
    expect(page).toMatchObject({ count: 25, page_size: 10, record_index: 10 });
    expect(page._embedded.calls.map((c) => c.uuid)).toEqual(made.slice(10, 20).map((c) => c.uuid));
    const index = (name: string) => new URL(page._links[name]!.href).searchParams.get('record_index');
    expect(index('self')).toBe('10');
    expect(index('first')).toBe('0');
    expect(index('last')).toBe('20');
    expect(index('next')).toBe('20');
    expect(index('prev')).toBe('0');
    const next = new URL(page._links.next!.href);
    expect(next.origin + next.pathname).toBe(`${PUBLIC}/v1/calls`);
    expect(Object.fromEntries(next.searchParams)).toMatchObject({ page_size: '10', status: 'answered', conversation_uuid: 'CON-1' });
  });

  it('defaults to page_size 10, record_index 0, order asc; no next on the last page, no prev on the first', async () => {
    fake.add(ivr.id);
    const page = (await call('GET', '/v1/calls')).json<Page>();
    expect(fake.received.at(-1)).toEqual({ method: 'list', applicationId: ivr.id, filter: { order: 'asc', recordIndex: 0, pageSize: 10 } });
    expect(page).toMatchObject({ count: 1, page_size: 10, record_index: 0 });
    expect(Object.keys(page._links).sort()).toEqual(['first', 'last', 'self']);
    expect((await call('GET', '/v1/calls/')).statusCode).toBe(200);
  });

  it('builds links on the request host when no public URL is set', async () => {
    const local = buildHttpApi({ voiceStore: store, log: createLogger({ level: 'debug', stream: logs }), publicUrl: '', calls: fake });
    try {
      const page = (await local.inject({ method: 'GET', url: '/v1/calls?utm=x', headers: { authorization: auth, host: '127.0.0.1:9999' } })).json<Page>();
      expect(page._links.self!.href).toBe('http://127.0.0.1:9999/v1/calls?page_size=10&order=asc&record_index=0');
    } finally {
      await local.close();
    }
  });

  it.each([
    ['page_size=0', /page_size/],
    ['page_size=101', /page_size/],
    ['record_index=-1', /record_index/],
    ['order=sideways', /order/],
    ['status=dancing', /status/],
    ['date_start=yesterday', /date_start/],
  ])('refuses ?%s with a 400 naming it', async (query, detail) => {
    expectError(await call('GET', `/v1/calls?${query}`), 400, 'invalid-request', detail);
  });
});

describe('PUT /v1/calls/{uuid}', () => {
  it.each(['hangup', 'mute', 'unmute', 'earmuff', 'unearmuff'] as const)('%s → 204 with no body', async (action) => {
    const c = fake.add(ivr.id);
    const res = await call('PUT', `/v1/calls/${c.uuid}`, { action });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(fake.received).toEqual([{ method: 'modify', applicationId: ivr.id, uuid: c.uuid, action: { action } }]);
  });

  it('transfers to an inline NCCO or to a URL (fetched with GET)', async () => {
    const c = fake.add(ivr.id);
    expect((await call('PUT', `/v1/calls/${c.uuid}`, { action: 'transfer', destination: { type: 'ncco', ncco: NCCO } })).statusCode).toBe(204);
    expect((await call('PUT', `/v1/calls/${c.uuid}`, { action: 'transfer', destination: { type: 'ncco', url: ['https://hooks.example/next'] } })).statusCode).toBe(204);
    expect(fake.received.map((r) => r.method === 'modify' && r.action)).toEqual([
      { action: 'transfer', document: { ncco: NCCO } },
      { action: 'transfer', document: { answerUrl: 'https://hooks.example/next', answerMethod: 'GET' } },
    ]);
  });

  it.each([
    [{}, /action/],
    [{ action: 'explode' }, /body\/action/],
    [{ action: 'transfer' }, /body\/destination is required/],
    [{ action: 'transfer', destination: { type: 'url', url: ['http://h/a'] } }, /body\/destination\/type/],
    [{ action: 'transfer', destination: { type: 'ncco' } }, /body\/destination\/ncco or url/],
    [{ action: 'transfer', destination: { type: 'ncco', url: ['not a url'] } }, /body\/destination\/url\/0/],
  ])('refuses %j with a 400 naming the field', async (payload, detail) => {
    const c = fake.add(ivr.id);
    expectError(await call('PUT', `/v1/calls/${c.uuid}`, payload), 400, 'invalid-request', detail);
    expect(fake.received).toEqual([]);
  });

  it('answers 404 for an unknown call and 400 "already completed" for a finished one', async () => {
    expectError(await call('PUT', '/v1/calls/no-such-call', { action: 'hangup' }), 404, 'not-found', /"no-such-call" does not exist/);
    const c = fake.add(ivr.id, { status: 'completed' });
    expectError(await call('PUT', `/v1/calls/${c.uuid}`, { action: 'mute' }), 400, 'invalid-request', /already completed/);
  });
});

describe('talk, stream and dtmf', () => {
  it('PUT talk → 200 "Talk started" with the announcement (loop 1 and level 0 by default; level as a string or number)', async () => {
    const c = fake.add(ivr.id);
    const res = await call('PUT', `/v1/calls/${c.uuid}/talk`, { text: 'Alex is joining this call' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: 'Talk started', uuid: c.uuid });
    await call('PUT', `/v1/calls/${c.uuid}/talk`, { text: 'Hi', language: 'en-GB', voice_name: 'Amy', style: 2, premium: true, loop: 0, level: '-0.5' });
    await call('PUT', `/v1/calls/${c.uuid}/talk`, { text: 'Hi', level: 1 });
    expect(fake.received.map((r) => r.method === 'announce' && r.announcement)).toEqual([
      { kind: 'talk', text: 'Alex is joining this call', loop: 1, level: 0 },
      { kind: 'talk', text: 'Hi', language: 'en-GB', voiceName: 'Amy', loop: 0, level: -0.5 },
      { kind: 'talk', text: 'Hi', loop: 1, level: 1 },
    ]);
  });

  it.each([
    [{}, /text/],
    [{ text: '' }, /text/],
    [{ text: 'x', loop: -1 }, /loop/],
    [{ text: 'x', level: '2' }, /body\/level/],
    [{ text: 'x', level: 'loud' }, /body\/level/],
    [{ text: 'x', level: -1.5 }, /body\/level/],
  ])('PUT talk refuses %j with a 400 naming the field', async (payload, detail) => {
    const c = fake.add(ivr.id);
    expectError(await call('PUT', `/v1/calls/${c.uuid}/talk`, payload), 400, 'invalid-request', detail);
    expect(fake.received).toEqual([]);
  });

  it('DELETE talk → 200 "Talk stopped", also with an empty JSON body', async () => {
    const c = fake.add(ivr.id);
    const res = await call('DELETE', `/v1/calls/${c.uuid}/talk`);
    expect(res.json()).toEqual({ message: 'Talk stopped', uuid: c.uuid });
    const empty = await api.inject({ method: 'DELETE', url: `/v1/calls/${c.uuid}/talk`, headers: { authorization: auth, 'content-type': 'application/json' } });
    expect(empty.statusCode).toBe(200);
    expect(fake.received).toEqual([
      { method: 'stopAnnouncement', applicationId: ivr.id, uuid: c.uuid, kind: 'talk' },
      { method: 'stopAnnouncement', applicationId: ivr.id, uuid: c.uuid, kind: 'talk' },
    ]);
  });

  it('PUT stream → "Stream started" with the first URL; DELETE stream → "Stream stopped"', async () => {
    const c = fake.add(ivr.id);
    const started = await call('PUT', `/v1/calls/${c.uuid}/stream`, { stream_url: ['https://media.example/hold.mp3'], loop: 3, level: '0.2' });
    expect(started.json()).toEqual({ message: 'Stream started', uuid: c.uuid });
    const stopped = await call('DELETE', `/v1/calls/${c.uuid}/stream`);
    expect(stopped.json()).toEqual({ message: 'Stream stopped', uuid: c.uuid });
    expect(fake.received).toEqual([
      { method: 'announce', applicationId: ivr.id, uuid: c.uuid, announcement: { kind: 'stream', url: 'https://media.example/hold.mp3', loop: 3, level: 0.2 } },
      { method: 'stopAnnouncement', applicationId: ivr.id, uuid: c.uuid, kind: 'stream' },
    ]);
    expectError(await call('PUT', `/v1/calls/${c.uuid}/stream`, { stream_url: [] }), 400, 'invalid-request', /stream_url/);
    expectError(await call('PUT', `/v1/calls/${c.uuid}/stream`, { stream_url: ['file:///etc/passwd'] }), 400, 'invalid-request', /stream_url\/0/);
  });

  it('PUT dtmf → "DTMF sent" with the digits; refuses other characters', async () => {
    const c = fake.add(ivr.id);
    expect((await call('PUT', `/v1/calls/${c.uuid}/dtmf`, { digits: '12p#*' })).json()).toEqual({ message: 'DTMF sent', uuid: c.uuid });
    expect(fake.received).toEqual([{ method: 'sendDtmf', applicationId: ivr.id, uuid: c.uuid, digits: '12p#*' }]);
    expectError(await call('PUT', `/v1/calls/${c.uuid}/dtmf`, { digits: '12a' }), 400, 'invalid-request', /digits/);
    expectError(await call('PUT', `/v1/calls/${c.uuid}/dtmf`, {}), 400, 'invalid-request', /digits/);
  });

  it('answer 404 for an unknown call and 400 for a finished one', async () => {
    const done = fake.add(ivr.id, { status: 'completed' });
    for (const [method, suffix, payload] of [
      ['PUT', 'talk', { text: 'x' }],
      ['DELETE', 'talk', undefined],
      ['PUT', 'stream', { stream_url: ['http://h/a.mp3'] }],
      ['DELETE', 'stream', undefined],
      ['PUT', 'dtmf', { digits: '1' }],
    ] as const) {
      expectError(await call(method, `/v1/calls/nope/${suffix}`, payload), 404, 'not-found');
      expectError(await call(method, `/v1/calls/${done.uuid}/${suffix}`, payload), 400, 'invalid-request', /already completed/);
    }
  });
});

describe('recording download with the application JWT', () => {
  async function recording(app: VoiceApp, id: string): Promise<void> {
    const file = path.join(dir, `${id}.mp3`);
    writeFileSync(file, Buffer.from('ID3 audio'));
    await store.addRecording({ id, applicationId: app.id, callUuid: 'c1', conversationUuid: 'CON-1', format: 'mp3', path: file, size: 9, createdAt: new Date().toISOString() });
  }
  const fetchFile = (url: string, authorization?: string) => api.inject({ method: 'GET', url, remoteAddress: REMOTE, headers: authorization ? { authorization } : {} });

  it("serves a non-loopback caller with the recording's application's RS256 token, on all three paths", async () => {
    await recording(ivr, 'rec-1');
    for (const url of ['/v1/files/rec-1', '/v3/files/rec-1', '/media/download?id=rec-1']) {
      const res = await fetchFile(url, auth);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('ID3 audio');
    }
  });

  it("refuses another application's token, an expired one, a wrong signature, and one of an app without a key", async () => {
    await recording(ivr, 'rec-2');
    await recording(keyless, 'rec-3');
    const past = Math.floor(Date.now() / 1000) - 3600;
    expectError(await fetchFile('/v1/files/rec-2', `Bearer ${await appJwt(otherKeys, other.id)}`), 401, 'unauthorized');
    expectError(await fetchFile('/v1/files/rec-2', `Bearer ${await appJwt(keys, ivr.id, { iat: past, exp: past + 60 })}`), 401, 'unauthorized');
    expectError(await fetchFile('/v1/files/rec-2', `Bearer ${await appJwt(otherKeys, ivr.id)}`), 401, 'unauthorized');
    expectError(await fetchFile('/v1/files/rec-3', `Bearer ${await appJwt(keys, keyless.id)}`), 401, 'unauthorized');
    expectError(await fetchFile('/v1/files/rec-2', `Bearer ${unsignedJwt({ application_id: ivr.id })}`), 401, 'unauthorized');
  });

  it('still takes the HS256 signature-secret token, and answers 404 to a valid RS256 token for an unknown id', async () => {
    await recording(ivr, 'rec-4');
    const hs = await new SignJWT({ application_id: ivr.id }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().sign(new TextEncoder().encode(SECRET));
    expect((await fetchFile('/v1/files/rec-4', `Bearer ${hs}`)).statusCode).toBe(200);
    expectError(await fetchFile('/v1/files/nope', auth), 404, 'not-found');
    expectError(await fetchFile('/v1/files/nope', `Bearer ${await appJwt(otherKeys, ivr.id)}`), 401, 'unauthorized');
  });
});
