/** Facts 64-67: originate errors, applications, hold/silence/mute, ping and endpoints. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAri, haveTranscripts, recordedResponse, warnIfNoTranscripts } from '../helpers.js';
import type { EventLog } from '../helpers.js';

warnIfNoTranscripts();

describe.skipIf(!haveTranscripts)('ARI fidelity: misc resources', () => {
  let ari: TestAri;
  let events: EventLog;
  beforeAll(async () => {
    ari = await TestAri.start();
    events = await ari.connect();
  });
  afterAll(async () => {
    await ari.close();
  });

  it('fact 64: originate errors', async () => {
    expect(await ari.req('POST', '/channels?endpoint=Local/100@trace/n')).toMatchObject({ status: 400, body: { message: 'Application or extension must be specified' } });
    expect(await ari.req('POST', '/channels?app=driver')).toMatchObject({ status: 400, body: { message: 'Endpoint must be specified' } });
    await ari.call(events, 'm1');
    const dup = await ari.req('POST', '/channels?endpoint=Local/100@trace/n&app=driver&channelId=m1-drv');
    expect(dup).toMatchObject({ status: 409, body: { message: 'Channel with given unique ID already exists' } });
    expect(dup.body).toEqual(recordedResponse('misc-resources.jsonl', 'POST', /channelId=m1-drv$/).body);
  });

  it('fact 65: applications list their subscriptions; an unknown app is 404', async () => {
    const list = await ari.req('GET', '/applications');
    const recorded = recordedResponse('misc-resources.jsonl', 'GET', /^\/ari\/applications$/);
    const apps = list.body as { name: string; channel_ids: string[] }[];
    expect(Object.keys(apps[0] ?? {})).toEqual(Object.keys((recorded.body as object[])[0] ?? {}));
    const driver = await ari.req('GET', '/applications/driver');
    expect((driver.body as { channel_ids: string[] }).channel_ids.sort()).toEqual(['m1-drv', 'm1-tgt']);
    expect(await ari.req('GET', '/applications/nosuchapp')).toMatchObject({ status: 404, body: { message: 'Application not found' } });
  });

  it('fact 66: hold, silence and mute return 204 and send no events', async () => {
    const from = events.mark();
    for (const [method, path] of [
      ['POST', 'hold'],
      ['DELETE', 'hold'],
      ['POST', 'silence'],
      ['DELETE', 'silence'],
      ['POST', 'mute?direction=both'],
      ['DELETE', 'mute?direction=both'],
    ] as const) {
      expect((await ari.req(method, `/channels/m1-tgt/${path}`)).status).toBe(204);
    }
    await events.settle(60);
    expect(events.since(from)).toEqual([]);
  });

  it('fact 67: ping and endpoints', async () => {
    const ping = await ari.req('GET', '/asterisk/ping');
    expect(ping.status).toBe(200);
    expect(Object.keys(ping.body as object)).toEqual(['ping', 'timestamp', 'asterisk_id']);
    expect((ping.body as { ping: string }).ping).toBe('pong');
    expect((ping.body as { timestamp: string }).timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(await ari.req('GET', '/endpoints')).toMatchObject({ status: 200, body: [] });
    const info = await ari.req('GET', '/asterisk/info');
    const recorded = recordedResponse('misc-resources.jsonl', 'GET', /^\/ari\/asterisk\/info$/);
    expect(Object.keys(info.body as object)).toEqual(Object.keys(recorded.body as object));
  });
});
