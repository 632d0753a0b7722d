import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRecordingEffect } from '../../src/runtime/effects/recording.js';
import type { RecordingInput } from '../../states/shared/effects.js';
import { FakeAri, fakeEvents } from '../support/fake-ari.js';
import { memoryLog, runEffect } from '../support/effect-harness.js';

const APP = 'app';
const NAME = 'voicemail/305/0001';

function setupRecording(overrides: Partial<RecordingInput> = {}, ari = new FakeAri()) {
  const input: RecordingInput = { target: { channelId: 'c1' }, name: NAME, format: 'wav', beep: true, onExit: 'stop', log: memoryLog(), ...overrides };
  const run = runEffect(createRecordingEffect(ari, { finishTimeoutMs: 5000 }), input);
  return { ari, run };
}

describe('recording effect', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('records under the name, routed before the request, and reports the duration Asterisk gives', async () => {
    const { ari, run } = setupRecording({ maxDurationSeconds: 300, maxSilenceSeconds: 10, ifExists: 'overwrite' });
    expect(ari.events.has(`recording:${NAME}`)).toBe(true);
    expect(ari.calls('channels.record')).toEqual([['c1', { name: NAME, format: 'wav', beep: true, maxDurationSeconds: 300, maxSilenceSeconds: 10, ifExists: 'overwrite' }]]);
    ari.emit(fakeEvents.recordingStarted(APP, NAME, 'c1'));
    run.command({ type: 'recording.stop' });
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls('recordings.stop')).toEqual([[NAME]]);
    // Stopped, but the file is complete only at RecordingFinished.
    expect(run.received.map((e) => e.type)).toEqual(['recording.started']);
    ari.emit(fakeEvents.recordingFinished(APP, NAME, 'c1', 3));
    await vi.advanceTimersByTimeAsync(0);
    expect(run.received.at(-1)).toEqual({ type: 'recording.finished', name: NAME, duration: 3, cancelled: false });
    expect(ari.events.size).toBe(0);
  });

  it('marks a cancelled recording (Asterisk still says "done", fact 40)', async () => {
    const { ari, run } = setupRecording();
    run.command({ type: 'recording.cancel' });
    await vi.advanceTimersByTimeAsync(0);
    ari.emit(fakeEvents.recordingFinished(APP, NAME, 'c1', 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls('recordings.cancel')).toEqual([[NAME]]);
    expect(run.received.at(-1)).toMatchObject({ type: 'recording.finished', cancelled: true });
  });

  it('settles from what is stored when RecordingFinished never comes after a stop', async () => {
    const { ari, run } = setupRecording();
    ari.on('recordings.getStored', () => ({ name: NAME, format: 'wav' }));
    run.command({ type: 'recording.stop' });
    await vi.advanceTimersByTimeAsync(5001);
    expect(run.received.at(-1)).toMatchObject({ type: 'recording.finished', cancelled: false });
  });

  it('reports RecordingFailed (recording a bridged channel, fact 47) and a refused request', async () => {
    const { ari, run } = setupRecording();
    ari.emit({ type: 'RecordingFailed', application: APP, timestamp: '', recording: { name: NAME, format: 'wav', state: 'failed', target_uri: 'channel:c1', cause: 'Cannot record channel while in bridge' } });
    expect(run.received.at(-1)).toEqual({ type: 'recording.failed', name: NAME, reason: 'Cannot record channel while in bridge' });

    const refused = setupRecording({}, new FakeAri().fail('channels.record', 409, "Recording 'x' already exists and can not be overwritten"));
    await vi.advanceTimersByTimeAsync(0);
    expect(refused.run.received.at(-1)).toMatchObject({ type: 'recording.failed' });
    expect(refused.ari.events.size).toBe(0);
  });

  it.each([
    ['stop', 'recordings.stop'],
    ['cancel', 'recordings.cancel'],
  ] as const)('on leaving the state, a live recording is handled as onExit=%s', async (onExit, op) => {
    const { ari, run } = setupRecording({ onExit });
    run.leave();
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls(op)).toEqual([[NAME]]);
    expect(ari.events.size).toBe(0);
  });

  it('waits for the record request before stopping, so the recording does not run on', async () => {
    const ari = new FakeAri();
    let answer!: () => void;
    ari.on('channels.record', () => new Promise<void>((resolve) => (answer = resolve)));
    const { run } = setupRecording({ onExit: 'cancel' }, ari);
    run.leave();
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls('recordings.cancel')).toEqual([]);
    answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls('recordings.cancel')).toEqual([[NAME]]);
  });

  it('leaves a live recording to Asterisk with onExit=leave (hang-up keeps the file)', async () => {
    const { ari, run } = setupRecording({ onExit: 'leave' });
    run.leave();
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls('recordings.stop')).toEqual([]);
    expect(ari.calls('recordings.cancel')).toEqual([]);
  });
});
