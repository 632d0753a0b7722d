/**
 * Bad input at the edges of the Twilio-compatible REST API (`/2010-04-01`,
 * issue 14): every route gets wrong or missing credentials, form bodies that
 * are oversized, of the wrong type or missing what they need, parameters of
 * the wrong type, and hostile SIDs in the path. Each answers a 4xx in
 * Twilio's shape (`{code, message, more_info, status}`) naming the
 * parameter, never a 500 nor a stack, and nothing reaches the controls: no
 * call is dialled, no participant added, nothing changed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ControlError, type AnnounceSource, type ConferenceControl, type ConferenceRecord, type ParticipantChange, type ParticipantRecord, type ParticipantRequest } from '../../src/apps/voice-api/control-types.js';
import { toSid } from '../../src/documents/twiml/sids.js';
import { buildHttpApi } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { openVoiceStore, type VoiceApp, type VoiceStore } from '../../src/storage/index.js';
import { FakeCalls } from '../http/support/fake-calls.js';
import { Sink } from '../support/sink.js';

const TOKEN = 'abcdef0123456789abcdef0123456789';
const OTHER_TOKEN = '99999999999999999999999999999999';
const NCCO_SECRET = 'ncco-secret-0123456789';
const FORM = 'application/x-www-form-urlencoded';
const VALID = 'To=%2B447700900001&From=%2B447700900000&Url=https%3A%2F%2Fapp.example%2Fvoice';

/** `fn`'s result, or its throw as a rejection. */
function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/** One room with one leg; records every change it is asked for. */
class OneRoom implements ConferenceControl {
  readonly changes: string[] = [];
  constructor(
    readonly room: ConferenceRecord,
    readonly leg: ParticipantRecord,
  ) {}

  private mine(applicationId: string, id: string): ConferenceRecord {
    if (applicationId !== this.room.applicationId || id !== this.room.id) throw new ControlError('not-found', `no conference ${id}`);
    return this.room;
  }

  list(applicationId: string): ConferenceRecord[] {
    return applicationId === this.room.applicationId ? [this.room] : [];
  }
  get(applicationId: string, idOrName: string): ConferenceRecord | undefined {
    return applicationId === this.room.applicationId && (idOrName === this.room.id || idOrName === this.room.name) ? this.room : undefined;
  }
  end(applicationId: string, id: string): Promise<void> {
    this.changes.push('end');
    this.mine(applicationId, id);
    return Promise.resolve();
  }
  announce(applicationId: string, id: string, source: AnnounceSource): Promise<void> {
    this.changes.push(`announce ${source.url}`);
    this.mine(applicationId, id);
    return Promise.resolve();
  }
  participants(applicationId: string, id: string): ParticipantRecord[] {
    return this.get(applicationId, id) ? [this.leg] : [];
  }
  participant(applicationId: string, id: string, callUuid: string): ParticipantRecord | undefined {
    return this.participants(applicationId, id).find((p) => p.callUuid === callUuid);
  }
  addParticipant(applicationId: string, id: string, request: ParticipantRequest): Promise<ParticipantRecord> {
    this.changes.push(`add ${JSON.stringify(request.to)}`);
    this.mine(applicationId, id);
    return Promise.resolve({ ...this.leg, status: 'connecting' });
  }
  private legOf(applicationId: string, id: string, callUuid: string): ParticipantRecord {
    this.mine(applicationId, id);
    if (callUuid !== this.leg.callUuid) throw new ControlError('not-found', `no participant ${callUuid}`);
    return this.leg;
  }
  updateParticipant(applicationId: string, id: string, callUuid: string, change: ParticipantChange): Promise<ParticipantRecord> {
    return attempt(() => {
      const leg = this.legOf(applicationId, id, callUuid);
      this.changes.push(`update ${callUuid} ${JSON.stringify(change)}`);
      return leg;
    });
  }
  removeParticipant(applicationId: string, id: string, callUuid: string): Promise<void> {
    return attempt(() => {
      this.legOf(applicationId, id, callUuid);
      this.changes.push(`remove ${callUuid}`);
    });
  }
}

