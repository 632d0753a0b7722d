import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

const auth = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });

describe('simulator traffic counters (a benchmark tool, not Asterisk)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ moreUsers: [{ username: 'driver', password: 'd' }] });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('counts requests by user and operation, and events by app; DELETE starts over', async () => {
    const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/ari/events?app=counted&api_key=asterisk:asterisk`);
    await new Promise((resolve) => ws.once('open', resolve));
    const received: unknown[] = [];
    ws.on('message', (data: Buffer) => received.push(JSON.parse(data.toString())));
    await fetch(`${sim.url}/simulator/stats`, { method: 'DELETE', headers: auth('asterisk', 'asterisk') });
    await fetch(`${sim.url}/ari/asterisk/ping`, { headers: auth('asterisk', 'asterisk') });
    // The driver calls into the app: the app gets StasisStart.
    await fetch(`${sim.url}/ari/channels?endpoint=Local/counted@stasis-flows-test-noargs/n&app=counted&channelId=s1`, { method: 'POST', headers: auth('driver', 'd') });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stats = (await (await fetch(`${sim.url}/simulator/stats`, { headers: auth('driver', 'd') })).json()) as { requests: Record<string, Record<string, number>>; events: Record<string, number> };
    expect(stats.requests).toEqual({ asterisk: { 'asterisk.ping': 1 }, driver: { 'channels.originate': 1 } });
    expect(stats.events['counted']).toBe(received.length);
    expect(received.length).toBeGreaterThan(0);
    expect((await fetch(`${sim.url}/simulator/stats`)).status).toBe(404); // no credentials, nothing shown
    ws.close();
  });
});
