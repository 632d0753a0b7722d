/**
 * The scenario suite's test phones: `[stasis-flows-test-phones]` in
 * asterisk-config/extensions.conf and `TestCaller.connectPhone` / `phoneNumber`. The
 * "service" here is a bare ARI app that dials `Local/<number>@stasis-flows-test-phones/n`,
 * as the voice API's phone endpoint template does, and sees what Asterisk would show it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestCaller } from '../support/caller.js';
import { eventually } from '../support/wait.js';
import { startWorld, type World } from '../support/world.js';
import { AUTH, EventLog } from './helpers.js';

describe('test phones behind [stasis-flows-test-phones]', () => {
  let world: World;
  let phone: TestCaller;
  let service: EventLog;
  const rest = async (method: string, path: string): Promise<number> => (await fetch(`${world.ariUrl}/ari${path}`, { method, headers: { authorization: AUTH } })).status;
  const endpoint = (number: string) => encodeURIComponent(`Local/${number}@stasis-flows-test-phones/n`);

  beforeAll(async () => {
    world = await startWorld();
    phone = await TestCaller.connectPhone(world);
    const ws = new WebSocket(`${world.ariUrl.replace('http', 'ws')}/ari/events?app=svc&api_key=asterisk:asterisk`);
    service = new EventLog(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  });
  afterAll(async () => {
    service.ws.close();
    await phone.close();
    await world.close();
  });

  it('numbers: a kind digit and the phone\'s 12 digits, valid E.164; a plain caller has none', async () => {
    const numbers = (['answers', 'busy', 'unanswered', 'congested'] as const).map((k) => phone.phoneNumber(k));
    for (const n of numbers) expect(n).toMatch(/^[1-9]\d{6,14}$/);
    expect(new Set(numbers.map((n) => n.slice(1))).size).toBe(1);
    expect(new Set(numbers.map((n) => n[0])).size).toBe(4);
    const plain = await TestCaller.connect(world);
    try {
      expect(() => plain.phoneNumber('answers')).toThrow(/not a test phone/);
    } finally {
      await plain.close();
    }
  });

  it('answers: the call rings, reaches the phone\'s app unanswered, and the phone answers it', async () => {
    const from = service.mark();
    const answered = phone.answerIncoming();
    expect(await rest('POST', `/channels?endpoint=${endpoint(phone.phoneNumber('answers'))}&app=svc&channelId=tp-1&otherChannelId=tp-2`)).toBe(200);
    await answered;
    await service.wait('StasisStart', 'svc', 'tp-1', from);
    expect(service.since(from, 'Dial').map((e) => e['dialstatus'])).toEqual(['', 'RINGING', 'ANSWER']);
    expect(await rest('DELETE', '/channels/tp-1')).toBe(204);
  });

  it('busy and congested: create + dial ends BUSY / CONGESTION and the channel stays with the service', async () => {
    for (const [kind, status] of [['busy', 'BUSY'], ['congested', 'CONGESTION']] as const) {
      const from = service.mark();
      expect(await rest('POST', `/channels/create?endpoint=${endpoint(phone.phoneNumber(kind))}&app=svc&channelId=tp-${kind}`)).toBe(200);
      await service.wait('StasisStart', 'svc', `tp-${kind}`, from);
      expect(await rest('POST', `/channels/tp-${kind}/dial?timeout=5`)).toBe(204);
      await eventually(() => service.since(from, 'Dial').length >= 2, `Dial ${status}`);
      expect(service.since(from, 'Dial').map((e) => e['dialstatus'])).toEqual(['', status]);
      expect(await rest('GET', `/channels/tp-${kind}`)).toBe(200);
      expect(await rest('DELETE', `/channels/tp-${kind}`)).toBe(204);
    }
  });

  it('unanswered: it rings until the dial times out (cause 19, "User alerting, no answer")', async () => {
    const from = service.mark();
    expect(await rest('POST', `/channels?endpoint=${endpoint(phone.phoneNumber('unanswered'))}&app=svc&channelId=tp-na&timeout=1`)).toBe(200);
    const destroyed = await service.wait('ChannelDestroyed', 'svc', 'tp-na', from);
    expect(destroyed).toMatchObject({ cause: 19, cause_txt: 'User alerting, no answer' });
    expect(service.since(from, 'Dial').map((e) => e['dialstatus'])).toEqual(['', 'RINGING']);
  }, 10_000);
});
