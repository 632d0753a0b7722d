/**
 * The queue actors: the queue kind of long-lived named actors
 * (src/runtime/named-actors.ts), and who is in a queue as the database keeps it.
 */
import type { QueueContext, QueueSettings } from '../../../states/queue/machine.js';
import type { queueMachine } from '../../../states/queue/queue-machine.js';
import { errorMessage } from '../../errors.js';
import type { NamedActorKind } from '../../runtime/named-actors.js';
import type { QueueMember, QueueStore } from '../../storage/types.js';

type QueueLogic = typeof queueMachine;

const iso = (ms: number) => new Date(ms).toISOString();

/** Who is in a queue, as `queue status` shows it: callers (waiting first, by place), then agents in queue order. */
export function queueMembers(context: QueueContext): QueueMember[] {
  const queue = context.name;
  const connectionOf = (id: string) => context.connections.find((c) => c.agentId === id || c.caller.id === id);
  const waiting: QueueMember[] = context.callers.map((c, i) => ({
    queue,
    channelId: c.id,
    role: 'caller',
    status: 'waiting',
    position: i + 1,
    since: iso(c.since),
    callerNumber: c.caller.number,
    callerName: c.caller.name,
    peerChannelId: null,
  }));
  const served: QueueMember[] = context.connections
    .filter((c) => c.callerPresent)
    .map((c) => ({
      queue,
      channelId: c.caller.id,
      role: 'caller',
      status: c.phase === 'bridged' ? 'onCall' : 'connecting',
      position: null,
      since: iso(c.caller.since),
      callerNumber: c.caller.caller.number,
      callerName: c.caller.caller.name,
      peerChannelId: c.agentId,
    }));
  const agents: QueueMember[] = context.agents.map((a) => {
    const connection = a.status === 'onCall' ? connectionOf(a.id) : undefined;
    return {
      queue,
      channelId: a.id,
      role: 'agent',
      status: a.status === 'onCall' ? (connection?.bridgedAt === undefined ? 'connecting' : 'onCall') : a.status,
      position: null,
      since: iso(a.since),
      callerNumber: a.caller.number,
      callerName: a.caller.name,
      peerChannelId: connection?.caller.id ?? null,
    };
  });
  return [...waiting, ...served, ...agents];
}

/** Options of the queue actors. */
export interface QueueActorsOptions {
  /** The queue machine with its effects provided. */
  logic: QueueLogic;
  store: QueueStore;
  settings: QueueSettings;
  /** An idle queue (nobody in it) is stopped after this long; default 60 s. */
  idleMs?: number;
}

/**
 * The queue kind of long-lived named actors: one per queue name, seeded with
 * recent waits from the log on creation (hold-time estimates survive a
 * restart), its members written to the database whenever they change (for
 * `stasis-flows queue status`, another process), stopped once empty.
 */
export function queueActorKind(options: QueueActorsOptions): NamedActorKind<QueueLogic> {
  const { logic, store, settings } = options;
  /** What was last written per queue, to write only changes. */
  const written = new Map<string, string>();
  return {
    kind: 'queue',
    logic,
    idleMs: options.idleMs,
    input: (name, log) => ({ name, settings, log }),
    isIdle: (snapshot) => snapshot.context.callers.length === 0 && snapshot.context.agents.length === 0 && snapshot.context.connections.length === 0,
    persist: async (name, snapshot) => {
      const members = queueMembers(snapshot.context);
      const text = JSON.stringify(members);
      if (text === (written.get(name) ?? '[]')) return;
      written.set(name, text);
      await store.setMembers(name, members);
    },
    started: (name, actor, log) => {
      store.recentWaits(name, settings.holdTimeSamples).then(
        (waits) => {
          if (waits.length > 0 && actor.getSnapshot().status === 'active') actor.send({ type: 'queue.seed', waitsMs: waits.map((s) => s * 1000) });
        },
        (err: unknown) => log.warn('could not read recent waits', { err: errorMessage(err) }),
      );
    },
  };
}
