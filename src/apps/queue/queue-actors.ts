/**
 * The long-lived queue actors, one per queue name, created on first use.
 * Each is subscribed with an `error` handler (an unobserved actor error would
 * be rethrown), seeded with recent waits from the log (hold-time estimates
 * survive a restart), and its members are written to the database whenever
 * they change, for `stasis-flows queue status` (another process).
 */
import { createActor, type Actor } from 'xstate';
import type { QueueContext, QueueRef, QueueSettings } from '../../../states/queue/machine.js';
import type { queueMachine } from '../../../states/queue/queue-machine.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
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

interface LiveQueue {
  actor: Actor<QueueLogic>;
  /** What was last written, to write only changes. */
  written: string;
  /** Writes in order, one at a time. */
  writing: Promise<void>;
}

/** Options of the registry. */
export interface QueueRegistryOptions {
  /** The queue machine with its effects provided. */
  logic: QueueLogic;
  store: QueueStore;
  log: Logger;
  settings: QueueSettings;
}

/** The queue actors of one service, by queue name. */
export class QueueRegistry {
  private readonly queues = new Map<string, LiveQueue>();

  constructor(private readonly options: QueueRegistryOptions) {}

  /** The queue actor of `name`, created (and seeded from the log) on first use. */
  get(name: string): QueueRef {
    return (this.queues.get(name) ?? this.create(name)).actor;
  }

  private create(name: string): LiveQueue {
    const { logic, store, settings } = this.options;
    const log = this.options.log.child({ queue: name });
    const actor = createActor(logic, { input: { name, settings, log }, id: `queue:${name}` });
    const live: LiveQueue = { actor, written: '[]', writing: Promise.resolve() };
    this.queues.set(name, live);
    actor.subscribe({
      next: (snapshot) => this.persist(name, live, queueMembers(snapshot.context), log),
      error: (err) => {
        // A bug in the queue machine: new calls get a fresh queue; this one's members are logged.
        log.error('queue actor failed', { err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
        if (this.queues.get(name) === live) this.queues.delete(name);
      },
    });
    actor.start();
    log.info('queue started');
    store.recentWaits(name, settings.holdTimeSamples).then(
      (waits) => {
        if (waits.length > 0 && actor.getSnapshot().status === 'active') actor.send({ type: 'queue.seed', waitsMs: waits.map((s) => s * 1000) });
      },
      (err: unknown) => log.warn('could not read recent waits', { err: errorMessage(err) }),
    );
    return live;
  }

  private persist(name: string, live: LiveQueue, members: QueueMember[], log: Logger): void {
    const text = JSON.stringify(members);
    if (text === live.written) return;
    live.written = text;
    live.writing = live.writing
      .then(() => this.options.store.setMembers(name, members))
      .catch((err: unknown) => {
        log.warn('could not write the queue members', { err: errorMessage(err) });
      });
  }
}
