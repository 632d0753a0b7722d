/**
 * The call queue (ARI tutorial exercise 3, and what a real queue adds), from
 * the phones of callers and agents and from the admin's `queue status`: what
 * each side hears, who is bridged with whom, in which order, what is recorded,
 * and that every hang-up leaves the queue and Asterisk clean (no member, no
 * bridge, no call actor left behind).
 * Runs unchanged wherever test/support/world.ts points ARI (npm test, or npm run test:asterisk).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import type { App } from '../../src/app.js';
import { queueFlow } from '../../src/apps/queue/flow.js';
import { vmRecordFlow } from '../../src/apps/vm-record.js';
import type { Bridge } from '../../src/ari/types.js';
import { runCli } from '../../src/cli/main.js';
import type { QueueStatus } from '../../src/cli/queue.js';
import { openQueueStore, type QueueLogLine } from '../../src/storage/index.js';
import { TestCaller, type Heard, type TestCall } from '../support/caller.js';
import { eventually, sleep } from '../support/wait.js';
import { startWorld, type World } from '../support/world.js';
import { Sink } from '../support/sink.js';

const tag = uuidv4().slice(0, 8);
/** The main queue app: announcements every 3 s (a real Asterisk run takes seconds), hold time on. */
const APP = `queue-${tag}`;
/** A second service: callers wait at most 4 s, then go to voicemail; agents rest 2 s after a call. */
const OVERFLOW_APP = `queue-overflow-${tag}`;
const VM_APP = `vm-record-${tag}`;
/** A third: callers wait at most 3 s, then hear queue-thankyou. */
const THANKYOU_APP = `queue-thankyou-${tag}`;
const MAILBOX = `q${uuidv4().replace(/-/g, '').slice(0, 10)}`;

let world: World;
let app: App;
let overflowApp: App;
let thankyouApp: App;
let caller: TestCaller;
let dataDir: string;
const calls: TestCall[] = [];
const queues: string[] = [];

beforeAll(async () => {
  world = await startWorld();
  dataDir = world.config().dataDir;
  // All three share the database; each clears stale members when it starts, so all start first.
  app = await world.startApp([queueFlow], { STASIS_FLOWS_APP_QUEUE: APP, STASIS_FLOWS_QUEUE_ANNOUNCE_PERIOD_MS: '3000', STASIS_FLOWS_QUEUE_HOLD_TIME: 'true' });
  overflowApp = await world.startApp([queueFlow, vmRecordFlow], {
    STASIS_FLOWS_APP_QUEUE: OVERFLOW_APP,
    STASIS_FLOWS_APP_VM_RECORD: VM_APP,
    STASIS_FLOWS_QUEUE_ANNOUNCE_PERIOD_MS: '10000',
    STASIS_FLOWS_QUEUE_MAX_WAIT_MS: '4000',
    STASIS_FLOWS_QUEUE_VOICEMAIL: MAILBOX,
    STASIS_FLOWS_QUEUE_WRAP_UP_MS: '2000',
  });
  thankyouApp = await world.startApp([queueFlow], { STASIS_FLOWS_APP_QUEUE: THANKYOU_APP, STASIS_FLOWS_QUEUE_ANNOUNCE_PERIOD_MS: '10000', STASIS_FLOWS_QUEUE_MAX_WAIT_MS: '3000' });
  await overflowApp.store.addMailbox({ id: MAILBOX, name: 'Queue overflow' });
  caller = await TestCaller.connect(world);
});

afterAll(async () => {
  for (const name of await storedUnder(`voicemail/${MAILBOX}/`).catch(() => [])) await caller.ari.recordings.deleteStored(name).catch(() => undefined);
  await caller?.close();
  await world?.close();
});

afterEach(async () => {
  for (const call of calls.splice(0)) await call.hangup();
  for (const a of [app, overflowApp, thankyouApp]) {
    await eventually(() => a.runtime.size === 0 && a.ari.events.size === 0, 'every call actor and route to be gone');
  }
  for (const queue of queues.splice(0)) {
    await eventually(async () => (await bridgesOf(queue)).length === 0, `no bridge of queue ${queue} to be left`);
    await eventually(async () => {
      const s = await status(queue);
      return s.callers.length === 0 && s.agents.length === 0;
    }, `queue ${queue} to be empty`);
    for (const name of await storedUnder(`queue/${queue}/`)) await caller.ari.recordings.deleteStored(name).catch(() => undefined);
  }
});

