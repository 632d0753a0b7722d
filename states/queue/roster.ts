/**
 * The queue's rules as one pure step: (context, event) → next context and the
 * effects to run (tell a member, start or end a pairing's bridge, timers,
 * log lines). The queue machine runs the effects; tests read them directly.
 *
 *  - callers are served first in, first out;
 *  - the front caller is paired with the first idle agent whenever both exist;
 *  - an agent whose call ended goes to the back (after its wrap-up time);
 *  - a pairing that never got bridged puts whoever is left back at the front.
 */
import type { ConnectInput, Connection, MemberInfo, MemberRef, QueueAgent, QueueContext, QueueEvent, QueueLogEntry, QueueToMember, QueuedCaller } from './types.js';

/** Timers the queue sets, each named by a delay of the machine. */
export type QueueTimer = 'maxWait' | 'wrapUp' | 'bridgeRetry';

/** Something the queue does as the result of a step. */
export type QueueEffect =
  | { kind: 'tell'; ref: MemberRef; event: QueueToMember }
  /** Start a pairing's bridge (the `connect` effect, child id = bridge id). */
  | { kind: 'connect'; input: ConnectInput }
  /** End a pairing's bridge, taking `keep` (channels still in Stasis) out first. */
  | { kind: 'release'; bridgeId: string; keep: string[] }
  /** Stop a pairing's `connect` effect (its bridge is gone). */
  | { kind: 'drop'; bridgeId: string }
  | { kind: 'schedule'; timer: QueueTimer; memberId: string }
  | { kind: 'cancel'; timer: 'maxWait' | 'wrapUp'; memberId: string }
  | { kind: 'log'; entry: QueueLogEntry }
  | { kind: 'note'; level: 'info' | 'warn'; message: string; meta: Record<string, unknown> };

/** The id of a member's timer (one of each kind per member). */
export function timerId(timer: 'maxWait' | 'wrapUp', memberId: string): string {
  return `${timer}:${memberId}`;
}

