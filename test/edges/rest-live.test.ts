/**
 * Hostile REST requests against the real service (issue 14): the voice-api
 * flow, its call control and both REST dialects over real HTTP, with the
 * ARI simulator (or a real Asterisk) behind. Each request names a number
 * that would ring a test phone, so a request that slipped through would
 * place a call; after all of them no channel exists, no call is in the
 * history and no recording was written. Requests the routes accept but the
 * call control refuses (an invalid NCCO or TwiML) are here too: only the
 * real control can refuse those.
 */
import { readdir } from 'node:fs/promises';
import { exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { voiceRecordingsDir } from '../../src/apps/voice-api/recordings.js';
import { toSid } from '../../src/documents/twiml/sids.js';
import { appJwt } from '../http/support/keys.js';
import { TestCaller } from '../support/caller.js';
import { startVoiceWorld, writePem, type VoiceSetup } from '../support/voice.js';
import { eventually, sleep } from '../support/wait.js';

const TOKEN = 'feedface0123456789abcdef01234567';

let v: VoiceSetup;
let phone: TestCaller;
let privateKey: CryptoKey;
let nccoId: string;
let sid: string;
let number: string;

beforeAll(async () => {
  v = await startVoiceWorld({ STASIS_FLOWS_VOICE_PHONE_ENDPOINT: 'Local/{number}@stasis-flows-test-phones/n' });
  phone = await TestCaller.connectPhone(v.world);
  number = phone.phoneNumber('answers');
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  nccoId = (await v.addApp({ extra: ['--public-key', await writePem(v.world, await exportSPKI(pair.publicKey))] })).id;
  const twiml = await v.addApp({ extra: ['--dialect', 'twiml', '--signature-secret', TOKEN] });
  sid = toSid('AC', twiml.id);
}, 60_000);

afterAll(async () => {
  await phone?.close();
  await v?.close();
});

async function bearer(): Promise<string> {
  return `Bearer ${await appJwt({ privateKey, privatePem: '', publicPem: '' }, nccoId)}`;
}
const basic = () => `Basic ${Buffer.from(`${sid}:${TOKEN}`).toString('base64')}`;

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const res = await fetch(`${v.app.http.url}${url}`, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown>, text };
}

/** Channels anywhere on Asterisk (the phone's ARI sees them all). */
async function channels(): Promise<string[]> {
  return (await phone.ari.channels.list()).map((c) => c.name);
}

async function callCount(): Promise<number> {
  const res = await fetch(`${v.app.http.url}/v1/calls`, { headers: { authorization: await bearer() } });
  return ((await res.json()) as { count: number }).count;
}

