import { describe, expect, it, vi } from 'vitest';
import { EventRouter, routeKey, routeKeysOf } from '../../src/ari/router.js';
import type { AriEvent } from '../../src/ari/types.js';
import { fakeChannel, fakeEvents } from '../support/fake-ari.js';

describe('EventRouter', () => {
  it('hands a channel event to the owner of that channel only', () => {
    const router = new EventRouter();
    const a = vi.fn();
    const b = vi.fn();
    router.route(routeKey.channel('a'), a);
    router.route(routeKey.channel('b'), b);
    router.dispatch(fakeEvents.dtmf('app', 'b', '5'));
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledOnce();
  });

  it('gives a playback event to the playback owner only, and to its target channel when the playback has none', () => {
    const router = new EventRouter();
    const playback = vi.fn();
    const channel = vi.fn();
    router.route(routeKey.playback('p1'), playback);
    router.route(routeKey.channel('c1'), channel);
    router.dispatch(fakeEvents.playbackFinished('app', 'p1', 'c1', 'sound:beep'));
    expect(playback).toHaveBeenCalledOnce();
    expect(channel).not.toHaveBeenCalled();
    router.dispatch(fakeEvents.playbackFinished('app', 'p2', 'c1', 'sound:beep'));
    expect(channel).toHaveBeenCalledOnce();
  });

  it('gives a bridge membership event to the bridge owner, not to the channel’s', () => {
    const router = new EventRouter();
    const bridge = vi.fn();
    const channel = vi.fn();
    router.route(routeKey.bridge('br'), bridge);
    router.route(routeKey.channel('c1'), channel);
    expect(router.dispatch(entered('br', 'c1'))).toBe(1);
    expect(bridge).toHaveBeenCalledOnce();
    expect(channel).not.toHaveBeenCalled();
  });

  it('no event type reaches two owners, whatever is routed', () => {
    const router = new EventRouter();
    const reached = new Map<string, string[]>();
    const owner = (name: string) => (event: AriEvent) => reached.set(event.type, [...(reached.get(event.type) ?? []), name]);
    for (const key of [routeKey.playback('p1'), routeKey.recording('r1'), routeKey.bridge('br'), routeKey.channel('c1'), routeKey.channel('c2')]) {
      router.route(key, owner(key));
    }
    const events: AriEvent[] = [
      fakeEvents.stasisStart('app', 'c1'),
      fakeEvents.stasisEnd('app', 'c1'),
      fakeEvents.dtmf('app', 'c1', '1'),
      fakeEvents.hangupRequest('app', 'c1'),
      { type: 'ChannelDestroyed', application: 'app', timestamp: '', cause: 16, cause_txt: 'Normal Clearing', channel: fakeChannel('c1') },
      { type: 'Dial', application: 'app', timestamp: '', peer: fakeChannel('c2'), dialstatus: 'ANSWER' },
      fakeEvents.playbackStarted('app', 'p1', 'c1', 'sound:beep'),
      fakeEvents.playbackFinished('app', 'p1', 'c1', 'sound:beep'),
      fakeEvents.recordingStarted('app', 'r1', 'c1'),
      fakeEvents.recordingFinished('app', 'r1', 'c1', 3),
      entered('br', 'c1'),
      { ...entered('br', 'c1'), type: 'ChannelLeftBridge' } as AriEvent,
    ];
    for (const event of events) router.dispatch(event);
    // Each type was sent once, and every one of them reached exactly one owner.
    for (const event of events) expect(reached.get(event.type), event.type).toHaveLength(1);
    expect(reached.get('PlaybackFinished')).toEqual(['playback:p1']);
    expect(reached.get('RecordingFinished')).toEqual(['recording:r1']);
    expect(reached.get('ChannelEnteredBridge')).toEqual(['bridge:br']);
    expect(reached.get('Dial')).toEqual(['channel:c2']);
    expect(reached.get('ChannelDtmfReceived')).toEqual(['channel:c1']);
  });

  it('routes Dial by its peer, and recordings by name before their target', () => {
    expect(routeKeysOf({ type: 'Dial', peer: { id: 'x' } })).toEqual(['channel:x']);
    expect(routeKeysOf(fakeEvents.recordingStarted('app', 'voicemail/305/1', 'c1'))).toEqual(['recording:voicemail/305/1', 'channel:c1']);
  });

  it('forgets a route when it is removed, and refuses a second owner', () => {
    const router = new EventRouter();
    const unroute = router.route(routeKey.channel('a'), vi.fn());
    expect(() => router.route(routeKey.channel('a'), vi.fn())).toThrow(/already has an owner/);
    expect(router.size).toBe(1);
    unroute();
    unroute();
    expect(router.size).toBe(0);
    expect(router.dispatch(fakeEvents.dtmf('app', 'a', '1'))).toBe(0);
  });

  it("survives an owner's handler that throws", () => {
    const errors: unknown[] = [];
    const router = new EventRouter((err) => errors.push(err));
    const next = vi.fn();
    router.route(routeKey.playback('p1'), () => {
      throw new Error('bug in one call');
    });
    router.route(routeKey.channel('c2'), next);
    router.dispatch(fakeEvents.playbackStarted('app', 'p1', 'c1', 'sound:beep'));
    router.dispatch(fakeEvents.dtmf('app', 'c2', '1'));
    expect(errors).toHaveLength(1);
    expect(next).toHaveBeenCalledOnce();
  });

  it('gives app-level events to the one listener of their type, and to no channel owner', () => {
    const router = new EventRouter();
    const starts = vi.fn();
    const channel = vi.fn();
    router.listen('StasisStart', starts);
    router.route(routeKey.channel('c9'), channel);
    expect(() => router.listen('StasisStart', vi.fn())).toThrow();
    router.dispatch(fakeEvents.stasisStart('app', 'c9', ['305']));
    expect(starts).toHaveBeenCalledOnce();
    expect(channel).not.toHaveBeenCalled();
  });
});

function entered(bridgeId: string, channelId: string): AriEvent {
  return {
    type: 'ChannelEnteredBridge',
    application: 'app',
    timestamp: '',
    bridge: { id: bridgeId, technology: 'simple_bridge', bridge_type: 'mixing', bridge_class: 'stasis', creator: 'Stasis', name: '', channels: [channelId] },
    channel: fakeChannel(channelId),
  };
}