let dir: string;
let store: VoiceStore;
let logs: Sink;
let calls: FakeCalls;
let rooms: OneRoom;
let api: FastifyInstance;
let app: VoiceApp;
let other: VoiceApp;
let ncco: VoiceApp;
let sid: string;
let account: string;
let liveCall: string;
let roomPath: string;
let legPath: string;
let recordingUrl: string;

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-edges-twilio-'));
  store = openVoiceStore(dir);
  logs = new Sink();
  app = await store.addApp({ name: 'line', dialect: 'twiml', answerUrl: 'http://127.0.0.1:1/v', eventUrl: 'http://127.0.0.1:1/s', signatureSecret: TOKEN });
  other = await store.addApp({ name: 'other', dialect: 'twiml', answerUrl: 'http://127.0.0.1:1/v', eventUrl: 'http://127.0.0.1:1/s', signatureSecret: OTHER_TOKEN });
  ncco = await store.addApp({ name: 'vonage', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e', signatureSecret: NCCO_SECRET });
  sid = toSid('AC', app.id);
  account = `/2010-04-01/Accounts/${sid}`;
  const room: ConferenceRecord = { id: crypto.randomUUID(), applicationId: app.id, name: 'standup', status: 'in-progress', createdAt: '2026-12-03T12:00:00.000Z', updatedAt: '2026-12-03T12:00:00.000Z' };
  const leg: ParticipantRecord = { conferenceId: room.id, callUuid: crypto.randomUUID(), muted: false, hold: false, startOnEnter: true, endOnExit: false, status: 'connected', createdAt: room.createdAt, updatedAt: room.updatedAt };
  rooms = new OneRoom(room, leg);
  roomPath = `${account}/Conferences/${toSid('CF', room.id)}`;
  legPath = `${roomPath}/Participants/${toSid('CA', leg.callUuid)}.json`;
  calls = new FakeCalls();
  api = buildHttpApi({ voiceStore: store, log: createLogger({ level: 'debug', stream: logs }), publicUrl: 'http://voice.example', calls, conferences: rooms });
  await api.ready();
  const recordingId = crypto.randomUUID();
  const file = path.join(dir, `${recordingId}.wav`);
  writeFileSync(file, 'RIFF audio');
  await store.addRecording({ id: recordingId, applicationId: app.id, callUuid: crypto.randomUUID(), conversationUuid: 'CON-1', format: 'wav', path: file, size: 10, createdAt: '2026-12-03T12:00:00.000Z' });
  recordingUrl = `${account}/Recordings/${toSid('RE', recordingId)}`;
});

afterAll(async () => {
  await api?.close();
  await store?.close();
  for (const secret of [TOKEN, OTHER_TOKEN, NCCO_SECRET]) expect(logs.text).not.toContain(secret);
  expect(logs.text).not.toContain('http request failed');
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  calls.received.length = 0;
  calls.calls.clear();
  rooms.changes.length = 0;
  liveCall = toSid('CA', calls.add(app.id).uuid);
});

type Res = Awaited<ReturnType<FastifyInstance['inject']>>;

function send(method: InjectOptions['method'], url: string, payload?: string, headers: Record<string, string> = { authorization: basic(sid, TOKEN), 'content-type': FORM }): Promise<Res> {
  return api.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
}

/** A refusal in Twilio's shape: status, code, message, no stack, no secret. */
function refusal(res: Res, status: number, code: number, message?: RegExp): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'message', 'more_info', 'status']);
  expect(body).toMatchObject({ code, status, more_info: `https://www.twilio.com/docs/errors/${code}` });
  expect(String(body.message)).not.toMatch(/\n/);
  if (message) expect(body.message).toMatch(message);
  if (status === 401) expect(res.headers['www-authenticate']).toBe('Basic realm="stasis-flows"');
  expect(res.body).not.toMatch(/\bat .+:\d+:\d+/);
  for (const secret of [TOKEN, OTHER_TOKEN, NCCO_SECRET]) expect(res.body).not.toContain(secret);
}

/** Nothing was dialled, changed or removed (the controls may have been asked about an id they do not know). */
function nothingChanged(): void {
  expect(calls.received.filter((r) => r.method === 'create')).toEqual([]);
  expect([...calls.calls.values()].map((c) => c.status)).toEqual(['answered']);
  expect(rooms.changes).toEqual([]);
}

