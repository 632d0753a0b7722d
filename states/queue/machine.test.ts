import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, SimulatedClock, type EventObject } from 'xstate';
import { memoryLog } from '../../test/support/effect-harness.js';
import { settle, stubPlayback, stubRecording } from '../../test/support/machine-stubs.js';
import { announcementMedia, queueCallMachine, type MemberRef, type MemberToQueue, type MohInput, type QueueCallSettings, type QueueToMember } from './machine.js';

/** The queue, stubbed: what members told it, and a line back to each. */
function stubQueue() {
  const received: MemberToQueue[] = [];
  let member: MemberRef | undefined;
  return {
    ref: {
      send: (event: MemberToQueue) => {
        received.push(event);
        if (event.type === 'queue.join') member = event.member.ref;
      },
    },
    received,
    types: () => received.map((e) => e.type),
    /** Sends an event to the member, as the queue would. */
    tell: (event: QueueToMember) => member!.send(event),
  };
}

/** Music on hold, stubbed: `on` is true while it plays. */
function stubMoh() {
  const state = { starts: 0, on: false };
  const logic = fromCallback<EventObject, MohInput>(() => {
    state.starts++;
    state.on = true;
    return () => {
      state.on = false;
    };
  });
  return { logic, state };
}

interface Options {
  args?: string[];
  settings?: Partial<QueueCallSettings>;
}

function start(options: Options = {}) {
  const clock = new SimulatedClock();
  const playback = stubPlayback();
  const recording = stubRecording();
  const moh = stubMoh();
  const queue = stubQueue();
  const log = memoryLog();
  const settings: QueueCallSettings = {
    announcePeriodMs: 30_000,
    announceHoldTime: false,
    mohClass: 'default',
    overflow: undefined,
    recordingFormat: 'wav',
    now: () => clock.now(),
    ...options.settings,
  };
  const args = options.args ?? ['caller', 'sales'];
  const actor = createActor(queueCallMachine.provide({ actors: { playback: playback.logic, recording: recording.logic, moh: moh.logic } }), {
    input: { channelId: 'ch1', args, caller: { name: 'Alice', number: '2001' }, language: 'en', direction: 'inbound', data: {}, log, queue: queue.ref, settings },
    clock,
  });
  actor.start();
  const key = async (digits: string) => {
    for (const digit of digits) actor.send({ type: 'ari.dtmf', digit });
    await settle();
  };
  const tell = async (event: QueueToMember) => {
    queue.tell(event);
    await settle();
  };
  const state = () => actor.getSnapshot().value;
  return { actor, clock, playback, recording, moh, queue, log, key, tell, state };
}

