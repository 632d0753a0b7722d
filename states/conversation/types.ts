/**
 * A named conversation (a room): its input, context, events and the contracts
 * of its effects. One long-lived actor per `<application id>:<name>`; calls
 * reach it through a membership (the document machine's `membership` effect).
 */
import type { ActorRef, Snapshot } from 'xstate';
import type { JoinStep, Report } from '../document/program.js';
import type { LegInput } from '../document/types.js';
import type { CallLog } from '../shared/call.js';

/** Why the room let a member go without it leaving: the room ended (endOnExit), it was full, or it failed. */
export type LeftReason = 'ended' | 'full' | 'failed';

/** What a membership hears from its room (and passes to its call). */
export type MembershipEvent = { type: 'conversation.left'; reason: LeftReason };

/** Input of the document machine's `membership` effect. */
export interface MembershipInput extends LegInput {
  readonly step: JoinStep;
}

/** A membership, as the room sees it: where to tell a member it was let go. */
export type MemberRef = ActorRef<Snapshot<unknown>, MembershipEvent>;

/** A call asking to join. */
export interface MemberJoin {
  /** The membership's own id (one per join: a leg may leave and join again). */
  readonly id: string;
  readonly leg: string;
  readonly channelId: string;
  /** The member's call logger. */
  readonly log: CallLog;
  readonly startOnEnter: boolean;
  readonly endOnExit: boolean;
  readonly record: boolean;
  readonly muted: boolean;
  readonly deaf: boolean;
  readonly musicOnHoldUrl?: string;
  /** Where the conversation's record event goes when this member asked for the recording. */
  readonly report: Report;
  readonly ref: MemberRef;
}

/** A member of the room. */
export interface Member extends MemberJoin {
  /** Sent into the mixing bridge (the conversation had started and the bridge was up). */
  seated: boolean;
}

export interface RoomSettings {
  /** At most this many members (NCCO.md: 50). */
  readonly maxMembers: number;
}

export interface RoomInput {
  readonly name: string;
  readonly settings: RoomSettings;
  readonly log: CallLog;
}

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
}

/** Events the room handles. */
export type RoomEvent =
  | { type: 'conversation.join'; member: MemberJoin }
  | { type: 'conversation.leave'; id: string }
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

/** What the room asks of its bridge. */
export type BridgeCommand = { type: 'bridge.record'; recorder: Recorder };

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

/** What the room asks of a seat: into the mix (music stopped, mute applied). */
export type SeatCommand = { type: 'seat.enter' };
