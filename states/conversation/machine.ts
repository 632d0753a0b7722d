/**
 * The room machine: one long-lived actor per named conversation. It keeps the
 * members in join order and whether the conversation has started, owns the
 * session's mixing bridge through a spawned `bridge` effect (created on the
 * first join, child id = bridge id; stopping it destroys the bridge and keeps
 * the recording) and one `seat` effect per member (its hold music, its mute,
 * its place in the bridge; stopping it takes all of that back). Members who
 * join before a starting member wait outside the mix with music; when one
 * joins, every seat enters the bridge. From outside (the REST API) a session
 * can be ended, a member let go, held or muted. Observers hear the session's
 * life as emitted `room.*` events (RoomEmitted).
 */
import { v7 as uuidv7 } from 'uuid';
import { fromCallback, setup } from 'xstate';
import type {
  BridgeCommand,
  BridgeInput,
  CloseReason,
  LeftReason,
  Member,
  MemberView,
  RoomContext,
  RoomEmitted,
  RoomEvent,
  RoomInput,
  SeatCommand,
  SeatInput,
} from './types.js';

const notProvided = (name: string) => () => {
  throw new Error(`effect "${name}" was not provided to the room machine`);
};

/** The child id of a member's seat. */
export const seatId = (memberId: string): string => `seat:${memberId}`;

const roomSetup = setup({
  types: {
    input: {} as RoomInput,
    context: {} as RoomContext,
    events: {} as RoomEvent,
    emitted: {} as RoomEmitted,
  },
  actors: {
    /** The session's mixing bridge (src/apps/voice-api/conversation.ts). */
    bridge: fromCallback<BridgeCommand, BridgeInput>(notProvided('bridge')),
    /** One member's channel: hold music, mute, in and out of the bridge. */
    seat: fromCallback<SeatCommand, SeatInput>(notProvided('seat')),
  },
});

type Enqueue = Parameters<Parameters<typeof roomSetup.enqueueActions>[0]>[0]['enqueue'];

/** A member as observers see it. */
export function memberView(member: Member): MemberView {
  const { id, leg, channelId, startOnEnter, endOnExit, muted, held } = member;
  return { id, leg, channelId, startOnEnter, endOnExit, muted, held };
}

const beepsOn = (member: Member, when: 'enter' | 'exit'): boolean => member.beep === when || member.beep === 'both';

/** Lets members go (the room ended or failed): each call's step ends and its document goes on. */
function release(enqueue: Enqueue, bridgeId: string, members: readonly Member[], reason: LeftReason): void {
  for (const member of members) {
    enqueue.stopChild(seatId(member.id));
    // Not to a membership already gone (its leave is on the way).
    if (member.ref.getSnapshot().status === 'active') enqueue.sendTo(member.ref, { type: 'conversation.left', reason });
    enqueue.emit({ type: 'room.left', bridgeId, id: member.id, leg: member.leg, reason });
  }
}

/** Ends the session: the bridge effect's cleanup stops and keeps the recording and destroys the bridge. */
function close(enqueue: Enqueue, context: RoomContext, reason: CloseReason, by?: { leg: string; kicked: boolean }): Partial<RoomContext> {
  if (context.bridgeId !== undefined) {
    enqueue.stopChild(context.bridgeId);
    enqueue.emit({ type: 'room.closed', bridgeId: context.bridgeId, reason, ...(by ? { by: by.leg, kicked: by.kicked } : {}) });
  }
  return { members: [], bridgeId: undefined, ready: false, started: false, recording: false, maxMembers: undefined };
}

/** Seats waiting members once the room has started and its bridge is up, and starts the recording. */
function reconcile(enqueue: Enqueue, context: RoomContext): Partial<RoomContext> {
  if (!context.started || !context.ready || context.bridgeId === undefined) return {};
  let beep = false;
  const members = context.members.map((member) => {
    if (member.seated) return member;
    enqueue.sendTo(seatId(member.id), { type: 'seat.enter' });
    beep ||= !member.held && beepsOn(member, 'enter');
    return { ...member, seated: true };
  });
  // One beep for members seated together (the start).
  if (beep) enqueue.sendTo(context.bridgeId, { type: 'bridge.beep' });
  const recorder = context.recording ? undefined : members.find((m) => m.record);
  if (recorder) {
    enqueue.sendTo(context.bridgeId, {
      type: 'bridge.record',
      recorder: { leg: recorder.leg, channelId: recorder.channelId, log: recorder.log, report: recorder.report },
    });
  }
  return { members, recording: context.recording || recorder !== undefined };
}

