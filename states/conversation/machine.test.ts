import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, SimulatedClock } from 'xstate';
import { memoryLog } from '../../test/support/effect-harness.js';
import { settle } from '../../test/support/machine-stubs.js';
import { isRoomIdle, roomMachine } from './machine.js';
import type { BridgeCommand, BridgeInput, MemberJoin, MemberRef, MembershipEvent, RoomEmitted, SeatCommand, SeatInput } from './types.js';

const report = { url: 'http://app.test/rec', method: 'POST' as const, shape: 'ncco-record' };

/** A membership as the room sees it: an actor that keeps what it was told. */
function member(id: string, options: Partial<Omit<MemberJoin, 'id' | 'ref'>> = {}) {
  const told: MembershipEvent[] = [];
  const ref: MemberRef = createActor(fromCallback<MembershipEvent>(({ receive }) => receive((event) => void told.push(event)))).start();
  const join: MemberJoin = {
    id,
    leg: `leg-${id}`,
    channelId: `ch-${id}`,
    log: memoryLog(),
    startOnEnter: true,
    endOnExit: false,
    record: false,
    muted: false,
    deaf: false,
    report,
    ref,
    ...options,
  };
  return { id, join, told, gone: () => ref.stop() };
}

/** The bridge and seat effects, stubbed: what each was asked, and whether its cleanup ran. */
function stubs() {
  const bridges: { input: BridgeInput; commands: BridgeCommand[]; stopped: boolean; ready(): void; fail(reason: string): void }[] = [];
  const seats: { input: SeatInput; commands: SeatCommand[]; stopped: boolean }[] = [];
  const bridge = fromCallback<BridgeCommand, BridgeInput>(({ input, sendBack, receive }) => {
    const b = {
      input,
      commands: [] as BridgeCommand[],
      stopped: false,
      ready: () => sendBack({ type: 'room.ready', bridgeId: input.bridgeId }),
      fail: (reason: string) => sendBack({ type: 'room.failed', bridgeId: input.bridgeId, reason }),
    };
    bridges.push(b);
    receive((command) => b.commands.push(command));
    return () => {
      b.stopped = true;
    };
  });
  const seat = fromCallback<SeatCommand, SeatInput>(({ input, receive }) => {
    const s = { input, commands: [] as SeatCommand[], stopped: false };
    seats.push(s);
    receive((command) => s.commands.push(command));
    return () => {
      s.stopped = true;
    };
  });
  return { bridge, seat, bridges, seats };
}

function start(maxMembers = 50) {
  const clock = new SimulatedClock();
  const fx = stubs();
  const log = memoryLog();
  const actor = createActor(roomMachine.provide({ actors: { bridge: fx.bridge, seat: fx.seat } }), { input: { name: 'app-1:hotline', settings: { maxMembers }, log }, clock });
  const errors: unknown[] = [];
  actor.subscribe({ error: (err) => errors.push(err) });
  const emitted: RoomEmitted[] = [];
  actor.on('*', (event) => void emitted.push(event));
  actor.start();
  const ctx = () => actor.getSnapshot().context;
  const seatOf = (id: string) => fx.seats.find((s) => s.input.leg === `leg-${id}`)!;
  const entered = (id: string) => seatOf(id).commands.some((c) => c.type === 'seat.enter');
  return {
    actor,
    clock,
    log,
    errors,
    emitted,
    /** The emitted events' types, in order. */
    told: () => emitted.map((e) => e.type),
    ...fx,
    ctx,
    seatOf,
    entered,
    bridge1: () => fx.bridges[0]!,
    join: (m: ReturnType<typeof member>) => actor.send({ type: 'conversation.join', member: m.join }),
    leave: (m: ReturnType<typeof member>) => actor.send({ type: 'conversation.leave', id: m.id }),
    beeps: () => fx.bridges.flatMap((b) => b.commands).filter((c) => c.type === 'bridge.beep').length,
  };
}

