import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRecordingEffect } from '../../src/runtime/effects/recording.js';
import type { PlayOptions, RecordOptions } from '../../src/ari/port.js';
import type { RecordingInput } from '../../states/shared/effects.js';
import { FakeAri, fakeEvents } from '../support/fake-ari.js';
import { AriError } from '../../src/errors.js';
import { memoryLog, runEffect } from '../support/effect-harness.js';

const APP = 'app';
const NAME = 'voicemail/305/0001';

function setupRecording(overrides: Partial<RecordingInput> = {}, ari = new FakeAri()) {
  const input: RecordingInput = { target: { channelId: 'c1' }, name: NAME, format: 'wav', beep: false, onExit: 'stop', log: memoryLog(), ...overrides };
  const run = runEffect(createRecordingEffect(ari, { finishTimeoutMs: 5000 }), input);
  const records = () => ari.calls('channels.record') as [string, RecordOptions][];
  const beeps = () => ari.calls('channels.play') as [string, PlayOptions][];
  return { ari, run, records, beeps };
}

const tick = () => vi.advanceTimersByTimeAsync(0);
const started = () => fakeEvents.recordingStarted(APP, NAME, 'c1');
const finished = (duration: number) => fakeEvents.recordingFinished(APP, NAME, 'c1', duration);

