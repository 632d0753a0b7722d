/**
 * Bad input at the edges of Vonage's REST API (`/v1/calls`), the recording
 * downloads (`/v1/files`, `/v3/files`, `/media/download`) and `/health`
 * (issue 14): malformed, oversized and hostile requests get a 4xx in
 * Vonage's shape naming the field, never a 500 nor a stack, and reach
 * nothing: no call is created or changed, no row or file is written.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildHttpApi } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { openVoiceStore, type VoiceApp, type VoiceStore } from '../../src/storage/index.js';
import { FakeCalls } from '../http/support/fake-calls.js';
import { appJwt, testKeys, unsignedJwt, type TestKeys } from '../http/support/keys.js';
import { Sink } from '../support/sink.js';

const SECRET = 'edge-webhook-secret-0123456789';
const REMOTE = '203.0.113.7';
const NCCO = [{ action: 'talk', text: 'Hello' }];
const PHONE = [{ type: 'phone', number: '447700900001' }];

let keys: TestKeys;
let otherKeys: TestKeys;
let dir: string;
let store: VoiceStore;
let logs: Sink;
let fake: FakeCalls;
let api: FastifyInstance;
let ivr: VoiceApp;
let keyless: VoiceApp;
let auth: string;
/** A call of ivr's, live, that refused requests must leave as it is. */
let live: string;