describe('room machine', () => {
  it('creates the bridge on the first join only, and keeps members in join order', async () => {
    const r = start();
    const [a, b, c] = [member('a'), member('b'), member('c')];
    r.join(a);
    r.join(b);
    r.join(c);
    await settle();
    expect(r.bridges).toHaveLength(1);
    expect(r.bridge1().input).toMatchObject({ name: 'app-1:hotline' });
    expect(r.bridge1().input.bridgeId).toMatch(/^conversation-/);
    expect(r.ctx().members.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(r.seats.map((s) => s.input.bridgeId)).toEqual([r.bridge1().input.bridgeId, r.bridge1().input.bridgeId, r.bridge1().input.bridgeId]);
    expect(r.errors).toEqual([]);
  });

  it('seats starting members once the bridge is up', async () => {
    const r = start();
    const a = member('a');
    r.join(a);
    await settle();
    expect(r.seatOf('a').input.waiting).toBe(false);
    expect(r.entered('a')).toBe(false); // no bridge yet
    r.bridge1().ready();
    await settle();
    expect(r.entered('a')).toBe(true);
    expect(r.ctx().started).toBe(true);
  });

  it('keeps members who join before the start waiting with their music, and seats them all when a starter joins', async () => {
    const r = start();
    const moh = 'http://app.test/moh.mp3';
    const [a, b] = [member('a', { startOnEnter: false, musicOnHoldUrl: moh }), member('b', { startOnEnter: false })];
    r.join(a);
    r.join(b);
    r.bridge1().ready();
    await settle();
    expect(r.seatOf('a').input).toMatchObject({ waiting: true, musicOnHoldUrl: moh });
    expect(r.seatOf('b').input.waiting).toBe(true);
    expect(r.seatOf('b').input).not.toHaveProperty('musicOnHoldUrl');
    expect(r.entered('a') || r.entered('b')).toBe(false);
    expect(r.ctx().started).toBe(false);
    const s = member('s', { startOnEnter: true });
    r.join(s);
    await settle();
    expect([r.entered('a'), r.entered('b'), r.entered('s')]).toEqual([true, true, true]);
    expect(r.seatOf('s').input.waiting).toBe(false);
    // Once started, a non-starter goes straight in.
    const late = member('late', { startOnEnter: false });
    r.join(late);
    await settle();
    expect(r.seatOf('late').input.waiting).toBe(false);
    expect(r.entered('late')).toBe(true);
    // Each seat is entered once.
    expect(r.seatOf('a').commands).toEqual([{ type: 'seat.enter' }]);
  });

  it('a starter that asked for company (TwiML) waits alone with the music; the next member starts it', async () => {
    const r = start();
    r.join(member('s', { startOnEnter: true, startsAlone: false }));
    r.bridge1().ready();
    await settle();
    expect(r.seatOf('s').input.waiting).toBe(true);
    expect(r.entered('s')).toBe(false);
    expect(r.ctx().started).toBe(false);
    r.join(member('b', { startOnEnter: false }));
    await settle();
    expect(r.ctx().started).toBe(true);
    expect([r.entered('s'), r.entered('b')]).toEqual([true, true]);
  });

  it('records the bridge from the start, for the first member who asked, once', async () => {
    const r = start();
    const a = member('a', { startOnEnter: false, record: true });
    r.join(a);
    r.bridge1().ready();
    await settle();
    expect(r.bridge1().commands).toEqual([]); // not started: nothing is recorded yet
    r.join(member('b', { record: true }));
    await settle();
    expect(r.bridge1().commands).toEqual([{ type: 'bridge.record', recorder: { leg: 'leg-a', channelId: 'ch-a', log: a.join.log, report } }]);
    r.join(member('c', { record: true }));
    await settle();
    expect(r.bridge1().commands).toHaveLength(1);
  });

  it('starts the recording when a recording member joins a room already started', async () => {
    const r = start();
    r.join(member('a'));
    r.bridge1().ready();
    await settle();
    expect(r.bridge1().commands).toEqual([]);
    r.join(member('b', { record: true }));
    await settle();
    expect(r.bridge1().commands).toMatchObject([{ type: 'bridge.record', recorder: { leg: 'leg-b' } }]);
  });

  it('when an endOnExit member leaves, lets every other member go and closes the bridge', async () => {
    const r = start();
    const [a, b, boss] = [member('a', { startOnEnter: false }), member('b'), member('boss', { endOnExit: true })];
    r.join(a);
    r.join(b);
    r.join(boss);
    r.bridge1().ready();
    await settle();
    r.leave(boss);
    await settle();
    expect(a.told).toEqual([{ type: 'conversation.left', reason: 'ended' }]);
    expect(b.told).toEqual([{ type: 'conversation.left', reason: 'ended' }]);
    expect(boss.told).toEqual([]);
    expect(r.seats.every((s) => s.stopped)).toBe(true);
    expect(r.bridge1().stopped).toBe(true);
    expect(isRoomIdle(r.ctx())).toBe(true);
    // Their memberships' leaves arrive afterwards: nothing happens.
    r.leave(a);
    r.leave(b);
    await settle();
    expect(r.errors).toEqual([]);
    expect(r.bridges).toHaveLength(1);
  });

  it('goes on when a member without endOnExit leaves; the last one out closes the bridge (the recording is kept there)', async () => {
    const r = start();
    const [a, b] = [member('a', { record: true }), member('b')];
    r.join(a);
    r.join(b);
    r.bridge1().ready();
    await settle();
    r.leave(a);
    await settle();
    expect(b.told).toEqual([]);
    expect(r.seatOf('a').stopped).toBe(true);
    expect(r.seatOf('b').stopped).toBe(false);
    expect(r.bridge1().stopped).toBe(false);
    r.leave(b);
    await settle();
    expect(r.bridge1().stopped).toBe(true);
    expect(isRoomIdle(r.ctx())).toBe(true);
    // A new session gets a new bridge, not started until a starter joins.
    r.join(member('c', { startOnEnter: false }));
    await settle();
    expect(r.bridges).toHaveLength(2);
    expect(r.bridges[1]!.input.bridgeId).not.toBe(r.bridge1().input.bridgeId);
    expect(r.ctx().started).toBe(false);
  });

  it('an endOnExit member who is alone just closes the room', async () => {
    const r = start();
    const boss = member('boss', { endOnExit: true });
    r.join(boss);
    await settle();
    r.leave(boss);
    await settle();
    expect(r.bridge1().stopped).toBe(true);
    expect(boss.told).toEqual([]);
  });

  it('refuses the member over the limit with a warn line; the others stay', async () => {
    const r = start(50);
    const members = Array.from({ length: 51 }, (_, i) => member(`m${i}`));
    for (const m of members) r.join(m);
    await settle();
    const last = members[50]!;
    expect(r.ctx().members).toHaveLength(50);
    expect(last.told).toEqual([{ type: 'conversation.left', reason: 'full' }]);
    expect((last.join.log as ReturnType<typeof memoryLog>).lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'conversation is full; not joined' }));
    expect(r.seats).toHaveLength(50);
    expect(members.slice(0, 50).every((m) => m.told.length === 0)).toBe(true);
    // A place frees up: the next one gets in.
    r.leave(members[0]!);
    r.join(member('again'));
    await settle();
    expect(r.ctx().members).toHaveLength(50);
  });

  it('hands mute and deaf to the seat', async () => {
    const r = start();
    r.join(member('a', { muted: true }));
    r.join(member('b', { deaf: true }));
    await settle();
    expect(r.seatOf('a').input).toMatchObject({ muted: true, deaf: false });
    expect(r.seatOf('b').input).toMatchObject({ muted: false, deaf: true });
  });

  it('lets everyone go when the bridge cannot be made', async () => {
    const r = start();
    const [a, b] = [member('a'), member('b')];
    r.join(a);
    r.join(b);
    r.bridge1().fail('409 Bridge exists');
    await settle();
    expect(a.told).toEqual([{ type: 'conversation.left', reason: 'failed' }]);
    expect(b.told).toEqual([{ type: 'conversation.left', reason: 'failed' }]);
    expect(r.log.lines).toContainEqual(expect.objectContaining({ level: 'error' }));
    expect(r.bridge1().stopped).toBe(true);
  });

  it('does not tell a membership that is already gone', async () => {
    const r = start();
    const [a, boss] = [member('a'), member('boss', { endOnExit: true })];
    r.join(a);
    r.join(boss);
    await settle();
    a.gone();
    r.leave(boss);
    await settle();
    expect(a.told).toEqual([]);
    expect(r.errors).toEqual([]);
  });
});

