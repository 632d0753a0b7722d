/**
 * `npm run bench`: the cost of dispatching ARI events to call actors, and the
 * heap each live call holds, for 10, 100 and 1,000 concurrent calls. Synthetic
 * events (DTMF, PlaybackStarted, PlaybackFinished) go through the real router,
 * the real call runtime, the probe flow's machine and the real playback
 * effect; Asterisk is an in-memory stub, so nothing here waits on a network.
 *
 * Targets (issue: foundation): the per-event cost at 1,000 calls within 1.5x of
 * the cost at 10 (dispatch is O(1)); at most 30 KB of heap per idle call.
 */
import { createLogger } from '../../src/logger.js';
import { CallRuntime } from '../../src/runtime/call-runtime.js';
import { createPlaybackEffect } from '../../src/runtime/effects/playback.js';
import { createRecordingEffect } from '../../src/runtime/effects/recording.js';
import { defineFlow, FlowRegistry } from '../../src/runtime/flow.js';
import type { PlayOptions } from '../../src/ari/port.js';
import { probeMachine } from '../flows/probe.js';
import { FakeAri, fakeEvents } from '../support/fake-ari.js';

const APP = 'bench';
const SIZES = [10, 100, 1000];
const EVENTS_PER_SIZE = 60_000;
const gc = (globalThis as { gc?: () => void }).gc;

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

async function heapUsed(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await settle();
  }
  return process.memoryUsage().heapUsed;
}

interface Row {
  calls: number;
  usPerEvent: number;
  kbPerIdleCall: number;
}

/** A runtime running the probe flow against an in-memory Asterisk. */
function bench() {
  const ari = new FakeAri();
  ari.record = false;
  const playing = new Map<string, string>(); // channel → playback id
  ari.on('channels.play', (channelId, options) => {
    playing.set(channelId as string, (options as PlayOptions).playbackId);
    return {};
  });
  const log = createLogger({ level: 'error', silent: true });
  // Watchdogs far in the future: the bench measures dispatch, not polling.
  const logic = probeMachine.provide({
    actors: {
      playback: createPlaybackEffect(ari, { firstCheckMs: 3_600_000, checkEveryMs: 3_600_000 }),
      recording: createRecordingEffect(ari, { finishTimeoutMs: 5000 }),
    },
  });
  const runtime = new CallRuntime({ ari, flows: new FlowRegistry([defineFlow({ app: APP, logic, prompts: [], input: (call) => call })]), log, postCallTimeoutMs: 1000 });
  runtime.start();
  return { ari, runtime, playing };
}

async function startCalls(world: ReturnType<typeof bench>, prefix: string, calls: number): Promise<string[]> {
  const ids = Array.from({ length: calls }, (_, i) => `${prefix}-${i}`);
  for (const id of ids) world.ari.emit(fakeEvents.stasisStart(APP, id));
  await settle();
  if (world.runtime.size !== calls) throw new Error(`expected ${calls} live calls, got ${world.runtime.size}`);
  return ids;
}

/**
 * Heap per idle call: ~1,000 idle calls held in runtimes of `calls` each, so the
 * figure is above the measurement's noise even for 10 calls.
 */
async function heapPerIdleCall(calls: number): Promise<number> {
  const runtimes = Math.ceil(1000 / calls);
  const before = await heapUsed();
  const worlds: ReturnType<typeof bench>[] = [];
  for (let r = 0; r < runtimes; r++) {
    const world = bench();
    await startCalls(world, `heap-${r}`, calls);
    worlds.push(world);
  }
  const after = await heapUsed();
  for (const world of worlds) world.runtime.stopNow();
  return (after - before) / 1024 / (runtimes * calls);
}

async function measure(calls: number): Promise<Row> {
  const kbPerIdleCall = await heapPerIdleCall(calls);
  const { ari, runtime, playing } = bench();
  const ids = await startCalls({ ari, runtime, playing }, `bench-${calls}`, calls);

  // Pre-build the events so the loop measures dispatch, not object creation.
  const press = ids.map((id) => fakeEvents.dtmf(APP, id, '1'));
  const rounds = Math.max(1, Math.floor(EVENTS_PER_SIZE / (3 * calls)));
  let events = 0;
  let elapsed = 0n;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < calls; i++) {
      const id = ids[i]!;
      let t = process.hrtime.bigint();
      ari.emit(press[i]!); // idle → playing: the playback effect plays
      elapsed += process.hrtime.bigint() - t;
      const playbackId = playing.get(id)!;
      const started = fakeEvents.playbackStarted(APP, playbackId, id, 'sound:tt-monkeys');
      const finished = fakeEvents.playbackFinished(APP, playbackId, id, 'sound:tt-monkeys');
      t = process.hrtime.bigint();
      ari.emit(started);
      ari.emit(finished); // playing → idle
      elapsed += process.hrtime.bigint() - t;
      events += 3;
    }
  }
  runtime.stopNow();
  if (ari.events.size !== 0) throw new Error(`router kept ${ari.events.size} routes after the calls`);
  return { calls, usPerEvent: Number(elapsed) / 1000 / events, kbPerIdleCall };
}

async function main(): Promise<void> {
  if (!gc) process.stderr.write('note: run with --expose-gc for steadier heap figures (npm run bench does)\n');
  await measure(100); // warm up the JIT
  const rows: Row[] = [];
  for (const size of SIZES) {
    // The median of three runs: one run can be disturbed by the machine's other work.
    const runs: Row[] = [];
    for (let i = 0; i < 3; i++) runs.push(await measure(size));
    runs.sort((a, b) => a.usPerEvent - b.usPerEvent);
    rows.push(runs[1]!);
  }
  const base = rows[0]!.usPerEvent;
  const lines = [
    '| concurrent calls | µs per event | vs 10 calls | heap per idle call |',
    '| ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.calls} | ${r.usPerEvent.toFixed(2)} | ${(r.usPerEvent / base).toFixed(2)}x | ${r.kbPerIdleCall.toFixed(1)} KB |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const worstRatio = rows.at(-1)!.usPerEvent / base;
  const worstHeap = Math.max(...rows.map((r) => r.kbPerIdleCall));
  process.stdout.write(
    `\ntargets: per-event cost at 1,000 calls within 1.5x of 10 calls: ${worstRatio <= 1.5 ? 'met' : 'NOT met'} (${worstRatio.toFixed(2)}x); ` +
      `heap per idle call at most 30 KB: ${worstHeap <= 30 ? 'met' : 'NOT met'} (${worstHeap.toFixed(1)} KB)\n`,
  );
}

await main();