describe('the real service refuses hostile REST requests and dials nothing', () => {
  const ncco = (body: Record<string, unknown>) => JSON.stringify({ to: [{ type: 'phone', number }], ...body });
  const talk = [{ action: 'talk', text: 'hello' }];
  it.each<[string, () => string, RegExp]>([
    ['an NCCO that is a string (coerced to a list of one)', () => ncco({ ncco: 'x' }), /Invalid NCCO: action 0: must be an object/],
    ['an action without its field', () => ncco({ ncco: [{ action: 'talk' }] }), /Invalid NCCO: action 0 \(talk\): text is required/],
    ['an unknown action', () => ncco({ ncco: [{ action: 'dance' }] }), /unknown action "dance"/],
    ['an action named like an Object member', () => ncco({ ncco: [{ action: '__defineGetter__' }] }), /unknown action/],
    ['a connect to another endpoint', () => ncco({ ncco: [{ action: 'connect', endpoint: [{ type: 'phone', number: '100@internal' }] }] }), /endpoint\[0\]\.number must be E\.164/],
    ['a stream of a local file', () => ncco({ ncco: [{ action: 'stream', streamUrl: ['file:///etc/passwd'] }] }), /streamUrl must be an array of one http\(s\) URL/],
    ['a record in a path format', () => ncco({ ncco: [{ action: 'record', format: '../x' }] }), /format must be one of mp3, wav, ogg/],
    ['a number naming another endpoint', () => JSON.stringify({ to: [{ type: 'phone', number: `${number}@internal` }], ncco: talk }), /body\/to\/0\/number must be a phone number/],
    ['a ringing timer of "Infinity"', () => ncco({ ncco: talk, ringing_timer: 'Infinity' }), /body\/ringing_timer must be a whole number/],
    ['a caller id that is a name', () => ncco({ ncco: talk, from: { type: 'phone', number: 'Boss <100>' } }), /body\/from\/number/],
  ])('POST /v1/calls with %s: 400 naming it', async (_label, body, detail) => {
    const res = await post('/v1/calls', body(), { authorization: await bearer(), 'content-type': 'application/json' });
    expect(res.status, res.text).toBe(400);
    expect(res.json.type).toBe('https://developer.vonage.com/api-errors#invalid-request');
    expect(res.json.detail).toMatch(detail);
  });

  it.each<[string, () => string, number, RegExp]>([
    ['TwiML that is not XML', () => `To=${number}&From=%2B1&Twiml=x`, 20001, /not well-formed XML/],
    ['an unknown verb', () => `To=${number}&From=%2B1&Twiml=${encodeURIComponent('<Response><Foo/></Response>')}`, 20001, /unknown verb <Foo>/],
    ['a Dial to another endpoint', () => `To=${number}&From=%2B1&Twiml=${encodeURIComponent('<Response><Dial>1@evil</Dial></Response>')}`, 20001, /<Dial> number must be a phone number/],
    ['a Play of a local file', () => `To=${number}&From=%2B1&Twiml=${encodeURIComponent('<Response><Play>file:///etc/passwd</Play></Response>')}`, 20001, /<Play> URL must be an http\(s\) URL/],
    ['prototype-named elements', () => `To=${number}&From=%2B1&Twiml=${encodeURIComponent('<Response><__proto__/></Response>')}`, 20001, /cannot be read/],
    ['a To naming another endpoint', () => `To=${number}%40internal&From=%2B1&Twiml=%3CResponse%2F%3E`, 21211, /^To must be a phone number/],
  ])('POST Calls.json with %s: 400 naming it', async (_label, body, code, message) => {
    const res = await post(`/2010-04-01/Accounts/${sid}/Calls.json`, body(), { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status, res.text).toBe(400);
    expect(res.json).toMatchObject({ status: 400, code });
    expect(res.json.message).toMatch(message);
  });

  it('a participant for a conference that does not exist is a 404', async () => {
    const res = await post(`/2010-04-01/Accounts/${sid}/Conferences/..%2F..%2Fetc/Participants.json`, `To=${number}&From=%2B1`, { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ code: 20404 });
  });

  it('afterwards: no channel, no call in the history, no recording, the service alive', async () => {
    // A call placed by mistake would be ringing the phone by now.
    await sleep(300);
    expect(await channels()).toEqual([]);
    expect(v.app.runtime.size).toBe(0);
    expect(await callCount()).toBe(0);
    const twilio = await fetch(`${v.app.http.url}/2010-04-01/Accounts/${sid}/Calls.json`, { headers: { authorization: basic() } });
    expect(((await twilio.json()) as { calls: unknown[] }).calls).toEqual([]);
    expect(await readdir(voiceRecordingsDir(v.world.config().dataDir)).catch(() => [])).toEqual([]);
    expect((await fetch(`${v.app.http.url}/health`)).status).toBe(200);
  });

  it('while a valid request does place a call (so the checks above can fail)', async () => {
    const res = await post('/v1/calls', JSON.stringify({ to: [{ type: 'phone', number: phone.phoneNumber('busy') }], ncco: talk }), { authorization: await bearer(), 'content-type': 'application/json' });
    expect(res.status, res.text).toBe(201);
    expect(await callCount()).toBe(1);
    await eventually(async () => (await channels()).length === 0 && v.app.runtime.size === 0, 'the busy call to be over', 10_000);
  });
});