/** A member leaves (its membership left) or is let go from outside (`kicked`); an endOnExit member's leaving ends the session. */
function depart(enqueue: Enqueue, context: RoomContext, member: Member, kicked: boolean): Partial<RoomContext> {
  const bridgeId = context.bridgeId!;
  enqueue.stopChild(seatId(member.id));
  if (kicked && member.ref.getSnapshot().status === 'active') enqueue.sendTo(member.ref, { type: 'conversation.left', reason: 'kicked' });
  enqueue.emit({ type: 'room.left', bridgeId, id: member.id, leg: member.leg, reason: kicked ? 'kicked' : 'left' });
  const others = context.members.filter((m) => m.id !== member.id);
  enqueue(() => context.log.info(kicked ? 'member let go' : 'member left', { leg: member.leg, members: others.length }));
  const by = { leg: member.leg, kicked };
  if (member.endOnExit && others.length > 0) {
    enqueue(() => context.log.info('conversation ended: an endOnExit member left', { leg: member.leg, released: others.length }));
    release(enqueue, bridgeId, others, 'ended');
    return close(enqueue, context, 'end-on-exit', by);
  }
  if (others.length === 0) return close(enqueue, context, member.endOnExit ? 'end-on-exit' : 'empty', by);
  if (member.seated && !member.held && context.ready && beepsOn(member, 'exit')) enqueue.sendTo(bridgeId, { type: 'bridge.beep' });
  return { members: others };
}

/** The member on a leg (the latest, should a leg be in twice). */
const onLeg = (context: RoomContext, leg: string): Member | undefined => context.members.findLast((m) => m.leg === leg);

