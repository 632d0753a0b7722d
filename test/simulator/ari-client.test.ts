/**
 * The unmodified npm ari-client 2.2.0 against the simulator: it loads the api-docs,
 * opens the WebSocket, and drives a Local call through originate, StasisStart, answer,
 * play, DTMF and hangup. Runs without ../shared (it needs no transcripts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import ariClient from 'ari-client'; // eslint-disable-line no-restricted-imports -- this test proves that the unmodified ari-client talks to the simulator.
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { fixtureDialplan, makeMohDir, makeSoundsDir } from './helpers.js';

interface AriPlayback {
  id: string;
}
interface AriChannel {
  id: string;
  answer(): Promise<void>;
  play(options: { media: string }, playback?: AriPlayback): Promise<AriPlayback>;
  sendDTMF(options: { dtmf: string }): Promise<void>;
  hangup(): Promise<void>;
}
type Listener = (event: Record<string, unknown>, subject: unknown) => void;
interface AriClient {
  on(type: string, listener: Listener): void;
  start(apps: string[]): Promise<void>;
  stop(): void;
  Playback(): AriPlayback;
  channels: {
    originate(options: Record<string, unknown>): Promise<AriChannel>;
    get(options: { channelId: string }): Promise<AriChannel>;
  };
}
interface AriModule {
  connect(url: string, user: string, password: string): Promise<AriClient>;
}

const ari = ariClient as unknown as AriModule;

function waitFor<T>(register: (resolve: (value: T) => void) => void, ms = 3000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe('ari-client 2.2.0 against the simulator', () => {
  let sim: Simulator;
  const dirs: string[] = [];
  beforeAll(async () => {
    const soundsDir = makeSoundsDir();
    const mohDir = makeMohDir();
    const recordingsDir = mkdtempSync(join(tmpdir(), 'ari-sim-rec-'));
    dirs.push(soundsDir, mohDir, recordingsDir);
    sim = await startSimulator({ soundsDir, mohDir, recordingsDir, dialplan: fixtureDialplan });
  });
  afterAll(async () => {
    await sim.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('connects, originates a Local channel, answers, plays, sends DTMF and hangs up', async () => {
    const client = await ari.connect(sim.url, 'asterisk', 'asterisk');
    const seen: string[] = [];
    const target = waitFor<AriChannel>((resolve) => {
      client.on('StasisStart', (event, channel) => {
        const ch = channel as AriChannel;
        seen.push(`StasisStart:${event['application'] as string}:${ch.id}`);
        if (event['application'] === 'target') resolve(ch);
      });
    });
    const driverUp = waitFor<AriChannel>((resolve) => {
      client.on('StasisStart', (event, channel) => {
        if (event['application'] === 'driver') resolve(channel as AriChannel);
      });
    });
    await client.start(['driver', 'target']);

    const caller = await client.channels.originate({
      endpoint: 'Local/target@stasis-flows-test/n',
      app: 'driver',
      variables: { STASIS_ARGS: 'a,b', CALLER_LANG: 'en' },
      channelId: 'ac-drv',
      otherChannelId: 'ac-tgt',
    });
    expect(caller.id).toBe('ac-drv');
    const callee = await target;
    expect(callee.id).toBe('ac-tgt');
    await callee.answer();
    await driverUp;

    const playback = client.Playback();
    const finished = waitFor<Record<string, unknown>>((resolve) => {
      client.on('PlaybackFinished', (event) => {
        if ((event['playback'] as { id: string }).id === playback.id && event['application'] === 'target') resolve(event);
      });
    });
    const started = waitFor<Record<string, unknown>>((resolve) => {
      client.on('PlaybackStarted', (event) => {
        if ((event['playback'] as { id: string }).id === playback.id) resolve(event);
      });
    });
    await callee.play({ media: 'sound:beep' }, playback);
    expect((await started)['playback']).toMatchObject({ media_uri: 'sound:beep', state: 'playing' });
    expect((await finished)['playback']).toMatchObject({ state: 'done' });

    const digit = waitFor<Record<string, unknown>>((resolve) => {
      client.on('ChannelDtmfReceived', (event) => {
        if (event['application'] === 'target') resolve(event);
      });
    });
    await caller.sendDTMF({ dtmf: '7' });
    expect(await digit).toMatchObject({ digit: '7', channel: { id: 'ac-tgt' } });

    const ended = waitFor<Record<string, unknown>>((resolve) => {
      client.on('StasisEnd', (event) => {
        if (event['application'] === 'target') resolve(event);
      });
    });
    await caller.hangup();
    expect(await ended).toMatchObject({ channel: { id: 'ac-tgt' } });
    await expect(client.channels.get({ channelId: 'ac-tgt' })).rejects.toThrow(/Channel not found/);
    expect(seen).toEqual(['StasisStart:target:ac-tgt', 'StasisStart:driver:ac-drv']);
    client.stop();
  });

  it('answers 401 to the requests ari-client makes when the credentials are wrong', async () => {
    // Checked with fetch: swagger-client keeps one basic-auth credential per process (a
    // bad-credentials client would overwrite it) and throws its 401 outside the promise.
    const basic = `Basic ${Buffer.from('asterisk:wrong').toString('base64')}`;
    for (const path of ['/ari/api-docs/resources.json', '/ari/api-docs/channels.json', '/ari/channels']) {
      const res = await fetch(`${sim.url}${path}`, { headers: { authorization: basic } });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: 'Authentication required' });
    }
    const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/ari/events?app=driver&api_key=asterisk:wrong`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
  });
});
