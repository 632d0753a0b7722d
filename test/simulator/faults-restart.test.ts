/**
 * `faults.restart`: Asterisk dies and comes back, as a client sees it. During the outage
 * connections are refused; afterwards the simulator is empty (channels, bridges,
 * playbacks, live recordings, snoops, registrations) with no event about what vanished,
 * no timer of the old process left, stored recordings and mailboxes kept; and the
 * project's adapter is registered again soon after (issue 14: within 2 s).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAri } from '../../src/ari/connect.js';
import type { ConnectionEvent } from '../../src/ari/port.js';
import { AriError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { startSimulator } from '../../src/simulator/index.js';
import { AUTH, TestAri, type EventLog } from './helpers.js';

/** What a promise failed with (it must fail). */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

const causeCode = (err: unknown): unknown => (err as { cause?: { code?: unknown } }).cause?.code;

describe('restart on a manual clock', () => {
  let ari: TestAri;
  let events: EventLog;
  let storedBefore: Buffer;
  let restartedAt = 0;

  beforeAll(async () => {
    ari = await TestAri.start();
    events = await ari.connect();
    // A stored recording from before, and a mailbox.
    const { drv, tgt } = await ari.call(events, 'old');
    await ari.req('POST', `/channels/${drv}/play?media=sound:tt-monkeys&playbackId=old-pb`);
    await ari.req('POST', `/channels/${tgt}/record?name=kept/1&format=wav&ifExists=overwrite`);
    await ari.advance(1000);
    await ari.req('POST', '/recordings/live/kept%2F1/stop');
    await events.wait('RecordingFinished', 'target');
    storedBefore = readFileSync(join(ari.sim.recordingsDir, 'kept/1.wav'));
    expect((await ari.req('PUT', '/mailboxes/305?oldMessages=1&newMessages=2')).status).toBe(204);

    // What is alive when Asterisk dies: a recording in progress on a call that plays audio,
    // a bridged call with a snoop, a channel in the dialplan (Wait(60)), a ringing dial.
    await ari.req('POST', `/channels/${tgt}/record?name=cut/1&format=wav&maxDurationSeconds=60&ifExists=overwrite`);
    const b = await ari.call(events, 'brg');
    expect((await ari.req('POST', '/bridges/b1?type=mixing')).status).toBe(200);
    expect((await ari.req('POST', `/bridges/b1/addChannel?channel=${b.tgt}`)).status).toBe(204);
    expect((await ari.req('POST', `/channels/${b.tgt}/snoop?app=target&spy=in&snoopId=snp`)).status).toBe(200);
    expect((await ari.req('POST', '/channels?endpoint=Local/waitonly@outcomes&app=driver&channelId=dp-1')).status).toBe(200);
    expect((await ari.req('POST', '/channels?endpoint=Local/noanswer@outcomes&app=driver&channelId=ring-1&timeout=30')).status).toBe(200);
    await ari.advance(2000);
    expect(ari.sim.counts()).toMatchObject({ channels: 9, bridges: 1, recordings: 1, playbacks: 1, apps: 2 });
    expect(ari.sim.counts().channelsInStasis).toBeGreaterThanOrEqual(5);
  });
  afterAll(async () => {
    await ari.close();
  });

  it('closes the event WebSocket abruptly and refuses connections while down, sending nothing', async () => {
    const mark = events.mark();
    const closed = new Promise<number>((resolve) => events.ws.on('close', (code: number) => resolve(code)));
    ari.sim.faults.hangNext({ path: /^\/ari\/asterisk\/ping$/ });
    const held = failure(fetch(`${ari.url}/ari/asterisk/ping`, { headers: { authorization: AUTH } }));
    await new Promise((r) => setTimeout(r, 50));
    const restart = ari.sim.faults.restart({ downMs: 1000 });
    expect(await closed).toBe(1006);
    expect(events.since(mark)).toEqual([]);
    // The request in flight ends with the connection.
    expect(await held).toBeInstanceOf(TypeError);
    // Nothing listens: connection refused, for REST and for the WebSocket.
    expect(causeCode(await failure(fetch(`${ari.url}/ari/asterisk/ping`, { headers: { authorization: AUTH } })))).toBe('ECONNREFUSED');
    await expect(ari.connect()).rejects.toThrow(/ECONNREFUSED/);
    await expect(ari.sim.faults.restart()).rejects.toThrow(/already restarting/);
    await ari.clock.advance(999);
    expect(causeCode(await failure(fetch(`${ari.url}/ari/asterisk/ping`, { headers: { authorization: AUTH } })))).toBe('ECONNREFUSED');
    await ari.clock.advance(1);
    await restart;
    restartedAt = ari.clock.now();
    expect((await ari.req('GET', '/asterisk/ping')).status).toBe(200);
  });

  it('comes back empty: channels, bridges, playbacks, live recordings, snoops and apps are gone', async () => {
    expect((await ari.req('GET', '/channels')).body).toEqual([]);
    for (const id of ['old-tgt', 'old-drv', 'brg-tgt', 'snp', 'dp-1', 'ring-1']) {
      expect((await ari.req('GET', `/channels/${id}`)).status).toBe(404);
    }
    expect((await ari.req('POST', '/channels/old-tgt/answer')).status).toBe(404);
    expect((await ari.req('GET', '/bridges')).body).toEqual([]);
    expect((await ari.req('GET', '/bridges/b1')).status).toBe(404);
    expect((await ari.req('GET', '/playbacks/old-pb')).status).toBe(404);
    expect((await ari.req('GET', '/recordings/live/cut%2F1')).status).toBe(404);
    expect((await ari.req('GET', '/applications')).body).toEqual([]);
    expect(ari.sim.counts()).toEqual({ channels: 0, channelsInStasis: 0, bridges: 0, recordings: 0, playbacks: 0, apps: 0 });
    const stats = (await (await fetch(`${ari.url}/simulator/stats`, { headers: { authorization: AUTH } })).json()) as { live?: unknown };
    expect(stats.live).toEqual(ari.sim.counts());
    const info = (await ari.req('GET', '/asterisk/info?only=status')).body as { status: { startup_time: string } };
    expect(Date.parse(info.status.startup_time.replace('+0000', 'Z'))).toBe(restartedAt);
  });

  it('keeps what is on disk: stored recordings (the cut one with what was recorded), mailboxes', async () => {
    const file = await fetch(`${ari.url}/ari/recordings/stored/kept%2F1/file`, { headers: { authorization: AUTH } });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(storedBefore)).toBe(true);
    // The recording in progress had run 2 s when Asterisk died: its file holds those 2 s (8 kHz, 16 bit, + the 44-byte header).
    expect((await ari.req('GET', '/recordings/stored/cut%2F1')).body).toEqual({ name: 'cut/1', format: 'wav' });
    const cut = readFileSync(join(ari.sim.recordingsDir, 'cut/1.wav'));
    expect(Math.abs(cut.length - 44 - 2 * 8000 * 2)).toBeLessThanOrEqual(2 * 160);
    expect((await ari.req('GET', '/mailboxes/305')).body).toEqual({ name: '305', old_messages: 1, new_messages: 2 });
  });

  it('leaves no timer of the old process: nothing fires later, no ghost event reaches a new client', async () => {
    expect(ari.clock.pending).toBe(0);
    const fresh = await ari.connect();
    expect(((await ari.req('GET', '/applications')).body as { name: string }[]).map((a) => a.name).sort()).toEqual(['driver', 'target']);
    // Past the playback's end, the dial time-out, Wait(60) and the max duration.
    await ari.advance(120_000);
    expect(fresh.events).toEqual([]);
    expect((await ari.req('GET', '/channels')).body).toEqual([]);

    // It serves new calls as before; their events name only the new objects.
    const { drv } = await ari.call(fresh, 'new');
    expect(fresh.events.every((e) => JSON.stringify(e).includes('new-'))).toBe(true);
    await ari.req('DELETE', `/channels/${drv}`);
    await fresh.wait('ChannelDestroyed', 'driver', drv);
  });
});

