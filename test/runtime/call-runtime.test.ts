import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromCallback, fromPromise, setup as setupMachine } from 'xstate';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { CallRuntime } from '../../src/runtime/call-runtime.js';
import { lifecycleStep } from '../../src/runtime/call-lifecycle.js';
import { defineFlow, FlowRegistry } from '../../src/runtime/flow.js';
import { createLogger } from '../../src/logger.js';
import { AriError } from '../../src/errors.js';
import { AppEvents, type AppEventMap } from '../../src/events.js';
import type { CallEvent, CallInput } from '../../states/shared/call.js';
import { routeKey } from '../../src/ari/router.js';
import type { AriEvent } from '../../src/ari/types.js';
import { probeMachine } from '../flows/probe.js';
import { FakeAri, fakeChannel, fakeEvents } from '../support/fake-ari.js';

const APP = 'probe';
const log = createLogger({ level: 'error', silent: true });

/**
 * A small flow: `#` ends it, `9` makes it throw; hanging up runs post-call
 * work (`work`, which the test may keep from finishing); `call.end` plays a
 * goodbye (`goodbye`, finished by the test) and ends.
 */
function testFlow(app = APP) {
  const trace: string[] = [];
  let finishGoodbye: (() => void) | undefined;
  let finishWork: (() => void) | undefined;
  const machine = setupMachine({
    types: { input: {} as CallInput, events: {} as CallEvent },
    actors: {
      goodbye: fromPromise(() => new Promise<void>((resolve) => (finishGoodbye = resolve))),
      work: fromPromise(() => new Promise<void>((resolve) => (finishWork = resolve))),
      playing: fromCallback(() => () => trace.push('playback stopped')),
    },
  }).createMachine({
    context: ({ input }) => ({ args: input.args, direction: input.direction, data: input.data }),
    initial: 'talking',
    on: { 'ari.hangup': '.hungUp', 'ari.stasisEnd': '.hungUp', 'call.end': '.goodbye' },
    states: {
      talking: {
        invoke: { src: 'playing' },
        on: {
          'ari.dtmf': [
            { guard: ({ event }) => event.digit === '#', target: 'done' },
            {
              guard: ({ event }) => event.digit === '9',
              actions: () => {
                throw new Error('bug in the flow');
              },
            },
            { actions: ({ event }) => trace.push(`key ${event.digit}`) },
          ],
        },
      },
      goodbye: { entry: () => trace.push('goodbye'), invoke: { src: 'goodbye', onDone: 'done' }, on: { 'call.end': {} } },
      hungUp: { invoke: { src: 'work', onDone: 'done' }, on: { 'ari.hangup': {}, 'ari.stasisEnd': {}, 'call.end': {} } },
      done: { type: 'final' },
    },
  });
  const flow = defineFlow({ app, logic: machine, prompts: [], input: (call) => call });
  return { flow, machine, trace, goodbye: () => finishGoodbye?.(), work: () => finishWork?.() };
}

function setup(options: { postCallTimeoutMs?: number; endTimeoutMs?: number } = {}) {
  const ari = new FakeAri();
  const events = new AppEvents();
  const ended: AppEventMap['call.ended'][] = [];
  const started: AppEventMap['call.started'][] = [];
  events.on('call.ended', (e) => ended.push(e));
  events.on('call.started', (e) => started.push(e));
  const t = testFlow();
  const runtime = new CallRuntime({
    ari,
    flows: new FlowRegistry([t.flow]),
    log,
    events,
    postCallTimeoutMs: options.postCallTimeoutMs ?? 5000,
    endTimeoutMs: options.endTimeoutMs ?? 3000,
  });
  runtime.start();
  const hangups = () => ari.calls('channels.hangup').map((args) => args[0]);
  return { ari, runtime, events, ended, started, hangups, ...t };
}

const tick = () => vi.advanceTimersByTimeAsync(0);

describe('call lifecycle', () => {
  it('hangs up only a call that is not already going away', () => {
    expect(lifecycleStep('running', 'flowDone')).toEqual({ phase: 'hangingUp', hangUp: true });
    expect(lifecycleStep('hangingUp', 'flowDone')).toBeUndefined();
    expect(lifecycleStep('postCall', 'flowDone')).toEqual({ phase: 'gone', hangUp: false });
    expect(lifecycleStep('running', 'endRequested')).toEqual({ phase: 'ending', hangUp: false });
    expect(lifecycleStep('ending', 'timedOut')).toEqual({ phase: 'hangingUp', hangUp: true });
    expect(lifecycleStep('hangingUp', 'endRequested')).toBeUndefined();
    expect(lifecycleStep('gone', 'stasisEnd')).toBeUndefined();
  });
});