const apply = roomSetup.enqueueActions(({ context, event, enqueue }) => {
  let next: RoomContext = { ...context };
  const patch = (change: Partial<RoomContext>) => (next = { ...next, ...change });
  /** Replaces one member and tells observers. */
  const change = (member: Member, update: Partial<Member>) => {
    const changed = { ...member, ...update };
    patch({ members: next.members.map((m) => (m.id === member.id ? changed : m)) });
    enqueue.emit({ type: 'room.changed', bridgeId: next.bridgeId!, member: memberView(changed) });
  };
  switch (event.type) {
    case 'conversation.join': {
      const { member } = event;
      if (next.members.some((m) => m.id === member.id)) return;
      // The smallest limit asked in this session wins; none asked: the room's default.
      const asked = Math.min(next.bridgeId === undefined ? Infinity : (next.maxMembers ?? Infinity), member.maxLegs ?? Infinity);
      const limit = Number.isFinite(asked) ? asked : next.settings.maxMembers;
      if (next.members.length >= limit) {
        enqueue(() => member.log.warn('conversation is full; not joined', { conversation: context.name, members: context.members.length, limit }));
        if (member.ref.getSnapshot().status === 'active') enqueue.sendTo(member.ref, { type: 'conversation.left', reason: 'full' });
        return;
      }
      if (next.bridgeId === undefined) {
        const bridgeId = `conversation-${uuidv7()}`;
        enqueue.spawnChild('bridge', { id: bridgeId, input: { bridgeId, name: context.name, log: context.log } });
        patch({ bridgeId, ready: false, started: false, recording: false });
        enqueue.emit({ type: 'room.opened', bridgeId });
      }
      patch({ maxMembers: Number.isFinite(asked) ? asked : undefined });
      const wasStarted = next.started;
      // A starting member starts it, unless it asked for company (TwiML: a conference starts
      // when a startConferenceOnEnter participant is there with someone else).
      const everyone = [...next.members, member];
      const started = wasStarted || everyone.some((m) => m.startOnEnter && (m.startsAlone !== false || everyone.length >= 2));
      enqueue.spawnChild('seat', {
        id: seatId(member.id),
        input: {
          bridgeId: next.bridgeId!,
          leg: member.leg,
          channelId: member.channelId,
          log: member.log,
          waiting: !started,
          ...(member.musicOnHoldUrl === undefined ? {} : { musicOnHoldUrl: member.musicOnHoldUrl }),
          muted: member.muted,
          deaf: member.deaf,
        },
      });
      const joined: Member = { ...member, seated: false, held: false };
      patch({ members: [...next.members, joined], started });
      enqueue.emit({ type: 'room.joined', bridgeId: next.bridgeId!, member: memberView(joined), ...(member.events === undefined ? {} : { events: member.events }) });
      if (started && !wasStarted) enqueue.emit({ type: 'room.started', bridgeId: next.bridgeId! });
      enqueue(() => context.log.info('member joined', { leg: member.leg, members: next.members.length, started }));
      patch(reconcile(enqueue, next));
      break;
    }
    case 'conversation.leave': {
      const member = next.members.find((m) => m.id === event.id);
      if (!member) return;
      patch(depart(enqueue, next, member, false));
      break;
    }
    case 'conversation.kick': {
      const member = onLeg(next, event.leg);
      if (!member) return;
      patch(depart(enqueue, next, member, true));
      break;
    }
    case 'conversation.end': {
      if (next.bridgeId === undefined) return;
      enqueue(() => context.log.info('conversation ended from outside', { released: context.members.length }));
      release(enqueue, next.bridgeId, next.members, 'ended');
      patch(close(enqueue, next, 'request'));
      break;
    }
    case 'conversation.hold': {
      const member = onLeg(next, event.leg);
      if (!member) return;
      enqueue.sendTo(seatId(member.id), { type: 'seat.hold', hold: event.hold, ...(event.holdUrl === undefined ? {} : { holdUrl: event.holdUrl }) });
      change(member, { held: event.hold });
      break;
    }
    case 'conversation.mute': {
      const member = onLeg(next, event.leg);
      if (!member) return;
      enqueue.sendTo(seatId(member.id), { type: 'seat.mute', muted: event.muted });
      change(member, { muted: event.muted });
      break;
    }
    case 'room.ready':
      if (event.bridgeId !== next.bridgeId) return;
      patch({ ready: true });
      patch(reconcile(enqueue, next));
      break;
    case 'room.failed':
      if (event.bridgeId !== next.bridgeId) return;
      enqueue(() => context.log.error('conversation failed: its bridge could not be made', { reason: event.reason }));
      release(enqueue, next.bridgeId, next.members, 'failed');
      patch(close(enqueue, next, 'failed'));
      break;
  }
  enqueue.assign({ members: next.members, started: next.started, bridgeId: next.bridgeId, ready: next.ready, recording: next.recording, maxMembers: next.maxMembers });
});

/** The room machine (one actor per conversation; src/apps/voice-api/conversation.ts holds them). */
export const roomMachine = roomSetup.createMachine({
  id: 'conversation',
  context: ({ input }) => ({
    name: input.name,
    settings: input.settings,
    log: input.log,
    members: [],
    started: false,
    bridgeId: undefined,
    ready: false,
    recording: false,
    maxMembers: undefined,
  }),
  initial: 'open',
  states: {
    open: {
      on: {
        'conversation.join': { actions: apply },
        'conversation.leave': { actions: apply },
        'conversation.kick': { actions: apply },
        'conversation.end': { actions: apply },
        'conversation.hold': { actions: apply },
        'conversation.mute': { actions: apply },
        'room.ready': { actions: apply },
        'room.failed': { actions: apply },
      },
    },
  },
});

/** True when the room holds nothing: no member, no bridge (it may be stopped). */
export function isRoomIdle(context: RoomContext): boolean {
  return context.members.length === 0 && context.bridgeId === undefined;
}

export type {
  BridgeCommand,
  BridgeInput,
  CloseReason,
  ConferenceEvents,
  LeftReason,
  Member,
  MembershipEvent,
  MembershipInput,
  MemberView,
  RoomContext,
  RoomEmitted,
  RoomEvent,
  RoomInput,
  SeatCommand,
  SeatInput,
} from './types.js';
