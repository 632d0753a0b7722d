/**
 * `stasis-flows queue ...`: the call queues, as the service last wrote them to
 * the database (no Asterisk needed): who waits, where, for how long; the
 * agents and what they do; and recent figures from the queue log.
 */
import { isQueueName } from '../../states/queue/args.js';
import { AppError } from '../errors.js';
import { openQueueStore, type QueueMember, type QueueStats } from '../storage/index.js';
import type { Command, CommandContext, CommandGroup } from './command.js';
import { plural, text } from './common.js';
import { formatTable } from './table.js';

/** One queue as `queue status --json` prints it. */
export interface QueueStatus {
  name: string;
  callers: { position: number | null; status: QueueMember['status']; channelId: string; callerNumber: string; callerName: string; since: string; waitSeconds: number; agentChannelId: string | null }[];
  agents: { status: QueueMember['status']; channelId: string; callerNumber: string; callerName: string; since: string; seconds: number; callerChannelId: string | null }[];
  /** Since `statsSince`. */
  stats: Omit<QueueStats, 'queue'>;
}

const STATUS_TEXT: Record<QueueMember['status'], string> = {
  waiting: 'waiting',
  connecting: 'connecting',
  onCall: 'on call',
  idle: 'idle',
  wrapUp: 'wrap-up',
};

/** "m:ss" (or "h:mm:ss"). */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

function who(member: { callerName: string; callerNumber: string }): string {
  if (member.callerName && member.callerNumber) return `${member.callerName} <${member.callerNumber}>`;
  return member.callerNumber || member.callerName || 'unknown';
}

function hoursOption(value: string | boolean | undefined): number {
  const raw = text(value);
  if (raw === undefined) return 24;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 24 * 366)) throw new AppError('INVALID_INPUT', `--hours must be a whole number from 1 to ${24 * 366}, got "${raw}"`);
  return n;
}

/** Builds each queue's status from the live members and the log's figures. */
export function buildStatus(members: readonly QueueMember[], stats: readonly QueueStats[], now: number, only?: string): QueueStatus[] {
  const names = new Set([...members.map((m) => m.queue), ...stats.map((s) => s.queue)]);
  if (only !== undefined) {
    names.clear();
    names.add(only);
  }
  const seconds = (since: string) => Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  return [...names].sort().map((name) => {
    const mine = members.filter((m) => m.queue === name);
    const figures = stats.find((s) => s.queue === name);
    return {
      name,
      callers: mine
        .filter((m) => m.role === 'caller')
        .map((m) => ({
          position: m.position,
          status: m.status,
          channelId: m.channelId,
          callerNumber: m.callerNumber,
          callerName: m.callerName,
          since: m.since,
          waitSeconds: seconds(m.since),
          agentChannelId: m.peerChannelId,
        })),
      agents: mine
        .filter((m) => m.role === 'agent')
        .map((m) => ({
          status: m.status,
          channelId: m.channelId,
          callerNumber: m.callerNumber,
          callerName: m.callerName,
          since: m.since,
          seconds: seconds(m.since),
          callerChannelId: m.peerChannelId,
        })),
      stats: { answered: figures?.answered ?? 0, abandoned: figures?.abandoned ?? 0, timedOut: figures?.timedOut ?? 0, averageWaitSeconds: figures?.averageWaitSeconds ?? null },
    };
  });
}

/** The text `queue status` prints for one queue. */
export function formatStatus(queue: QueueStatus, hours: number): string {
  const lines = [`Queue ${queue.name}`];
  const waiting = queue.callers.filter((c) => c.status === 'waiting');
  if (waiting.length === 0) {
    lines.push('  No callers waiting.');
  } else {
    lines.push(`  ${plural(waiting.length, 'caller')} waiting:`);
    const rows = waiting.map((c) => [String(c.position ?? ''), who(c), clock(c.waitSeconds), c.channelId]);
    lines.push(...formatTable(['POS', 'CALLER', 'WAITING', 'CHANNEL'], rows, [0, 2]).split('\n').map((l) => `    ${l}`));
  }
  if (queue.agents.length === 0) {
    lines.push('  No agents.');
  } else {
    const callerOf = (id: string | null) => queue.callers.find((c) => c.channelId === id);
    lines.push(`  ${plural(queue.agents.length, 'agent')}:`);
    const rows = queue.agents.map((a) => {
      const caller = callerOf(a.callerChannelId);
      return [who(a), STATUS_TEXT[a.status], clock(a.seconds), caller ? who(caller) : '', a.channelId];
    });
    lines.push(...formatTable(['AGENT', 'STATUS', 'FOR', 'WITH', 'CHANNEL'], rows, [2]).split('\n').map((l) => `    ${l}`));
  }
  const { answered, abandoned, timedOut, averageWaitSeconds } = queue.stats;
  const average = averageWaitSeconds === null ? 'no answered calls' : `average wait ${clock(averageWaitSeconds)}`;
  lines.push(`  Last ${plural(hours, 'hour')}: ${answered} answered, ${abandoned} abandoned, ${timedOut} timed out, ${average}.`);
  return lines.join('\n');
}

const status: Command = {
  summary: 'show who waits in the queues, the agents, and recent figures',
  synopsis: '[name] [--json] [--hours <n>]',
  description: [
    'Show the callers waiting (place, wait), the agents (idle, on call, wrap-up) and the',
    'figures of the last hours (answered, abandoned, timed out, average wait) of one queue,',
    'or of every queue with members or calls. Read from the database the service writes.',
  ].join('\n'),
  args: [],
  optional: ['name'],
  options: {
    json: { type: 'boolean', help: 'print JSON instead of text' },
    hours: { type: 'string', value: '<n>', help: 'figures over the last n hours (default 24)' },
  },
  async run({ values, positionals: [name] }, ctx: CommandContext) {
    if (name !== undefined && !isQueueName(name)) throw new AppError('INVALID_INPUT', `queue name must be 1-40 letters, digits, "-" or "_", got "${name}"`);
    const hours = hoursOption(values.hours);
    const store = openQueueStore(ctx.localConfig().dataDir);
    try {
      const now = Date.now();
      const since = new Date(now - hours * 3_600_000).toISOString();
      const queues = buildStatus(await store.listMembers(name), await store.stats(since, name), now, name);
      if (values.json === true) {
        ctx.out(JSON.stringify(queues, null, 2));
      } else if (queues.length === 0) {
        ctx.out(`No queue has members, nor calls in the last ${plural(hours, 'hour')}.`);
      } else {
        ctx.out(queues.map((q) => formatStatus(q, hours)).join('\n\n'));
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};

/** The `queue` command group. */
export const queueGroup: CommandGroup = {
  summary: 'look at the call queues (no Asterisk needed)',
  commands: { status },
};
