import { describe, expect, it } from 'vitest';
import { bridgeEffect, seatEffect } from '../../../src/apps/voice-api/conversation.js';
import { VoiceCalls } from '../../../src/apps/voice-api/calls.js';
import type { VoiceDeps } from '../../../src/apps/voice-api/effects.js';
import type { SeatInput } from '../../../states/conversation/types.js';
import { routeKey } from '../../../src/ari/router.js';
import { flush, memoryLog, runEffect } from '../../support/effect-harness.js';
import { FakeAri, fakeEvents } from '../../support/fake-ari.js';

const settle = async () => {
  for (let i = 0; i < 10; i++) await flush();
};

function deps(fetch: (request: { url: string }) => Promise<string> = () => Promise.resolve('sound:/data/media/hold')) {
  const ari = new FakeAri();
  const fetched: string[] = [];
  const d = {
    ari,
    audio: {
      fetch: (request: { url: string }) => {
        fetched.push(request.url);
        return fetch(request);
      },
    },
    calls: new VoiceCalls(),
  } as unknown as VoiceDeps;
  return { deps: d, ari, fetched, ops: () => ari.requests.map((r) => r.op) };
}

const seat = (options: Partial<SeatInput> = {}): SeatInput => ({
  bridgeId: 'br-1',
  leg: 'leg-1',
  channelId: 'ch-1',
  log: memoryLog(),
  waiting: true,
  muted: false,
  deaf: false,
  ...options,
});

describe('seat effect', () => {
  it('loops the fetched hold music while waiting; on enter stops it, then joins the bridge', async () => {
    const t = deps();
    const effect = runEffect(seatEffect(t.deps), seat({ musicOnHoldUrl: 'http://app.test/hold.mp3' }));
    await settle();
    expect(t.fetched).toEqual(['http://app.test/hold.mp3']);
    const [first] = t.ari.calls('channels.play') as [string, { playbackId: string; media: string }][];
    expect(first).toEqual(['ch-1', expect.objectContaining({ media: 'sound:/data/media/hold' })]);
    t.ari.emit(fakeEvents.playbackFinished('voice-api', first![1].playbackId, 'ch-1', 'sound:/data/media/hold'));
    await settle();
    const plays = t.ari.calls('channels.play') as [string, { playbackId: string }][];
    expect(plays).toHaveLength(2);
    effect.command({ type: 'seat.enter' });
    await settle();
    expect(t.ari.calls('playbacks.stop')).toEqual([[plays[1]![1].playbackId]]);
    expect(t.ari.calls('bridges.addChannel')).toEqual([['br-1', 'ch-1']]);
    expect(t.ops().indexOf('playbacks.stop')).toBeLessThan(t.ops().indexOf('bridges.addChannel'));
    expect(t.ari.calls('channels.mute')).toEqual([]);
    // The stopped playback's end does not start it again.
    t.ari.emit(fakeEvents.playbackFinished('voice-api', plays[1]![1].playbackId, 'ch-1', 'sound:/data/media/hold'));
    await settle();
    expect(t.ari.calls('channels.play')).toHaveLength(2);
    effect.leave();
    await settle();
    expect(t.ari.calls('bridges.removeChannel')).toEqual([['br-1', 'ch-1']]);
  });

  it('plays the default music on hold without a URL, and stops it before joining', async () => {
    const t = deps();
    const effect = runEffect(seatEffect(t.deps), seat());
    await settle();
    expect(t.ari.calls('channels.startMoh')).toEqual([['ch-1']]);
    effect.command({ type: 'seat.enter' });
    await settle();
    expect(t.ops()).toEqual(['channels.startMoh', 'channels.stopMoh', 'bridges.addChannel']);
  });

  it('falls back to the default music on hold when the URL cannot be fetched, with a warn line', async () => {
    const t = deps(() => Promise.reject(new Error('HTTP 404')));
    const log = memoryLog();
    runEffect(seatEffect(t.deps), seat({ musicOnHoldUrl: 'http://app.test/missing.mp3', log }));
    await settle();
    expect(t.ari.calls('channels.startMoh')).toEqual([['ch-1']]);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'hold music could not be fetched; playing the default music on hold' }));
  });

  it('a starting member hears no music and joins at once; muted is set before it joins and lifted when it leaves', async () => {
    const t = deps();
    const effect = runEffect(seatEffect(t.deps), seat({ waiting: false, muted: true }));
    effect.command({ type: 'seat.enter' });
    await settle();
    expect(t.ops()).toEqual(['channels.mute', 'bridges.addChannel']);
    expect(t.ari.calls('channels.mute')).toEqual([['ch-1', 'in']]);
    effect.leave();
    await settle();
    expect(t.ari.calls('channels.unmute')).toEqual([['ch-1', 'in']]);
    expect(t.ari.calls('bridges.removeChannel')).toEqual([['br-1', 'ch-1']]);
  });

  it('deaf mutes what the leg hears (out); both together mute both ways', async () => {
    for (const [options, direction] of [[{ deaf: true }, 'out'], [{ deaf: true, muted: true }, 'both']] as const) {
      const t = deps();
      const effect = runEffect(seatEffect(t.deps), seat({ waiting: false, ...options }));
      effect.command({ type: 'seat.enter' });
      await settle();
      expect(t.ari.calls('channels.mute')).toEqual([['ch-1', direction]]);
    }
  });

  it('a member who leaves while waiting stops its music and is never added', async () => {
    const t = deps();
    const effect = runEffect(seatEffect(t.deps), seat());
    await settle();
    effect.leave();
    await settle();
    expect(t.ops()).toEqual(['channels.startMoh', 'channels.stopMoh']);
  });
});