describe('queue call machine: caller', () => {
  it('joins the queue as a caller with music on hold, and announces its place every period', async () => {
    const t = start();
    await settle();
    expect(t.queue.received[0]).toMatchObject({ type: 'queue.join', member: { id: 'ch1', role: 'caller', caller: { number: '2001' } } });
    expect(t.state()).toEqual({ caller: { waiting: 'holding' } });
    expect(t.moh.state.on).toBe(true);
    await t.tell({ type: 'queue.position', position: 3, since: 0, holdTimeMs: undefined });
    t.clock.increment(29_999);
    expect(t.playback.plays).toHaveLength(0);
    t.clock.increment(1);
    expect(t.moh.state.on).toBe(false);
    expect(t.playback.last().input.media).toEqual(['sound:queue-thereare', 'sound:digits/2', 'sound:queue-callswaiting']);
    t.playback.last().finish();
    expect(t.moh.state.on).toBe(true);
    expect(t.moh.state.starts).toBe(2);
    await t.tell({ type: 'queue.position', position: 1, since: 0, holdTimeMs: undefined });
    t.clock.increment(30_000);
    expect(t.playback.last().input.media).toEqual(['sound:queue-youarenext']);
  });

  it('a match stops the announcement at once and the music; connected, then hung up when the queue ends it', async () => {
    const t = start();
    await settle();
    t.clock.increment(30_000);
    const announcement = t.playback.last();
    await t.tell({ type: 'queue.matched', bridgeId: 'b1', peerChannelId: 'agent1' });
    expect(announcement.stopped).toBe(true);
    expect(t.moh.state.on).toBe(false);
    expect(t.state()).toEqual({ caller: 'connecting' });
    await t.tell({ type: 'queue.connected', bridgeId: 'b1' });
    expect(t.state()).toEqual({ caller: 'connected' });
    await t.key('0#');
    expect(t.state()).toEqual({ caller: 'connected' }); // a caller's keys do nothing
    await t.tell({ type: 'queue.ended', by: 'agent' });
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.actor.getSnapshot().output).toEqual({});
    expect(t.queue.types()).toEqual(['queue.join', 'queue.leave']);
  });

  it('back to waiting with music when the pairing did not happen', async () => {
    const t = start();
    await settle();
    await t.tell({ type: 'queue.matched', bridgeId: 'b1', peerChannelId: 'agent1' });
    await t.tell({ type: 'queue.requeued' });
    expect(t.state()).toEqual({ caller: { waiting: 'holding' } });
    expect(t.moh.state.on).toBe(true);
    expect(t.actor.getSnapshot().context.bridgeId).toBeUndefined();
  });

  it('announces the hold time left, in minutes, when enabled and known', () => {
    const context = (position: number, holdTimeMs: number | undefined, now: number) => ({
      position,
      since: 0,
      holdTimeMs,
      input: { settings: { announceHoldTime: true, now: () => now } } as never,
    });
    expect(announcementMedia(context(1, undefined, 0))).toEqual(['sound:queue-youarenext']);
    expect(announcementMedia(context(1, 150_000, 30_000))).toEqual(['sound:queue-youarenext', 'sound:queue-holdtime', 'sound:digits/2', 'sound:queue-minutes']);
    expect(announcementMedia(context(2, 50_000, 30_000))).toEqual(['sound:queue-thereare', 'sound:digits/1', 'sound:queue-callswaiting', 'sound:queue-holdtime', 'sound:digits/1', 'sound:queue-minute']);
    expect(announcementMedia(context(2, 10_000, 30_000)).slice(-2)).toEqual(['sound:digits/1', 'sound:queue-minute']);
  });

  it('a hang-up during an announcement stops it and tells the queue the caller left', async () => {
    const t = start();
    await settle();
    t.clock.increment(30_000);
    t.actor.send({ type: 'ari.hangup' });
    await settle();
    expect(t.playback.last().stopped).toBe(true);
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.queue.received.at(-1)).toEqual({ type: 'queue.leave', id: 'ch1' });
  });

  it('stopping the actor at any moment tells the queue the caller left', async () => {
    const t = start();
    await settle();
    await t.tell({ type: 'queue.matched', bridgeId: 'b1', peerChannelId: 'agent1' });
    t.actor.stop();
    expect(t.queue.received.at(-1)).toEqual({ type: 'queue.leave', id: 'ch1' });
  });

  it('maximum wait with a mailbox: handed over to vm-record', async () => {
    const t = start({ settings: { overflow: { app: 'vm-record', mailbox: '305' } } });
    await settle();
    await t.tell({ type: 'queue.overflow' });
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.actor.getSnapshot().output).toEqual({ handOver: { app: 'vm-record', args: ['305'] } });
    expect(t.moh.state.on).toBe(false);
  });

  it('when the service ends the call: queue-thankyou, the queue is told the caller left, and the call ends', async () => {
    const t = start();
    await settle();
    t.actor.send({ type: 'call.end', reason: 'shutdown' });
    await settle();
    expect(t.queue.received.at(-1)).toEqual({ type: 'queue.leave', id: 'ch1' });
    expect(t.moh.state.on).toBe(false);
    expect(t.playback.last().input.media).toEqual(['sound:queue-thankyou']);
    t.actor.send({ type: 'call.end', reason: 'shutdown' }); // again: the thanks are not cut
    t.playback.last().finish();
    expect(t.actor.getSnapshot().status).toBe('done');
  });

  it('maximum wait without a mailbox: queue-thankyou, then the call ends', async () => {
    const t = start();
    await settle();
    await t.tell({ type: 'queue.overflow' });
    expect(t.playback.last().input.media).toEqual(['sound:queue-thankyou']);
    t.playback.last().finish();
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.actor.getSnapshot().output).toEqual({});
  });

  it.each([[['supervisor']], [[]], [['caller', 'bad name!']], [['agent', 'x'.repeat(41)]]])('rejects %j with pbx-invalid and ends', async (args) => {
    const t = start({ args });
    await settle();
    expect(t.queue.received).toEqual([]);
    expect(t.playback.media()).toEqual(['sound:pbx-invalid']);
    t.playback.last().finish();
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.log.lines.some((l) => l.level === 'warn')).toBe(true);
  });

  it('joins the default queue when none is named', async () => {
    const t = start({ args: ['agent'] });
    await settle();
    expect(t.queue.received[0]).toMatchObject({ type: 'queue.join', member: { role: 'agent' } });
    expect(t.actor.getSnapshot().context.queueName).toBe('default');
  });
});