describe('room machine: from outside (the REST API) and its observers', () => {
  it('tells observers a session: opened with its first member, started by a starter, members in and out, closed by the last one out', async () => {
    const r = start();
    const [a, b] = [member('a', { startOnEnter: false }), member('b')];
    r.join(a);
    await settle();
    const bridgeId = r.bridge1().input.bridgeId;
    expect(r.emitted).toEqual([
      { type: 'room.opened', bridgeId },
      { type: 'room.joined', bridgeId, member: { id: 'a', leg: 'leg-a', channelId: 'ch-a', startOnEnter: false, endOnExit: false, muted: false, held: false } },
    ]);
    r.join(b);
    r.leave(a);
    r.leave(b);
    await settle();
    expect(r.told()).toEqual(['room.opened', 'room.joined', 'room.joined', 'room.started', 'room.left', 'room.left', 'room.closed']);
    expect(r.emitted.at(-1)).toEqual({ type: 'room.closed', bridgeId, reason: 'empty', by: 'leg-b', kicked: false });
    // The next session is a new one.
    r.join(member('c'));
    await settle();
    expect(r.emitted.at(-3)).toEqual({ type: 'room.opened', bridgeId: r.bridges[1]!.input.bridgeId });
  });

  it('tells observers where each joining member asked the conference events to go, and nothing for a member who did not ask', async () => {
    const r = start();
    const events = { report: { url: 'http://app.test/conf', method: 'POST' as const, shape: 'twiml-conference-events' }, kinds: ['start', 'end'] };
    const [a, b, c] = [member('a'), member('b', { events }), member('c', { events: { ...events, kinds: ['join'] } })];
    r.join(a);
    r.join(b);
    r.join(c);
    await settle();
    const joined = r.emitted.filter((e) => e.type === 'room.joined');
    expect(joined.map((e) => e.member.id)).toEqual(['a', 'b', 'c']);
    expect(joined[0]).not.toHaveProperty('events');
    expect(joined[1]).toMatchObject({ events });
    expect(joined[2]).toMatchObject({ events: { kinds: ['join'] } });
  });

  it('names the endOnExit member whose leaving closed the session', async () => {
    const r = start();
    const [a, boss] = [member('a'), member('boss', { endOnExit: true })];
    r.join(a);
    r.join(boss);
    await settle();
    r.leave(boss);
    await settle();
    expect(r.emitted.at(-1)).toMatchObject({ type: 'room.closed', reason: 'end-on-exit', by: 'leg-boss', kicked: false });
    expect(r.emitted).toContainEqual(expect.objectContaining({ type: 'room.left', id: 'a', reason: 'ended' }));
  });

  it('conversation.end lets every member go (their documents go on), closes the bridge and says why', async () => {
    const r = start();
    const [a, b] = [member('a'), member('b', { startOnEnter: false })];
    r.join(a);
    r.join(b);
    r.bridge1().ready();
    await settle();
    r.actor.send({ type: 'conversation.end' });
    await settle();
    expect(a.told).toEqual([{ type: 'conversation.left', reason: 'ended' }]);
    expect(b.told).toEqual([{ type: 'conversation.left', reason: 'ended' }]);
    expect(r.seats.every((s) => s.stopped)).toBe(true);
    expect(r.bridge1().stopped).toBe(true);
    expect(isRoomIdle(r.ctx())).toBe(true);
    expect(r.emitted.at(-1)).toEqual({ type: 'room.closed', bridgeId: r.bridge1().input.bridgeId, reason: 'request' });
    // An empty room has nothing to end.
    r.actor.send({ type: 'conversation.end' });
    await settle();
    expect(r.told().filter((t) => t === 'room.closed')).toHaveLength(1);
  });

  it('conversation.kick lets that member go as `kicked`; the others stay; kicking the last one closes the session', async () => {
    const r = start();
    const [a, b] = [member('a'), member('b')];
    r.join(a);
    r.join(b);
    r.bridge1().ready();
    await settle();
    r.actor.send({ type: 'conversation.kick', leg: 'leg-a' });
    await settle();
    expect(a.told).toEqual([{ type: 'conversation.left', reason: 'kicked' }]);
    expect(b.told).toEqual([]);
    expect(r.seatOf('a').stopped).toBe(true);
    expect(r.ctx().members.map((m) => m.id)).toEqual(['b']);
    expect(r.bridge1().stopped).toBe(false);
    // Its membership's own leave comes afterwards: nothing happens.
    r.leave(a);
    r.actor.send({ type: 'conversation.kick', leg: 'leg-nobody' });
    await settle();
    expect(r.ctx().members.map((m) => m.id)).toEqual(['b']);
    r.actor.send({ type: 'conversation.kick', leg: 'leg-b' });
    await settle();
    expect(r.bridge1().stopped).toBe(true);
    expect(r.emitted.at(-1)).toMatchObject({ type: 'room.closed', reason: 'empty', by: 'leg-b', kicked: true });
    expect(r.errors).toEqual([]);
  });

  it('kicking an endOnExit member ends the session for the others', async () => {
    const r = start();
    const [a, boss] = [member('a'), member('boss', { endOnExit: true })];
    r.join(a);
    r.join(boss);
    await settle();
    r.actor.send({ type: 'conversation.kick', leg: 'leg-boss' });
    await settle();
    expect(boss.told).toEqual([{ type: 'conversation.left', reason: 'kicked' }]);
    expect(a.told).toEqual([{ type: 'conversation.left', reason: 'ended' }]);
    expect(r.emitted.at(-1)).toMatchObject({ type: 'room.closed', reason: 'end-on-exit', by: 'leg-boss', kicked: true });
  });

  it('hold and mute go to the member’s seat, are kept on the member and told to observers', async () => {
    const r = start();
    r.join(member('a'));
    r.join(member('b'));
    r.bridge1().ready();
    await settle();
    r.actor.send({ type: 'conversation.hold', leg: 'leg-a', hold: true, holdUrl: 'http://app.test/hold.mp3' });
    r.actor.send({ type: 'conversation.mute', leg: 'leg-b', muted: true });
    await settle();
    expect(r.seatOf('a').commands).toEqual([{ type: 'seat.enter' }, { type: 'seat.hold', hold: true, holdUrl: 'http://app.test/hold.mp3' }]);
    expect(r.seatOf('b').commands).toEqual([{ type: 'seat.enter' }, { type: 'seat.mute', muted: true }]);
    expect(r.ctx().members.map((m) => [m.id, m.held, m.muted])).toEqual([
      ['a', true, false],
      ['b', false, true],
    ]);
    expect(r.emitted.slice(-2)).toMatchObject([
      { type: 'room.changed', member: { leg: 'leg-a', held: true, muted: false } },
      { type: 'room.changed', member: { leg: 'leg-b', held: false, muted: true } },
    ]);
    r.actor.send({ type: 'conversation.hold', leg: 'leg-a', hold: false });
    await settle();
    expect(r.seatOf('a').commands.at(-1)).toEqual({ type: 'seat.hold', hold: false });
    expect(r.ctx().members[0]!.held).toBe(false);
  });

  it('maxLegs: the smallest limit asked in a session wins; without one the room default applies; a new session starts afresh', async () => {
    const r = start(50);
    const asked = [member('a', { maxLegs: 3 }), member('b', { maxLegs: 250 }), member('c'), member('d')];
    for (const m of asked) r.join(m);
    await settle();
    expect(r.ctx().members.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(asked[3]!.told).toEqual([{ type: 'conversation.left', reason: 'full' }]);
    for (const m of asked.slice(0, 3)) r.leave(m);
    await settle();
    // No limit asked: 50.
    const many = Array.from({ length: 51 }, (_, i) => member(`m${i}`));
    for (const m of many) r.join(m);
    await settle();
    expect(r.ctx().members).toHaveLength(50);
    expect(many[50]!.told).toEqual([{ type: 'conversation.left', reason: 'full' }]);
  });

  it('a member who asks for more than the room default may have it (a TwiML room of 250)', async () => {
    const r = start(2);
    const members = [member('a', { maxLegs: 4 }), member('b'), member('c'), member('d'), member('e')];
    for (const m of members) r.join(m);
    await settle();
    expect(r.ctx().members.map((m) => m.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(members[4]!.told).toEqual([{ type: 'conversation.left', reason: 'full' }]);
  });

  it('beeps into the bridge when a beeping member enters the mix (once for those seated together) and when one leaves it', async () => {
    const r = start();
    const [a, b, quiet, s] = [member('a', { startOnEnter: false, beep: 'both' }), member('b', { startOnEnter: false, beep: 'enter' }), member('q', { beep: 'exit', startOnEnter: false }), member('s', { startOnEnter: true })];
    r.join(a);
    r.join(b);
    r.join(quiet);
    r.bridge1().ready();
    await settle();
    expect(r.beeps()).toBe(0); // waiting: nobody is in the mix
    r.join(s);
    await settle();
    expect(r.beeps()).toBe(1);
    r.leave(b); // enter only
    await settle();
    expect(r.beeps()).toBe(1);
    r.leave(quiet); // exit
    await settle();
    expect(r.beeps()).toBe(2);
    r.leave(a); // both
    await settle();
    expect(r.beeps()).toBe(3);
    r.leave(s); // the last one: the room closes, nobody to hear a beep
    await settle();
    expect(r.beeps()).toBe(3);
  });
});