/** Nothing reached the controls but reads, and nothing changed. */
function untouched(): void {
  expect(calls.received.filter((r) => r.method !== 'list')).toEqual([]);
  nothingChanged();
}

/** Every authenticated route, with a body that would be valid. */
function everyRoute(): [InjectOptions['method'], string, string | undefined][] {
  return [
    ['POST', `${account}/Calls.json`, VALID],
    ['GET', `${account}/Calls.json`, undefined],
    ['GET', `${account}/Calls/${liveCall}.json`, undefined],
    ['POST', `${account}/Calls/${liveCall}.json`, 'Status=completed'],
    ['DELETE', `${account}/Calls/${liveCall}.json`, undefined],
    ['GET', `${account}/Conferences.json`, undefined],
    ['GET', `${roomPath}.json`, undefined],
    ['POST', `${roomPath}.json`, 'Status=completed'],
    ['POST', `${roomPath}/Participants.json`, 'To=%2B447700900002&From=%2B447700900000'],
    ['GET', `${roomPath}/Participants.json`, undefined],
    ['GET', legPath, undefined],
    ['POST', legPath, 'Muted=true'],
    ['DELETE', legPath, undefined],
  ];
}

describe('credentials on every route: 401 with the challenge, never 500, nothing reached', () => {
  it.each<[string, () => Record<string, string>]>([
    ['none', () => ({})],
    ['an empty header', () => ({ authorization: '' })],
    ['Basic alone', () => ({ authorization: 'Basic' })],
    ['Basic with characters outside base64', () => ({ authorization: 'Basic !!!' })],
    ['Basic of no colon', () => ({ authorization: `Basic ${Buffer.from(sid).toString('base64')}` })],
    ['Basic of NULs', () => ({ authorization: basic('\0', '\0') })],
    ['Basic of 20 kB', () => ({ authorization: `Basic ${'A'.repeat(20_000)}` })],
    ['a Bearer token', () => ({ authorization: `Bearer ${TOKEN}` })],
    ['a wrong token', () => ({ authorization: basic(sid, OTHER_TOKEN) })],
    ['an empty token', () => ({ authorization: basic(sid, '') })],
    ['the token with a suffix', () => ({ authorization: basic(sid, `${TOKEN}x`) })],
    ["another account's credentials", () => ({ authorization: basic(toSid('AC', other.id), OTHER_TOKEN) })],
    ["an NCCO app's id and secret", () => ({ authorization: basic(toSid('AC', ncco.id), NCCO_SECRET) })],
    ['the app name as the username', () => ({ authorization: basic('line', TOKEN) })],
    ['a lower-case SID', () => ({ authorization: basic(sid.toLowerCase(), TOKEN) })],
  ])('%s', async (_label, headers) => {
    for (const [method, url, payload] of everyRoute()) refusal(await send(method, url, payload, { ...headers(), 'content-type': FORM }), 401, 20003);
    untouched();
  });

  it('checks them before the body: an oversized, JSON or broken body without them is a 401', async () => {
    for (const [type, payload] of [
      [FORM, `${VALID}&Twiml=${'x'.repeat(70_000)}`],
      ['application/json', '{"To":'],
      ['text/plain', VALID],
    ] as const) {
      refusal(await send('POST', `${account}/Calls.json`, payload, { 'content-type': type }), 401, 20003);
    }
    untouched();
  });

  it('refuses a path account that is not the username, even a hostile one', async () => {
    for (const slot of ['..%2F..%2F', '%00', 'AC' + '0'.repeat(32), 'ACnot-hex']) {
      refusal(await send('GET', `/2010-04-01/Accounts/${slot}/Calls.json`), 401, 20003, /AccountSid in the path is not the username/);
    }
    untouched();
  });
});

