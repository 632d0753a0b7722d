import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, SimulatedClock } from 'xstate';
import { memoryLog } from '../../test/support/effect-harness.js';
import { settle } from '../../test/support/machine-stubs.js';
import { queueMachine } from './queue-machine.js';
import type { ConnectCommand, ConnectInput, MemberRef, QueueLogEntry, QueueSettings, QueueToMember, Role } from './types.js';

/** A member as the queue sees it (an actor, as a membership is): what it was told. */
function member(id: string) {
  const told: QueueToMember[] = [];
  const ref: MemberRef = createActor(fromCallback<QueueToMember>(({ receive }) => receive((event) => void told.push(event)))).start();
  return { id, ref, told, types: () => told.map((e) => e.type), last: () => told.at(-1), gone: () => ref.stop() };
}
type Member = ReturnType<typeof member>;

/** The `connect` effect, stubbed: the test says when the bridge is up and when it is gone. */
function stubConnect() {
  const bridges: { input: ConnectInput; commands: ConnectCommand[]; stopped: boolean; bridged(): void; fail(reason: string): void; released(): void }[] = [];
  const logic = fromCallback<ConnectCommand, ConnectInput>(({ input, sendBack, receive }) => {
    const bridge = {
      input,
      commands: [] as ConnectCommand[],
      stopped: false,
      bridged: () => sendBack({ type: 'queue.bridged', bridgeId: input.bridgeId }),
      fail: (reason: string) => sendBack({ type: 'queue.bridgeFailed', bridgeId: input.bridgeId, reason }),
      released: () => sendBack({ type: 'queue.released', bridgeId: input.bridgeId }),
    };
    bridges.push(bridge);
    receive((command) => bridge.commands.push(command));
    return () => {
      bridge.stopped = true;
    };
  });
  return { logic, bridges, last: () => bridges.at(-1)!, live: () => bridges.filter((b) => !b.stopped) };
}

function start(settings: Partial<QueueSettings> = {}) {
  const clock = new SimulatedClock();
  const connect = stubConnect();
  const lines: QueueLogEntry[] = [];
  const log = memoryLog();
  const actor = createActor(
    queueMachine.provide({ actors: { connect: connect.logic }, actions: { writeLog: (_args, entry) => void lines.push(entry) } }),
    {
      input: {
        name: 'sales',
        settings: { wrapUpMs: 0, maxWaitMs: 0, bridgeRetryMs: 2000, holdTimeSamples: 10, now: () => clock.now(), ...settings },
        log,
      },
      clock,
    },
  );
  actor.start();
  const join = (m: Member, role: Role) => actor.send({ type: 'queue.join', member: { id: m.id, role, caller: { name: '', number: m.id }, ref: m.ref } });
  const leave = (m: Member) => actor.send({ type: 'queue.leave', id: m.id });
  const ctx = () => actor.getSnapshot().context;
  const callerIds = () => ctx().callers.map((c) => c.id);
  const agentOrder = () => ctx().agents.map((a) => `${a.id}:${a.status}`);
  /** Bridges and releases the latest pairing. */
  const connectLast = async () => {
    connect.last().bridged();
    await settle();
  };
  return { actor, clock, connect, lines, log, join, leave, ctx, callerIds, agentOrder, connectLast };
}

