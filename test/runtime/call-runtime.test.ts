import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromCallback, fromPromise, setup as setupMachine } from 'xstate';
import { CallRuntime } from '../../src/runtime/call-runtime.js';
import { FlowRegistry } from '../../src/runtime/flow.js';
import { createLogger } from '../../src/logger.js';
import { AriError } from '../../src/errors.js';
import { probeMachine } from '../flows/probe.js';
import { FakeAri, fakeEvents } from '../support/fake-ari.js';

const APP = 'probe';
const log = createLogger({ level: 'error', silent: true });

/** The probe flow with stubbed effects: a playback that never ends, a failing request. */
function setup() {
  const ari = new FakeAri();
  const cleanups: string[] = [];
  const logic = probeMachine.provide({
    actors: {
      playback: fromCallback(() => () => cleanups.push('playback')),
      recording: fromCallback(() => () => cleanups.push('recording')),
      failingRequest: fromPromise(() => Promise.reject(new AriError({ status: 404, operation: 'channels.playWithId', message: 'Channel not found' }))),
    },
  });
  const runtime = new CallRuntime({ ari, flows: new FlowRegistry([{ app: APP, logic, prompts: [] }]), log, postCallTimeoutMs: 5000 });
  runtime.start();
  return { ari, runtime, cleanups };
}

describe('call runtime', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('answers a channel entering the app and runs one actor for it, fed by its events', async () => {
    const { ari, runtime, cleanups } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'c1', ['305']));
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls('channels.answer')).toEqual([['c1']]);
    expect(runtime.size).toBe(1);
    ari.emit(fakeEvents.dtmf(APP, 'c1', '1'));
    ari.emit(fakeEvents.hangupRequest(APP, 'c1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(cleanups).toEqual(['playback']);
    expect(runtime.size).toBe(0);
    expect(ari.events.size).toBe(0);
    expect(ari.calls('channels.hangup')).toEqual([]); // the caller hung up; nothing to hang up
  });

  it('hangs up when the flow ends by itself', async () => {
    const { ari, runtime } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await vi.advanceTimersByTimeAsync(0);
    ari.emit(fakeEvents.dtmf(APP, 'c1', '#'));
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls('channels.hangup')).toEqual([['c1']]);
    expect(runtime.size).toBe(0);
  });

  it('ends only the failing call when a flow throws', async () => {
    const { ari, runtime } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'bad'));
    ari.emit(fakeEvents.stasisStart(APP, 'good'));
    await vi.advanceTimersByTimeAsync(0);
    ari.emit(fakeEvents.dtmf(APP, 'bad', '9'));
    await vi.advanceTimersByTimeAsync(0);
    expect(ari.calls('channels.hangup')).toEqual([['bad']]);
    expect(runtime.channelIds()).toEqual(['good']);
    ari.emit(fakeEvents.dtmf(APP, 'good', '2'));
    ari.emit(fakeEvents.stasisEnd(APP, 'good'));
    await vi.advanceTimersByTimeAsync(0);
    expect(runtime.size).toBe(0);
    expect(ari.events.size).toBe(0);
  });

  it('does not start a call whose channel is gone before it is answered', async () => {
    const { ari, runtime } = setup();
    ari.fail('channels.answer', 404, 'Channel not found');
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(runtime.size).toBe(0);
    expect(ari.events.size).toBe(0);
  });

  it('stops an actor that does not finish its post-call work in time', async () => {
    const ari = new FakeAri();
    const cleanups: string[] = [];
    // A flow whose post-call work never ends.
    const stuck = setupMachine({ actors: { work: fromCallback(() => () => cleanups.push('work')) } }).createMachine({
      initial: 'talking',
      states: { talking: { on: { 'ari.stasisEnd': 'hungUp' } }, hungUp: { invoke: { src: 'work' } } },
    });
    const runtime = new CallRuntime({ ari, flows: new FlowRegistry([{ app: APP, logic: stuck, prompts: [] }]), log, postCallTimeoutMs: 5000 });
    runtime.start();
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await vi.advanceTimersByTimeAsync(0);
    ari.emit(fakeEvents.stasisEnd(APP, 'c1'));
    await vi.advanceTimersByTimeAsync(4000);
    expect(runtime.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1001);
    expect(runtime.size).toBe(0);
    expect(cleanups).toEqual(['work']);
    expect(ari.events.size).toBe(0);
  });

  it('hands a call over to another app’s flow on the same channel when a flow says so', async () => {
    const ari = new FakeAri();
    const seen: unknown[] = [];
    const queue = setupMachine({}).createMachine({
      initial: 'waiting',
      states: { waiting: { on: { 'ari.dtmf': 'gone' } }, gone: { type: 'final' } },
      output: () => ({ handOver: { app: 'voicemail', args: ['305'] } }),
    });
    const voicemail = setupMachine({ types: { input: {} as { args: readonly string[]; channelId: string } } }).createMachine({
      entry: ({ context }) => seen.push(context),
      context: ({ input }) => ({ args: input.args, channelId: input.channelId }),
      initial: 'recording',
      states: { recording: { on: { 'ari.hangup': 'done' } }, done: { type: 'final' } },
    });
    const flows = new FlowRegistry([
      { app: 'queue', logic: queue, prompts: [] },
      { app: 'voicemail', logic: voicemail, prompts: [] },
    ]);
    const runtime = new CallRuntime({ ari, flows, log, postCallTimeoutMs: 5000 });
    runtime.start();
    ari.emit(fakeEvents.stasisStart('queue', 'c1', ['caller']));
    await vi.advanceTimersByTimeAsync(0);
    ari.emit(fakeEvents.dtmf('queue', 'c1', '1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([{ args: ['305'], channelId: 'c1' }]);
    expect(runtime.size).toBe(1);
    expect(ari.calls('channels.hangup')).toEqual([]);
    expect(ari.calls('channels.answer')).toEqual([['c1']]); // once, by the first flow
    ari.emit(fakeEvents.hangupRequest('queue', 'c1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(runtime.size).toBe(0);
    expect(ari.events.size).toBe(0);
  });

  it('ignores StasisStart for an app without a flow', async () => {
    const { ari, runtime } = setup();
    ari.emit(fakeEvents.stasisStart('other-app', 'c1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(runtime.size).toBe(0);
    expect(ari.calls('channels.answer')).toEqual([]);
  });

  it('after a reconnection, ends the calls whose channel vanished and keeps the others', async () => {
    const { ari, runtime } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'alive'));
    ari.emit(fakeEvents.stasisStart(APP, 'vanished'));
    await vi.advanceTimersByTimeAsync(0);
    ari.on('channels.get', (id) => {
      if (id === 'vanished') throw new AriError({ status: 404, operation: 'channels.get', message: 'Channel not found' });
      return { id };
    });
    ari.connection({ type: 'disconnected', reason: 'test' });
    ari.connection({ type: 'reconnected' });
    await vi.advanceTimersByTimeAsync(0);
    expect(runtime.channelIds()).toEqual(['alive']);
  });

  it('stops every call when the service stops', async () => {
    const { ari, runtime, cleanups } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await vi.advanceTimersByTimeAsync(0);
    ari.emit(fakeEvents.dtmf(APP, 'c1', '2'));
    await runtime.stop();
    expect(cleanups).toEqual(['recording']);
    expect(runtime.size).toBe(0);
    expect(ari.events.size).toBe(0);
  });
});
