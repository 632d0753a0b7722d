/**
 * The project's ARI adapter (src/ari/connect.ts) asks the simulator for snoop channels
 * through ari-client: both forms (with and without a snoopId), and Asterisk's refusals
 * mapped to AriErrors like every other operation. Runs without ../shared.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAri, type AriConnection } from '../../src/ari/connect.js';
import { routeKey } from '../../src/ari/router.js';
import type { AriEvent } from '../../src/ari/types.js';
import { AriError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { fixtureDialplan, makeMohDir, makeSoundsDir } from './helpers.js';

describe('AriChannels.snoop against the simulator', () => {
  let sim: Simulator;
  let ari: AriConnection;
  const dirs: string[] = [];
  const events: AriEvent[] = [];

  const until = async (check: () => boolean, what: string): Promise<void> => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!check()) throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    const soundsDir = makeSoundsDir();
    const mohDir = makeMohDir();
    dirs.push(soundsDir, mohDir);
    sim = await startSimulator({ soundsDir, mohDir, dialplan: fixtureDialplan });
    ari = await connectAri({
      url: sim.url,
      username: 'asterisk',
      password: 'asterisk',
      connectTimeoutMs: 5000,
      connectRetries: 0,
      requestTimeoutMs: 5000,
      log: createLogger({ level: 'error', silent: true }),
    });
    for (const id of ['ad-tgt', 'ad-snoop', 'ad-snoop2']) ari.events.route(routeKey.channel(id), (e) => events.push(e));
    ari.events.listen('StasisStart', (e) => events.push(e));
    await ari.listen(['driver', 'target']);
    await ari.channels.originate({ endpoint: 'Local/100@trace/n', app: 'driver', channelId: 'ad-drv', otherChannelId: 'ad-tgt', variables: { TARGET_APP: 'target' } });
    await until(() => events.some((e) => e.type === 'StasisStart' && e.channel.id === 'ad-tgt'), 'the call');
    await ari.channels.answer('ad-tgt');
  });
  afterAll(async () => {
    await sim?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('creates a snoop channel with a given id, which enters the app with its args', async () => {
    const ch = await ari.channels.snoop('ad-tgt', { app: 'target', spy: 'in', appArgs: 'spy,in', snoopId: 'ad-snoop' });
    expect(ch).toMatchObject({ id: 'ad-snoop', state: 'Up', name: expect.stringMatching(/^Snoop\/ad-tgt-[0-9a-f]{8}$/) as unknown });
    await until(() => events.some((e) => e.type === 'StasisStart' && e.channel.id === 'ad-snoop'), 'StasisStart of the snoop');
    const start = events.find((e) => e.type === 'StasisStart' && e.channel.id === 'ad-snoop');
    expect(start).toMatchObject({ application: 'target', args: ['spy', 'in'] });
  });

  it('creates one without an id (Asterisk names it) and with whisper only', async () => {
    const ch = await ari.channels.snoop('ad-tgt', { app: 'target', whisper: 'out' });
    expect(ch.id).not.toBe('');
    expect(ch.name).toMatch(/^Snoop\/ad-tgt-/);
    expect((await ari.channels.get(ch.id)).dialplan).toMatchObject({ app_name: 'Stasis', app_data: 'target' });
  });

  it('maps refusals to AriErrors with the status and Asterisk\'s message', async () => {
    const fail = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err) {
        expect(err).toBeInstanceOf(AriError);
        const e = err as AriError;
        return { status: e.status, operation: e.operation, message: e.message };
      }
      throw new Error('expected a failure');
    };
    expect(await fail(ari.channels.snoop('nosuch', { app: 'target', spy: 'in' }))).toMatchObject({ status: 404, operation: 'channels.snoopChannel', message: expect.stringContaining('Provided channel was not found') as unknown });
    expect(await fail(ari.channels.snoop('ad-tgt', { app: 'target', snoopId: 'ad-snoop2' }))).toMatchObject({ status: 400, operation: 'channels.snoopChannelWithId', message: expect.stringContaining('Direction must be specified') as unknown });
    expect(await fail(ari.channels.snoop('ad-tgt', { app: '', spy: 'both' }))).toMatchObject({ status: 400, message: expect.stringContaining('Application name is required') as unknown });
  });
});