/** A fresh queue name (unique per run, so a real Asterisk's leftovers never interfere). */
function newQueue(): string {
  const name = `t${uuidv4().replace(/-/g, '').slice(0, 10)}`;
  queues.push(name);
  return name;
}

/** Calls the queue app as a caller or an agent. */
async function dial(role: string, queue: string | undefined, options: { app?: string; callerId?: string } = {}): Promise<TestCall> {
  const call = await caller.dial(options.app ?? APP, { args: queue === undefined ? [role] : [role, queue], ...(options.callerId ? { callerId: options.callerId } : {}) });
  calls.push(call);
  return call;
}

/** Runs the CLI against the services' database. */
async function cli(args: string[]): Promise<string> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(args, { env: { STASIS_FLOWS_DATA_DIR: dataDir }, stdout, stderr });
  if (code !== 0) throw new Error(`stasis-flows ${args.join(' ')} failed (${code}): ${stderr.text}`);
  return stdout.text;
}

/** `queue status <queue> --json`. */
async function status(queue: string): Promise<QueueStatus> {
  return (JSON.parse(await cli(['queue', 'status', queue, '--json'])) as QueueStatus[])[0]!;
}

/** The callers waiting, front first, and the agents in queue order, as channel ids with their status. */
async function lineUp(queue: string): Promise<{ waiting: string[]; agents: string[] }> {
  const s = await status(queue);
  return { waiting: s.callers.filter((c) => c.status === 'waiting').map((c) => c.channelId), agents: s.agents.map((a) => `${a.channelId}:${a.status}`) };
}

/** Waits until the queue lines up as expected. */
async function expectLineUp(queue: string, expected: { waiting?: TestCall[]; agents?: [TestCall, string][] }): Promise<void> {
  const want = {
    waiting: (expected.waiting ?? []).map((c) => c.peerId),
    agents: (expected.agents ?? []).map(([c, s]) => `${c.peerId}:${s}`),
  };
  let last: unknown;
  await eventually(async () => {
    last = await lineUp(queue);
    return JSON.stringify(last) === JSON.stringify(want);
  }, `queue ${queue} to line up as ${JSON.stringify(want)} (last: ${JSON.stringify(last)})`).catch((err: unknown) => {
    throw new Error(`${String(err)}; last: ${JSON.stringify(last)}`);
  });
}

/** The queue's bridges on Asterisk. */
async function bridgesOf(queue: string): Promise<Bridge[]> {
  return (await caller.ari.bridges.list()).filter((b) => b.name === `queue-${queue}`);
}

/** Waits until exactly these pairs are bridged in the queue (each its own mixing bridge). */
async function expectBridged(queue: string, pairs: [TestCall, TestCall][]): Promise<void> {
  const want = pairs.map(([a, b]) => [a.peerId, b.peerId].sort().join('+')).sort();
  let seen: string[] = [];
  await eventually(async () => {
    seen = (await bridgesOf(queue)).map((b) => [...b.channels].sort().join('+')).sort();
    return JSON.stringify(seen) === JSON.stringify(want);
  }, `bridges ${JSON.stringify(want)}`).catch((err: unknown) => {
    throw new Error(`${String(err)}; seen: ${JSON.stringify(seen)}`);
  });
}

/** Stored recordings under a prefix, as Asterisk lists them. */
async function storedUnder(prefix: string): Promise<string[]> {
  return (await caller.ari.recordings.listStored()).map((r) => r.name).filter((n) => n.startsWith(prefix));
}

/** The queue log of one queue. */
async function logOf(queue: string): Promise<QueueLogLine[]> {
  const store = openQueueStore(dataDir);
  try {
    return await store.listLog({ queue });
  } finally {
    await store.close();
  }
}

/** Waits until `media` is playing to the caller now (skipping any heard earlier and already over). */
async function hearsNow(call: TestCall, media: string, timeoutMs = 8000): Promise<Heard> {
  for (;;) {
    const started = await call.hears(media, timeoutMs);
    const item = call.heard.find((h) => h.playbackId === started.playback.id);
    if (item && item.finishedAt === undefined) return item;
  }
}

/** Music (or any sound) on the line: at least a second of talking in `seconds`. */
async function expectMusic(call: TestCall, seconds = 2): Promise<void> {
  const heard = await call.listen(seconds);
  expect(heard.talkingSeconds).toBeGreaterThanOrEqual(1);
}