describe('POST Calls.json: form bodies', () => {
  it.each<[string, string, string, number, number, RegExp]>([
    ['a body over 64 KiB', FORM, `${VALID}&Twiml=${'x'.repeat(70_000)}`, 413, 20413, /too large/],
    ['a JSON body', 'application/json', JSON.stringify({ To: '+447700900001', From: '+447700900000', Url: 'https://app.example/v' }), 415, 20415, /Unsupported Media Type/],
    ['a text body', 'text/plain', VALID, 415, 20415, /Unsupported Media Type/],
    ['a multipart body', 'multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="To"\r\n\r\n+1\r\n--x--`, 415, 20415, /Unsupported Media Type/],
    ['an empty body', FORM, '', 400, 21201, /^To is required$/],
    ['no To', FORM, 'From=%2B1&Url=https%3A%2F%2Fa.example%2F', 400, 21201, /^To is required$/],
    ['a blank To', FORM, 'To=%20&From=%2B1&Url=https%3A%2F%2Fa.example%2F', 400, 21201, /^To is required$/],
    ['To as a path', FORM, 'To=..%2F..%2Fetc%2Fpasswd&From=%2B1&Url=https%3A%2F%2Fa.example%2F', 400, 21211, /^To must be a phone number/],
    ['To naming another endpoint', FORM, 'To=100%40internal&From=%2B1&Url=https%3A%2F%2Fa.example%2F', 400, 21211, /^To must be a phone number/],
    ['To with a NUL', FORM, 'To=1%00&From=%2B1&Url=https%3A%2F%2Fa.example%2F', 400, 21211, /^To must be a phone number/],
    ['a client: To', FORM, 'To=client%3Abob&From=%2B1&Url=https%3A%2F%2Fa.example%2F', 400, 21211, /client: identities are not supported/],
    ['To given twice', FORM, `${VALID}&To=%2B447700900009`, 400, 20001, /^To must be given once$/],
    ['no From', FORM, 'To=%2B1&Url=https%3A%2F%2Fa.example%2F', 400, 21213, /^From is required$/],
    ['From as a name', FORM, 'To=%2B1&From=Boss&Url=https%3A%2F%2Fa.example%2F', 400, 21212, /^From must be a phone number/],
    ['neither Url nor Twiml', FORM, 'To=%2B1&From=%2B2', 400, 20001, /^Url or Twiml is required$/],
    ['an ApplicationSid', FORM, `To=%2B1&From=%2B2&ApplicationSid=AP${'0'.repeat(32)}`, 400, 20001, /ApplicationSid is not supported/],
    ['an ftp: Url', FORM, 'To=%2B1&From=%2B2&Url=ftp%3A%2F%2Fa.example%2F', 400, 21205, /^Url must be an absolute http\(s\) URL$/],
    ['a javascript: Url', FORM, 'To=%2B1&From=%2B2&Url=javascript%3Aalert(1)', 400, 21205, /^Url must be/],
    ['a relative Url', FORM, 'To=%2B1&From=%2B2&Url=%2Fvoice', 400, 21205, /^Url must be/],
    ['an oversized Url', FORM, `To=%2B1&From=%2B2&Url=https%3A%2F%2Fa.example%2F${'a'.repeat(2100)}`, 400, 20001, /^Url must be at most 2048 characters$/],
    ['an empty Twiml', FORM, 'To=%2B1&From=%2B2&Twiml=%20', 400, 20001, /^Twiml must not be empty$/],
    ['an oversized Twiml', FORM, `To=%2B1&From=%2B2&Twiml=${'x'.repeat(4001)}`, 400, 20001, /^Twiml must be at most 4000 characters$/],
    ['an unknown Method', FORM, `${VALID}&Method=PUT`, 400, 20001, /^Method must be GET or POST$/],
    ['a StatusCallback that is a file', FORM, `${VALID}&StatusCallback=file%3A%2F%2F%2Fetc%2Fpasswd`, 400, 21205, /^StatusCallback must be/],
    ['an unknown StatusCallbackEvent', FORM, `${VALID}&StatusCallbackEvent=hungup`, 400, 20001, /^StatusCallbackEvent must be/],
    ['a Timeout of 0', FORM, `${VALID}&Timeout=0`, 400, 20001, /^Timeout must be a whole number from 1 to 600$/],
    ['a Timeout of letters', FORM, `${VALID}&Timeout=soon`, 400, 20001, /^Timeout must be/],
    ['a Timeout of Infinity', FORM, `${VALID}&Timeout=Infinity`, 400, 20001, /^Timeout must be/],
    ['a Timeout in exponent form', FORM, `${VALID}&Timeout=1e2`, 400, 20001, /^Timeout must be/],
    ['a TimeLimit over a day', FORM, `${VALID}&TimeLimit=86401`, 400, 20001, /^TimeLimit must be/],
    ['SendDigits of letters', FORM, `${VALID}&SendDigits=abc`, 400, 20001, /^SendDigits must be/],
    ['a sip: URI that names another endpoint', FORM, 'To=sip%3Atrunk%2Fsip%3Ax%40evil.example&From=%2B1&Twiml=%3CResponse%2F%3E', 400, 21211, /^To must be/],
    ['a sip: URI with a NUL', FORM, 'To=sip%3Aa%00b%40host&From=%2B1&Twiml=%3CResponse%2F%3E', 400, 21211, /^To must be/],
    ['SendDigits to a sip: URI', FORM, 'To=sip%3Aa%40b.example&From=%2B1&Twiml=%3CResponse%2F%3E&SendDigits=1', 400, 20001, /^SendDigits needs a phone number in To$/],
  ])('%s', async (_label, type, payload, status, code, message) => {
    refusal(await send('POST', `${account}/Calls.json`, payload, { authorization: basic(sid, TOKEN), 'content-type': type }), status, code, message);
    untouched();
  });

  it('ignores unknown and prototype-named parameters: the call is made with the known ones', async () => {
    const res = await send('POST', `${account}/Calls.json`, `${VALID}&__proto__=x&constructor=y&hasOwnProperty=z&Record=true&MachineDetection=Enable`);
    expect(res.statusCode).toBe(201);
    expect(calls.received.filter((r) => r.method === 'create')).toEqual([
      { method: 'create', applicationId: app.id, request: { to: { type: 'phone', number: '+447700900001' }, from: '+447700900000', document: { answerUrl: 'https://app.example/voice', answerMethod: 'POST' } } },
    ]);
  });
});

describe('POST Calls/{CA}.json: updates', () => {
  it.each<[string, string, number, RegExp]>([
    ['an unknown Status', 'Status=paused', 20001, /^Status must be one of completed, canceled$/],
    ['Status with Url', 'Status=completed&Url=https%3A%2F%2Fa.example%2F', 20001, /^Status cannot be given with Url or Twiml$/],
    ['Url with Twiml', 'Url=https%3A%2F%2Fa.example%2F&Twiml=%3CResponse%2F%3E', 20001, /^Url and Twiml cannot both be given$/],
    ['an empty Twiml', 'Twiml=%20', 20001, /^Twiml must not be empty$/],
    ['a bad Url', 'Url=ftp%3A%2F%2Fa', 21205, /^Url must be/],
    ['Status twice', 'Status=completed&Status=canceled', 20001, /^Status must be given once$/],
  ])('%s is a 400 naming it', async (_label, payload, code, message) => {
    refusal(await send('POST', `${account}/Calls/${liveCall}.json`, payload), 400, code, message);
    untouched();
  });
});

describe('SIDs and names in paths', () => {
  const callSlots: [string, string][] = [
    ['a path, percent-encoded', '..%2F..%2Fetc%2Fpasswd.json'],
    ['a NUL', '%00.json'],
    ['a SID one digit short', `CA${'0'.repeat(31)}.json`],
    ['a SID of another kind', `CF${'0'.repeat(32)}.json`],
    ['an unknown SID', `CA${'f'.repeat(32)}.json`],
    ['no .json', `CA${'0'.repeat(32)}`],
    ['another suffix', `CA${'0'.repeat(32)}.xml`],
    // Over the router's segment limit: fastify's own 414 body showed through before.
    ['over 100 characters', `CA${'0'.repeat(120)}.json`],
  ];
  it.each(callSlots)('a call slot with %s is a 404 on GET, POST and DELETE', async (_label, slot) => {
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      refusal(await send(method, `${account}/Calls/${slot}`, method === 'POST' ? 'Status=completed' : undefined), 404, 20404);
    }
    nothingChanged();
  });

  it.each(['%ff', '%', '%E0%A4%A'])('bad percent-encoding (%s) is a 400 in Twilio\'s shape', async (slot) => {
    for (const url of [`${account}/Calls/${slot}.json`, `${account}/Conferences/${slot}.json`, `${account}/Recordings/${slot}`]) {
      refusal(await send('GET', url), 400, 20001, /not validly percent-encoded/);
    }
    untouched();
  });

  it.each([
    ['an unknown friendly name', 'nobody-here'],
    ['a path as the name', '..%2F..%2Fetc'],
    ['dots', '%2e%2e'],
    ['a NUL', '%00'],
    ['a SID of another kind', `CA${'0'.repeat(32)}`],
    ['an unknown conference SID', `CF${'0'.repeat(32)}`],
    ['over 100 characters', 'n'.repeat(101)],
  ])('a conference slot with %s is a 404 on every conference route', async (_label, slot) => {
    const base = `${account}/Conferences/${slot}`;
    for (const [method, url, payload] of [
      ['GET', `${base}.json`, undefined],
      ['POST', `${base}.json`, 'Status=completed'],
      ['POST', `${base}/Participants.json`, 'To=%2B447700900002&From=%2B447700900000'],
      ['GET', `${base}/Participants.json`, undefined],
      ['GET', `${base}/Participants/${toSid('CA', rooms.leg.callUuid)}.json`, undefined],
      ['POST', `${base}/Participants/${toSid('CA', rooms.leg.callUuid)}.json`, 'Muted=true'],
      ['DELETE', `${base}/Participants/${toSid('CA', rooms.leg.callUuid)}.json`, undefined],
    ] as const) {
      refusal(await send(method, url, payload), 404, 20404);
    }
    untouched();
  });

  it.each([
    ['a path', '..%2F..%2Fetc.json'],
    ['a conference SID', `${toSid('CF', crypto.randomUUID())}.json`],
    ['an unknown call SID', `${toSid('CA', crypto.randomUUID())}.json`],
    ['no .json', toSid('CA', crypto.randomUUID())],
  ])('a participant slot with %s is a 404', async (_label, slot) => {
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      refusal(await send(method, `${roomPath}/Participants/${slot}`, method === 'POST' ? 'Muted=true' : undefined), 404, 20404);
    }
    untouched();
  });
});