describe('call runtime', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('answers a channel entering the app and runs one actor for it, fed by its events', async () => {
    const { ari, runtime, trace, hangups, ended, started } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'c1', ['305']));
    await tick();
    expect(ari.calls('channels.answer')).toEqual([['c1']]);
    expect(runtime.get('c1')).toMatchObject({ app: APP, args: ['305'], phase: 'running', state: 'talking', direction: 'inbound' });
    expect(started).toEqual([{ channelId: 'c1', app: APP, args: ['305'], caller: { name: '', number: '' }, direction: 'inbound' }]);
    ari.emit(fakeEvents.dtmf(APP, 'c1', '1'));
    ari.emit(fakeEvents.hangupRequest(APP, 'c1'));
    await tick();
    expect(trace).toEqual(['key 1', 'playback stopped']);
    expect(runtime.get('c1')?.phase).toBe('hangingUp');
    ari.emit(fakeEvents.stasisEnd(APP, 'c1'));
    await tick();
    expect(runtime.get('c1')?.phase).toBe('postCall'); // the post-call work is still running
    expect(runtime.list().map((c) => c.channelId)).toEqual(['c1']); // listed while it works
    expect(hangups()).toEqual([]); // the caller hung up; nothing to hang up
    expect(ended).toEqual([]);
  });

  it('says each state change of a call, in order, to a call.state listener', async () => {
    const t = setup();
    const states: AppEventMap['call.state'][] = [];
    // Subscribed by whoever follows calls (the live view, the fault matrix); nothing is computed without one.
    t.events.on('call.state', (e) => states.push(e));
    t.ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await tick();
    t.ari.emit(fakeEvents.hangupRequest(APP, 'c1'));
    t.ari.emit(fakeEvents.stasisEnd(APP, 'c1'));
    await tick();
    expect(states.map(({ state, from }) => [from, state])).toEqual([
      [undefined, 'talking'],
      ['talking', 'hungUp'],
    ]);
    expect(states[0]).toMatchObject({ channelId: 'c1', app: APP });
  });

  it('removes a call once its post-call work is done, and says who hung up and why', async () => {
    const t = setup();
    t.ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await tick();
    t.ari.emit(fakeEvents.hangupRequest(APP, 'c1'));
    t.ari.emit(fakeEvents.stasisEnd(APP, 'c1'));
    await tick();
    t.work();
    await tick();
    expect(t.runtime.size).toBe(0);
    expect(t.ari.events.size).toBe(0);
    expect(t.ended).toEqual([expect.objectContaining({ channelId: 'c1', app: APP, answered: true, hungUpBy: 'caller', cause: 16 })]);
  });

  it('hangs up when the flow ends by itself, and keeps the call until Asterisk says it left', async () => {
    const { ari, runtime, hangups, ended } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await tick();
    ari.emit(fakeEvents.dtmf(APP, 'c1', '#'));
    await tick();
    expect(hangups()).toEqual(['c1']);
    expect(runtime.get('c1')?.phase).toBe('hangingUp');
    expect(runtime.send('c1', { type: 'ari.dtmf', digit: '1' })).toBe(false); // over
    ari.emit(fakeEvents.hangupRequest(APP, 'c1'));
    ari.emit(fakeEvents.stasisEnd(APP, 'c1'));
    await tick();
    expect(runtime.size).toBe(0);
    expect(hangups()).toEqual(['c1']); // once
    expect(ended).toEqual([expect.objectContaining({ hungUpBy: 'service' })]);
  });

  it('tries a refused hang-up again, so the caller is not left on a silent line', async () => {
    const { ari, runtime, hangups } = setup();
    let refusals = 2;
    ari.on('channels.hangup', () => {
      if (refusals-- > 0) throw new AriError({ status: 500, operation: 'channels.hangup', message: 'Internal Server Error' });
    });
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await tick();
    ari.emit(fakeEvents.dtmf(APP, 'c1', '#'));
    await tick();
    expect(hangups()).toEqual(['c1']);
    await vi.advanceTimersByTimeAsync(2000);
    expect(hangups()).toEqual(['c1', 'c1', 'c1']);
    ari.emit(fakeEvents.stasisEnd(APP, 'c1'));
    await tick();
    expect(runtime.size).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(hangups()).toHaveLength(3); // accepted: no more tries
  });

  it('ends only the failing call when a flow throws', async () => {
    const { ari, runtime, hangups } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'bad'));
    ari.emit(fakeEvents.stasisStart(APP, 'good'));
    await tick();
    ari.emit(fakeEvents.dtmf(APP, 'bad', '9'));
    await tick();
    expect(hangups()).toEqual(['bad']);
    ari.emit(fakeEvents.stasisEnd(APP, 'bad'));
    await tick();
    expect(runtime.channelIds()).toEqual(['good']);
    expect(runtime.get('good')?.phase).toBe('running');
  });

  it('does not start a call whose channel is gone before it is answered', async () => {
    const { ari, runtime, trace } = setup();
    ari.fail('channels.answer', 404, 'Channel not found');
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await tick();
    expect(runtime.size).toBe(0);
    expect(ari.events.size).toBe(0);
    expect(trace).toEqual([]);
  });

  it('answers again when the answer request got no answer (a dropped connection), and the call runs', async () => {
    const { ari, runtime } = setup();
    let tries = 0;
    ari.on('channels.answer', () => {
      tries++;
      if (tries === 1) throw new AriError({ status: 0, operation: 'channels.answer', message: 'other side closed' });
    });
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await vi.advanceTimersByTimeAsync(300);
    expect(tries).toBe(2);
    expect(runtime.get('c1')?.phase).toBe('running');
  });

  it('stops an actor that does not finish its post-call work in time', async () => {
    const { ari, runtime } = setup({ postCallTimeoutMs: 5000 });
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await tick();
    ari.emit(fakeEvents.stasisEnd(APP, 'c1'));
    await vi.advanceTimersByTimeAsync(4000);
    expect(runtime.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1001);
    expect(runtime.size).toBe(0);
    expect(ari.events.size).toBe(0);
  });

  it('hands a call over to another app’s flow on the same channel when a flow says so', async () => {
    const ari = new FakeAri();
    const seen: unknown[] = [];
    const queue = setupMachine({ types: { events: {} as CallEvent } }).createMachine({
      initial: 'waiting',
      states: { waiting: { on: { 'ari.dtmf': 'gone' } }, gone: { type: 'final' } },
      output: () => ({ handOver: { app: 'voicemail', args: ['305'] } }),
    });
    const voicemail = setupMachine({ types: { input: {} as CallInput, events: {} as CallEvent } }).createMachine({
      entry: ({ context }) => seen.push(context),
      context: ({ input }) => ({ args: input.args, channelId: input.channelId }),
      initial: 'recording',
      states: { recording: { on: { 'ari.hangup': 'done' } }, done: { type: 'final' } },
    });
    const flows = new FlowRegistry([
      defineFlow({ app: 'queue', logic: queue, prompts: [], input: (call) => call }),
      defineFlow({ app: 'voicemail', logic: voicemail, prompts: [], input: (call) => call }),
    ]);
    const runtime = new CallRuntime({ ari, flows, log, postCallTimeoutMs: 5000 });
    runtime.start();
    ari.emit(fakeEvents.stasisStart('queue', 'c1', ['caller']));
    await tick();
    ari.emit(fakeEvents.dtmf('queue', 'c1', '1'));
    await tick();
    expect(seen).toEqual([{ args: ['305'], channelId: 'c1' }]);
    expect(runtime.get('c1')).toMatchObject({ app: 'voicemail', phase: 'running' });
    expect(ari.calls('channels.hangup')).toEqual([]);
    expect(ari.calls('channels.answer')).toEqual([['c1']]); // once, by the first flow
    ari.emit(fakeEvents.hangupRequest('queue', 'c1'));
    ari.emit(fakeEvents.stasisEnd('queue', 'c1'));
    await tick();
    expect(runtime.size).toBe(0);
    expect(ari.events.size).toBe(0);
    expect(ari.calls('channels.hangup')).toEqual([]);
  });

  it('ignores StasisStart for an app without a flow, and for a channel that already has an owner', async () => {
    const { ari, runtime } = setup();
    ari.emit(fakeEvents.stasisStart('other-app', 'c1'));
    ari.events.route(routeKey.channel('owned'), () => undefined);
    ari.emit(fakeEvents.stasisStart(APP, 'owned'));
    ari.emit(fakeEvents.stasisStart(APP, 'c2'));
    ari.emit(fakeEvents.stasisStart(APP, 'c2'));
    await tick();
    expect(runtime.channelIds()).toEqual(['c2']);
    expect(ari.calls('channels.answer')).toEqual([['c2']]);
  });

  it('after a reconnection, ends the calls whose channel vanished and keeps the others', async () => {
    const { ari, runtime, work } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'alive'));
    ari.emit(fakeEvents.stasisStart(APP, 'vanished'));
    await tick();
    ari.on('channels.get', (id) => {
      if (id === 'vanished') throw new AriError({ status: 404, operation: 'channels.get', message: 'Channel not found' });
      return { id };
    });
    ari.connection({ type: 'disconnected', reason: 'test' });
    ari.connection({ type: 'reconnected' });
    await tick();
    work();
    await tick();
    expect(runtime.channelIds()).toEqual(['alive']);
  });

  it('sends events from outside into a live call, and ends it through its flow on call.end', async () => {
    const { ari, runtime, trace, goodbye, hangups } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await tick();
    expect(runtime.send('c1', { type: 'ari.dtmf', digit: '4' })).toBe(true);
    expect(runtime.send('nobody', { type: 'ari.dtmf', digit: '4' })).toBe(false);
    expect(runtime.send('c1', { type: 'call.end', reason: 'request' })).toBe(true);
    await tick();
    expect(trace).toEqual(['key 4', 'goodbye', 'playback stopped']);
    expect(runtime.get('c1')?.phase).toBe('ending');
    expect(hangups()).toEqual([]); // the goodbye plays first
    goodbye();
    await tick();
    expect(hangups()).toEqual(['c1']);
  });
});

