/**
 * Vonage's own Node SDK (`@vonage/server-sdk` v3) against the HTTP API over
 * real HTTP, pointed at it with `apiHost`, authenticating with a test key
 * pair: every call-control method it offers reaches CallControl as meant and
 * gets back what the SDK expects, with no exception.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Vonage } from '@vonage/server-sdk';
// The SDK's own NCCO enum, from the package the SDK uses for Voice (a dependency of @vonage/server-sdk).
import { NCCOActions } from '@vonage/voice';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHttpApi, type HttpApi } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { openVoiceStore, type VoiceApp, type VoiceStore } from '../../src/storage/index.js';
import { Sink } from '../support/sink.js';
import { FakeCalls } from './support/fake-calls.js';
import { appJwt, testKeys, type TestKeys } from './support/keys.js';

let dir: string;
let store: VoiceStore;
let logs: Sink;
let fake: FakeCalls;
let http: HttpApi;
let keys: TestKeys;
let app: VoiceApp;
let vonage: Vonage;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-sdk-'));
  store = openVoiceStore(dir);
  logs = new Sink();
  fake = new FakeCalls();
  keys = await testKeys();
  app = await store.addApp({ name: 'hotline', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e', publicKey: keys.publicPem });
  let url = '';
  http = await startHttpApi({ voiceStore: store, log: createLogger({ level: 'debug', stream: logs }), publicUrl: () => url, calls: fake }, { host: '127.0.0.1', port: 0 });
  url = http.url;
  vonage = new Vonage({ applicationId: app.id, privateKey: keys.privatePem }, { apiHost: http.url });
});

afterAll(async () => {
  await http.close();
  await store.close();
  expect(logs.text).not.toMatch(/Bearer|eyJ/);
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  fake.received.length = 0;
});

const NCCO = [{ action: 'talk' as const, text: 'Hello Alex, connecting you' }];

describe('@vonage/server-sdk against the HTTP API', () => {
  it('createOutboundCall places a call and gets uuid, status, direction and conversationUUID', async () => {
    const result = await vonage.voice.createOutboundCall({
      to: [{ type: 'phone', number: '447700900001' }],
      from: { type: 'phone', number: '447700900000' },
      ncco: NCCO,
      eventUrl: ['https://hooks.example/events'],
      ringingTimer: 20,
      lengthTimer: 600,
    });
    expect(result).toMatchObject({ uuid: expect.any(String) as string, status: 'started', direction: 'outbound', conversationUUID: expect.any(String) as string });
    expect(fake.received).toEqual([
      {
        method: 'create',
        applicationId: app.id,
        request: {
          to: { type: 'phone', number: '447700900001' },
          from: '447700900000',
          document: { ncco: NCCO },
          eventUrl: 'https://hooks.example/events',
          ringingTimer: 20,
          lengthTimer: 600,
        },
      },
    ]);
  });

  it('createOutboundCall to a sip endpoint with an answer URL', async () => {
    const request: Parameters<Vonage['voice']['createOutboundCall']>[0] = {
      to: [{ type: 'sip', uri: 'sip:staff@pbx.example', headers: { 'X-Ticket': '7' } }],
      from: { type: 'phone', number: '447700900000' },
      answerUrl: ['https://hooks.example/answer'],
    };
    const result = await vonage.voice.createOutboundCall(request);
    expect(result.uuid).toBeTypeOf('string');
    expect(fake.received[0]).toMatchObject({ request: { to: { type: 'sip', uri: 'sip:staff@pbx.example', headers: { 'X-Ticket': '7' } }, from: '447700900000', document: { answerUrl: 'https://hooks.example/answer', answerMethod: 'GET' } } });
  });

  it('getCall reads one call; getCallsPage, search and getAllCalls page through them (absolute links)', async () => {
    for (let i = 0; i < 4; i++) fake.add(app.id);
    const first = [...fake.calls.values()][0]!;
    const one = await vonage.voice.getCall(first.uuid);
    expect(one).toMatchObject({ uuid: first.uuid, conversationUUID: first.conversationUuid, status: first.status, direction: first.direction, from: { type: 'phone', number: first.from.number } });
    const page = await vonage.voice.getCallsPage({ pageSize: 2, recordIndex: 0 });
    expect(page).toMatchObject({ count: 6, page_size: 2, record_index: 0 });
    expect(page._embedded?.calls).toHaveLength(2);
    const found = await vonage.voice.search({ pageSize: 3, status: 'answered' } as Parameters<Vonage['voice']['search']>[0]);
    expect(found._embedded?.calls).toHaveLength(3);
    expect(fake.received.at(-1)).toMatchObject({ method: 'list', filter: { pageSize: 3, status: 'answered', recordIndex: 0, order: 'asc' } });
    const all: string[] = [];
    for await (const call of vonage.voice.getAllCalls({ pageSize: 4 })) all.push(call.uuid);
    expect(all).toEqual([...fake.calls.keys()]);
    expect(fake.received.filter((r) => r.method === 'list').map((r) => r.method === 'list' && r.filter.recordIndex)).toEqual([0, 0, 0, 4]);
  });

  it('hangupCall, muteCall, unmuteCall, earmuffCall, unearmuffCall, transferCallWithNCCO and transferCallWithURL', async () => {
    const c = fake.add(app.id);
    await vonage.voice.muteCall(c.uuid);
    await vonage.voice.unmuteCall(c.uuid);
    await vonage.voice.earmuffCall(c.uuid);
    await vonage.voice.unearmuffCall(c.uuid);
    await vonage.voice.transferCallWithNCCO(c.uuid, NCCO);
    await vonage.voice.transferCallWithURL(c.uuid, 'https://hooks.example/next');
    await vonage.voice.hangupCall(c.uuid);
    expect(fake.received.map((r) => r.method === 'modify' && r.uuid === c.uuid && r.action)).toEqual([
      { action: 'mute' },
      { action: 'unmute' },
      { action: 'earmuff' },
      { action: 'unearmuff' },
      { action: 'transfer', document: { ncco: NCCO } },
      { action: 'transfer', document: { answerUrl: 'https://hooks.example/next', answerMethod: 'GET' } },
      { action: 'hangup' },
    ]);
  });

  it('playTTS, stopTTS, streamAudio, stopStreamAudio and playDTMF get their messages', async () => {
    const c = fake.add(app.id);
    const talk: Parameters<Vonage['voice']['playTTS']>[1] = { action: NCCOActions.TALK, text: 'Alex is joining this call', language: 'en-GB', loop: 2, level: '0.5' };
    expect(await vonage.voice.playTTS(c.uuid, talk)).toEqual({ message: 'Talk started', uuid: c.uuid });
    expect(await vonage.voice.stopTTS(c.uuid)).toEqual({ message: 'Talk stopped', uuid: c.uuid });
    expect(await vonage.voice.streamAudio(c.uuid, 'https://media.example/hold.mp3', 3, 0.25)).toEqual({ message: 'Stream started', uuid: c.uuid });
    expect(await vonage.voice.stopStreamAudio(c.uuid)).toEqual({ message: 'Stream stopped', uuid: c.uuid });
    expect(await vonage.voice.playDTMF(c.uuid, '1p2#')).toEqual({ message: 'DTMF sent', uuid: c.uuid });
    expect(fake.received).toEqual([
      { method: 'announce', applicationId: app.id, uuid: c.uuid, announcement: { kind: 'talk', text: 'Alex is joining this call', language: 'en-GB', loop: 2, level: 0.5 } },
      { method: 'stopAnnouncement', applicationId: app.id, uuid: c.uuid, kind: 'talk' },
      { method: 'announce', applicationId: app.id, uuid: c.uuid, announcement: { kind: 'stream', url: 'https://media.example/hold.mp3', loop: 3, level: 0.25 } },
      { method: 'stopAnnouncement', applicationId: app.id, uuid: c.uuid, kind: 'stream' },
      { method: 'sendDtmf', applicationId: app.id, uuid: c.uuid, digits: '1p2#' },
    ]);
  });

  it('surfaces 404 for an unknown call and 400 for a finished one as the status the SDK reports', async () => {
    const status = (p: Promise<unknown>) => p.then(() => 0, (err: { response?: { status?: number } }) => err.response?.status);
    expect(await status(vonage.voice.getCall('00000000-0000-4000-8000-999999999999'))).toBe(404);
    const done = fake.add(app.id, { status: 'completed' });
    expect(await status(vonage.voice.hangupCall(done.uuid))).toBe(400);
  });

  it('refuses, with 401, the SDK of another application, and over raw fetch a foreign, expired or badly signed token', async () => {
    const stranger = await testKeys();
    const foreign = await store.addApp({ name: 'foreign', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e', publicKey: stranger.publicPem });
    const c = fake.add(app.id);
    const theirs = new Vonage({ applicationId: foreign.id, privateKey: stranger.privatePem }, { apiHost: http.url });
    // A valid token of another application sees none of this one's calls.
    await expect(theirs.voice.getCall(c.uuid)).rejects.toMatchObject({ response: { status: 404 } });

    const get = async (token: string) => {
      const res = await fetch(`${http.url}/v1/calls/${c.uuid}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const past = Math.floor(Date.now() / 1000) - 3600;
    for (const token of [
      await appJwt(stranger, app.id), // this app's id, another app's key
      await appJwt(keys, app.id, { iat: past, exp: past + 900 }), // expired
      (await appJwt(keys, app.id)).replace(/.{6}$/, 'AAAAAA'), // signature broken
    ]) {
      const res = await get(token);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ type: 'https://developer.vonage.com/api-errors#unauthorized', title: 'Unauthorized' });
    }
    expect((await get(await appJwt(keys, app.id))).status).toBe(200);
  });
});