/** The recent average wait (ms), or undefined before anyone was answered. */
export function holdTimeEstimate(context: Pick<QueueContext, 'recentWaitsMs'>): number | undefined {
  const waits = context.recentWaitsMs;
  if (waits.length === 0) return undefined;
  return Math.round(waits.reduce((sum, w) => sum + w, 0) / waits.length);
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** A draft of the next context, with the effects collected along the way. */
class Step {
  readonly effects: QueueEffect[] = [];
  callers: QueuedCaller[];
  agents: QueueAgent[];
  connections: Connection[];
  recentWaitsMs: number[];
  private readonly now: number;

  constructor(
    private readonly context: QueueContext,
    private readonly newId: () => string,
  ) {
    this.callers = [...context.callers];
    this.agents = [...context.agents];
    this.connections = [...context.connections];
    this.recentWaitsMs = [...context.recentWaitsMs];
    this.now = context.settings.now();
  }

  private get settings() {
    return this.context.settings;
  }

  private log(entry: Omit<QueueLogEntry, 'queue'>): void {
    this.effects.push({ kind: 'log', entry: { queue: this.context.name, ...entry } });
  }

  private note(level: 'info' | 'warn', message: string, meta: Record<string, unknown>): void {
    this.effects.push({ kind: 'note', level, message, meta: { queue: this.context.name, ...meta } });
  }

  private tell(ref: MemberRef, event: QueueToMember): void {
    this.effects.push({ kind: 'tell', ref, event });
  }

  private agent(id: string): QueueAgent | undefined {
    return this.agents.find((a) => a.id === id);
  }

  private updateAgent(id: string, change: Partial<QueueAgent>): void {
    this.agents = this.agents.map((a) => (a.id === id ? { ...a, ...change } : a));
  }

  private updateConnection(bridgeId: string, change: Partial<Connection>): void {
    this.connections = this.connections.map((c) => (c.bridgeId === bridgeId ? { ...c, ...change } : c));
  }

  private isMember(id: string): boolean {
    return this.callers.some((c) => c.id === id) || this.agents.some((a) => a.id === id) || this.connections.some((c) => c.caller.id === id && c.callerPresent);
  }

  join(member: MemberInfo): void {
    if (this.isMember(member.id)) {
      this.note('warn', 'member joined twice; ignored', { channelId: member.id });
      return;
    }
    if (member.role === 'caller') {
      this.callers.push({ id: member.id, ref: member.ref, caller: member.caller, since: this.now });
      this.log({ event: 'enter', channelId: member.id, callerNumber: member.caller.number });
      if (this.settings.maxWaitMs > 0) this.effects.push({ kind: 'schedule', timer: 'maxWait', memberId: member.id });
    } else {
      this.agents.push({ id: member.id, ref: member.ref, caller: member.caller, status: 'idle', since: this.now });
      this.log({ event: 'agentJoin', channelId: member.id, callerNumber: member.caller.number });
    }
  }

  leave(id: string): void {
    const index = this.callers.findIndex((c) => c.id === id);
    if (index !== -1) {
      const caller = this.callers[index]!;
      this.callers.splice(index, 1);
      this.effects.push({ kind: 'cancel', timer: 'maxWait', memberId: id });
      this.log({ event: 'abandon', channelId: id, position: index + 1, waitSeconds: seconds(this.now - caller.since) });
      return;
    }
    const served = this.connections.find((c) => c.caller.id === id && c.callerPresent);
    if (served) {
      this.callerLeft(served);
      return;
    }
    const agent = this.agent(id);
    if (agent) this.agentLeft(agent);
  }

  private callerLeft(connection: Connection): void {
    const { bridgeId, caller } = connection;
    this.effects.push({ kind: 'cancel', timer: 'maxWait', memberId: caller.id });
    this.updateConnection(bridgeId, { callerPresent: false });
    if (connection.phase === 'ending') return;
    if (connection.phase === 'bridged') {
      this.log({ event: 'complete', channelId: caller.id, peerChannelId: connection.agentId, detail: 'caller', talkSeconds: seconds(this.now - (connection.bridgedAt ?? this.now)) });
      this.updateConnection(bridgeId, { endedBy: 'caller' });
    } else {
      this.log({ event: 'abandon', channelId: caller.id, position: 1, waitSeconds: seconds(this.now - caller.since) });
    }
    this.release(bridgeId, connection.agentPresent ? [connection.agentId] : []);
  }

  private agentLeft(agent: QueueAgent): void {
    const connection = this.connections.find((c) => c.agentId === agent.id && c.agentPresent);
    if (connection) {
      this.updateConnection(connection.bridgeId, { agentPresent: false });
      if (connection.phase === 'bridged') {
        // The agent hung up: so is the caller.
        this.log({ event: 'complete', channelId: connection.caller.id, peerChannelId: agent.id, detail: 'agent', talkSeconds: seconds(this.now - (connection.bridgedAt ?? this.now)) });
        this.hangUpCaller(connection, 'agent');
        this.release(connection.bridgeId, []);
      } else if (connection.phase === 'bridging') {
        // Not connected yet: the caller goes back to the front once out of the bridge.
        this.release(connection.bridgeId, connection.callerPresent ? [connection.caller.id] : []);
      }
    }
    this.effects.push({ kind: 'cancel', timer: 'wrapUp', memberId: agent.id });
    this.agents = this.agents.filter((a) => a.id !== agent.id);
    this.log({ event: 'agentLeave', channelId: agent.id });
  }

  private hangUpCaller(connection: Connection, by: 'agent' | 'caller'): void {
    if (!connection.callerPresent) return;
    this.updateConnection(connection.bridgeId, { callerPresent: false });
    this.tell(connection.caller.ref, { type: 'queue.ended', by });
  }

  private release(bridgeId: string, keep: string[]): void {
    this.updateConnection(bridgeId, { phase: 'ending' });
    this.effects.push({ kind: 'release', bridgeId, keep });
  }

  complete(agentId: string): void {
    const connection = this.connections.find((c) => c.agentId === agentId && c.agentPresent && c.phase === 'bridged');
    if (!connection) return;
    this.log({ event: 'complete', channelId: connection.caller.id, peerChannelId: agentId, detail: 'agent', talkSeconds: seconds(this.now - (connection.bridgedAt ?? this.now)) });
    this.updateConnection(connection.bridgeId, { endedBy: 'agent' });
    this.hangUpCaller(connection, 'agent');
    this.release(connection.bridgeId, [agentId]);
  }

  recorded(agentId: string, name: string, outcome: 'kept' | 'discarded'): void {
    this.log({ event: 'recording', channelId: agentId, recording: name, detail: outcome });
  }

  bridged(bridgeId: string): void {
    const connection = this.connections.find((c) => c.bridgeId === bridgeId);
    if (!connection || connection.phase !== 'bridging') return;
    const wait = this.now - connection.caller.since;
    this.updateConnection(bridgeId, { phase: 'bridged', bridgedAt: this.now });
    this.effects.push({ kind: 'cancel', timer: 'maxWait', memberId: connection.caller.id });
    this.recentWaitsMs = [...this.recentWaitsMs, wait].slice(-this.settings.holdTimeSamples);
    this.log({ event: 'connect', channelId: connection.caller.id, peerChannelId: connection.agentId, waitSeconds: seconds(wait) });
    this.tell(connection.caller.ref, { type: 'queue.connected', bridgeId });
    const agent = this.agent(connection.agentId);
    if (agent) this.tell(agent.ref, { type: 'queue.connected', bridgeId });
  }

  bridgeFailed(bridgeId: string, reason: string): void {
    const connection = this.connections.find((c) => c.bridgeId === bridgeId);
    if (!connection || connection.phase !== 'bridging') return;
    this.note('warn', 'could not bridge the caller and the agent; both wait again', { bridgeId, callerChannelId: connection.caller.id, agentChannelId: connection.agentId, reason });
    this.updateConnection(bridgeId, { failed: true });
    const keep = [...(connection.callerPresent ? [connection.caller.id] : []), ...(connection.agentPresent ? [connection.agentId] : [])];
    this.release(bridgeId, keep);
  }

  released(bridgeId: string): void {
    const connection = this.connections.find((c) => c.bridgeId === bridgeId);
    if (!connection) return;
    this.effects.push({ kind: 'drop', bridgeId });
    this.connections = this.connections.filter((c) => c.bridgeId !== bridgeId);
    const agent = connection.agentPresent ? this.agent(connection.agentId) : undefined;
    if (agent) {
      const talked = connection.bridgedAt !== undefined;
      if (talked || connection.failed) {
        // Served (or the bridge failed): to the back of the agent queue, after the wrap-up.
        const rest = connection.failed ? this.settings.bridgeRetryMs : this.settings.wrapUpMs;
        const back: QueueAgent = { ...agent, status: rest > 0 ? 'wrapUp' : 'idle', since: this.now };
        this.agents = [...this.agents.filter((a) => a.id !== agent.id), back];
        if (rest > 0) this.effects.push({ kind: 'schedule', timer: connection.failed ? 'bridgeRetry' : 'wrapUp', memberId: agent.id });
      } else {
        // Never talked to anyone: back to the front, at once.
        this.agents = [{ ...agent, status: 'idle', since: this.now }, ...this.agents.filter((a) => a.id !== agent.id)];
      }
      this.tell(agent.ref, talked ? { type: 'queue.ended', by: connection.endedBy ?? 'caller' } : { type: 'queue.requeued' });
    }
    if (connection.callerPresent) {
      // Not served: back to the front, keeping its place in time.
      if (connection.caller.overdue) {
        this.timeout(connection.caller);
      } else {
        this.callers = [connection.caller, ...this.callers];
        this.tell(connection.caller.ref, { type: 'queue.requeued' });
      }
    }
  }

  wrapUpOver(agentId: string): void {
    const agent = this.agent(agentId);
    if (agent?.status === 'wrapUp') this.updateAgent(agentId, { status: 'idle', since: this.now });
  }

  maxWait(callerId: string): void {
    const caller = this.callers.find((c) => c.id === callerId);
    if (caller) {
      this.callers = this.callers.filter((c) => c.id !== callerId);
      this.timeout(caller);
      return;
    }
    // Being bridged right now: if that fails, the caller does not wait again.
    const connection = this.connections.find((c) => c.caller.id === callerId && c.phase !== 'bridged' && c.bridgedAt === undefined);
    if (connection) this.updateConnection(connection.bridgeId, { caller: { ...connection.caller, overdue: true } });
  }

  private timeout(caller: QueuedCaller): void {
    this.log({ event: 'timeout', channelId: caller.id, waitSeconds: seconds(this.now - caller.since) });
    this.tell(caller.ref, { type: 'queue.overflow' });
  }

  seed(waitsMs: readonly number[]): void {
    if (this.recentWaitsMs.length === 0) this.recentWaitsMs = waitsMs.slice(-this.settings.holdTimeSamples);
  }

  /** Pairs the front caller with the first idle agent, as long as both exist. */
  pair(): void {
    for (;;) {
      const caller = this.callers[0];
      const agent = this.agents.find((a) => a.status === 'idle');
      if (!caller || !agent) return;
      this.callers = this.callers.slice(1);
      const bridgeId = this.newId();
      this.updateAgent(agent.id, { status: 'onCall', since: this.now });
      this.connections.push({
        bridgeId,
        caller,
        agentId: agent.id,
        matchedAt: this.now,
        bridgedAt: undefined,
        phase: 'bridging',
        endedBy: undefined,
        callerPresent: true,
        agentPresent: true,
        failed: false,
      });
      // The caller first: its announcement stops before its channel is added to the bridge.
      this.tell(caller.ref, { type: 'queue.matched', bridgeId, peerChannelId: agent.id });
      this.tell(agent.ref, { type: 'queue.matched', bridgeId, peerChannelId: caller.id });
      this.effects.push({ kind: 'connect', input: { bridgeId, queue: this.context.name, callerChannelId: caller.id, agentChannelId: agent.id } });
    }
  }

  /** Tells each waiting caller its place when it changed (or the hold-time estimate did). */
  announcePositions(): void {
    const before = new Map(this.context.callers.map((c, i) => [c.id, i + 1]));
    const holdBefore = holdTimeEstimate(this.context);
    const holdTimeMs = holdTimeEstimate(this);
    this.callers.forEach((caller, i) => {
      const position = i + 1;
      if (before.get(caller.id) === position && holdBefore === holdTimeMs) return;
      this.tell(caller.ref, { type: 'queue.position', position, since: caller.since, holdTimeMs });
    });
  }

  result(): { context: QueueContext; effects: QueueEffect[] } {
    return {
      context: { ...this.context, callers: this.callers, agents: this.agents, connections: this.connections, recentWaitsMs: this.recentWaitsMs },
      effects: this.effects,
    };
  }
}

/** Applies one event to the queue: the next context and what to do. */
export function queueStep(context: QueueContext, event: QueueEvent, newId: () => string): { context: QueueContext; effects: QueueEffect[] } {
  const step = new Step(context, newId);
  switch (event.type) {
    case 'queue.join':
      step.join(event.member);
      break;
    case 'queue.leave':
      step.leave(event.id);
      break;
    case 'queue.complete':
      step.complete(event.id);
      break;
    case 'queue.recorded':
      step.recorded(event.id, event.name, event.outcome);
      break;
    case 'queue.bridged':
      step.bridged(event.bridgeId);
      break;
    case 'queue.bridgeFailed':
      step.bridgeFailed(event.bridgeId, event.reason);
      break;
    case 'queue.released':
      step.released(event.bridgeId);
      break;
    case 'queue.wrapUpOver':
      step.wrapUpOver(event.id);
      break;
    case 'queue.maxWait':
      step.maxWait(event.id);
      break;
    case 'queue.seed':
      step.seed(event.waitsMs);
      break;
  }
  step.pair();
  step.announcePositions();
  return step.result();
}