describe('conference and participant parameters', () => {
  it.each<[string, string, string, number, RegExp]>([
    ['conference update', '.json', 'Status=paused', 20001, /^Status must be one of completed$/],
    ['conference update', '.json', 'Status=completed&AnnounceUrl=https%3A%2F%2Fa.example%2F', 20001, /^Status and AnnounceUrl cannot both be given$/],
    ['conference update', '.json', 'AnnounceUrl=file%3A%2F%2F%2Fetc%2Fpasswd', 21205, /^AnnounceUrl must be/],
    ['conference update', '.json', 'AnnounceUrl=https%3A%2F%2Fa.example%2F&AnnounceMethod=PUT', 20001, /^AnnounceMethod must be GET or POST$/],
    ['new participant', '/Participants.json', 'From=%2B1', 21201, /^To is required$/],
    ['new participant', '/Participants.json', 'To=%2B1', 21213, /^From is required$/],
    ['new participant', '/Participants.json', 'To=1%40evil&From=%2B1', 21211, /^To must be a phone number/],
    ['new participant', '/Participants.json', 'To=%2B1&From=%2B2&Timeout=4', 20001, /^Timeout must be a whole number from 5 to 600$/],
    ['new participant', '/Participants.json', 'To=%2B1&From=%2B2&Beep=loud', 20001, /^Beep must be one of/],
    ['new participant', '/Participants.json', 'To=%2B1&From=%2B2&Muted=yes', 20001, /^Muted must be true or false$/],
    ['new participant', '/Participants.json', 'To=%2B1&From=%2B2&WaitUrl=ftp%3A%2F%2Fa', 21205, /^WaitUrl must be/],
    ['new participant', '/Participants.json', 'To=%2B1&From=%2B2&MaxParticipants=1', 20001, /^MaxParticipants must be a whole number from 2 to 250$/],
    ['new participant', '/Participants.json', 'To=%2B1&From=%2B2&ConferenceStatusCallback=https%3A%2F%2Fa.example%2F&ConferenceStatusCallbackEvent=lunch', 20001, /^ConferenceStatusCallbackEvent must be words of/],
    ['new participant', '/Participants.json', 'To=%2B1&From=%2B2&ConferenceRecord=always', 20001, /^ConferenceRecord must be one of/],
  ])('%s %s with %s is a 400 naming it', async (_what, suffix, payload, code, message) => {
    refusal(await send('POST', `${roomPath}${suffix}`, payload), 400, code, message);
    untouched();
  });

  it.each<[string, number, RegExp]>([
    ['Muted=maybe', 20001, /^Muted must be true or false$/],
    ['Hold=1', 20001, /^Hold must be true or false$/],
    ['HoldUrl=..%2F..%2Fetc', 21205, /^HoldUrl must be/],
    ['AnnounceUrl=javascript%3Ax', 21205, /^AnnounceUrl must be/],
    ['Muted=true&Muted=false', 20001, /^Muted must be given once$/],
  ])('participant update %s is a 400 naming it', async (payload, code, message) => {
    refusal(await send('POST', legPath, payload), 400, code, message);
    untouched();
  });

  it('a participant body over 64 KiB is a 413', async () => {
    refusal(await send('POST', `${roomPath}/Participants.json`, `To=%2B1&From=%2B2&Label=${'x'.repeat(70_000)}`), 413, 20413);
    untouched();
  });
});