describe('queue: callers', () => {
  it('callers wait first in, first out, with music and their place every period; the front one is bridged with the front agent at once', async () => {
    const q = newQueue();
    const c1 = await dial('caller', q, { callerId: 'Alice <2001>' });
    await expectLineUp(q, { waiting: [c1] });
    const c2 = await dial('caller', q, { callerId: 'Bob <2002>' });
    const c3 = await dial('caller', q, { callerId: 'Carol <2003>' });
    await expectLineUp(q, { waiting: [c1, c2, c3] });

    // The admin sees them, in order, while they wait.
    const text = await cli(['queue', 'status', q]);
    expect(text).toMatch(new RegExp(`3 callers waiting:\\n.*\\n\\s+1\\s+Alice <2001>.*${c1.peerId}\\n\\s+2\\s+Bob <2002>.*${c2.peerId}\\n\\s+3\\s+Carol <2003>.*${c3.peerId}`));
    expect(text).toContain('No agents.');

    // 3 s in: "you are next" for the first, "there are N calls waiting" for the others.
    // An agent comes while the first caller's announcement plays: it stops at once, they are bridged.
    const announced = await hearsNow(c1, 'sound:queue-youarenext');
    await c3.hears('sound:queue-thereare');
    const a1 = await dial('agent', q, { callerId: 'Dave <100>' });
    await eventually(() => announced.finishedAt !== undefined, 'the announcement to stop');
    expect(announced.finishedAt! - announced.startedAt).toBeLessThan(4500); // it lasts 5.4 s
    await c2.hears('sound:queue-thereare');
    await c2.hears('sound:digits/1');
    await c2.hears('sound:queue-callswaiting');
    await c3.hears('sound:digits/2');
    await c3.hears('sound:queue-callswaiting');
    // Music again after the announcement.
    await c2.heardEnd('sound:queue-callswaiting');
    await expectMusic(c2);
    await expectBridged(q, [[c1, a1]]);
    const a2 = await dial('agent', q, { callerId: 'Erin <101>' });
    await expectBridged(q, [[c1, a1], [c2, a2]]);
    await expectLineUp(q, { waiting: [c3], agents: [[a1, 'onCall'], [a2, 'onCall']] });

    // The last one waiting now hears the hold time, estimated from the waits so far.
    await c3.hears('sound:queue-holdtime', 15_000);
    await c3.hears('sound:digits/1');
    await c3.hears('sound:queue-minute');

    // # from the first agent: its caller is hung up; it takes the next caller.
    await a1.press('#');
    await c1.ended();
    await expectBridged(q, [[c3, a1], [c2, a2]]);
    const log = await logOf(q);
    expect(log.filter((l) => l.event === 'connect').map((l) => [l.channelId, l.peerChannelId])).toEqual([
      [c1.peerId, a1.peerId],
      [c2.peerId, a2.peerId],
      [c3.peerId, a1.peerId],
    ]);
    expect(log.find((l) => l.event === 'complete')).toMatchObject({ channelId: c1.peerId, peerChannelId: a1.peerId, detail: 'agent' });
  });

  it('a caller who hangs up during an announcement leaves the queue; those behind move up', async () => {
    const q = newQueue();
    const c1 = await dial('caller', q);
    const c2 = await dial('caller', q);
    await expectLineUp(q, { waiting: [c1, c2] });
    await hearsNow(c1, 'sound:queue-youarenext');
    await c1.hangup();
    await c1.ended();
    await expectLineUp(q, { waiting: [c2] });
    expect((await logOf(q)).find((l) => l.event === 'abandon')).toMatchObject({ channelId: c1.peerId, position: 1 });
    expect(await bridgesOf(q)).toEqual([]);
  });

  it('an unknown role or a bad queue name: pbx-invalid and the call ends', async () => {
    await Promise.all(
      [['supervisor'], ['caller', 'no spaces']].map(async (args) => {
        const call = await caller.dial(APP, { args });
        await call.hears('sound:pbx-invalid');
        await call.ended();
      }),
    );
  });
});