describe('seat effect: hold and mute from outside', () => {
  it('on hold leaves the bridge and loops the hold URL; taken off hold, the music stops before it is back in', async () => {
    const t = deps((request) => Promise.resolve(`sound:/data/media/${request.url.endsWith('wait.mp3') ? 'wait' : 'hold'}`));
    const effect = runEffect(seatEffect(t.deps), seat({ waiting: false }));
    effect.command({ type: 'seat.enter' });
    await settle();
    expect(t.ops()).toEqual(['bridges.addChannel']);
    effect.command({ type: 'seat.hold', hold: true, holdUrl: 'http://app.test/hold.mp3' });
    await settle();
    expect(t.ops()).toEqual(['bridges.addChannel', 'bridges.removeChannel', 'channels.play']);
    expect(t.fetched).toEqual(['http://app.test/hold.mp3']);
    const [[, play]] = t.ari.calls('channels.play') as [[string, { playbackId: string; media: string }]];
    expect(play.media).toBe('sound:/data/media/hold');
    effect.command({ type: 'seat.hold', hold: false });
    await settle();
    expect(t.ops().slice(3)).toEqual(['playbacks.stop', 'bridges.addChannel']);
    expect(t.ari.calls('playbacks.stop')).toEqual([[play.playbackId]]);
    effect.leave();
    await settle();
    expect(t.ops().at(-1)).toBe('bridges.removeChannel');
  });

  it('on hold without a URL hears the default music on hold, stopped before it goes back in', async () => {
    const t = deps();
    const effect = runEffect(seatEffect(t.deps), seat({ waiting: false }));
    effect.command({ type: 'seat.enter' });
    await settle();
    effect.command({ type: 'seat.hold', hold: true });
    await settle();
    effect.command({ type: 'seat.hold', hold: false });
    await settle();
    expect(t.ops()).toEqual(['bridges.addChannel', 'bridges.removeChannel', 'channels.startMoh', 'channels.stopMoh', 'bridges.addChannel']);
  });

  it('held while waiting: the hold music replaces the waiting music; the start does not take it into the mix until it is off hold', async () => {
    const t = deps((request) => Promise.resolve(`sound:/data/media/${request.url.endsWith('wait.mp3') ? 'wait' : 'hold'}`));
    const effect = runEffect(seatEffect(t.deps), seat({ musicOnHoldUrl: 'http://app.test/wait.mp3' }));
    await settle();
    effect.command({ type: 'seat.hold', hold: true, holdUrl: 'http://app.test/hold.mp3' });
    await settle();
    const media = () => (t.ari.calls('channels.play') as [string, { media: string }][]).map(([, o]) => o.media);
    expect(media()).toEqual(['sound:/data/media/wait', 'sound:/data/media/hold']);
    expect(t.ari.calls('playbacks.stop')).toHaveLength(1);
    effect.command({ type: 'seat.enter' });
    await settle();
    expect(t.ari.calls('bridges.addChannel')).toEqual([]);
    effect.command({ type: 'seat.hold', hold: false });
    await settle();
    expect(t.ari.calls('bridges.addChannel')).toEqual([['br-1', 'ch-1']]);
    expect(t.ari.calls('playbacks.stop')).toHaveLength(2);
  });

  it('changes asked at once are brought about as one: held and taken off hold before anything ran does nothing', async () => {
    const t = deps();
    const effect = runEffect(seatEffect(t.deps), seat({ waiting: false }));
    effect.command({ type: 'seat.enter' });
    await settle();
    effect.command({ type: 'seat.hold', hold: true });
    effect.command({ type: 'seat.hold', hold: false });
    await settle();
    expect(t.ops()).toEqual(['bridges.addChannel']);
  });

  it('seat.mute mutes and unmutes what the leg says while it is in; the cleanup lifts a mute set from outside', async () => {
    const t = deps();
    const effect = runEffect(seatEffect(t.deps), seat({ waiting: false }));
    for (const command of [{ type: 'seat.enter' }, { type: 'seat.mute', muted: true }, { type: 'seat.mute', muted: false }, { type: 'seat.mute', muted: true }]) {
      effect.command(command);
      await settle();
    }
    expect(t.ops()).toEqual(['bridges.addChannel', 'channels.mute', 'channels.unmute', 'channels.mute']);
    expect(t.ari.calls('channels.mute')).toEqual([['ch-1', 'in'], ['ch-1', 'in']]);
    effect.leave();
    await settle();
    expect(t.ari.calls('channels.unmute')).toEqual([['ch-1', 'in'], ['ch-1', 'in']]);
  });

  it('a mute asked while waiting is set when it enters, before it is in', async () => {
    const t = deps();
    const effect = runEffect(seatEffect(t.deps), seat({ waiting: false, deaf: true }));
    effect.command({ type: 'seat.mute', muted: true });
    await settle();
    expect(t.ari.calls('channels.mute')).toEqual([]);
    effect.command({ type: 'seat.enter' });
    await settle();
    expect(t.ops()).toEqual(['channels.mute', 'bridges.addChannel']);
    expect(t.ari.calls('channels.mute')).toEqual([['ch-1', 'both']]);
  });
});