describe('queue call machine: agent', () => {
  async function connected() {
    const t = start({ args: ['agent', 'sales'] });
    await settle();
    await t.tell({ type: 'queue.matched', bridgeId: 'b1', peerChannelId: 'caller1' });
    await t.tell({ type: 'queue.connected', bridgeId: 'b1' });
    return t;
  }

  it('waits with music; recording keys before a call do nothing', async () => {
    const t = start({ args: ['agent', 'sales'] });
    await settle();
    expect(t.state()).toEqual({ agent: 'waiting' });
    expect(t.moh.state.on).toBe(true);
    await t.key('0579#');
    expect(t.state()).toEqual({ agent: 'waiting' });
    expect(t.recording.takes).toHaveLength(0);
    expect(t.queue.types()).toEqual(['queue.join']);
  });

  it('0 records the bridge and beeps to the caller; 5 pauses and resumes; 7 keeps it', async () => {
    const t = await connected();
    expect(t.moh.state.on).toBe(false);
    await t.key('579'); // nothing is recording yet
    expect(t.recording.takes).toHaveLength(0);
    await t.key('0');
    const take = t.recording.last();
    expect(take.input).toMatchObject({ target: { bridgeId: 'b1' }, format: 'wav', onExit: 'stop' });
    expect(take.input.name).toMatch(/^queue\/sales\/[0-9a-f-]{36}$/);
    expect(t.playback.last().input).toMatchObject({ target: { channelId: 'caller1' }, media: ['sound:beep'] });
    await t.key('0'); // already recording
    expect(t.recording.takes).toHaveLength(1);
    await t.key('5');
    await t.key('5');
    expect(take.commands).toEqual([{ type: 'recording.pause' }, { type: 'recording.unpause' }]);
    await t.key('7');
    expect(take.commands.at(-1)).toEqual({ type: 'recording.stop' });
    take.finish(4);
    await settle();
    expect(t.state()).toEqual({ agent: { connected: 'talking' } });
    expect(t.queue.received.at(-1)).toEqual({ type: 'queue.recorded', id: 'ch1', name: take.input.name, outcome: 'kept' });
  });

  it('9 discards the recording; a new 0 makes a new one', async () => {
    const t = await connected();
    await t.key('0');
    const first = t.recording.last();
    await t.key('59');
    expect(first.commands).toEqual([{ type: 'recording.pause' }, { type: 'recording.cancel' }]);
    first.finish(0, { cancelled: true });
    await settle();
    expect(t.queue.received.at(-1)).toMatchObject({ type: 'queue.recorded', name: first.input.name, outcome: 'discarded' });
    await t.key('0');
    expect(t.recording.takes).toHaveLength(2);
    expect(t.recording.last().input.name).not.toBe(first.input.name);
  });

  it('when the service ends an agent’s call, the queue is told the agent left and the call ends', async () => {
    const t = start({ args: ['agent', 'sales'] });
    await settle();
    t.actor.send({ type: 'call.end', reason: 'shutdown' });
    await settle();
    expect(t.queue.received.at(-1)).toEqual({ type: 'queue.leave', id: 'ch1' });
    expect(t.actor.getSnapshot().status).toBe('done');
  });

  it('# ends the call through the queue and goes back to waiting, with music, when the queue says so', async () => {
    const t = await connected();
    await t.key('#');
    expect(t.queue.received.at(-1)).toEqual({ type: 'queue.complete', id: 'ch1' });
    await t.key('#');
    expect(t.queue.types().filter((type) => type === 'queue.complete')).toHaveLength(1);
    await t.tell({ type: 'queue.ended', by: 'agent' });
    expect(t.state()).toEqual({ agent: 'waiting' });
    expect(t.moh.state.on).toBe(true);
  });

  it('# while recording: the recording is kept (stopped by its cleanup) and reported once', async () => {
    const t = await connected();
    await t.key('0');
    const take = t.recording.last();
    await t.key('#');
    expect(take.stopped).toBe(true);
    expect(t.queue.received.filter((e) => e.type === 'queue.recorded')).toEqual([{ type: 'queue.recorded', id: 'ch1', name: take.input.name, outcome: 'kept' }]);
  });

  it('the caller hangs up while recording: back to waiting, the recording kept', async () => {
    const t = await connected();
    await t.key('0');
    const take = t.recording.last();
    await t.tell({ type: 'queue.ended', by: 'caller' });
    expect(take.stopped).toBe(true);
    expect(t.state()).toEqual({ agent: 'waiting' });
    expect(t.queue.received.filter((e) => e.type === 'queue.recorded')).toHaveLength(1);
  });

  it('the agent hangs up while recording: the recording is kept, then the queue hears the agent left', async () => {
    const t = await connected();
    await t.key('0');
    t.actor.send({ type: 'ari.hangup' });
    await settle();
    expect(t.recording.last().stopped).toBe(true);
    expect(t.queue.types().slice(-2)).toEqual(['queue.recorded', 'queue.leave']);
    expect(t.actor.getSnapshot().status).toBe('done');
  });

  it('a recording that fails goes back to talking', async () => {
    const t = await connected();
    await t.key('0');
    t.recording.last().fail('Bridge not found');
    await settle();
    expect(t.state()).toEqual({ agent: { connected: 'talking' } });
    expect(t.queue.types()).not.toContain('queue.recorded');
  });
});
