/**
 * The foundation, from the phone: a call reaches a flow's actor, keys arrive,
 * playback controls and recordings behave as on Asterisk, hang-ups and failures
 * leave nothing behind. Runs unchanged wherever test/support/world.ts points
 * ARI (npm test, or npm run test:asterisk).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { connectAri } from '../../src/ari/connect.js';
import type { App } from '../../src/app.js';
import { AppError, AriError } from '../../src/errors.js';
import { probeFlow } from '../flows/probe.js';
import { TestCaller } from '../support/caller.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { eventually, sleep } from '../support/wait.js';
import { startWorld, type World } from '../support/world.js';

const PROBE = `probe-${uuidv4().slice(0, 8)}`;
const MONKEYS = 'sound:tt-monkeys'; // 16.18 s

let world: World;
let app: App;
let caller: TestCaller;

beforeAll(async () => {
  world = await startWorld();
  app = await world.startApp([probeFlow(PROBE)]);
  caller = await TestCaller.connect(world);
});

afterAll(async () => {
  await caller?.close();
  await world?.close();
});

/** No call actor and no routed resource left in the app. */
async function appIsIdle(a: App = app): Promise<void> {
  await eventually(() => a.runtime.size === 0 && a.ari.events.size === 0, `no live call (calls ${a.runtime.size}, routes ${a.ari.events.size})`);
}

