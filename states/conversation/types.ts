/**
 * A named conversation (a room): its input, context, events and the contracts
 * of its effects. One long-lived actor per `<application id>:<name>`; calls
 * reach it through a membership (the document machine's `membership` effect).
 */
import type { ActorRef, Snapshot } from 'xstate';
import type { JoinStep, Report } from '../document/program.js';
import type { LegInput } from '../document/types.js';
import type { CallLog } from '../shared/call.js';

/** Why the room let a member go without it leaving: the room ended (endOnExit, or ended from outside), it was full, it failed, or the member was taken out from outside (`kicked`). */
export type LeftReason = 'ended' | 'full' | 'failed' | 'kicked';

/** What a membership hears from its room (and passes to its call). */
export type MembershipEvent = { type: 'conversation.left'; reason: LeftReason };

/** Input of the document machine's `membership` effect. */
export interface MembershipInput extends LegInput {
  readonly step: JoinStep;
}

/** A membership, as the room sees it: where to tell a member it was let go. */
export type MemberRef = ActorRef<Snapshot<unknown>, MembershipEvent>;

/** Where a member's conference events go and which it asked for (TwiML `<Conference statusCallback statusCallbackEvent>`). */
export type ConferenceEvents = NonNullable<JoinStep['events']>;

/** A call asking to join. */
export interface MemberJoin {
  /** The membership's own id (one per join: a leg may leave and join again). */
  readonly id: string;
  readonly leg: string;
  readonly channelId: string;
  /** The member's call logger. */
  readonly log: CallLog;
  readonly startOnEnter: boolean;
  /** False: this starting member starts the conversation only once someone else is in it (TwiML); default true (NCCO). */
  readonly startsAlone?: boolean;
  readonly endOnExit: boolean;
  readonly record: boolean;
  readonly muted: boolean;
  readonly deaf: boolean;
  readonly musicOnHoldUrl?: string;
  /** Where the conversation's record event goes when this member asked for the recording. */
  readonly report: Report;
  /** A beep into the mix when this member enters it and/or leaves it (TwiML `beep`). */
  readonly beep?: 'enter' | 'exit' | 'both';
  /** At most this many members, as this member asked (TwiML `maxParticipants`); the smallest asked in a session wins. */
  readonly maxLegs?: number;
  /** Where this member asked the conference's events to go; the session's observers keep the first one asked. */
  readonly events?: ConferenceEvents;
  readonly ref: MemberRef;
}

/** A member of the room. */
export interface Member extends MemberJoin {
  /** Sent into the mixing bridge (the conversation had started and the bridge was up). */
  seated: boolean;
  /** Out of the mix, hearing hold music (asked from outside: `conversation.hold`). */
  held: boolean;
}

export interface RoomSettings {
  /** At most this many members when no member asked for a limit (NCCO.md: 50). */
  readonly maxMembers: number;
}

export interface RoomInput {
  readonly name: string;
  readonly settings: RoomSettings;
  readonly log: CallLog;
}

/** A member as observers see it (what the REST API shows of a participant). */
export interface MemberView {
  readonly id: string;
  readonly leg: string;
  readonly channelId: string;
  readonly startOnEnter: boolean;
  readonly endOnExit: boolean;
  readonly muted: boolean;
  readonly held: boolean;
}

/** Why a session of the room closed: ended from outside, an endOnExit member left (or was kicked), the last member left (or was kicked), or its bridge failed. */
export type CloseReason = 'request' | 'end-on-exit' | 'empty' | 'failed';

/**
 * What the room tells observers (XState `emit`; the pool forwards it): a
 * session opens with its first member (its bridge id names it) and closes
 * when the room is over; members join, change and leave in between.
 */
export type RoomEmitted =
  | { type: 'room.opened'; bridgeId: string }
  | { type: 'room.started'; bridgeId: string }
  /** `events`: where the joining member asked the conference's events to go (observers keep the session's first). */
  | { type: 'room.joined'; bridgeId: string; member: MemberView; events?: ConferenceEvents }
  | { type: 'room.changed'; bridgeId: string; member: MemberView }
  | { type: 'room.left'; bridgeId: string; id: string; leg: string; reason: LeftReason | 'left' }
  /** `by`: the leg whose leaving closed it (end-on-exit, empty); `kicked`: that leg was taken out from outside. */
  | { type: 'room.closed'; bridgeId: string; reason: CloseReason; by?: string; kicked?: boolean };

export interface RoomContext {
  readonly name: string;
  readonly settings: RoomSettings;
  readonly log: CallLog;
  /** In join order. */
  members: Member[];
  /** A starting member (startOnEnter) has joined: members are in the mix. */
  started: boolean;
  /** The mixing bridge of this session of the room (also the id of its `bridge` effect); undefined while nobody is in. */
  bridgeId: string | undefined;
  /** The bridge exists in Asterisk. */
  ready: boolean;
  /** The bridge recording was asked for. */
  recording: boolean;
  /** The smallest member limit asked for in this session (MemberJoin.maxLegs); undefined: settings.maxMembers. */
  maxMembers: number | undefined;
}

/** Events the room handles. */
export type RoomEvent =
  | { type: 'conversation.join'; member: MemberJoin }
  | { type: 'conversation.leave'; id: string }
  /** From outside (the REST API): the session ends, every member is let go. */
  | { type: 'conversation.end' }
  /** From outside: the member on this leg is let go (`kicked`); the others stay. */
  | { type: 'conversation.kick'; leg: string }
  /** From outside: the member on this leg out of the mix with hold music (`holdUrl`, else the default), or back in. */
  | { type: 'conversation.hold'; leg: string; hold: boolean; holdUrl?: string }
  /** From outside: the member on this leg is heard, or not. */
  | { type: 'conversation.mute'; leg: string; muted: boolean }
  /** From the `bridge` effect: the bridge exists. */
  | { type: 'room.ready'; bridgeId: string }
  /** From the `bridge` effect: the bridge could not be made. */
  | { type: 'room.failed'; bridgeId: string; reason: string };

/** Who asked for the recording: its record event goes to this call. */
export interface Recorder {
  readonly leg: string;
  readonly channelId: string;
  readonly log: CallLog;
  readonly report: Report;
}

/** Input of the `bridge` effect: creates the mixing bridge; its cleanup stops the recording (kept, reported) and destroys the bridge. */
export interface BridgeInput {
  readonly bridgeId: string;
  /** The conversation's name (the bridge's name, for people reading `bridges list`). */
  readonly name: string;
  readonly log: CallLog;
}

/** What the room asks of its bridge: record it; beep into it (a member with `beep` entered or left the mix). */
export type BridgeCommand = { type: 'bridge.record'; recorder: Recorder } | { type: 'bridge.beep' };

/** Input of the `seat` effect: one member's channel while it is a member. */
export interface SeatInput {
  readonly bridgeId: string;
  readonly leg: string;
  readonly channelId: string;
  readonly log: CallLog;
  /** Not started yet: hold music until `seat.enter`. */
  readonly waiting: boolean;
  readonly musicOnHoldUrl?: string;
  readonly muted: boolean;
  readonly deaf: boolean;
}

/**
 * What the room asks of a seat: into the mix (music stopped, mute applied);
 * on hold (out of the mix, hearing `holdUrl` or the default music) or back;
 * muted (not heard) or not.
 */
export type SeatCommand = { type: 'seat.enter' } | { type: 'seat.hold'; hold: boolean; holdUrl?: string } | { type: 'seat.mute'; muted: boolean };