describe('queue: agents', () => {
  it('agents wait with music, are served from the front and go back to the back; hang-up rules on both sides', async () => {
    const q = newQueue();
    const a1 = await dial('agent', q, { callerId: 'Dave <100>' });
    await expectLineUp(q, { agents: [[a1, 'idle']] });
    const a2 = await dial('agent', q, { callerId: 'Erin <101>' });
    await expectLineUp(q, { agents: [[a1, 'idle'], [a2, 'idle']] });
    await expectMusic(a1);
    const text = await cli(['queue', 'status', q]);
    expect(text).toMatch(new RegExp(`2 agents:\\n.*\\n\\s+Dave <100>\\s+idle.*${a1.peerId}\\n\\s+Erin <101>\\s+idle.*${a2.peerId}`));

    // The first caller gets the front agent.
    const c1 = await dial('caller', q);
    await expectBridged(q, [[c1, a1]]);
    await expectLineUp(q, { agents: [[a1, 'onCall'], [a2, 'idle']] });

    // # ends it: the caller is hung up, the agent goes to the back, with music again.
    await a1.press('#');
    await c1.ended();
    await expectLineUp(q, { agents: [[a2, 'idle'], [a1, 'idle']] });
    expect(await bridgesOf(q)).toEqual([]);
    await expectMusic(a1);

    // The next caller gets the new front agent; when that caller hangs up, its agent goes to the back.
    const c2 = await dial('caller', q);
    await expectBridged(q, [[c2, a2]]);
    await c2.hangup();
    await c2.ended();
    await expectLineUp(q, { agents: [[a1, 'idle'], [a2, 'idle']] });
    expect(await bridgesOf(q)).toEqual([]);
    await expectMusic(a2);

    // The agent hangs up: the caller is hung up too.
    const c3 = await dial('caller', q);
    await expectBridged(q, [[c3, a1]]);
    await a1.hangup();
    await c3.ended();
    await expectLineUp(q, { agents: [[a2, 'idle']] });
    expect(await bridgesOf(q)).toEqual([]);

    const log = await logOf(q);
    expect(log.filter((l) => l.event === 'complete').map((l) => [l.channelId, l.detail])).toEqual([
      [c1.peerId, 'agent'],
      [c2.peerId, 'caller'],
      [c3.peerId, 'agent'],
    ]);
    await a2.hangup();
    await expectLineUp(q, {});
    expect((await logOf(q)).filter((l) => l.event === 'agentLeave')).toHaveLength(2);
  });

  it('recording: 0 records the bridge with a beep for the caller, 5 pauses and resumes, 7 keeps, 9 discards; keys out of place do nothing', async () => {
    const q = newQueue();
    const agent = await dial('agent', q);
    await expectLineUp(q, { agents: [[agent, 'idle']] });
    // Not bridged: recording keys change nothing.
    await agent.pressDelivered('0579');
    await expectLineUp(q, { agents: [[agent, 'idle']] });
    const customer = await dial('caller', q);
    await expectBridged(q, [[customer, agent]]);
    // Bridged, not recording: 5, 7 and 9 change nothing.
    await agent.pressDelivered('579');
    expect(await storedUnder(`queue/${q}/`)).toEqual([]);
    expect(customer.heardMedia()).not.toContain('sound:beep');

    await agent.press('0');
    await customer.hears('sound:beep');
    await customer.speak(1);
    await agent.press('5');
    await sleep(500);
    await agent.press('5');
    await customer.speak(1);
    await agent.press('7');
    let kept: string[] = [];
    await eventually(async () => (kept = await storedUnder(`queue/${q}/`)).length === 1, 'the recording to be stored');
    expect(kept[0]).toMatch(new RegExp(`^queue/${q}/[0-9a-f-]{36}$`));

    await agent.press('0');
    await customer.hears('sound:beep');
    await customer.speak(1);
    await agent.press('9');
    await eventually(async () => (await logOf(q)).filter((l) => l.event === 'recording').length === 2, 'both recordings in the log');
    const recordings = (await logOf(q)).filter((l) => l.event === 'recording');
    expect(recordings.map((l) => [l.recording, l.detail])).toEqual([
      [kept[0], 'kept'],
      [expect.stringMatching(new RegExp(`^queue/${q}/`)), 'discarded'],
    ]);
    expect(await storedUnder(`queue/${q}/`)).toEqual(kept);
    await expectBridged(q, [[customer, agent]]);

    await agent.press('#');
    await customer.ended();
    await expectLineUp(q, { agents: [[agent, 'idle']] });
  });
});

