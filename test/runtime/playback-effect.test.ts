import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AriError } from '../../src/errors.js';
import { createPlaybackEffect } from '../../src/runtime/effects/playback.js';
import type { PlayOptions } from '../../src/ari/port.js';
import { FakeAri, fakeEvents } from '../support/fake-ari.js';
import { memoryLog, runEffect } from '../support/effect-harness.js';

const timing = { firstCheckMs: 1500, checkEveryMs: 10_000, graceMs: 500 };
const APP = 'app';

function setupPlayback(media: string[]) {
  const ari = new FakeAri();
  const log = memoryLog();
  const run = runEffect(createPlaybackEffect(ari, timing), { target: { channelId: 'c1' }, media, skipms: 5000, log });
  const plays = () => ari.calls('channels.play') as [string, PlayOptions][];
  const lastId = () => plays().at(-1)![1].playbackId;
  return { ari, log, run, plays, lastId };
}

describe('playback effect', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('routes the playback id before asking Asterisk to play, then reports start and end', async () => {
    const { ari, run, plays, lastId } = setupPlayback(['sound:vm-intro']);
    expect(plays()).toHaveLength(1);
    expect(plays()[0]![1]).toMatchObject({ media: ['sound:vm-intro'], skipms: 5000 });
    expect(ari.events.has(`playback:${lastId()}`)).toBe(true);
    // PlaybackStarted may arrive before the 201 (fact 19): it is routed already.
    ari.emit(fakeEvents.playbackStarted(APP, lastId(), 'c1', 'sound:vm-intro'));
    ari.emit(fakeEvents.playbackFinished(APP, lastId(), 'c1', 'sound:vm-intro'));
    await vi.advanceTimersByTimeAsync(0);
    expect(run.received.map((e) => e.type)).toEqual(['playback.started', 'playback.finished']);
    expect(run.received[1]).toMatchObject({ state: 'done' });
    expect(ari.events.size).toBe(0);
  });

  it('plays a list as one playback, reporting each item as it starts (facts 68, 69)', async () => {
    const { ari, run, plays, lastId } = setupPlayback(['sound:vm-message', 'sound:digits/3']);
    expect(plays()).toHaveLength(1); // one request for the list
    expect(plays()[0]![1].media).toEqual(['sound:vm-message', 'sound:digits/3']);
    const id = lastId();
    ari.emit(fakeEvents.playbackStarted(APP, id, 'c1', 'sound:vm-message'));
    ari.emit(fakeEvents.playbackContinuing(APP, id, 'c1', 'sound:vm-message', 'sound:digits/3'));
    ari.emit(fakeEvents.playbackStarted(APP, id, 'c1', 'sound:digits/3'));
    ari.emit(fakeEvents.playbackFinished(APP, id, 'c1', 'sound:digits/3'));
    await vi.advanceTimersByTimeAsync(0);
    expect(run.received).toEqual([
      { type: 'playback.started', playbackId: id, media: 'sound:vm-message', index: 0 },
      { type: 'playback.started', playbackId: id, media: 'sound:digits/3', index: 1 },
      { type: 'playback.finished', state: 'done' },
    ]);
    expect(plays()).toHaveLength(1);
  });

  it('asks Asterisk about an item only once it is overdue: never for one it has heard play through', async () => {
    const ari = new FakeAri();
    const shared = createPlaybackEffect(ari, timing);
    const playOnce = async (advanceMs: number) => {
      const run = runEffect(shared, { target: { channelId: 'c1' }, media: ['sound:vm-intro'], log: memoryLog() });
      const id = (ari.calls('channels.play').at(-1)![1] as PlayOptions).playbackId;
      ari.emit(fakeEvents.playbackStarted(APP, id, 'c1', 'sound:vm-intro'));
      await vi.advanceTimersByTimeAsync(advanceMs);
      ari.emit(fakeEvents.playbackFinished(APP, id, 'c1', 'sound:vm-intro'));
      await vi.advanceTimersByTimeAsync(0);
      return run;
    };
    ari.on('playbacks.get', () => ({ state: 'playing' }));
    await playOnce(5600); // unknown length: checked after 1.5 s
    expect(ari.calls('playbacks.get')).toHaveLength(1);
    await playOnce(5600); // 5.6 s learned: no check before it is overdue
    expect(ari.calls('playbacks.get')).toHaveLength(1);
    const overdue = runEffect(shared, { target: { channelId: 'c1' }, media: ['sound:vm-intro'], log: memoryLog() });
    const id = (ari.calls('channels.play').at(-1)![1] as PlayOptions).playbackId;
    ari.emit(fakeEvents.playbackStarted(APP, id, 'c1', 'sound:vm-intro'));
    ari.fail('playbacks.get', 404, 'Playback not found');
    await vi.advanceTimersByTimeAsync(5600 * 1.2 + 1000 + 500 + 10);
    expect(overdue.received.at(-1)).toMatchObject({ type: 'playback.finished', state: 'failed' });
  });

  it('takes the length a caller gives (a message) and asks nothing before it', async () => {
    const ari = new FakeAri();
    runEffect(createPlaybackEffect(ari, timing), { target: { channelId: 'c1' }, media: ['recording:m1'], expectedMs: 12_000, log: memoryLog() });
    const id = (ari.calls('channels.play')[0]![1] as PlayOptions).playbackId;
    ari.emit(fakeEvents.playbackStarted(APP, id, 'c1', 'recording:m1'));
    await vi.advanceTimersByTimeAsync(12_000);
    expect(ari.calls('playbacks.get')).toEqual([]);
    await vi.advanceTimersByTimeAsync(12_000 * 0.2 + 1000);
    expect(ari.calls('playbacks.get')).toHaveLength(1);
  });

  it('reports a list that ends "failed" (its last item missing, or the channel gone)', async () => {
    const { ari, run, plays, lastId } = setupPlayback(['sound:beep', 'sound:nonexistent']);
    ari.emit(fakeEvents.playbackStarted(APP, lastId(), 'c1', 'sound:nonexistent'));
    ari.emit(fakeEvents.playbackFinished(APP, lastId(), 'c1', 'sound:nonexistent', 'failed'));
    await vi.advanceTimersByTimeAsync(0);
    expect(plays()).toHaveLength(1);
    expect(run.received.at(-1)).toMatchObject({ type: 'playback.finished', state: 'failed' });
  });

  it('ends the wait when Asterisk never sends PlaybackFinished (fact 21)', async () => {
    const { ari, run, lastId } = setupPlayback(['recording:voicemail/305/gone']);
    ari.emit(fakeEvents.playbackStarted(APP, lastId(), 'c1', 'recording:voicemail/305/gone'));
    ari.fail('playbacks.get', 404, 'Playback not found');
    await vi.advanceTimersByTimeAsync(1500 + 500 + 10);
    expect(run.received.at(-1)).toMatchObject({ type: 'playback.finished', state: 'failed' });
    expect(ari.events.size).toBe(0);
  });

  it('keeps waiting while a long or paused playback still exists, and reports its real end', async () => {
    const { ari, run, lastId } = setupPlayback(['recording:long']);
    ari.emit(fakeEvents.playbackStarted(APP, lastId(), 'c1', 'recording:long'));
    ari.on('playbacks.get', () => ({ id: lastId(), state: 'paused' }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run.received.map((e) => e.type)).toEqual(['playback.started']);
    ari.emit(fakeEvents.playbackFinished(APP, lastId(), 'c1', 'recording:long'));
    await vi.advanceTimersByTimeAsync(0);
    expect(run.received.at(-1)).toEqual({ type: 'playback.finished', state: 'done' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('handles a PlaybackFinished that arrives before the play request’s response', async () => {
    const ari = new FakeAri();
    ari.on('channels.play', (_channelId, options) => {
      const id = (options as PlayOptions).playbackId;
      // A missing sound: Started and Finished in the same ms, both before the 201 (facts 19, 20).
      ari.emit(fakeEvents.playbackStarted(APP, id, 'c1', 'sound:nonexistent'));
      ari.emit(fakeEvents.playbackFinished(APP, id, 'c1', 'sound:nonexistent', 'failed'));
      return { id, state: 'queued' };
    });
    const run = runEffect(createPlaybackEffect(ari, timing), { target: { channelId: 'c1' }, media: ['sound:nonexistent'], log: memoryLog() });
    await vi.advanceTimersByTimeAsync(0);
    const id = (ari.calls('channels.play')[0]![1] as PlayOptions).playbackId;
    expect(run.received).toEqual([
      { type: 'playback.started', playbackId: id, media: 'sound:nonexistent', index: 0 },
      { type: 'playback.finished', state: 'failed', reason: 'sound:nonexistent could not be played' },
    ]);
    run.leave();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ari.calls('playbacks.stop')).toEqual([]); // nothing to stop: it is over
    expect(ari.calls('playbacks.get')).toEqual([]);
    expect(ari.events.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no watchdog behind when the state is left while it is asking Asterisk', async () => {
    const { ari, run, lastId } = setupPlayback(['recording:long']);
    let answer!: (value: unknown) => void;
    ari.on('playbacks.get', () => new Promise((resolve) => (answer = resolve)));
    ari.emit(fakeEvents.playbackStarted(APP, lastId(), 'c1', 'recording:long'));
    await vi.advanceTimersByTimeAsync(1500); // the first check is on the wire
    expect(ari.calls('playbacks.get')).toHaveLength(1);
    run.leave();
    answer({ id: lastId(), state: 'playing' });
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ari.calls('playbacks.get')).toHaveLength(1);
  });

  it('reports a play request Asterisk refuses', async () => {
    const { ari, run } = { ...setupPlaybackFailing() };
    await vi.advanceTimersByTimeAsync(0);
    expect(run.received).toEqual([expect.objectContaining({ type: 'playback.finished', state: 'failed' })]);
    expect(ari.events.size).toBe(0);
  });

  it('passes controls to the live playback and shrugs off 409 after the end', async () => {
    const { ari, run, lastId, log } = setupPlayback(['recording:m1']);
    ari.emit(fakeEvents.playbackStarted(APP, lastId(), 'c1', 'recording:m1'));
    run.command({ type: 'playback.control', operation: 'pause' });
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls('playbacks.control')).toEqual([[lastId(), 'pause']]);
    ari.fail('playbacks.control', 409, 'Can only forward while media is playing');
    run.command({ type: 'playback.control', operation: 'forward' });
    await vi.advanceTimersByTimeAsync(0);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
    ari.emit(fakeEvents.playbackFinished(APP, lastId(), 'c1', 'recording:m1'));
    run.command({ type: 'playback.control', operation: 'restart' }); // after the end: nothing sent
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls('playbacks.control')).toHaveLength(2);
  });

  it('sends controls one at a time, in order', async () => {
    const { ari, run, lastId } = setupPlayback(['recording:m1']);
    const answered: string[] = [];
    let release!: () => void;
    ari.on('playbacks.control', (_id, operation) => {
      answered.push(operation as string);
      // The first request (unpause) is slow: restart must still go after it.
      return operation === 'unpause' ? new Promise<void>((resolve) => (release = resolve)) : undefined;
    });
    run.command({ type: 'playback.control', operation: 'unpause' });
    run.command({ type: 'playback.control', operation: 'restart' });
    await vi.advanceTimersByTimeAsync(0);
    expect(answered).toEqual(['unpause']);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(answered).toEqual(['unpause', 'restart']);
    expect(ari.calls('playbacks.control')).toEqual([
      [lastId(), 'unpause'],
      [lastId(), 'restart'],
    ]);
  });

  it('stops the live playback and drops its route when the state is left', async () => {
    const { ari, run, lastId } = setupPlayback(['sound:vm-intro']);
    const id = lastId();
    ari.emit(fakeEvents.playbackStarted(APP, id, 'c1', 'sound:vm-intro'));
    run.leave();
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls('playbacks.stop')).toEqual([[id]]);
    expect(ari.events.size).toBe(0);
    // A late PlaybackFinished goes nowhere.
    expect(ari.events.dispatch(fakeEvents.playbackFinished(APP, id, 'c1', 'sound:vm-intro'))).toBe(0);
  });
});

describe('playback effect, a stop that would overtake the play request', () => {
  it('waits for the play request before stopping, so the media does not play on', async () => {
    const ari = new FakeAri();
    let answer!: () => void;
    ari.on('channels.play', () => new Promise<void>((resolve) => (answer = resolve)));
    const run = runEffect(createPlaybackEffect(ari, timing), { target: { channelId: 'c1' }, media: ['sound:vm-intro'], log: memoryLog() });
    run.leave();
    await new Promise((resolve) => setImmediate(resolve));
    expect(ari.calls('playbacks.stop')).toEqual([]);
    answer();
    await new Promise((resolve) => setImmediate(resolve));
    expect(ari.calls('playbacks.stop')).toHaveLength(1);
  });
});

function setupPlaybackFailing() {
  const ari = new FakeAri().on('channels.play', () => {
    throw new AriError({ status: 404, operation: 'channels.playWithId', resourceId: 'c1', message: 'Channel not found' });
  });
  const run = runEffect(createPlaybackEffect(ari, timing), { target: { channelId: 'c1' }, media: ['sound:beep'], log: memoryLog() });
  return { ari, run };
}
