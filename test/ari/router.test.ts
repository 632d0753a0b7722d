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

  it('routes playback events by playback id and by their target channel', () => {
    const router = new EventRouter();
    const playback = vi.fn();
    const channel = vi.fn();
    router.route(routeKey.playback('p1'), playback);
    router.route(routeKey.channel('c1'), channel);
    router.dispatch(fakeEvents.playbackFinished('app', 'p1', 'c1', 'sound:beep'));
    expect(playback).toHaveBeenCalledOnce();
    expect(channel).toHaveBeenCalledOnce();
  });

  it('delivers once to an owner that holds two keys an event names', () => {
    const router = new EventRouter();
    const owner = vi.fn();
    router.route(routeKey.bridge('br'), owner);
    router.route(routeKey.channel('c1'), owner);
    const entered: AriEvent = {
      type: 'ChannelEnteredBridge',
      application: 'app',
      timestamp: '',
      bridge: { id: 'br', technology: 'simple_bridge', bridge_type: 'mixing', bridge_class: 'stasis', creator: 'Stasis', name: '', channels: ['c1'] },
      channel: fakeChannel('c1'),
    };
    expect(router.dispatch(entered)).toBe(1);
    expect(owner).toHaveBeenCalledOnce();
  });

  it('routes Dial by its peer and recordings by name', () => {
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

  it("keeps delivering when one owner's handler throws", () => {
    const errors: unknown[] = [];
    const router = new EventRouter((err) => errors.push(err));
    const survivor = vi.fn();
    router.route(routeKey.playback('p1'), () => {
      throw new Error('bug in one call');
    });
    router.route(routeKey.channel('c1'), survivor);
    router.dispatch(fakeEvents.playbackStarted('app', 'p1', 'c1', 'sound:beep'));
    expect(errors).toHaveLength(1);
    expect(survivor).toHaveBeenCalledOnce();
  });

  it('gives app-level events to the one listener of their type', () => {
    const router = new EventRouter();
    const starts = vi.fn();
    router.listen('StasisStart', starts);
    expect(() => router.listen('StasisStart', vi.fn())).toThrow();
    router.dispatch(fakeEvents.stasisStart('app', 'c9', ['305']));
    expect(starts).toHaveBeenCalledOnce();
    expect(router.size).toBe(0);
  });
});
