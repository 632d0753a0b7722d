/**
 * The Twilio REST API's edges, with `inject`: form bodies (repeated keys,
 * empty, too large, wrong type), Twilio's error shape for everything under
 * `/2010-04-01`, 503 without the controls, and the recording download
 * (public by default, checked when credentials come, per account).
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toSid } from '../../src/documents/twiml/sids.js';
import { buildHttpApi } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { openVoiceStore, type VoiceApp, type VoiceRecording, type VoiceStore } from '../../src/storage/index.js';
import { Sink } from '../support/sink.js';
import { FakeCalls } from './support/fake-calls.js';

const TOKEN = 'abcdef0123456789abcdef0123456789';
const OTHER_TOKEN = '99999999999999999999999999999999';
const FORM = 'application/x-www-form-urlencoded';
const AUDIO = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 31) % 256));

let dir: string;
let store: VoiceStore;
let logs: Sink;
let calls: FakeCalls;
let api: FastifyInstance;
let app: VoiceApp;
let other: VoiceApp;
let ncco: VoiceApp;
let sid: string;

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const auth = () => ({ authorization: basic(sid, TOKEN) });
const callsUrl = () => `/2010-04-01/Accounts/${sid}/Calls.json`;
const VALID = 'To=%2B447700900001&From=%2B447700900000&Url=https%3A%2F%2Fapp.example%2Fvoice';

function expectTwilioError(res: { statusCode: number; body: string }, status: number, code: number): string {
  expect(res.statusCode).toBe(status);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'message', 'more_info', 'status']);
  expect(body).toMatchObject({ code, status, more_info: `https://www.twilio.com/docs/errors/${code}` });
  return body.message as string;
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-twilio-routes-'));
  store = openVoiceStore(dir);
  logs = new Sink();
  calls = new FakeCalls();
  app = await store.addApp({ name: 'line', dialect: 'twiml', answerUrl: 'http://127.0.0.1:1/v', eventUrl: 'http://127.0.0.1:1/s', signatureSecret: TOKEN });
  other = await store.addApp({ name: 'other', dialect: 'twiml', answerUrl: 'http://127.0.0.1:1/v', eventUrl: 'http://127.0.0.1:1/s', signatureSecret: OTHER_TOKEN });
  ncco = await store.addApp({ name: 'vonage', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e', signatureSecret: 'ncco-secret-0123456789' });
  sid = toSid('AC', app.id);
  api = buildHttpApi({ voiceStore: store, log: createLogger({ level: 'debug', stream: logs }), publicUrl: 'http://voice.example', calls });
  await api.ready();
});

afterEach(async () => {
  await api.close();
  await store.close();
  expect(logs.text).not.toContain(TOKEN);
  rmSync(dir, { recursive: true, force: true });
});

describe('form bodies', () => {
  it('takes repeated StatusCallbackEvent keys (and space-separated ones) as one list, and ignores unknown parameters', async () => {
    const payload = `${VALID}&StatusCallbackEvent=initiated&StatusCallbackEvent=ringing%20answered&StatusCallbackEvent=ringing&MachineDetection=Enable&Record=true`;
    const res = await api.inject({ method: 'POST', url: callsUrl(), headers: { ...auth(), 'content-type': `${FORM}; charset=utf-8` }, payload });
    expect(res.statusCode).toBe(201);
    expect(calls.received[0]).toMatchObject({ method: 'create', request: { statusEvents: ['initiated', 'ringing', 'answered'] } });
  });

  it('refuses a single-valued parameter given twice, naming it', async () => {
    const res = await api.inject({ method: 'POST', url: callsUrl(), headers: { ...auth(), 'content-type': FORM }, payload: `${VALID}&To=%2B447700900009` });
    expect(expectTwilioError(res, 400, 20001)).toBe('To must be given once');
  });

  it('refuses an unknown StatusCallbackEvent value, naming it', async () => {
    const res = await api.inject({ method: 'POST', url: callsUrl(), headers: { ...auth(), 'content-type': FORM }, payload: `${VALID}&StatusCallbackEvent=hungup` });
    expect(expectTwilioError(res, 400, 20001)).toMatch(/^StatusCallbackEvent must be/);
  });

  it('answers an empty body, or none, with To is required (21201)', async () => {
    for (const headers of [{ ...auth(), 'content-type': FORM }, auth()]) {
      const res = await api.inject({ method: 'POST', url: callsUrl(), headers, payload: '' });
      expect(expectTwilioError(res, 400, 21201)).toBe('To is required');
    }
    expect(calls.received).toEqual([]);
  });

  it('answers a body over 64 KiB with 413 in Twilio\'s shape', async () => {
    const payload = `${VALID}&Twiml=${'x'.repeat(70_000)}`;
    expectTwilioError(await api.inject({ method: 'POST', url: callsUrl(), headers: { ...auth(), 'content-type': FORM }, payload }), 413, 20413);
  });

  it('answers JSON and text bodies with 415 in Twilio\'s shape', async () => {
    for (const [type, payload] of [
      ['application/json', JSON.stringify({ To: '+447700900001' })],
      ['text/plain', VALID],
    ] as const) {
      expectTwilioError(await api.inject({ method: 'POST', url: callsUrl(), headers: { ...auth(), 'content-type': type }, payload }), 415, 20415);
    }
    expect(calls.received).toEqual([]);
  });

  it('checks credentials before the body: a bad body without them is a 401', async () => {
    const res = await api.inject({ method: 'POST', url: callsUrl(), headers: { 'content-type': 'application/json' }, payload: '{' });
    expectTwilioError(res, 401, 20003);
    expect(res.headers['www-authenticate']).toBe('Basic realm="stasis-flows"');
  });

  it('refuses a Twiml over 4000 characters and SendDigits to a sip: URI, naming them', async () => {
    const long = await api.inject({ method: 'POST', url: callsUrl(), headers: { ...auth(), 'content-type': FORM }, payload: `To=%2B447700900001&From=1&Twiml=${'x'.repeat(4001)}` });
    expect(expectTwilioError(long, 400, 20001)).toBe('Twiml must be at most 4000 characters');
    const sip = await api.inject({ method: 'POST', url: callsUrl(), headers: { ...auth(), 'content-type': FORM }, payload: 'To=sip%3Aa%40b.example&From=1&Twiml=%3CResponse%2F%3E&SendDigits=1' });
    expect(expectTwilioError(sip, 400, 20001)).toMatch(/^SendDigits/);
  });
});

describe('errors under /2010-04-01', () => {
  it('answers unknown routes and paths without .json with Twilio\'s 404, not Vonage\'s', async () => {
    const c = calls.add(app.id);
    for (const url of [`/2010-04-01/Accounts/${sid}/Queues.json`, `/2010-04-01/Accounts/${sid}/Calls/${toSid('CA', c.uuid)}`, `/2010-04-01/Accounts/${sid}/Calls/${toSid('CA', c.uuid)}.xml`, '/2010-04-01/nothing']) {
      expect(expectTwilioError(await api.inject({ method: 'GET', url, headers: auth() }), 404, 20404), url).toMatch(/^The requested resource \/2010-04-01\//);
    }
    expect((await api.inject({ method: 'GET', url: `/2010-04-01/Accounts/${sid}/Calls/${toSid('CA', c.uuid)}.json`, headers: auth() })).statusCode).toBe(200);
  });

  it('answers 503 in Twilio\'s shape for conferences when none run here, and calls when none do', async () => {
    expectTwilioError(await api.inject({ method: 'GET', url: `/2010-04-01/Accounts/${sid}/Conferences.json`, headers: auth() }), 503, 20503);
    const bare = buildHttpApi({ voiceStore: store, log: createLogger({ level: 'debug', stream: logs }), publicUrl: '' });
    try {
      expectTwilioError(await bare.inject({ method: 'GET', url: callsUrl(), headers: auth() }), 503, 20503);
      // Credentials first: a stranger is not told what runs here.
      expectTwilioError(await bare.inject({ method: 'GET', url: callsUrl() }), 401, 20003);
    } finally {
      await bare.close();
    }
  });

  it('answers an unexpected failure with 500 / 20500, the details only in the log', async () => {
    calls.list = () => {
      throw new Error('history exploded');
    };
    const message = expectTwilioError(await api.inject({ method: 'GET', url: callsUrl(), headers: auth() }), 500, 20500);
    expect(message).not.toContain('exploded');
    expect(logs.text).toContain('history exploded');
  });

  it('refuses malformed Basic headers and another account\'s token', async () => {
    for (const authorization of ['Basic', 'Basic !!!', `Bearer ${TOKEN}`, basic(sid, OTHER_TOKEN), basic(toSid('AC', other.id), OTHER_TOKEN), basic(toSid('AC', ncco.id), 'ncco-secret-0123456789')]) {
      expectTwilioError(await api.inject({ method: 'GET', url: callsUrl(), headers: { authorization } }), 401, 20003);
    }
    expect((await api.inject({ method: 'GET', url: callsUrl(), headers: auth() })).statusCode).toBe(200);
  });

  it('lists with PageSize and Page checked, and relative page URIs', async () => {
    for (let i = 0; i < 3; i++) calls.add(app.id);
    const res = await api.inject({ method: 'GET', url: `${callsUrl()}?PageSize=2&Page=0`, headers: auth() });
    expect(res.json()).toMatchObject({
      page: 0,
      page_size: 2,
      start: 0,
      end: 1,
      first_page_uri: `${callsUrl()}?PageSize=2&Page=0`,
      next_page_uri: `${callsUrl()}?PageSize=2&Page=1`,
      previous_page_uri: null,
      uri: `${callsUrl()}?PageSize=2&Page=0`,
    });
    expect(expectTwilioError(await api.inject({ method: 'GET', url: `${callsUrl()}?PageSize=1001`, headers: auth() }), 400, 20001)).toBe('PageSize must be a whole number from 1 to 1000');
  });
});

describe('recording download', () => {
  async function addRecording(owner: VoiceApp, format: VoiceRecording['format'] = 'wav'): Promise<{ recording: VoiceRecording; url: string }> {
    const id = crypto.randomUUID();
    const file = path.join(dir, `${id}.${format}`);
    writeFileSync(file, AUDIO);
    const recording: VoiceRecording = { id, applicationId: owner.id, callUuid: crypto.randomUUID(), conversationUuid: 'CON-1', format, path: file, size: AUDIO.length, createdAt: '2026-12-03T12:00:00.000Z' };
    await store.addRecording(recording);
    return { recording, url: `/2010-04-01/Accounts/${toSid('AC', owner.id)}/Recordings/${toSid('RE', id)}` };
  }

  it('serves the stored file without credentials, with any suffix, in its own type', async () => {
    const { url } = await addRecording(app, 'wav');
    for (const suffix of ['', '.wav', '.mp3']) {
      const res = await api.inject({ method: 'GET', url: `${url}${suffix}`, remoteAddress: '203.0.113.9' });
      expect(res.statusCode, suffix).toBe(200);
      expect(res.headers['content-type']).toBe('audio/wav');
      expect(res.headers['content-length']).toBe(String(AUDIO.length));
      expect(res.rawPayload.equals(AUDIO)).toBe(true);
    }
  });

  it('serves it with this account\'s credentials, and refuses wrong ones with 401', async () => {
    const { url } = await addRecording(app, 'mp3');
    const ok = await api.inject({ method: 'GET', url, headers: auth() });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('audio/mpeg');
    expectTwilioError(await api.inject({ method: 'GET', url, headers: { authorization: basic(sid, OTHER_TOKEN) } }), 401, 20003);
  });

  it('gives the Recording resource for .json', async () => {
    const { recording, url } = await addRecording(app);
    const res = await api.inject({ method: 'GET', url: `${url}.json` });
    expect(res.json()).toMatchObject({ sid: toSid('RE', recording.id), account_sid: sid, call_sid: toSid('CA', recording.callUuid), status: 'completed', date_created: 'Thu, 03 Dec 2026 12:00:00 +0000', uri: `${url}.json` });
  });

  it('is a 404 under another account, with or without that account\'s credentials', async () => {
    const { recording } = await addRecording(app);
    const foreign = `/2010-04-01/Accounts/${toSid('AC', other.id)}/Recordings/${toSid('RE', recording.id)}`;
    expectTwilioError(await api.inject({ method: 'GET', url: foreign }), 404, 20404);
    expectTwilioError(await api.inject({ method: 'GET', url: foreign, headers: { authorization: basic(toSid('AC', other.id), OTHER_TOKEN) } }), 404, 20404);
  });

  it('does not serve an NCCO application\'s recording here, nor unknown or ill-formed SIDs, nor a row without its file', async () => {
    const { url: nccoUrl } = await addRecording(ncco);
    expectTwilioError(await api.inject({ method: 'GET', url: nccoUrl }), 404, 20404);
    const { recording, url } = await addRecording(app);
    for (const bad of [`/2010-04-01/Accounts/${sid}/Recordings/RE${'0'.repeat(32)}`, url.replace('/RE', '/CA'), `${url}.ogg`]) {
      expectTwilioError(await api.inject({ method: 'GET', url: bad }), 404, 20404);
    }
    unlinkSync(recording.path);
    expectTwilioError(await api.inject({ method: 'GET', url }), 404, 20404);
    expect(logs.text).toContain('recording file missing');
  });
});
