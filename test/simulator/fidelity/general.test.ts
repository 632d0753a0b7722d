/** Facts 1-6 of ../shared/ari-transcripts/README.md: errors, auth, paths, api-docs, connect. */
import { request } from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAri, haveTranscripts, recordedResponse, warnIfNoTranscripts } from '../helpers.js';

warnIfNoTranscripts();

describe.skipIf(!haveTranscripts)('ARI fidelity: general, auth, errors', () => {
  let ari: TestAri;
  beforeAll(async () => {
    ari = await TestAri.start();
  });
  afterAll(async () => {
    await ari.close();
  });

  it('fact 1: error bodies are {"message"}, except originate to an unknown technology', async () => {
    const missing = await ari.req('GET', '/playbacks/none');
    expect(missing).toMatchObject({ status: 404, body: { message: 'Playback not found' } });
    const bogus = await ari.req('POST', '/channels?endpoint=Bogus/1&app=driver');
    const recorded = recordedResponse('misc-resources.jsonl', 'POST', /endpoint=Bogus\/1/);
    expect(bogus.status).toBe(recorded.status);
    expect(bogus.body).toEqual(recorded.body);
    expect(bogus.body).toEqual({ error: 'Allocation failed' });
  });

  it('fact 2: commands without a body answer 204, empty, as application/json', async () => {
    const res = await ari.req('PUT', '/mailboxes/305@default?oldMessages=1&newMessages=2');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it('fact 3: 401 without or with wrong credentials (api-docs included); api_key works for REST and WebSocket', async () => {
    const none = await ari.req('GET', '/asterisk/info', undefined, false);
    expect(none).toMatchObject({ status: 401, body: { message: 'Authentication required' } });
    const wrong = await fetch(`${ari.url}/ari/asterisk/info`, { headers: { authorization: `Basic ${Buffer.from('asterisk:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ message: 'Authentication required' });
    const docs = await ari.req('GET', '/api-docs/resources.json', undefined, false);
    expect(docs).toMatchObject({ status: 401, body: { message: 'Authentication required' } });
    const key = await ari.req('GET', '/asterisk/info?api_key=asterisk:asterisk', undefined, false);
    expect(key.status).toBe(200);
    const bad = new WebSocket(`${ari.url.replace('http', 'ws')}/ari/events?app=x&api_key=asterisk:wrong`);
    const status = await new Promise<number>((resolve) => bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
    const good = await ari.connect('keyed');
    expect(good.ws.readyState).toBe(WebSocket.OPEN);
    good.close();
  });

  it('fact 4: an unknown path, or a raw slash in a name, is 404 "Resource not found"', async () => {
    expect(await ari.req('GET', '/nosuchresource')).toMatchObject({ status: 404, body: { message: 'Resource not found' } });
    expect(await ari.req('GET', '/sounds/digits/4')).toMatchObject({ status: 404, body: { message: 'Resource not found' } });
    expect(await ari.req('GET', '/recordings/stored/voicemail/305/1')).toMatchObject({ status: 404, body: { message: 'Resource not found' } });
  });

  it('fact 5: api-docs basePath comes from the Host header', async () => {
    const docs = await ari.req('GET', '/api-docs/resources.json');
    expect((docs.body as { basePath: string }).basePath).toBe(`http://127.0.0.1:${ari.sim.port}/ari`);
    const viaHost = await new Promise<string>((resolve, reject) => {
      const req = request(`${ari.url}/ari/api-docs/channels.json`, { headers: { host: 'pbx.example:8088', authorization: `Basic ${Buffer.from('asterisk:asterisk').toString('base64')}` } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect((JSON.parse(viaHost) as { basePath: string }).basePath).toBe('http://pbx.example:8088/ari');
  });

  it('fact 6: no event is sent when the WebSocket connects', async () => {
    const events = await ari.connect('quiet');
    await events.settle(100);
    expect(events.events).toEqual([]);
    events.close();
  });
});