describe('bridge effect', () => {
  it('beeps into the bridge on bridge.beep (a bridge playback of sound:beep)', async () => {
    const t = deps();
    const effect = runEffect(bridgeEffect(t.deps), { bridgeId: 'br-1', name: 'n', log: memoryLog() });
    await settle();
    effect.command({ type: 'bridge.beep' });
    await settle();
    const [[bridgeId, options]] = t.ari.calls('bridges.play') as [[string, { playbackId: string; media: string }]];
    expect([bridgeId, options.media]).toEqual(['br-1', 'sound:beep']);
    expect(t.ari.events.has(routeKey.playback(options.playbackId))).toBe(true);
    effect.leave();
    effect.command({ type: 'bridge.beep' });
    await settle();
    expect(t.ari.calls('bridges.play')).toHaveLength(1);
  });

  it('creates the named mixing bridge, says ready, and destroys it in its cleanup', async () => {
    const t = deps();
    const effect = runEffect(bridgeEffect(t.deps), { bridgeId: 'br-1', name: 'app-1:hotline', log: memoryLog() });
    await settle();
    expect(t.ari.calls('bridges.create')).toEqual([[{ bridgeId: 'br-1', type: 'mixing', name: 'app-1:hotline' }]]);
    expect(effect.received).toContainEqual({ type: 'room.ready', bridgeId: 'br-1' });
    effect.leave();
    await settle();
    expect(t.ari.calls('bridges.destroy')).toEqual([['br-1']]);
  });

  it('says failed when the bridge cannot be made, and destroys nothing', async () => {
    const t = deps();
    t.ari.fail('bridges.create', 409, "Bridge with id 'br-1' already exists");
    const effect = runEffect(bridgeEffect(t.deps), { bridgeId: 'br-1', name: 'n', log: memoryLog() });
    await settle();
    expect(effect.received).toContainEqual(expect.objectContaining({ type: 'room.failed', bridgeId: 'br-1' }));
    effect.leave();
    await settle();
    expect(t.ari.calls('bridges.destroy')).toEqual([]);
  });

  it('records the bridge (never a channel) on bridge.record; the cleanup stops the recording before it destroys the bridge', async () => {
    const t = deps();
    const log = memoryLog();
    t.ari.on('recordings.stop', (name) => {
      // Asterisk finishes it just after the stop (fact 55: as for channels).
      setImmediate(() => t.ari.emit(fakeEvents.recordingFinished('voice-api', String(name), 'br-1', 3)));
      return {};
    });
    const effect = runEffect(bridgeEffect(t.deps), { bridgeId: 'br-1', name: 'n', log: memoryLog() });
    await settle();
    const report = { url: 'http://app.test/rec', method: 'POST' as const, shape: 'ncco-record' };
    effect.command({ type: 'bridge.record', recorder: { leg: 'leg-1', channelId: 'ch-1', log, report } });
    await settle();
    const [[bridgeId, options]] = t.ari.calls('bridges.record') as [[string, { name: string; format: string }]];
    expect(bridgeId).toBe('br-1');
    expect(options).toMatchObject({ format: 'wav', terminateOn: 'none' });
    expect(options.name).toMatch(/^voice-api\/leg-1\//);
    expect(t.ari.calls('channels.record')).toEqual([]);
    // A second ask records nothing more.
    effect.command({ type: 'bridge.record', recorder: { leg: 'leg-2', channelId: 'ch-2', log, report } });
    await settle();
    expect(t.ari.calls('bridges.record')).toHaveLength(1);
    effect.leave();
    await settle();
    expect(t.ari.calls('recordings.stop')).toEqual([[options.name]]);
    expect(t.ops().indexOf('recordings.stop')).toBeLessThan(t.ops().indexOf('bridges.destroy'));
  });
});