describe('queue: hang-ups at any moment', () => {
  it('the caller hangs up while being bridged: no bridge is left and the agent waits again', async () => {
    const q = newQueue();
    const agent = await dial('agent', q);
    await expectLineUp(q, { agents: [[agent, 'idle']] });
    const customer = await dial('caller', q);
    await customer.hangup();
    await customer.ended();
    await expectLineUp(q, { agents: [[agent, 'idle']] });
    expect(await bridgesOf(q)).toEqual([]);
    await expectMusic(agent);
  });

  it('the agent hangs up while being bridged: no bridge is left; the caller is hung up, or waits again if it was not yet connected', async () => {
    const q = newQueue();
    const customer = await dial('caller', q);
    await expectLineUp(q, { waiting: [customer] });
    const agent = await dial('agent', q);
    await agent.hangup();
    await agent.ended();
    await eventually(async () => (await bridgesOf(q)).length === 0 && (await status(q)).agents.length === 0, 'the agent and the bridge to be gone');
    const connected = (await logOf(q)).some((l) => l.event === 'connect');
    if (connected) await customer.ended();
    else await expectLineUp(q, { waiting: [customer] });
  });

  it('the agent hangs up while recording: the caller is hung up and the recording is kept', async () => {
    const q = newQueue();
    const agent = await dial('agent', q);
    await expectLineUp(q, { agents: [[agent, 'idle']] });
    const customer = await dial('caller', q);
    await expectBridged(q, [[customer, agent]]);
    await agent.press('0');
    await customer.hears('sound:beep');
    await customer.speak(1);
    await agent.hangup();
    await customer.ended();
    await eventually(async () => (await storedUnder(`queue/${q}/`)).length === 1, 'the recording to be stored');
    await eventually(async () => (await logOf(q)).some((l) => l.event === 'recording' && l.detail === 'kept'), 'the recording to be logged as kept');
    await expectLineUp(q, {});
    expect(await bridgesOf(q)).toEqual([]);
  });

  it('the caller hangs up while recording: the agent waits again and the recording is kept', async () => {
    const q = newQueue();
    const agent = await dial('agent', q);
    await expectLineUp(q, { agents: [[agent, 'idle']] });
    const customer = await dial('caller', q);
    await expectBridged(q, [[customer, agent]]);
    await agent.press('0');
    await customer.hears('sound:beep');
    await customer.speak(1);
    await customer.hangup();
    await customer.ended();
    await expectLineUp(q, { agents: [[agent, 'idle']] });
    expect(await bridgesOf(q)).toEqual([]);
    await eventually(async () => (await storedUnder(`queue/${q}/`)).length === 1, 'the recording to be stored');
    // Recording keys after the call do nothing.
    await agent.pressDelivered('579');
    await expectLineUp(q, { agents: [[agent, 'idle']] });
    expect(await storedUnder(`queue/${q}/`)).toHaveLength(1);
  });

  it('an agent who hangs up while waiting leaves the queue', async () => {
    const q = newQueue();
    const agent = await dial('agent', q);
    await expectLineUp(q, { agents: [[agent, 'idle']] });
    await agent.hangup();
    await agent.ended();
    await expectLineUp(q, {});
  });
});

describe('queue: what a real queue adds', () => {
  it('a caller who waits the maximum time goes to the configured voicemail and can leave a message', async () => {
    const q = newQueue();
    const customer = await dial('caller', q, { app: OVERFLOW_APP, callerId: 'Frank <2009>' });
    await customer.hears('sound:vm-intro', 10_000);
    await expectLineUp(q, {});
    await customer.press('#');
    await customer.next((e) => e.type === 'RecordingStarted', 'the message to be recorded', 10_000);
    await customer.speak(2);
    await customer.hangup();
    await eventually(async () => (await overflowApp.store.listMessages(MAILBOX)).some((m) => m.callerNumber === '2009'), 'the message to be kept');
    expect((await logOf(q)).find((l) => l.event === 'timeout')).toMatchObject({ channelId: customer.peerId });
  });

  it('without a voicemail mailbox, a caller who waits the maximum time hears queue-thankyou and is hung up', async () => {
    const q = newQueue();
    const customer = await dial('caller', q, { app: THANKYOU_APP });
    await customer.hears('sound:queue-thankyou', 10_000);
    await customer.ended();
    await expectLineUp(q, {});
  });

  it('wrap-up: an agent who just finished is offered the next caller only after the wrap-up time', async () => {
    const q = newQueue();
    const agent = await dial('agent', q, { app: OVERFLOW_APP });
    const c1 = await dial('caller', q, { app: OVERFLOW_APP });
    await expectBridged(q, [[c1, agent]]);
    const pressed = Date.now();
    await agent.press('#');
    await c1.ended();
    const c2 = await dial('caller', q, { app: OVERFLOW_APP });
    await expectLineUp(q, { waiting: [c2], agents: [[agent, 'wrapUp']] });
    await expectBridged(q, [[c2, agent]]);
    expect(Date.now() - pressed).toBeGreaterThanOrEqual(1900); // 2 s of wrap-up
    await agent.press('#');
    await c2.ended();
  });
});