describe('call runtime: shutdown', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('lets a live call run until the drain ends, then ends it through its flow and hangs up', async () => {
    const { ari, runtime, trace, hangups, goodbye } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await tick();
    const drained = runtime.drain(30_000);
    let done = false;
    void drained.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(29_000);
    // The call is untouched: no hang-up, nothing stopped, keys still work.
    expect(hangups()).toEqual([]);
    expect(runtime.send('c1', { type: 'ari.dtmf', digit: '2' })).toBe(true);
    expect(trace).toEqual(['key 2']);
    await vi.advanceTimersByTimeAsync(1001);
    expect(trace).toEqual(['key 2', 'goodbye', 'playback stopped']);
    goodbye();
    await tick();
    expect(hangups()).toEqual(['c1']);
    ari.emit(fakeEvents.stasisEnd(APP, 'c1'));
    await tick();
    expect(done).toBe(true);
    expect(runtime.size).toBe(0);
  });

  it('sends no hang-up for a call that ended by itself during the drain', async () => {
    const { ari, runtime, hangups, work } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await tick();
    const drained = runtime.drain(30_000);
    await vi.advanceTimersByTimeAsync(1000);
    ari.emit(fakeEvents.hangupRequest(APP, 'c1'));
    ari.emit(fakeEvents.stasisEnd(APP, 'c1'));
    await tick();
    work();
    await drained; // resolves as soon as the last call is gone, long before 30 s
    expect(hangups()).toEqual([]);
    expect(runtime.size).toBe(0);
  });

  it('sends new calls back to the dialplan while it drains', async () => {
    const { ari, runtime } = setup();
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await tick();
    void runtime.drain(30_000);
    ari.emit(fakeEvents.stasisStart(APP, 'late'));
    await tick();
    expect(ari.calls('channels.continueInDialplan')).toEqual([['late']]);
    expect(runtime.channelIds()).toEqual(['c1']);
    await expect(runtime.originate({ endpoint: 'Local/1@x' }, { kind: 'start', app: APP, args: [] })).rejects.toThrow(/shutting down/);
  });

  it('hangs up a flow that does not end in time when asked, and stops at once on stopNow', async () => {
    const t = setup({ endTimeoutMs: 3000 });
    t.ari.emit(fakeEvents.stasisStart(APP, 'slow'));
    t.ari.emit(fakeEvents.stasisStart(APP, 'other'));
    await tick();
    void t.runtime.drain(0);
    await vi.advanceTimersByTimeAsync(3001); // the goodbye never finishes
    expect(t.hangups()).toEqual(['slow', 'other']);
    t.runtime.stopNow();
    expect(t.runtime.size).toBe(0);
    expect(t.ari.events.size).toBe(0);
  });
});

