/**
 * Types of the call queue: the events between the queue actor (one per queue
 * name) and the call actors of its members, the queue's context, and the call
 * machine's input and context.
 */
import type { ActorRef, Snapshot } from 'xstate';
import type { CallEvent, CallInput, CallLog, CallOutput } from '../shared/call.js';
import type { PlaybackEmitted, RecordingEmitted } from '../shared/effects.js';

/** Who a call is in the queue. */
export type Role = 'caller' | 'agent';

/** How a member is known to the queue. */
export interface MemberInfo {
  /** The member's channel id (unique per call). */
  id: string;
  role: Role;
  caller: { name: string; number: string };
  /** Where the queue sends `QueueToMember` events (the member's membership actor). */
  ref: MemberRef;
}

/** A member's actor (its membership), as the queue talks to it. */
export type MemberRef = ActorRef<Snapshot<unknown>, QueueToMember>;

/** The part of the queue actor's ref a member uses. */
export interface QueueRef {
  send(event: MemberToQueue): void;
}

/** What a member tells the queue (its membership actor sends these). */
export type MemberToQueue =
  | { type: 'queue.join'; member: MemberInfo }
  /** The member left: its call ended, or its actor was stopped (sent by the membership's cleanup). */
  | { type: 'queue.leave'; id: string }
  /** The agent ended the call (`#`): the caller is hung up, the agent goes to the back of the queue. */
  | { type: 'queue.complete'; id: string }
  /** The agent's recording of the bridge ended: kept or discarded. */
  | { type: 'queue.recorded'; id: string; name: string; outcome: 'kept' | 'discarded' };

/** What the queue tells a member. */
export type QueueToMember =
  /** A waiting caller's place: 1 is next. `since` is when it joined (queue clock, ms); `holdTimeMs` the recent average wait. */
  | { type: 'queue.position'; position: number; since: number; holdTimeMs: number | undefined }
  /** Paired: the caller and the agent leave their queues; the bridge is being made. */
  | { type: 'queue.matched'; bridgeId: string; peerChannelId: string }
  /** Both are in the bridge. */
  | { type: 'queue.connected'; bridgeId: string }
  /** The pairing did not happen (the other party left first, or the bridge failed): back to waiting. */
  | { type: 'queue.requeued' }
  /** The call is over: a caller is hung up, an agent goes back to waiting. */
  | { type: 'queue.ended'; by: 'agent' | 'caller' }
  /** The caller waited the maximum time: voicemail or goodbye. */
  | { type: 'queue.overflow' };

/** What the `connect` effect (one per pairing) reports to the queue. */
export type ConnectEmitted =
  | { type: 'queue.bridged'; bridgeId: string }
  | { type: 'queue.bridgeFailed'; bridgeId: string; reason: string }
  /** The bridge is gone (the channels to keep were taken out first): the pairing is over. */
  | { type: 'queue.released'; bridgeId: string };

/** Commands the queue sends to a `connect` effect. */
export type ConnectCommand = { type: 'connect.end'; keep: readonly string[] };

/** Input of the `connect` effect. */
export interface ConnectInput {
  bridgeId: string;
  queue: string;
  callerChannelId: string;
  agentChannelId: string;
}

/** One line of the queue log (written by the `writeLog` action). */
export interface QueueLogEntry {
  queue: string;
  event: 'enter' | 'connect' | 'abandon' | 'timeout' | 'complete' | 'recording' | 'agentJoin' | 'agentLeave';
  /** The caller's channel; the agent's for agent events and recordings. */
  channelId: string;
  /** The other party (the agent for connect and complete). */
  peerChannelId?: string;
  /** abandon: the caller's place when it hung up (1 is next). */
  position?: number;
  waitSeconds?: number;
  talkSeconds?: number;
  /** complete: `agent` or `caller` (who ended it); recording: `kept` or `discarded`. */
  detail?: string;
  recording?: string;
  callerNumber?: string;
}

/** Queue-wide settings. */
export interface QueueSettings {
  /** Seconds (ms) an agent who finished a call rests before being offered the next caller; 0: none. */
  wrapUpMs: number;
  /** A caller waiting this long leaves the queue (voicemail or goodbye); 0: no limit. */
  maxWaitMs: number;
  /** After a failed bridge, the agent is not offered a caller for this long (no tight retry loop). */
  bridgeRetryMs: number;
  /** How many recent waits the hold-time estimate averages. */
  holdTimeSamples: number;
  /** The queue's clock for wait times (tests pass the simulated clock's). */
  now: () => number;
}