describe('restart with the service adapter (real time)', () => {
  it('the apps are registered again within 2 s of Asterisk coming back; requests meanwhile fail with status 0', async () => {
    const sim = await startSimulator();
    const ari = await connectAri({
      url: sim.url,
      username: 'asterisk',
      password: 'asterisk',
      connectTimeoutMs: 5000,
      connectRetries: 0,
      requestTimeoutMs: 2000,
      log: createLogger({ level: 'error', silent: true }),
    });
    const seen: { at: number; event: ConnectionEvent }[] = [];
    ari.onConnection((event) => seen.push({ at: Date.now(), event }));
    await ari.listen(['svc-a', 'svc-b']);
    try {
      const restart = sim.faults.restart({ downMs: 1000 });
      const down = await failure(ari.asterisk.ping());
      expect(down).toBeInstanceOf(AriError);
      expect((down as AriError).status).toBe(0);
      await restart;
      const back = Date.now();
      for (let i = 0; i < 300 && !seen.some((s) => s.event.type === 'reconnected'); i++) await new Promise((r) => setTimeout(r, 10));
      expect(seen.map((s) => s.event.type)).toEqual(['disconnected', 'reconnected']);
      const registeredAfter = (seen[1]?.at ?? Infinity) - back;
      expect(registeredAfter).toBeLessThan(2000);
      const apps = (await ari.applications.list()).map((a) => a.name).sort();
      expect(apps).toEqual(['svc-a', 'svc-b']);
    } finally {
      await ari.close();
      await sim.close();
    }
  });

  it('close() in the middle of a restart ends it without coming back', async () => {
    const sim = await startSimulator();
    const restart = sim.faults.restart({ downMs: 60_000 });
    await new Promise((r) => setTimeout(r, 20));
    await sim.close();
    await restart;
    expect(causeCode(await failure(fetch(`${sim.url}/ari/asterisk/ping`, { headers: { authorization: AUTH } })))).toBe('ECONNREFUSED');
    await expect(sim.faults.restart()).rejects.toThrow(/closed/);
  });
});