describe('queue machine', () => {
  it('serves callers first in, first out, pairing the front caller with the front agent', async () => {
    const q = start();
    const [c1, c2, c3] = [member('c1'), member('c2'), member('c3')];
    q.join(c1, 'caller');
    q.join(c2, 'caller');
    q.join(c3, 'caller');
    expect(q.callerIds()).toEqual(['c1', 'c2', 'c3']);
    expect(c3.last()).toMatchObject({ type: 'queue.position', position: 3 });
    const a1 = member('a1');
    q.join(a1, 'agent');
    await settle();
    expect(c1.last()).toMatchObject({ type: 'queue.matched', peerChannelId: 'a1' });
    expect(a1.last()).toMatchObject({ type: 'queue.matched', peerChannelId: 'c1' });
    expect(q.connect.last().input).toMatchObject({ queue: 'sales', callerChannelId: 'c1', agentChannelId: 'a1' });
    expect(q.connect.last().input.bridgeId).toMatch(/^[0-9a-f-]{36}$/);
    // Everyone behind moved up.
    expect(c2.last()).toMatchObject({ type: 'queue.position', position: 1 });
    expect(c3.last()).toMatchObject({ type: 'queue.position', position: 2 });
    q.clock.increment(4000);
    await q.connectLast();
    expect(c1.last()).toEqual({ type: 'queue.connected', bridgeId: q.connect.last().input.bridgeId });
    expect(a1.last()).toEqual({ type: 'queue.connected', bridgeId: q.connect.last().input.bridgeId });
    expect(q.lines.find((l) => l.event === 'connect')).toEqual({ queue: 'sales', event: 'connect', channelId: 'c1', peerChannelId: 'a1', waitSeconds: 4 });
    // Hold-time estimate from that wait goes to those still waiting.
    expect(c2.last()).toMatchObject({ type: 'queue.position', position: 1, holdTimeMs: 4000 });
  });

  it('# from the agent: the caller is told to hang up, the agent goes to the back once the bridge is gone', async () => {
    const q = start();
    const [a1, a2, c1] = [member('a1'), member('a2'), member('c1')];
    q.join(a1, 'agent');
    q.join(a2, 'agent');
    q.join(c1, 'caller');
    await q.connectLast();
    expect(q.agentOrder()).toEqual(['a1:onCall', 'a2:idle']);
    q.actor.send({ type: 'queue.complete', id: 'a1' });
    await settle();
    expect(c1.last()).toEqual({ type: 'queue.ended', by: 'agent' });
    expect(q.connect.last().commands).toEqual([{ type: 'connect.end', keep: ['a1'] }]);
    expect(a1.types()).not.toContain('queue.ended'); // not until the bridge is gone
    q.connect.last().released();
    await settle();
    expect(a1.last()).toEqual({ type: 'queue.ended', by: 'agent' });
    expect(q.connect.last().stopped).toBe(true);
    expect(q.agentOrder()).toEqual(['a2:idle', 'a1:idle']);
    expect(q.lines.filter((l) => l.event === 'complete')).toEqual([expect.objectContaining({ channelId: 'c1', peerChannelId: 'a1', detail: 'agent' })]);
    // The next caller gets the front agent.
    const c2 = member('c2');
    q.join(c2, 'caller');
    expect(c2.last()).toMatchObject({ type: 'queue.matched', peerChannelId: 'a2' });
    // The caller's own leave (it is hung up) changes nothing.
    q.leave(c1);
    expect(q.ctx().connections).toHaveLength(1);
  });

  it('the caller hangs up while bridged: the agent goes to the back; the agent hangs up: the caller is hung up', async () => {
    const q = start();
    const [a1, a2, c1, c2] = [member('a1'), member('a2'), member('c1'), member('c2')];
    q.join(a1, 'agent');
    q.join(a2, 'agent');
    q.join(c1, 'caller');
    await q.connectLast();
    c1.gone();
    q.leave(c1);
    expect(q.connect.last().commands).toEqual([{ type: 'connect.end', keep: ['a1'] }]);
    q.connect.last().released();
    await settle();
    expect(a1.last()).toEqual({ type: 'queue.ended', by: 'caller' });
    expect(q.agentOrder()).toEqual(['a2:idle', 'a1:idle']);
    q.join(c2, 'caller');
    await q.connectLast();
    expect(c2.types()).toContain('queue.connected');
    a2.gone();
    q.leave(a2);
    expect(c2.last()).toEqual({ type: 'queue.ended', by: 'agent' });
    expect(q.connect.last().commands).toEqual([{ type: 'connect.end', keep: [] }]);
    q.connect.last().released();
    await settle();
    expect(q.agentOrder()).toEqual(['a1:idle']);
    expect(q.ctx().connections).toEqual([]);
    expect(q.connect.live()).toEqual([]);
    expect(q.lines.map((l) => `${l.event}${l.detail ? `:${l.detail}` : ''}`)).toEqual([
      'agentJoin', 'agentJoin', 'enter', 'connect', 'complete:caller', 'enter', 'connect', 'complete:agent', 'agentLeave',
    ]);
  });

  it('a caller who hangs up while waiting leaves no ghost; the abandon says where it was and how long it waited', () => {
    const q = start();
    const [c1, c2, c3] = [member('c1'), member('c2'), member('c3')];
    q.join(c1, 'caller');
    q.join(c2, 'caller');
    q.join(c3, 'caller');
    q.clock.increment(7000);
    q.leave(c2);
    expect(q.callerIds()).toEqual(['c1', 'c3']);
    expect(c3.last()).toMatchObject({ type: 'queue.position', position: 2 });
    expect(q.lines.at(-1)).toEqual({ queue: 'sales', event: 'abandon', channelId: 'c2', position: 2, waitSeconds: 7 });
  });

  it('the caller hangs up while being bridged: the agent goes back to the front, not the back', async () => {
    const q = start();
    const [a1, a2, c1] = [member('a1'), member('a2'), member('c1')];
    q.join(a1, 'agent');
    q.join(a2, 'agent');
    q.join(c1, 'caller');
    q.leave(c1);
    expect(q.connect.last().commands).toEqual([{ type: 'connect.end', keep: ['a1'] }]);
    q.connect.last().bridged(); // too late: ignored
    await settle();
    expect(a1.types()).not.toContain('queue.connected');
    q.connect.last().released();
    await settle();
    expect(a1.last()).toEqual({ type: 'queue.requeued' });
    expect(q.agentOrder()).toEqual(['a1:idle', 'a2:idle']);
    expect(q.lines.filter((l) => l.event === 'abandon')).toHaveLength(1);
  });

  it('the agent hangs up while being bridged: the caller goes back to the front and is offered the next agent', async () => {
    const q = start();
    const [a1, a2, c1, c2] = [member('a1'), member('a2'), member('c1'), member('c2')];
    q.join(a1, 'agent');
    q.join(c1, 'caller');
    q.join(c2, 'caller');
    q.leave(a1);
    expect(q.connect.last().commands).toEqual([{ type: 'connect.end', keep: ['c1'] }]);
    expect(c1.types()).not.toContain('queue.ended');
    q.connect.last().released();
    await settle();
    // Back to waiting, then its place again.
    expect(c1.types().slice(-2)).toEqual(['queue.requeued', 'queue.position']);
    expect(q.callerIds()).toEqual(['c1', 'c2']);
    q.join(a2, 'agent');
    expect(c1.last()).toMatchObject({ type: 'queue.matched', peerChannelId: 'a2' });
  });

  it('a failed bridge puts the caller back at the front and rests the agent before retrying', async () => {
    const q = start();
    const [a1, c1] = [member('a1'), member('c1')];
    q.join(a1, 'agent');
    q.join(c1, 'caller');
    q.connect.last().fail('Bridge not found');
    await settle();
    expect(q.connect.last().commands).toEqual([{ type: 'connect.end', keep: ['c1', 'a1'] }]);
    q.connect.last().released();
    await settle();
    expect(c1.types().slice(-2)).toEqual(['queue.requeued', 'queue.position']);
    expect(a1.last()).toEqual({ type: 'queue.requeued' });
    expect(q.agentOrder()).toEqual(['a1:wrapUp']);
    expect(q.connect.bridges).toHaveLength(1);
    q.clock.increment(2000);
    await settle();
    expect(q.connect.bridges).toHaveLength(2);
    expect(q.log.lines.some((l) => l.level === 'warn' && l.message.includes('could not bridge'))).toBe(true);
  });

  it('wrap-up: an agent who finished is offered the next caller only after the wrap-up time', async () => {
    const q = start({ wrapUpMs: 5000 });
    const [a1, c1, c2] = [member('a1'), member('c1'), member('c2')];
    q.join(a1, 'agent');
    q.join(c1, 'caller');
    await q.connectLast();
    q.join(c2, 'caller');
    q.actor.send({ type: 'queue.complete', id: 'a1' });
    q.connect.last().released();
    await settle();
    expect(q.agentOrder()).toEqual(['a1:wrapUp']);
    q.clock.increment(4999);
    expect(c2.types()).not.toContain('queue.matched');
    q.clock.increment(1);
    expect(c2.last()).toMatchObject({ type: 'queue.matched', peerChannelId: 'a1' });
  });

  it('an agent who hangs up during wrap-up leaves no timer behind', async () => {
    const q = start({ wrapUpMs: 5000 });
    const [a1, c1] = [member('a1'), member('c1')];
    q.join(a1, 'agent');
    q.join(c1, 'caller');
    await q.connectLast();
    q.actor.send({ type: 'queue.complete', id: 'a1' });
    q.connect.last().released();
    await settle();
    q.leave(a1);
    expect(q.ctx().agents).toEqual([]);
    q.clock.increment(10_000);
    expect(q.ctx().agents).toEqual([]);
  });

  it('maximum wait: the caller leaves the queue, told to overflow; those behind move up', () => {
    const q = start({ maxWaitMs: 60_000 });
    const [c1, c2] = [member('c1'), member('c2')];
    q.join(c1, 'caller');
    q.clock.increment(10_000);
    q.join(c2, 'caller');
    q.clock.increment(50_000);
    expect(c1.last()).toEqual({ type: 'queue.overflow' });
    expect(q.callerIds()).toEqual(['c2']);
    expect(c2.last()).toMatchObject({ type: 'queue.position', position: 1 });
    expect(q.lines.at(-1)).toEqual({ queue: 'sales', event: 'timeout', channelId: 'c1', waitSeconds: 60 });
    q.clock.increment(10_000);
    expect(c2.last()).toEqual({ type: 'queue.overflow' });
  });

  it('maximum wait does not end a caller who is connected, nor one who left', async () => {
    const q = start({ maxWaitMs: 60_000 });
    const [a1, c1, c2] = [member('a1'), member('c1'), member('c2')];
    q.join(a1, 'agent');
    q.join(c1, 'caller');
    await q.connectLast();
    q.join(c2, 'caller');
    q.leave(c2);
    q.clock.increment(120_000);
    expect(c1.types()).not.toContain('queue.overflow');
    expect(c2.types()).not.toContain('queue.overflow');
  });

  it('records recordings kept and discarded, and ignores unknown members and duplicate joins', () => {
    const q = start();
    const a1 = member('a1');
    q.join(a1, 'agent');
    q.join(a1, 'agent');
    expect(q.ctx().agents).toHaveLength(1);
    q.leave(member('nobody'));
    q.actor.send({ type: 'queue.complete', id: 'a1' }); // not on a call: nothing
    q.actor.send({ type: 'queue.recorded', id: 'a1', name: 'queue/sales/r1', outcome: 'kept' });
    q.actor.send({ type: 'queue.recorded', id: 'a1', name: 'queue/sales/r2', outcome: 'discarded' });
    expect(q.lines.filter((l) => l.event === 'recording')).toEqual([
      { queue: 'sales', event: 'recording', channelId: 'a1', recording: 'queue/sales/r1', detail: 'kept' },
      { queue: 'sales', event: 'recording', channelId: 'a1', recording: 'queue/sales/r2', detail: 'discarded' },
    ]);
    expect(q.actor.getSnapshot().status).toBe('active');
  });

  it('seeds the hold-time estimate from earlier waits and averages the recent ones', async () => {
    const q = start({ holdTimeSamples: 2 });
    q.actor.send({ type: 'queue.seed', waitsMs: [1000, 2000, 6000] });
    expect(q.ctx().recentWaitsMs).toEqual([2000, 6000]);
    const c1 = member('c1');
    q.join(c1, 'caller');
    expect(c1.last()).toMatchObject({ type: 'queue.position', position: 1, holdTimeMs: 4000 });
    q.clock.increment(10_000);
    q.join(member('a1'), 'agent');
    await q.connectLast();
    expect(q.ctx().recentWaitsMs).toEqual([6000, 10_000]);
  });

  it('does not tell a member whose actor is already gone', () => {
    const q = start();
    const [c1, a1] = [member('c1'), member('a1')];
    q.join(c1, 'caller');
    c1.gone();
    const before = c1.told.length;
    q.join(a1, 'agent');
    expect(c1.told).toHaveLength(before);
  });
});