describe('list queries', () => {
  it.each<[string, string, RegExp]>([
    ['Calls', 'PageSize=0', /^PageSize must be a whole number from 1 to 1000$/],
    ['Calls', 'PageSize=1001', /^PageSize must be/],
    ['Calls', 'PageSize=-1', /^PageSize must be/],
    ['Calls', 'PageSize=Infinity', /^PageSize must be/],
    ['Calls', 'Page=-1', /^Page must be a whole number from 0 to 1000000$/],
    ['Calls', 'Page=9999999999', /^Page must be/],
    ['Calls', 'Status=dancing', /^Status must be one of/],
    ['Calls', 'To=%2B1&To=%2B2', /^To must be given once$/],
    ['Conferences', 'Status=paused', /^Status must be one of init, in-progress, completed$/],
    ['Conferences', `FriendlyName=${'n'.repeat(129)}`, /^FriendlyName must be at most 128 characters$/],
  ])('%s.json?%s is a 400 naming it', async (list, query, message) => {
    refusal(await send('GET', `${account}/${list}.json?${query}`), 400, 20001, message);
    untouched();
  });

  it('Participants.json?Muted=sometimes is a 400 naming it', async () => {
    refusal(await send('GET', `${roomPath}/Participants.json?Muted=sometimes`), 400, 20001, /^Muted must be true or false$/);
  });
});