beforeAll(async () => {
  keys = await testKeys();
  otherKeys = await testKeys();
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-edges-voice-'));
  store = openVoiceStore(dir);
  logs = new Sink();
  ivr = await store.addApp({ name: 'ivr', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e', publicKey: keys.publicPem, signatureSecret: SECRET });
  keyless = await store.addApp({ name: 'keyless', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e' });
  fake = new FakeCalls();
  api = buildHttpApi({ voiceStore: store, log: createLogger({ level: 'debug', stream: logs }), publicUrl: 'https://voice.example', calls: fake });
  await api.ready();
  auth = `Bearer ${await appJwt(keys, ivr.id)}`;
  const file = path.join(dir, 'rec-1.mp3');
  writeFileSync(file, 'ID3 audio');
  await store.addRecording({ id: 'rec-1', applicationId: ivr.id, callUuid: 'c1', conversationUuid: 'CON-1', format: 'mp3', path: file, size: 9, createdAt: new Date().toISOString() });
});

afterAll(async () => {
  await api?.close();
  await store?.close();
  // No secret, token or stack in the log; and nothing failed unexpectedly (a 500 is logged so).
  expect(logs.text).not.toContain(SECRET);
  expect(logs.text).not.toContain(auth.slice(7, 40));
  expect(logs.text).not.toContain('http request failed');
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  fake.received.length = 0;
  fake.calls.clear();
  live = fake.add(ivr.id).uuid;
});

type Res = Awaited<ReturnType<FastifyInstance['inject']>>;

/** A request from a non-loopback address, with the application's token unless told otherwise; a string payload is sent as JSON text. */
function send(method: InjectOptions['method'], url: string, payload?: unknown, headers: Record<string, string> = { authorization: auth }): Promise<Res> {
  const body = payload === undefined ? {} : typeof payload === 'string' ? { payload, headers: { 'content-type': 'application/json', ...headers } } : { payload: payload as object };
  return api.inject({ method, url, remoteAddress: REMOTE, headers, ...body });
}

/** A refusal in Vonage's shape: status, type code, a one-line detail, no stack, no secret. */
function refusal(res: Res, status: number, code: string, detail?: RegExp): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['detail', 'instance', 'title', 'type']);
  expect(body.type).toBe(`https://developer.vonage.com/api-errors#${code}`);
  expect(String(body.detail)).not.toMatch(/\n/);
  if (detail) expect(body.detail).toMatch(detail);
  expect(res.body).not.toMatch(/\bat .+:\d+:\d+/);
  expect(res.body).not.toContain(SECRET);
}

/** No call was made and the live call is as it was. */
function noCall(): void {
  expect(fake.received.filter((r) => r.method === 'create')).toEqual([]);
  expect([...fake.calls.keys()]).toEqual([live]);
  expect(fake.calls.get(live)?.status).toBe('answered');
}

/** Nothing reached call control but reads, and the live call is as it was. */
function untouched(): void {
  expect(fake.received.filter((r) => r.method !== 'list')).toEqual([]);
  noCall();
}

describe('POST /v1/calls: malformed, oversized and hostile bodies', () => {
  const to = (endpoint: Record<string, unknown>) => ({ to: [endpoint], ncco: NCCO });
  it.each<[string, unknown, number, string, RegExp]>([
    ['a body over the 1 MiB limit', JSON.stringify({ to: PHONE, ncco: NCCO, pad: 'x'.repeat(1_100_000) }), 413, 'invalid-request', /too large/],
    ['JSON that does not parse', '{"to": [', 400, 'invalid-request', /not valid JSON/],
    ['null', 'null', 400, 'invalid-request', /body must be object/],
    ['an array', '[]', 400, 'invalid-request', /body must be object/],
    ['a string', '"call me"', 400, 'invalid-request', /body must be object/],
    ['a number', '12', 400, 'invalid-request', /body must be object/],
    ['__proto__ poisoning', '{"__proto__":{"admin":true},"to":[{"type":"phone","number":"1"}],"ncco":[]}', 400, 'invalid-request', /not valid JSON/],
    ['constructor poisoning', '{"constructor":{"prototype":{"admin":true}},"to":[{"type":"phone","number":"1"}],"ncco":[]}', 400, 'invalid-request', /not valid JSON/],
    ['no to', { ncco: NCCO }, 400, 'invalid-request', /body must have required property 'to'/],
    ['to as a string', { to: 'sip:a@b', ncco: NCCO }, 400, 'invalid-request', /body\/to/],
    ['an unknown endpoint type', to({ type: 'websocket', uri: 'ws://h' }), 400, 'invalid-request', /body\/to\/0\/type must be phone or sip/],
    ['a phone without a number', to({ type: 'phone' }), 400, 'invalid-request', /body\/to\/0\/number is required/],
    ['an empty number', to({ type: 'phone', number: '' }), 400, 'invalid-request', /body\/to\/0\/number/],
    // Numbers go into the dial string PJSIP/{number}@trunk: these would dial elsewhere.
    ['a number naming another endpoint', to({ type: 'phone', number: '100@internal' }), 400, 'invalid-request', /body\/to\/0\/number must be a phone number/],
    ['a number with a dial-string path', to({ type: 'phone', number: 'trunk/sip:x@evil.example' }), 400, 'invalid-request', /body\/to\/0\/number must be a phone number/],
    ['a number with a space', to({ type: 'phone', number: '447700 900001' }), 400, 'invalid-request', /body\/to\/0\/number must be a phone number/],
    ['a number with a NUL', to({ type: 'phone', number: '4477\u0000' }), 400, 'invalid-request', /body\/to\/0\/number must be a phone number/],
    ['a number that is a path', to({ type: 'phone', number: '../../etc/passwd' }), 400, 'invalid-request', /body\/to\/0\/number must be a phone number/],
    ['DTMF that is not digits', to({ type: 'phone', number: '1', dtmfAnswer: '1;2' }), 400, 'invalid-request', /body\/to\/0\/dtmfAnswer/],
    ['a sip URI without a host', to({ type: 'sip', uri: 'sip:alice' }), 400, 'invalid-request', /body\/to\/0\/uri must be a sip: URI/],
    ['a sip URI with a space', to({ type: 'sip', uri: 'sip:alice@pbx example' }), 400, 'invalid-request', /body\/to\/0\/uri/],
    ['a sip URI of two lines', to({ type: 'sip', uri: 'sip:alice@pbx\r\nVia: evil' }), 400, 'invalid-request', /body\/to\/0\/uri/],
    ['a sip URI with a NUL', to({ type: 'sip', uri: 'sip:alice@pbx\u0000' }), 400, 'invalid-request', /body\/to\/0\/uri/],
    ['sip headers as an array', to({ type: 'sip', uri: 'sip:a@b', headers: ['X: y'] }), 400, 'invalid-request', /body\/to\/0\/headers must be an object of strings/],
    ['a sip header name with a line break', to({ type: 'sip', uri: 'sip:a@b', headers: { 'A\r\nVia': 'x' } }), 400, 'invalid-request', /body\/to\/0\/headers has a name that is not a SIP token/],
    ['a sip header value with a line break', to({ type: 'sip', uri: 'sip:a@b', headers: { Ticket: '1\r\nVia: evil' } }), 400, 'invalid-request', /body\/to\/0\/headers\/Ticket must be one line/],
    ['an oversized sip header value', to({ type: 'sip', uri: 'sip:a@b', headers: { Ticket: 'x'.repeat(2000) } }), 400, 'invalid-request', /body\/to\/0\/headers\/Ticket/],
    ['a caller id that is a name', { ...to({ type: 'phone', number: '1' }), from: { type: 'phone', number: 'Boss <100>' } }, 400, 'invalid-request', /body\/from\/number must be a phone number/],
    ['an empty caller id', { ...to({ type: 'phone', number: '1' }), from: { type: 'phone', number: '' } }, 400, 'invalid-request', /body\/from\/number/],
    ['neither ncco nor answer_url', { to: PHONE }, 400, 'invalid-request', /body\/ncco or answer_url is required/],
    ['an ncco object', { to: PHONE, ncco: { action: 'talk', text: 'x' } }, 400, 'invalid-request', /body\/ncco must be array/],
    ['an empty answer URL', { to: PHONE, answer_url: [''] }, 400, 'invalid-request', /body\/answer_url\/0 must be an absolute http\(s\) URL/],
    ['a javascript: answer URL', { to: PHONE, answer_url: ['javascript:alert(1)'] }, 400, 'invalid-request', /body\/answer_url\/0/],
    ['an oversized answer URL', { to: PHONE, answer_url: [`http://h/${'a'.repeat(3000)}`] }, 400, 'invalid-request', /body\/answer_url\/0/],
    ['a file: event URL', { to: PHONE, ncco: NCCO, event_url: ['file:///etc/passwd'] }, 400, 'invalid-request', /body\/event_url\/0/],
    ['a ringing timer with a fraction', { to: PHONE, ncco: NCCO, ringing_timer: 1.5 }, 400, 'invalid-request', /body\/ringing_timer must be integer/],
    // ajv coerces these strings to Infinity after checking the bounds.
    ['a ringing timer of "Infinity"', { to: PHONE, ncco: NCCO, ringing_timer: 'Infinity' }, 400, 'invalid-request', /body\/ringing_timer must be a whole number/],
    ['a length timer of "1e400"', { to: PHONE, ncco: NCCO, length_timer: '1e400' }, 400, 'invalid-request', /body\/length_timer must be a whole number/],
    ['a length timer of "-Infinity"', { to: PHONE, ncco: NCCO, length_timer: '-Infinity' }, 400, 'invalid-request', /body\/length_timer must be a whole number/],
    ['random_from_number as a word', { to: PHONE, ncco: NCCO, random_from_number: 'yes' }, 400, 'invalid-request', /body\/random_from_number must be boolean/],
    ['an unknown method', { to: PHONE, ncco: NCCO, event_method: 'DELETE' }, 400, 'invalid-request', /body\/event_method/],
  ])('%s', async (_label, payload, status, code, detail) => {
    refusal(await send('POST', '/v1/calls', payload), status, code, detail);
    untouched();
  });

  it.each([
    ['text/plain', '{"to":[]}'],
    ['application/x-www-form-urlencoded', 'to=447700900001'],
    ['multipart/form-data; boundary=x', '--x--'],
  ])('a %s body is a 415', async (type, payload) => {
    refusal(await api.inject({ method: 'POST', url: '/v1/calls', remoteAddress: REMOTE, headers: { authorization: auth, 'content-type': type }, payload }), 415, 'invalid-request', /Unsupported Media Type/);
    untouched();
  });

  it('ignores unknown fields: the call is made with the known ones only', async () => {
    const res = await send('POST', '/v1/calls', { to: PHONE, ncco: NCCO, machine_detection: 'hangup', advanced_machine_detection: { behavior: 'x' }, nonsense: [1, 2] });
    expect(res.statusCode).toBe(201);
    expect(fake.received).toEqual([{ method: 'create', applicationId: ivr.id, request: { to: PHONE[0], document: { ncco: NCCO } } }]);
  });
});

describe('GET /v1/calls: hostile queries', () => {
  it.each([
    ['page_size=0', /querystring\/page_size/],
    ['page_size=101', /querystring\/page_size/],
    ['page_size=ten', /querystring\/page_size must be integer/],
    ['page_size=Infinity', /querystring\/page_size must be a whole number/],
    ['record_index=-1', /querystring\/record_index/],
    ['record_index=1e400', /querystring\/record_index must be a whole number/],
    ['record_index=-1e400', /querystring\/record_index must be a whole number/],
    ['record_index=99999999999999999999999', /querystring\/record_index must be <= /],
    ['order=sideways', /querystring\/order/],
    ['status=dancing', /querystring\/status/],
    ['status=answered&status=completed', /querystring\/status must be string/],
    ['date_start=yesterday', /querystring\/date_start must be a date/],
    ['conversation_uuid=', /querystring\/conversation_uuid/],
  ])('?%s is a 400 naming it', async (query, detail) => {
    refusal(await send('GET', `/v1/calls?${query}`), 400, 'invalid-request', detail);
    untouched();
  });

  it('ignores unknown and prototype-named parameters, and does not echo them in links', async () => {
    const res = await send('GET', '/v1/calls?__proto__=x&constructor=y&utm=%3Cscript%3E');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/__proto__|constructor|script/);
  });
});

describe('call ids in paths', () => {
  const routes: [InjectOptions['method'], string, unknown][] = [
    ['GET', '', undefined],
    ['PUT', '', { action: 'hangup' }],
    ['PUT', '/talk', { text: 'x' }],
    ['DELETE', '/talk', undefined],
    ['PUT', '/stream', { stream_url: ['https://media.example/a.mp3'] }],
    ['DELETE', '/stream', undefined],
    ['PUT', '/dtmf', { digits: '1' }],
  ];
  const ids: [string, string][] = [
    ['a path, percent-encoded', '..%2F..%2Fetc%2Fpasswd'],
    ['dots, percent-encoded', '%2e%2e%2f%2e%2e%2f'],
    ['a NUL', '%00'],
    ['unicode', '%F0%9F%93%9E'],
    ['100 characters', 'a'.repeat(100)],
    // Over the router's segment limit: fastify's own 414 body showed through before.
    ['101 characters', 'a'.repeat(101)],
  ];
  it.each(ids)('an unknown id (%s) is a 404 on every route', async (_label, id) => {
    for (const [method, suffix, payload] of routes) {
      const res = await send(method, `/v1/calls/${id}${suffix}`, payload);
      refusal(res, 404, 'not-found');
    }
    // The control is asked about the id (and says it does not know it): nothing else happens.
    noCall();
  });

  it.each(['%ff', '%', '%E0%A4%A'])('an id that is not valid percent-encoding (%s) is a 400 in the same shape', async (id) => {
    for (const [method, suffix, payload] of routes) refusal(await send(method, `/v1/calls/${id}${suffix}`, payload), 400, 'invalid-request', /not validly percent-encoded/);
    untouched();
  });

  it('a raw ../ in the path is resolved by no route: 404', async () => {
    refusal(await send('GET', '/v1/calls/../../etc/passwd'), 404, 'not-found');
  });
});

describe('changing a live call: bad bodies', () => {
  it.each<[string, string, unknown, RegExp]>([
    ['', 'no action', {}, /body must have required property 'action'/],
    ['', 'an unknown action', { action: 'explode' }, /body\/action/],
    ['', 'two actions', { action: ['hangup', 'mute'] }, /body\/action must be string/],
    ['', 'a transfer without destination', { action: 'transfer' }, /body\/destination is required/],
    ['', 'a transfer to a javascript: URL', { action: 'transfer', destination: { type: 'ncco', url: ['javascript:x'] } }, /body\/destination\/url\/0/],
    ['', 'a transfer with an ncco and a url', { action: 'transfer', destination: { type: 'ncco', ncco: NCCO, url: ['http://h/a'] } }, /body\/destination\/ncco and url/],
    ['', 'a body that is not JSON', '{"action":', /not valid JSON/],
    ['/talk', 'no text', {}, /body must have required property 'text'/],
    ['/talk', 'empty text', { text: '' }, /body\/text/],
    ['/talk', 'oversized text', { text: 'x'.repeat(3001) }, /body\/text must NOT have more than 3000 characters/],
    ['/talk', 'a level out of range', { text: 'x', level: 2 }, /body\/level must be a number from -1 to 1/],
    ['/talk', 'a level as an object', { text: 'x', level: {} }, /body\/level/],
    ['/talk', 'a loop of "Infinity"', { text: 'x', loop: 'Infinity' }, /body\/loop must be a whole number/],
    ['/talk', 'a negative loop', { text: 'x', loop: -1 }, /body\/loop/],
    ['/stream', 'no URL', { stream_url: [] }, /body\/stream_url/],
    ['/stream', 'a file: URL', { stream_url: ['file:///etc/passwd'] }, /body\/stream_url\/0 must be an absolute http\(s\) URL/],
    ['/stream', 'a loop of "-1e400"', { stream_url: ['https://m.example/a.mp3'], loop: '-1e400' }, /body\/loop must be a whole number/],
    ['/dtmf', 'letters', { digits: '12a' }, /body\/digits/],
    ['/dtmf', 'too many digits', { digits: '1'.repeat(257) }, /body\/digits/],
    ['/dtmf', 'no digits', {}, /body must have required property 'digits'/],
  ])('PUT %s: %s', async (suffix, _label, payload, detail) => {
    refusal(await send('PUT', `/v1/calls/${live}${suffix}`, payload), 400, 'invalid-request', detail);
    untouched();
  });

  it('an unknown method on a call is a 404 in the same shape', async () => {
    refusal(await send('PATCH', `/v1/calls/${live}`, { action: 'hangup' }), 404, 'not-found', /no route PATCH/);
    untouched();
  });
});

describe('authentication on every call route: 401, never 500, nothing reached', () => {
  const hs256 = () => new SignJWT({ application_id: ivr.id }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().sign(new TextEncoder().encode(SECRET));
  const past = Math.floor(Date.now() / 1000) - 3600;
  const part = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const credentials: [string, () => Promise<Record<string, string>>][] = [
    ['no Authorization', () => Promise.resolve({})],
    ['an empty Authorization', () => Promise.resolve({ authorization: '' })],
    ['Basic credentials', () => Promise.resolve({ authorization: `Basic ${Buffer.from(`ivr:${SECRET}`).toString('base64')}` })],
    ['Bearer alone', () => Promise.resolve({ authorization: 'Bearer' })],
    ['a token that is not a JWT', () => Promise.resolve({ authorization: 'Bearer not-a-jwt' })],
    ['three parts of garbage', () => Promise.resolve({ authorization: 'Bearer a.b.c' })],
    ['a 20 kB token', () => Promise.resolve({ authorization: `Bearer ${'a'.repeat(20_000)}` })],
    ['a header with a non-string alg', () => Promise.resolve({ authorization: `Bearer ${part({ alg: 5 })}.e30.x` })],
    ['a payload that is not JSON', () => Promise.resolve({ authorization: `Bearer ${part({ alg: 'RS256' })}.bm90IGpzb24.x` })],
    ['an application_id that is an array', () => Promise.resolve({ authorization: `Bearer ${part({ alg: 'RS256' })}.${part({ application_id: [ivr.id] })}.x` })],
    ['an unsigned token', () => Promise.resolve({ authorization: `Bearer ${unsignedJwt({ application_id: ivr.id })}` })],
    ['an HS256 token signed with the secret', async () => ({ authorization: `Bearer ${await hs256()}` })],
    ['an expired token', async () => ({ authorization: `Bearer ${await appJwt(keys, ivr.id, { iat: past, exp: past + 60 })}` })],
    ['a token signed with another key', async () => ({ authorization: `Bearer ${await appJwt(otherKeys, ivr.id)}` })],
    ['a token of an unknown application', async () => ({ authorization: `Bearer ${await appJwt(keys, crypto.randomUUID())}` })],
    ['a token naming an application by name', async () => ({ authorization: `Bearer ${await appJwt(keys, 'ivr')}` })],
    ['a token of an application without a key', async () => ({ authorization: `Bearer ${await appJwt(keys, keyless.id)}` })],
  ];
  it.each(credentials)('%s', async (_label, headers) => {
    const h = await headers();
    const routes: [InjectOptions['method'], string, unknown][] = [
      ['POST', '/v1/calls', { to: PHONE, ncco: NCCO }],
      // Auth comes before the body: an oversized or broken one is still a 401.
      ['POST', '/v1/calls', JSON.stringify({ pad: 'x'.repeat(1_100_000) })],
      ['POST', '/v1/calls/', '{"to": ['],
      ['GET', '/v1/calls', undefined],
      ['GET', `/v1/calls/${live}`, undefined],
      ['PUT', `/v1/calls/${live}`, { action: 'hangup' }],
      ['PUT', `/v1/calls/${live}/talk`, { text: 'x' }],
      ['DELETE', `/v1/calls/${live}/stream`, undefined],
      ['PUT', `/v1/calls/${live}/dtmf`, { digits: '1' }],
      ['GET', '/v1/calls/nope', undefined],
    ];
    for (const [method, url, payload] of routes) refusal(await send(method, url, payload, h), 401, 'unauthorized');
    expect(fake.received).toEqual([]);
    untouched();
  });
});

describe('recording downloads: hostile ids and credentials', () => {
  const urls = (id: string) => [`/v1/files/${id}`, `/v3/files/${id}`, `/media/download?id=${id}`];
  it.each([
    ['a path, percent-encoded', '..%2F..%2Fetc%2Fpasswd'],
    ['a path, dots encoded', '%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
    ['a NUL', '%00'],
    ['an absolute path', '%2Fetc%2Fpasswd'],
    ['a known id with a suffix', 'rec-1%00.mp3'],
  ])('%s: 404 from loopback, 401 from anyone else, on all three URLs', async (_label, id) => {
    for (const url of urls(id)) {
      refusal(await api.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' }), 404, 'not-found', /does not exist/);
      refusal(await api.inject({ method: 'GET', url, remoteAddress: REMOTE }), 401, 'unauthorized');
    }
  });

  it('an id over the segment limit is a 404, and bad percent-encoding a 400, in the same shape', async () => {
    for (const url of ['/v1/files/', '/v3/files/']) {
      refusal(await api.inject({ method: 'GET', url: `${url}${'a'.repeat(101)}`, remoteAddress: '127.0.0.1' }), 404, 'not-found');
      refusal(await api.inject({ method: 'GET', url: `${url}%ff`, remoteAddress: REMOTE }), 400, 'invalid-request', /percent-encoded/);
    }
  });

  it.each([
    ['no id', '/media/download', /querystring must have required property 'id'/],
    ['an empty id', '/media/download?id=', /querystring\/id/],
    ['two ids', '/media/download?id=rec-1&id=rec-2', /querystring\/id must be string/],
    ['an oversized id', `/media/download?id=${'a'.repeat(200)}`, /querystring\/id/],
  ])('/media/download with %s is a 400', async (_label, url, detail) => {
    refusal(await api.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' }), 400, 'invalid-request', detail);
  });

  it('refuses malformed tokens from a non-loopback address with 401, and still serves a good one', async () => {
    for (const authorization of ['Bearer', 'Bearer a.b.c', `Bearer ${'x'.repeat(20_000)}`, `Bearer ${unsignedJwt({ application_id: ivr.id })}`, 'Basic Og==']) {
      refusal(await api.inject({ method: 'GET', url: '/v1/files/rec-1', remoteAddress: REMOTE, headers: { authorization } }), 401, 'unauthorized');
    }
    const ok = await api.inject({ method: 'GET', url: '/v1/files/rec-1', remoteAddress: REMOTE, headers: { authorization: auth } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('ID3 audio');
    // Downloads write nothing.
    expect(readdirSync(dir).filter((f) => !f.startsWith('stasis-flows.db'))).toEqual(['rec-1.mp3']);
  });
});

describe('health and unknown routes', () => {
  it('answers GET /health whatever the query, and anything else with a 404 in the one shape', async () => {
    expect((await api.inject({ method: 'GET', url: `/health?x=${'a'.repeat(10_000)}` })).json()).toEqual({ status: 'ok' });
    refusal(await api.inject({ method: 'POST', url: '/health', payload: 'x'.repeat(10_000), headers: { 'content-type': 'text/plain' } }), 404, 'not-found', /no route POST \/health/);
    refusal(await api.inject({ method: 'DELETE', url: '/health' }), 404, 'not-found');
    refusal(await api.inject({ method: 'GET', url: '/v2/calls' }), 404, 'not-found');
    refusal(await api.inject({ method: 'GET', url: '/%ff' }), 400, 'invalid-request');
  });
});