describe('call runtime: staged channels', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('starts the intended flow with the intended input on a channel it originated, with ids it chose', async () => {
    const { ari, runtime, started } = setup();
    const answered = new Map<string, AriEvent>();
    // Asterisk may send StasisStart before the originate response (fact 7).
    ari.on('channels.originate', (options) => {
      const o = options as { channelId: string; app: string };
      const event = fakeEvents.stasisStart(o.app, o.channelId, ['from', 'dialplan']);
      answered.set(o.channelId, event);
      ari.emit(event);
      return fakeChannel(o.channelId);
    });
    const { channelId, otherChannelId } = await runtime.originate(
      { endpoint: 'Local/200@outbound/n', callerId: '"Service" <100>' },
      { kind: 'start', app: APP, args: ['outbound'], data: { campaign: 'c-7' } },
    );
    await tick();
    expect(isUuid(channelId) && uuidVersion(channelId)).toBe(7);
    expect(isUuid(otherChannelId) && uuidVersion(otherChannelId)).toBe(7);
    expect(ari.calls('channels.originate')).toEqual([[{ endpoint: 'Local/200@outbound/n', callerId: '"Service" <100>', app: APP, channelId, otherChannelId }]]);
    expect(runtime.get(channelId)).toMatchObject({ args: ['outbound'], direction: 'outbound' });
    expect(started.at(-1)).toMatchObject({ channelId, args: ['outbound'], direction: 'outbound' });
    expect(runtime.size).toBe(1);
  });

  it('hands the StasisStart of a dialled leg to its claimer and starts no second call', async () => {
    const { ari, runtime } = setup();
    const claimed: string[] = [];
    runtime.expect('leg-1', { kind: 'claim', onStasisStart: (event) => claimed.push(event.channel.id) });
    ari.emit(fakeEvents.stasisStart(APP, 'leg-1'));
    await tick();
    expect(claimed).toEqual(['leg-1']);
    expect(runtime.size).toBe(0);
    expect(ari.calls('channels.answer')).toEqual([]);
  });

  it('reports an outbound call that ended before it was answered, and forgets it', async () => {
    const { ari, runtime, ended } = setup();
    runtime.expect('out-1', { kind: 'start', app: APP, args: [] });
    ari.emit({ type: 'ChannelDestroyed', application: APP, timestamp: '', cause: 17, cause_txt: 'User busy', channel: fakeChannel('out-1') });
    await tick();
    expect(ended).toEqual([expect.objectContaining({ channelId: 'out-1', answered: false, cause: 17, causeText: 'User busy' })]);
    expect(ari.events.size).toBe(0);
    // A StasisStart for it now is an ordinary inbound call of its app.
    ari.emit(fakeEvents.stasisStart(APP, 'out-1'));
    await tick();
    expect(runtime.get('out-1')?.direction).toBe('inbound');
  });

  it('withdraws an expectation when the originate is refused', async () => {
    const { ari, runtime } = setup();
    ari.fail('channels.originate', 400, 'Endpoint must be specified');
    await expect(runtime.originate({ endpoint: '' }, { kind: 'start', app: APP, args: [] })).rejects.toThrow(/Endpoint must be specified/);
    expect(ari.events.size).toBe(0);
  });
});

describe('call runtime with the probe flow', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs a flow’s invoked effects and stops them with the call', async () => {
    const ari = new FakeAri();
    const cleanups: string[] = [];
    const logic = probeMachine.provide({
      actors: {
        playback: fromCallback(() => () => cleanups.push('playback')),
        recording: fromCallback(() => () => cleanups.push('recording')),
        failingRequest: fromPromise(() => Promise.resolve()),
      },
    });
    const runtime = new CallRuntime({ ari, flows: new FlowRegistry([defineFlow({ app: APP, logic, prompts: [], input: (call) => call })]), log, postCallTimeoutMs: 5000 });
    runtime.start();
    ari.emit(fakeEvents.stasisStart(APP, 'c1'));
    await tick();
    ari.emit(fakeEvents.dtmf(APP, 'c1', '2'));
    ari.emit(fakeEvents.hangupRequest(APP, 'c1'));
    ari.emit(fakeEvents.stasisEnd(APP, 'c1'));
    await tick();
    expect(cleanups).toEqual(['recording']);
    expect(runtime.size).toBe(0);
    expect(ari.events.size).toBe(0);
  });
});