describe('recording downloads', () => {
  it('serves the recording, and answers hostile SIDs with 404 and bad credentials with 401', async () => {
    expect((await send('GET', recordingUrl, undefined, {})).statusCode).toBe(200);
    for (const url of [
      `${account}/Recordings/..%2F..%2Fetc%2Fpasswd`,
      `${account}/Recordings/%00`,
      `${recordingUrl}%00.wav`,
      `${recordingUrl}.ogg`,
      `${recordingUrl}.json.wav`,
      `${account}/Recordings/${'R'.repeat(101)}`,
      recordingUrl.replace('/RE', '/CA'),
      `/2010-04-01/Accounts/..%2F..%2F/Recordings/${recordingUrl.split('/').at(-1)!}`,
      recordingUrl.replace(sid, toSid('AC', other.id)),
    ]) {
      refusal(await send('GET', url, undefined, {}), 404, 20404);
    }
    for (const authorization of ['Basic !!!', 'Basic', basic(sid, OTHER_TOKEN), basic(toSid('AC', other.id), OTHER_TOKEN), `Bearer ${TOKEN}`]) {
      refusal(await send('GET', recordingUrl, undefined, { authorization }), 401, 20003);
    }
  });
});

describe('anything else under /2010-04-01', () => {
  it("answers in Twilio's shape, not Vonage's", async () => {
    for (const [method, url] of [
      ['GET', `${account}/Messages.json`],
      ['PUT', `${account}/Calls.json`],
      ['GET', '/2010-04-01/'],
      ['GET', '/2010-04-01/Accounts.json'],
    ] as const) {
      refusal(await send(method, url), 404, 20404, /^The requested resource \/2010-04-01/);
    }
    untouched();
  });
});
