/**
 * The room machine: one long-lived actor per named conversation. It keeps the
 * members in join order and whether the conversation has started, owns the
 * session's mixing bridge through a spawned `bridge` effect (created on the
 * first join, child id = bridge id; stopping it destroys the bridge and keeps
 * the recording) and one `seat` effect per member (its hold music, its mute,
 * its place in the bridge; stopping it takes all of that back). Members who
 * join before a starting member wait outside the mix with music; when one
 * joins, every seat enters the bridge.
 */
import { v7 as uuidv7 } from 'uuid';
import { fromCallback, setup } from 'xstate';
import type { BridgeCommand, BridgeInput, LeftReason, Member, RoomContext, RoomEvent, RoomInput, SeatCommand, SeatInput } from './types.js';

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
  },
  actors: {
    /** The session's mixing bridge (src/apps/voice-api/conversation.ts). */
    bridge: fromCallback<BridgeCommand, BridgeInput>(notProvided('bridge')),
    /** One member's channel: hold music, mute, in and out of the bridge. */
    seat: fromCallback<SeatCommand, SeatInput>(notProvided('seat')),
  },
});

type Enqueue = Parameters<Parameters<typeof roomSetup.enqueueActions>[0]>[0]['enqueue'];

/** Lets members go (the room ended or failed): each call's step ends and its document goes on. */
function release(enqueue: Enqueue, members: readonly Member[], reason: LeftReason): void {
  for (const member of members) {
    enqueue.stopChild(seatId(member.id));
    // Not to a membership already gone (its leave is on the way).
    if (member.ref.getSnapshot().status === 'active') enqueue.sendTo(member.ref, { type: 'conversation.left', reason });
  }
}

/** Ends the session: the bridge effect's cleanup stops and keeps the recording and destroys the bridge. */
function close(enqueue: Enqueue, context: RoomContext): Partial<RoomContext> {
  if (context.bridgeId !== undefined) enqueue.stopChild(context.bridgeId);
  return { members: [], bridgeId: undefined, ready: false, started: false, recording: false };
}

/** Seats waiting members once the room has started and its bridge is up, and starts the recording. */
function reconcile(enqueue: Enqueue, context: RoomContext): Partial<RoomContext> {
  if (!context.started || !context.ready || context.bridgeId === undefined) return {};
  const members = context.members.map((member) => {
    if (member.seated) return member;
    enqueue.sendTo(seatId(member.id), { type: 'seat.enter' });
    return { ...member, seated: true };
  });
  const recorder = context.recording ? undefined : members.find((m) => m.record);
  if (recorder) {
    enqueue.sendTo(context.bridgeId, {
      type: 'bridge.record',
      recorder: { leg: recorder.leg, channelId: recorder.channelId, log: recorder.log, report: recorder.report },
    });
  }
  return { members, recording: context.recording || recorder !== undefined };
}

const apply = roomSetup.enqueueActions(({ context, event, enqueue }) => {
  let next: RoomContext = { ...context };
  const patch = (change: Partial<RoomContext>) => (next = { ...next, ...change });
  switch (event.type) {
    case 'conversation.join': {
      const { member } = event;
      if (next.members.some((m) => m.id === member.id)) return;
      if (next.members.length >= next.settings.maxMembers) {
        enqueue(() => member.log.warn('conversation is full; not joined', { conversation: context.name, members: context.members.length }));
        if (member.ref.getSnapshot().status === 'active') enqueue.sendTo(member.ref, { type: 'conversation.left', reason: 'full' });
        return;
      }
      if (next.bridgeId === undefined) {
        const bridgeId = `conversation-${uuidv7()}`;
        enqueue.spawnChild('bridge', { id: bridgeId, input: { bridgeId, name: context.name, log: context.log } });
        patch({ bridgeId, ready: false, started: false, recording: false });
      }
      const started = next.started || member.startOnEnter;
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
      patch({ members: [...next.members, { ...member, seated: false }], started });
      enqueue(() => context.log.info('member joined', { leg: member.leg, members: next.members.length, started }));
      patch(reconcile(enqueue, next));
      break;
    }
    case 'conversation.leave': {
      const member = next.members.find((m) => m.id === event.id);
      if (!member) return;
      enqueue.stopChild(seatId(member.id));
      const others = next.members.filter((m) => m.id !== member.id);
      enqueue(() => context.log.info('member left', { leg: member.leg, members: others.length }));
      if (member.endOnExit && others.length > 0) {
        enqueue(() => context.log.info('conversation ended: an endOnExit member left', { leg: member.leg, released: others.length }));
        release(enqueue, others, 'ended');
        patch(close(enqueue, next));
      } else if (others.length === 0) {
        patch(close(enqueue, next));
      } else {
        patch({ members: others });
      }
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
      release(enqueue, next.members, 'failed');
      patch(close(enqueue, next));
      break;
  }
  enqueue.assign({ members: next.members, started: next.started, bridgeId: next.bridgeId, ready: next.ready, recording: next.recording });
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
  }),
  initial: 'open',
  states: {
    open: {
      on: {
        'conversation.join': { actions: apply },
        'conversation.leave': { actions: apply },
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

export type { BridgeCommand, BridgeInput, LeftReason, Member, MembershipEvent, MembershipInput, RoomContext, RoomEvent, RoomInput, SeatCommand, SeatInput } from './types.js';