describe('recording effect', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('records under the name, routed before the request, and reports the duration Asterisk gives', async () => {
    const { ari, run, records } = setupRecording({ maxDurationSeconds: 300, maxSilenceSeconds: 10, ifExists: 'overwrite' });
    expect(ari.events.has(`recording:${NAME}`)).toBe(true);
    expect(records()).toEqual([['c1', { name: NAME, format: 'wav', beep: false, maxDurationSeconds: 300, maxSilenceSeconds: 10, ifExists: 'overwrite' }]]);
    ari.emit(started());
    run.command({ type: 'recording.stop' });
    await tick();
    expect(ari.calls('recordings.stop')).toEqual([[NAME]]);
    // Stopped, but the file is complete only at RecordingFinished.
    expect(run.received.map((e) => e.type)).toEqual(['recording.started']);
    ari.emit(finished(3));
    await tick();
    expect(run.received.at(-1)).toEqual({ type: 'recording.finished', name: NAME, duration: 3, cancelled: false });
    expect(ari.events.size).toBe(0);
  });

  it('plays the beep itself and records with beep=false once it has played, so no stop falls in a deaf window (facts 98-102)', async () => {
    const { ari, run, records, beeps } = setupRecording({ beep: true });
    const beepId = beeps()[0]![1].playbackId;
    expect(beeps()).toEqual([['c1', { playbackId: beepId, media: 'sound:beep' }]]);
    expect(records()).toEqual([]); // not while the beep plays
    ari.emit(fakeEvents.playbackStarted(APP, beepId, 'c1', 'sound:beep'));
    ari.emit(fakeEvents.playbackFinished(APP, beepId, 'c1', 'sound:beep'));
    await tick();
    expect(records()).toEqual([['c1', expect.objectContaining({ name: NAME, beep: false })]]);
    expect(run.received).toEqual([]);
    ari.emit(started());
    expect(run.received).toEqual([{ type: 'recording.started', name: NAME }]);
  });

  it('holds a stop that comes before RecordingStarted (beep, queued) and sends it once the recording runs', async () => {
    const { ari, run, beeps } = setupRecording({ beep: true });
    run.command({ type: 'recording.stop' }); // during the beep
    const beepId = beeps()[0]![1].playbackId;
    ari.emit(fakeEvents.playbackFinished(APP, beepId, 'c1', 'sound:beep'));
    run.command({ type: 'recording.pause' }); // requested, still queued
    await tick();
    expect(ari.calls('recordings.stop')).toEqual([]);
    expect(ari.calls('recordings.pause')).toEqual([]);
    ari.emit(started());
    await tick();
    expect(ari.requests.filter((r) => r.op.startsWith('recordings.')).map((r) => r.op)).toEqual(['recordings.stop', 'recordings.pause']);
  });

  it('records anyway when the beep cannot be played or never reports its end', async () => {
    const refused = setupRecording({ beep: true }, new FakeAri().fail('channels.play', 404, 'Channel not found'));
    await tick();
    expect(refused.records()).toHaveLength(1);
    const silent = setupRecording({ beep: true });
    await vi.advanceTimersByTimeAsync(3001);
    expect(silent.records()).toHaveLength(1);
  });

  it('sends one stop only: a second would get 409 (fact 99)', async () => {
    const { ari, run } = setupRecording();
    ari.emit(started());
    run.command({ type: 'recording.stop' });
    run.command({ type: 'recording.stop' });
    run.command({ type: 'recording.cancel' });
    await tick();
    expect(ari.requests.filter((r) => r.op.startsWith('recordings.')).map((r) => r.op)).toEqual(['recordings.stop']);
  });

  it('marks a cancelled recording only when Asterisk accepted the cancel (it still says "done", fact 40)', async () => {
    const accepted = setupRecording();
    accepted.ari.emit(started());
    accepted.run.command({ type: 'recording.cancel' });
    await tick();
    accepted.ari.emit(finished(1));
    await tick();
    expect(accepted.run.received.at(-1)).toMatchObject({ type: 'recording.finished', cancelled: true });

  });

  it('a cancel Asterisk refuses still ends the take: stopped, its file deleted, reported cancelled', async () => {
    const refused = setupRecording({}, new FakeAri().fail('recordings.cancel', 500, 'Recording operation failed'));
    refused.ari.emit(started());
    refused.run.command({ type: 'recording.cancel' });
    await tick();
    expect(refused.ari.requests.filter((r) => r.op.startsWith('recordings.')).map((r) => r.op)).toEqual(['recordings.cancel', 'recordings.stop']);
    refused.ari.emit(finished(20));
    await tick();
    expect(refused.ari.calls('recordings.deleteStored')).toEqual([[NAME]]);
    expect(refused.run.received.at(-1)).toMatchObject({ type: 'recording.finished', cancelled: true, duration: 20 });
  });

  it('a cancel sent as the caller hangs up leaves no file: deleted once Asterisk has finished it', async () => {
    const ari = new FakeAri().fail('recordings.cancel', 404, 'Recording not found');
    const { run } = setupRecording({}, ari);
    ari.emit(started());
    run.command({ type: 'recording.cancel' });
    await tick();
    run.stop();
    ari.emit(finished(4));
    await tick();
    expect(ari.calls('recordings.deleteStored')).toEqual([[NAME]]);
  });

  it('keeps waiting for a recording still live after a stop, and honours its late RecordingFinished', async () => {
    const { ari, run } = setupRecording();
    ari.on('recordings.getLive', () => ({ name: NAME, format: 'wav', state: 'done' }));
    ari.emit(started());
    run.command({ type: 'recording.stop' });
    await vi.advanceTimersByTimeAsync(16_000);
    expect(run.received.map((e) => e.type)).toEqual(['recording.started']);
    ari.emit(finished(3));
    await tick();
    expect(run.received.at(-1)).toEqual({ type: 'recording.finished', name: NAME, duration: 3, cancelled: false });
  });

  it('stops again a recording still live after its stop failed (it would run to the end of the call)', async () => {
    let refusals = 1;
    const ari = new FakeAri();
    ari.on('recordings.stop', () => {
      if (refusals-- > 0) throw new AriError({ status: 500, operation: 'recordings.stop', message: 'Internal Server Error' });
    });
    ari.on('recordings.getLive', () => ({ name: NAME, format: 'wav', state: 'recording' }));
    const { run } = setupRecording({}, ari);
    ari.emit(started());
    run.command({ type: 'recording.stop' });
    await tick();
    expect(ari.calls('recordings.stop')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(ari.calls('recordings.stop')).toHaveLength(2);
    ari.emit(finished(6));
    await tick();
    expect(run.received.at(-1)).toMatchObject({ type: 'recording.finished', duration: 6, cancelled: false });
  });

  it('asks Asterisk when a command waits for a RecordingStarted that was lost, and sends it', async () => {
    const ari = new FakeAri();
    ari.on('recordings.getLive', () => ({ name: NAME, format: 'wav', state: 'recording' }));
    const { run } = setupRecording({}, ari);
    run.command({ type: 'recording.stop' });
    await tick();
    expect(ari.calls('recordings.stop')).toEqual([]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(run.received.map((e) => e.type)).toEqual(['recording.started']);
    expect(ari.calls('recordings.stop')).toEqual([[NAME]]);
  });

  it('counts a cancel whose RecordingFinished arrives before its 204', async () => {
    const ari = new FakeAri();
    let answer!: () => void;
    ari.on('recordings.cancel', () => new Promise<void>((resolve) => (answer = resolve)));
    const { run } = setupRecording({}, ari);
    ari.emit(started());
    run.command({ type: 'recording.cancel' });
    await tick();
    ari.emit(finished(2));
    await tick();
    expect(run.received.map((e) => e.type)).toEqual(['recording.started']);
    answer();
    await tick();
    expect(run.received.at(-1)).toEqual({ type: 'recording.finished', name: NAME, duration: 2, cancelled: true });
  });

  it('leaves the duration to the file when the recording is gone without RecordingFinished', async () => {
    const { ari, run } = setupRecording();
    ari.fail('recordings.getLive', 404, 'Recording not found');
    ari.on('recordings.getStored', () => ({ name: NAME, format: 'wav' }));
    ari.emit(started());
    run.command({ type: 'recording.stop' });
    await vi.advanceTimersByTimeAsync(5001);
    expect(run.received.at(-1)).toEqual({ type: 'recording.finished', name: NAME, duration: undefined, cancelled: false });
    expect(ari.events.size).toBe(0);
  });

  it('reports RecordingFailed (recording a bridged channel, fact 47) and a refused request', async () => {
    const { ari, run } = setupRecording();
    ari.emit({ type: 'RecordingFailed', application: APP, timestamp: '', recording: { name: NAME, format: 'wav', state: 'failed', target_uri: 'channel:c1', cause: 'Cannot record channel while in bridge' } });
    expect(run.received.at(-1)).toEqual({ type: 'recording.failed', name: NAME, reason: 'Cannot record channel while in bridge' });

    const refused = setupRecording({}, new FakeAri().fail('channels.record', 409, "Recording 'x' already exists and can not be overwritten"));
    await tick();
    expect(refused.run.received.at(-1)).toMatchObject({ type: 'recording.failed' });
    expect(refused.ari.events.size).toBe(0);
  });

  it.each([
    ['stop', 'recordings.stop'],
    ['cancel', 'recordings.cancel'],
  ] as const)('on leaving the state, a running recording is handled as onExit=%s', async (onExit, op) => {
    const { ari, run } = setupRecording({ onExit });
    ari.emit(started());
    run.leave();
    await tick();
    expect(ari.calls(op)).toEqual([[NAME]]);
    expect(ari.events.size).toBe(0);
  });

  it('left during the beep: the beep is cut and nothing is recorded', async () => {
    const { ari, run, records, beeps } = setupRecording({ beep: true });
    run.leave();
    await tick();
    expect(ari.calls('playbacks.stop')).toEqual([[beeps()[0]![1].playbackId]]);
    expect(records()).toEqual([]);
    expect(ari.events.size).toBe(0);
  });

  it('left before RecordingStarted: the stop waits for it (a stop of a queued recording is ignored, fact 18)', async () => {
    const { ari, run } = setupRecording({ onExit: 'cancel' });
    run.leave();
    await tick();
    expect(ari.calls('recordings.cancel')).toEqual([]);
    ari.emit(started());
    await tick();
    expect(ari.calls('recordings.cancel')).toEqual([[NAME]]);
    ari.emit(finished(0));
    expect(ari.events.size).toBe(0);
    expect(run.received).toEqual([]); // the parent has moved on
  });

  it('leaves a live recording to Asterisk with onExit=leave (hang-up keeps the file)', async () => {
    const { ari, run } = setupRecording({ onExit: 'leave' });
    ari.emit(started());
    run.leave();
    await tick();
    expect(ari.calls('recordings.stop')).toEqual([]);
    expect(ari.calls('recordings.cancel')).toEqual([]);
  });
});