describe('foundation scenarios', () => {
  it('a call reaches the flow, keys arrive, and hanging up leaves no actor or route', async () => {
    const call = await caller.dial(PROBE, { args: ['x'] });
    expect(app.runtime.channelIds()).toContain(call.peerId);
    await call.press('1');
    await call.hears(MONKEYS);
    await call.hangup();
    const end = await call.heardEnd(MONKEYS);
    expect(end.playback.state).toBe('failed'); // a hang-up during a playback ends it "failed" (fact 20)
    await call.ended();
    await appIsIdle();
  });

  it('playback controls: pause and unpause, forward and reverse by 5 s, restart', async () => {
    const call = await caller.dial(PROBE, { args: [] });
    await call.press('1');
    const started = await call.hears(MONKEYS);
    const id = started.playback.id;
    await call.press('2');
    await eventually(async () => (await caller.ari.playbacks.get(id)).state === 'paused', 'the playback to be paused');
    await sleep(1000);
    await call.press('2');
    await eventually(async () => (await caller.ari.playbacks.get(id)).state === 'playing', 'the playback to play again');
    // Forward twice (10 s) and back once (5 s): 16.18 s of media ends ~5 s early.
    const t0 = Date.now();
    await call.press('33');
    await sleep(600);
    await call.press('1');
    await call.heardEnd(MONKEYS, 20_000);
    const heardFor = (Date.now() - t0) / 1000;
    expect(heardFor).toBeGreaterThan(16.18 - 0.5 - 5 - 2 - 1.5); // less than a full play, minus 5 s net
    expect(heardFor).toBeLessThan(16.18 - 5 + 1.5);
    await call.hangup();
    await call.ended();
    await appIsIdle();
  });

  it('restart plays the media from the beginning again', async () => {
    const call = await caller.dial(PROBE, { args: [] });
    await call.press('1');
    await call.hears(MONKEYS);
    await sleep(3000);
    const t0 = Date.now();
    await call.press('5');
    await call.heardEnd(MONKEYS, 25_000);
    expect((Date.now() - t0) / 1000).toBeGreaterThan(16.18 - 1.5);
    await call.hangup();
    await call.ended();
  });

  it('a recording made while the caller speaks is stored with a plausible duration', async () => {
    const call = await caller.dial(PROBE, { args: [] });
    await call.press('2');
    const started = await call.next((e) => e.type === 'RecordingStarted', 'the recording to start');
    const name = started.type === 'RecordingStarted' ? started.recording.name : '';
    expect(name).toBe(`probe/${call.peerId}`);
    await call.speak(3);
    await call.press('#');
    const finished = await call.next((e) => e.type === 'RecordingFinished', 'the recording to finish');
    const duration = finished.type === 'RecordingFinished' ? (finished.recording.duration ?? -1) : -1;
    expect(duration).toBeGreaterThanOrEqual(2);
    expect(duration).toBeLessThanOrEqual(4);
    const stored = await caller.ari.recordings.listStored();
    expect(stored).toContainEqual({ name, format: 'wav' });
    await caller.ari.recordings.deleteStored(name);
    await call.hangup();
    await call.ended();
    await appIsIdle();
  });

  it('an ARI error inside a flow ends that call only; the process and other calls go on', async () => {
    const healthy = await caller.dial(PROBE, { args: [] });
    const broken = await caller.dial(PROBE, { args: [] });
    await broken.press('9');
    await broken.ended();
    await healthy.press('1');
    await healthy.hears(MONKEYS);
    expect(app.runtime.channelIds()).toEqual([healthy.peerId]);
    await healthy.hangup();
    await healthy.ended();
    await appIsIdle();
  });

  it('a call the service places starts the intended flow with the intended arguments, once, and the phone drives it', async () => {
    const started: { channelId: string; args: readonly string[]; direction: string }[] = [];
    const off = app.events.on('call.started', (e) => started.push(e));
    try {
      const ringing = caller.answerIncoming();
      const { channelId } = await app.runtime.originate(
        { endpoint: `Local/${caller.app}@stasis-flows-test-noargs/n`, variables: { CALLER_LANG: 'en' } },
        { kind: 'start', app: PROBE, args: ['outbound'] },
      );
      const phone = await ringing;
      await eventually(() => app.runtime.get(channelId)?.state === 'idle', 'the placed call to run the probe flow');
      expect(started).toEqual([expect.objectContaining({ channelId, args: ['outbound'], direction: 'outbound' })]);
      expect(app.runtime.size).toBe(1);
      await caller.ari.channels.sendDtmf(phone, '1');
      await eventually(() => app.runtime.get(channelId)?.state === 'playing', 'the key to reach the flow');
      await caller.ari.channels.hangup(phone);
      await appIsIdle();
    } finally {
      off();
    }
  });

  it('an unknown channel is a 404 AriError naming the operation and the channel', async () => {
    const err = await app.ari.channels.get('no-such-channel').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriError);
    expect(err).toMatchObject({ status: 404, operation: 'channels.get', resourceId: 'no-such-channel' });
  });

  it('bad credentials are refused with one clear error, without retrying', async () => {
    const err = await connectAri({
      url: world.ariUrl,
      username: world.username,
      password: 'wrong-password',
      connectTimeoutMs: 5000,
      connectRetries: 3,
      requestTimeoutMs: 5000,
      log: world.log,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'ARI_AUTH_FAILED' });
    expect((err as Error).message).not.toContain('wrong-password');
  });

  it('an unreachable Asterisk is reported after the retries, within the time-out', async () => {
    const t0 = Date.now();
    const err = await connectAri({
      url: 'http://127.0.0.1:9', // discard port: nothing listens
      username: 'asterisk',
      password: 'asterisk',
      connectTimeoutMs: 1000,
      connectRetries: 1,
      requestTimeoutMs: 1000,
      log: world.log,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ARI_UNREACHABLE' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  describe('the WebSocket drops mid-call', () => {
    let proxy: TcpProxy;
    let proxied: App;

    beforeAll(async () => {
      proxy = await startTcpProxy(world.ariUrl);
      proxied = await world.startApp([probeFlow(`${PROBE}-ws`)], { ARI_URL: proxy.url });
    });
    afterAll(async () => {
      await proxied.stop();
      await proxy.close();
    });

    it('reconnects; a call that survived goes on, a call that ended meanwhile is reconciled', async () => {
      const survivor = await caller.dial(`${PROBE}-ws`, { args: [] });
      const leaver = await caller.dial(`${PROBE}-ws`, { args: [] });
      expect(proxied.runtime.size).toBe(2);
      proxy.block(true);
      proxy.dropAll();
      await leaver.hangup(); // its StasisEnd is lost with the socket
      await leaver.ended();
      await sleep(500);
      proxy.block(false);
      await eventually(() => proxied.runtime.size === 1, 'the vanished call to be reconciled', 20_000);
      expect(proxied.runtime.channelIds()).toEqual([survivor.peerId]);
      await survivor.press('1');
      await survivor.hears(MONKEYS);
      await survivor.hangup();
      await survivor.ended();
      await appIsIdle(proxied);
    });
  });
});