/** Input of a queue actor. */
export interface QueueInput {
  name: string;
  settings: QueueSettings;
  log: CallLog;
}

/** A caller in the queue (waiting, or being connected). */
export interface QueuedCaller {
  id: string;
  ref: MemberRef;
  caller: { name: string; number: string };
  /** When it joined (queue clock). */
  since: number;
  /** Its maximum wait passed while it was being bridged: if that fails, it does not wait again. */
  overdue?: boolean;
}

/** An agent of the queue, wherever it is. */
export interface QueueAgent {
  id: string;
  ref: MemberRef;
  caller: { name: string; number: string };
  /** idle: can be offered a caller; onCall: paired (being bridged, bridged, or being released); wrapUp: resting. */
  status: 'idle' | 'onCall' | 'wrapUp';
  /** When it entered its status (queue clock). */
  since: number;
}

/** A pairing of a caller and an agent, from the match until the bridge is gone. */
export interface Connection {
  bridgeId: string;
  caller: QueuedCaller;
  agentId: string;
  matchedAt: number;
  bridgedAt: number | undefined;
  phase: 'bridging' | 'bridged' | 'ending';
  /** Who ended a bridged call (`#` or a hang-up). */
  endedBy: 'agent' | 'caller' | undefined;
  /** The caller is still on the line and served by this pairing (false once told to hang up or gone). */
  callerPresent: boolean;
  agentPresent: boolean;
  /** The bridge could not be made: the agent rests `bridgeRetryMs` afterwards. */
  failed: boolean;
}

export interface QueueContext {
  name: string;
  settings: QueueSettings;
  log: QueueInput['log'];
  /** Callers waiting, front first. */
  callers: QueuedCaller[];
  /** Agents in queue order (the first idle one is offered the next caller); onCall agents keep a slot until released. */
  agents: QueueAgent[];
  connections: Connection[];
  /** Recent waits of answered callers, oldest first (ms). */
  recentWaitsMs: number[];
}

/** Internal timers of the queue. */
export type QueueTimerEvent = { type: 'queue.wrapUpOver'; id: string } | { type: 'queue.maxWait'; id: string };

/** Every event the queue actor handles. */
export type QueueEvent =
  | MemberToQueue
  | ConnectEmitted
  | QueueTimerEvent
  /** Recent waits from the log, so a restarted service can estimate hold times at once. */
  | { type: 'queue.seed'; waitsMs: readonly number[] };

/** Settings of a queue call (from the configuration). */
export interface QueueCallSettings {
  /** How long a caller hears music between position announcements. */
  announcePeriodMs: number;
  /** Also announce the estimated hold time (when recent waits are known). */
  announceHoldTime: boolean;
  /** Music on hold class. */
  mohClass: string;
  /** Where a caller who waited the maximum time goes; undefined: `queue-thankyou` and hang-up. */
  overflow: { app: string; mailbox: string } | undefined;
  /** Recording format of the agent's recordings. */
  recordingFormat: string;
  /** The clock hold times are measured on (the queue's). */
  now: () => number;
}

/** Input of a queue call: the queue it is for is resolved by the flow (undefined for bad arguments). */
export interface QueueCallInput extends CallInput {
  settings: QueueCallSettings;
  queue: QueueRef | undefined;
}

/** The agent's current recording of the bridge. */
export interface QueueTake {
  name: string;
  /** 9 was pressed: the recording is being discarded. */
  discard: boolean;
}

export interface QueueCallContext {
  input: QueueCallInput;
  role: Role | undefined;
  queueName: string;
  /** Caller: place in the queue (1 is next), when it joined, the queue's recent average wait. */
  position: number;
  since: number;
  holdTimeMs: number | undefined;
  /** While paired: the bridge and the other party's channel. */
  bridgeId: string | undefined;
  peerChannelId: string | undefined;
  take: QueueTake | undefined;
  handOver: CallOutput['handOver'];
}

/** Every event a queue call handles. */
export type QueueCallEvent = CallEvent | PlaybackEmitted | RecordingEmitted | QueueToMember;
